// In-memory stores: the engine's defaults when it runs without a database (tests, `--data-dir`-less
// embedding). They keep names pinned for the life of the process.
import type { CapabilityKind } from '../../common/domain/capability.js';
import type { DecisionRecord, Pin } from '../../common/domain/conflict.js';
import type {
  ChangeDecision,
  ChangeFilter,
  DefinitionPin,
  IntegrityKind,
  IntegrityStore,
  PendingChange,
} from '../../common/domain/integrity.js';
import type {
  AppSettingsStore,
  BackendSetting,
  BackendSettingsPatch,
  BackendSettingsStore,
  DecisionStore,
  PinStore,
  ProfilePinStore,
} from '../domain/stores.js';
import type { ProfilePin } from '../profiles/view.js';

export class MemoryPinStore implements PinStore {
  private readonly pins = new Map<string, Pin>();

  all(): Pin[] {
    return [...this.pins.values()];
  }

  upsert(pins: readonly Pin[]): void {
    for (const pin of pins) this.pins.set(`${pin.kind}\u0000${pin.backend}\u0000${pin.originalName}`, pin);
  }

  remove(filter: { backend?: string; kind?: CapabilityKind; advertisedName?: string }): void {
    for (const [key, pin] of this.pins) {
      if (filter.backend !== undefined && pin.backend !== filter.backend) continue;
      if (filter.kind !== undefined && pin.kind !== filter.kind) continue;
      if (filter.advertisedName !== undefined && pin.advertisedName !== filter.advertisedName) continue;
      this.pins.delete(key);
    }
  }
}

export class MemoryProfilePinStore implements ProfilePinStore {
  private readonly pins = new Map<string, ProfilePin>();

  forProfile(profile: string): ProfilePin[] {
    return [...this.pins.values()].filter((p) => p.profile === profile);
  }

  upsert(pins: readonly ProfilePin[]): void {
    for (const pin of pins)
      this.pins.set(`${pin.profile}\u0000${pin.kind}\u0000${pin.backend}\u0000${pin.originalName}`, {
        ...pin,
      });
  }

  remove(filter: { profile: string; backend?: string }): void {
    for (const [key, pin] of this.pins) {
      if (pin.profile !== filter.profile) continue;
      if (filter.backend !== undefined && pin.backend !== filter.backend) continue;
      this.pins.delete(key);
    }
  }
}

export class MemoryDecisionStore implements DecisionStore {
  private readonly decisions = new Map<string, DecisionRecord>();

  all(): DecisionRecord[] {
    return [...this.decisions.values()];
  }

  set(record: DecisionRecord): void {
    this.decisions.set(`${record.kind}\u0000${record.name}`, record);
  }

  remove(kind: CapabilityKind, name: string): void {
    this.decisions.delete(`${kind}\u0000${name}`);
  }
}

export class MemoryBackendSettings implements BackendSettingsStore {
  private readonly settings = new Map<string, BackendSetting>();

  all(): BackendSetting[] {
    return [...this.settings.values()].sort((a, b) => a.backend.localeCompare(b.backend));
  }

  get(backend: string): BackendSetting | undefined {
    return this.settings.get(backend);
  }

  set(backend: string, patch: BackendSettingsPatch, now = Date.now()): BackendSetting {
    const current = this.settings.get(backend);
    const enabled = patch.enabled ?? current?.enabled ?? true;
    const displayName =
      patch.displayName === undefined ? current?.displayName : (patch.displayName ?? undefined);
    const setting: BackendSetting = {
      backend,
      enabled,
      ...(displayName ? { displayName } : {}),
      updatedAt: now,
    };
    this.settings.set(backend, setting);
    return setting;
  }

  remove(backend: string): void {
    this.settings.delete(backend);
  }
}

export class MemoryAppSettings implements AppSettingsStore {
  private readonly values = new Map<string, string>();

  get<T>(key: string): T | undefined {
    const value = this.values.get(key);
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  set(key: string, value: unknown): void {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, JSON.stringify(value));
  }
}

const definitionKey = (kind: string, backend: string, originalName: string) =>
  `${kind}\u0000${backend}\u0000${originalName}`;

/** Approved definitions and changes awaiting review, for the life of the process. */
export class MemoryIntegrityStore implements IntegrityStore {
  private readonly pinned = new Map<string, DefinitionPin>();
  /** Insertion order is sighting order: `changes()` lists the oldest first. */
  private readonly seen = new Map<string, PendingChange>();

  pins(): DefinitionPin[] {
    return [...this.pinned.values()];
  }

  pin(kind: IntegrityKind, backend: string, originalName: string): DefinitionPin | undefined {
    return this.pinned.get(definitionKey(kind, backend, originalName));
  }

  upsertPins(pins: readonly DefinitionPin[]): void {
    for (const pin of pins) {
      this.pinned.set(definitionKey(pin.kind, pin.backend, pin.originalName), structuredClone(pin));
    }
  }

  removePin(kind: IntegrityKind, backend: string, originalName: string): void {
    this.pinned.delete(definitionKey(kind, backend, originalName));
  }

  changes(): PendingChange[] {
    return [...this.seen.values()];
  }

  change(id: string): PendingChange | undefined {
    return this.seen.get(id);
  }

  recordChange(change: PendingChange): PendingChange {
    const known = this.seen.get(change.id);
    const kept = known ? { ...known, findings: change.findings, held: change.held } : structuredClone(change);
    this.seen.set(kept.id, kept);
    return kept;
  }

  decide(id: string, decision: ChangeDecision, now: number): PendingChange | undefined {
    const known = this.seen.get(id);
    if (!known) return undefined;
    const decided = { ...known, decision, decidedAt: now };
    this.seen.set(id, decided);
    return decided;
  }

  /** The changes a `removeChanges` filter names. */
  matching(filter: ChangeFilter): PendingChange[] {
    return [...this.seen.values()].filter(
      (c) =>
        c.backend === filter.backend &&
        (filter.capability === undefined || c.capability === filter.capability) &&
        (filter.tool === undefined || c.tool === filter.tool) &&
        c.id !== filter.exceptId,
    );
  }

  removeChanges(filter: ChangeFilter): void {
    for (const change of this.matching(filter)) this.seen.delete(change.id);
  }
}
