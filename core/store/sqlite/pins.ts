// Name pins and conflict decisions in SQLite. Both are read on every aggregation rebuild and
// written rarely, so each store keeps an in-memory copy loaded at open and writes through:
// `all()` never touches the disk, and a write has committed (fsynced, on the state connection)
// before it returns, so an acknowledged decision survives a crash. This process is the only
// writer of these tables.
import type Database from 'better-sqlite3';
import type { CapabilityKind } from '../../../common/domain/capability.js';
import type { Decision, DecisionRecord, Pin } from '../../../common/domain/conflict.js';
import type { DecisionStore, PinStore, ProfilePinStore } from '../../domain/stores.js';
import type { ProfilePin } from '../../profiles/view.js';

const pinKey = (kind: string, backend: string, originalName: string) =>
  `${kind}\u0000${backend}\u0000${originalName}`;

interface PinRow {
  kind: CapabilityKind;
  backend: string;
  original_name: string;
  advertised_name: string;
  pinned_at: number;
}

export class SqlitePinStore implements PinStore {
  private readonly pins = new Map<string, Pin>();
  private readonly upsertMany: (pins: readonly Pin[]) => void;
  private readonly deleteMany: (pins: readonly Pin[]) => void;

  constructor(db: Database.Database) {
    for (const row of db.prepare('SELECT * FROM pins').all() as PinRow[]) {
      const pin: Pin = {
        kind: row.kind,
        backend: row.backend,
        originalName: row.original_name,
        advertisedName: row.advertised_name,
        pinnedAt: row.pinned_at,
      };
      this.pins.set(pinKey(pin.kind, pin.backend, pin.originalName), pin);
    }
    const upsert = db.prepare<[string, string, string, string, number]>(
      `INSERT INTO pins (kind, backend, original_name, advertised_name, pinned_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (kind, backend, original_name)
       DO UPDATE SET advertised_name = excluded.advertised_name, pinned_at = excluded.pinned_at`,
    );
    this.upsertMany = db.transaction((pins: readonly Pin[]) => {
      for (const p of pins)
        upsert.run(p.kind, p.backend, p.originalName, p.advertisedName, Math.round(p.pinnedAt));
    });
    const remove = db.prepare<[string, string, string]>(
      'DELETE FROM pins WHERE kind = ? AND backend = ? AND original_name = ?',
    );
    this.deleteMany = db.transaction((pins: readonly Pin[]) => {
      for (const p of pins) remove.run(p.kind, p.backend, p.originalName);
    });
  }

  all(): Pin[] {
    return [...this.pins.values()];
  }

  upsert(pins: readonly Pin[]): void {
    if (pins.length === 0) return;
    this.upsertMany(pins);
    for (const pin of pins) this.pins.set(pinKey(pin.kind, pin.backend, pin.originalName), { ...pin });
  }

  remove(filter: { backend?: string; kind?: CapabilityKind; advertisedName?: string }): void {
    const doomed = [...this.pins.entries()].filter(
      ([, pin]) =>
        (filter.backend === undefined || pin.backend === filter.backend) &&
        (filter.kind === undefined || pin.kind === filter.kind) &&
        (filter.advertisedName === undefined || pin.advertisedName === filter.advertisedName),
    );
    if (doomed.length === 0) return;
    this.deleteMany(doomed.map(([, pin]) => pin));
    for (const [key] of doomed) this.pins.delete(key);
  }
}

const decisionKey = (kind: string, name: string) => `${kind}\u0000${name}`;

interface DecisionRow {
  kind: CapabilityKind;
  name: string;
  decision: string;
  decided_at: number;
}

export class SqliteDecisionStore implements DecisionStore {
  private readonly decisions = new Map<string, DecisionRecord>();
  private readonly upsertOne: Database.Statement<[string, string, string, number]>;
  private readonly deleteOne: Database.Statement<[string, string]>;

  constructor(db: Database.Database) {
    for (const row of db.prepare('SELECT * FROM decisions').all() as DecisionRow[]) {
      const record: DecisionRecord = {
        kind: row.kind,
        name: row.name,
        decision: JSON.parse(row.decision) as Decision,
        decidedAt: row.decided_at,
      };
      this.decisions.set(decisionKey(record.kind, record.name), record);
    }
    this.upsertOne = db.prepare(
      `INSERT INTO decisions (kind, name, decision, decided_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, name) DO UPDATE SET decision = excluded.decision, decided_at = excluded.decided_at`,
    );
    this.deleteOne = db.prepare('DELETE FROM decisions WHERE kind = ? AND name = ?');
  }

  all(): DecisionRecord[] {
    return [...this.decisions.values()];
  }

  set(record: DecisionRecord): void {
    const copy: DecisionRecord = { ...record, decision: structuredClone(record.decision) };
    this.upsertOne.run(copy.kind, copy.name, JSON.stringify(copy.decision), Math.round(copy.decidedAt));
    this.decisions.set(decisionKey(copy.kind, copy.name), copy);
  }

  remove(kind: CapabilityKind, name: string): void {
    this.deleteOne.run(kind, name);
    this.decisions.delete(decisionKey(kind, name));
  }
}

interface ProfilePinRow {
  profile: string;
  kind: 'tool' | 'prompt';
  backend: string;
  original_name: string;
  advertised_name: string;
  pinned_at: number;
}

const profilePinKey = (p: Pick<ProfilePin, 'profile' | 'kind' | 'backend' | 'originalName'>) =>
  `${p.profile}\u0000${p.kind}\u0000${p.backend}\u0000${p.originalName}`;

/** Per-profile name pins, cached like the others: read on every profile rebuild, written rarely. */
export class SqliteProfilePinStore implements ProfilePinStore {
  private readonly pins = new Map<string, ProfilePin>();
  private readonly upsertMany: (pins: readonly ProfilePin[]) => void;
  private readonly deleteMany: (pins: readonly ProfilePin[]) => void;

  constructor(db: Database.Database) {
    for (const row of db.prepare('SELECT * FROM profile_pins').all() as ProfilePinRow[]) {
      const pin: ProfilePin = {
        profile: row.profile,
        kind: row.kind,
        backend: row.backend,
        originalName: row.original_name,
        advertisedName: row.advertised_name,
        pinnedAt: row.pinned_at,
      };
      this.pins.set(profilePinKey(pin), pin);
    }
    const upsert = db.prepare<[string, string, string, string, string, number]>(
      `INSERT INTO profile_pins (profile, kind, backend, original_name, advertised_name, pinned_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (profile, kind, backend, original_name)
       DO UPDATE SET advertised_name = excluded.advertised_name, pinned_at = excluded.pinned_at`,
    );
    this.upsertMany = db.transaction((pins: readonly ProfilePin[]) => {
      for (const p of pins)
        upsert.run(p.profile, p.kind, p.backend, p.originalName, p.advertisedName, Math.round(p.pinnedAt));
    });
    const remove = db.prepare<[string, string, string, string]>(
      'DELETE FROM profile_pins WHERE profile = ? AND kind = ? AND backend = ? AND original_name = ?',
    );
    this.deleteMany = db.transaction((pins: readonly ProfilePin[]) => {
      for (const p of pins) remove.run(p.profile, p.kind, p.backend, p.originalName);
    });
  }

  forProfile(profile: string): ProfilePin[] {
    return [...this.pins.values()].filter((p) => p.profile === profile);
  }

  upsert(pins: readonly ProfilePin[]): void {
    if (pins.length === 0) return;
    this.upsertMany(pins);
    for (const pin of pins) this.pins.set(profilePinKey(pin), { ...pin });
  }

  remove(filter: { profile: string; backend?: string }): void {
    const doomed = [...this.pins.values()].filter(
      (p) => p.profile === filter.profile && (filter.backend === undefined || p.backend === filter.backend),
    );
    if (doomed.length === 0) return;
    this.deleteMany(doomed);
    for (const pin of doomed) this.pins.delete(profilePinKey(pin));
  }
}
