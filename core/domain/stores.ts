// What the engine persists, as interfaces: in memory by default, SQLite when a data dir is given.
import type { CapabilityKind } from './capability.js';
import type { DecisionRecord, Pin } from './conflict.js';

export interface PinStore {
  all(): Pin[];
  upsert(pins: readonly Pin[]): void;
  /** Forget pins (all of a backend's, or one name) so the names can be given out again. */
  remove(filter: { backend?: string; kind?: CapabilityKind; advertisedName?: string }): void;
}

export interface DecisionStore {
  all(): DecisionRecord[];
  set(record: DecisionRecord): void;
  remove(kind: CapabilityKind, name: string): void;
}
