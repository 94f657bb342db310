// What the engine persists, as interfaces: in memory by default, SQLite when a data dir is given.
import type { CapabilityKind } from '../../common/domain/capability.js';
import type { DecisionRecord, Pin } from '../../common/domain/conflict.js';
import type { ProfilePin } from '../profiles/view.js';

export interface PinStore {
  all(): Pin[];
  upsert(pins: readonly Pin[]): void;
  /** Forget pins (all of a backend's, or one name) so the names can be given out again. */
  remove(filter: { backend?: string; kind?: CapabilityKind; advertisedName?: string }): void;
}

/** Names a profile gave to fit its client's rule (see core/profiles/view.ts), kept per profile. */
export interface ProfilePinStore {
  /** Every pin of one profile. */
  forProfile(profile: string): ProfilePin[];
  upsert(pins: readonly ProfilePin[]): void;
  /** Forget a profile's pins (all of them, or one backend's). */
  remove(filter: { profile: string; backend?: string }): void;
}

export interface DecisionStore {
  all(): DecisionRecord[];
  set(record: DecisionRecord): void;
  remove(kind: CapabilityKind, name: string): void;
}

export interface BackendSetting {
  backend: string;
  enabled: boolean;
  displayName?: string;
  updatedAt: number;
}

export interface BackendSettingsPatch {
  enabled?: boolean;
  /** null clears the display name. */
  displayName?: string | null;
}

/** Per-backend choices made in the dashboard: enabled/disabled and a display name. */
export interface BackendSettingsStore {
  all(): BackendSetting[];
  get(backend: string): BackendSetting | undefined;
  /** Applies the patch over the current (or default) setting; durable when it returns. */
  set(backend: string, patch: BackendSettingsPatch, now?: number): BackendSetting;
  remove(backend: string): void;
}

/** Other choices made in the dashboard, as JSON values under a key. */
export interface AppSettingsStore {
  get<T>(key: string): T | undefined;
  /** Durable when it returns; `undefined` removes the key. */
  set(key: string, value: unknown, now?: number): void;
}
