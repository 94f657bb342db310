// Tool integrity in SQLite: approved definitions (beside the name pins) and the changes awaiting
// review. Read on every aggregation rebuild and written rarely, so like the pin store it keeps an
// in-memory copy loaded at open and writes through: reads never touch the disk, and a decision has
// committed (on the FULL-sync state connection) before it returns.
import type Database from 'better-sqlite3';
import type { JsonObject } from '../../../common/domain/capability.js';
import type {
  ChangeDecision,
  ChangeFilter,
  ChangeKind,
  DefinitionPin,
  Finding,
  IntegrityKind,
  IntegrityStore,
  PendingChange,
} from '../../../common/domain/integrity.js';
import { MemoryIntegrityStore } from '../memory.js';

interface PinRow {
  kind: IntegrityKind;
  backend: string;
  original_name: string;
  hash: string;
  definition: string;
  approved_at: number;
}

interface ChangeRow {
  id: string;
  backend: string;
  capability: IntegrityKind;
  tool: string;
  kind: ChangeKind;
  before: string | null;
  after: string;
  hash: string;
  findings: string;
  held: number;
  seen_at: number;
  decision: ChangeDecision | null;
  decided_at: number | null;
}

export class SqliteIntegrityStore implements IntegrityStore {
  /** The in-memory copy; SQLite is written first, then this, so both always agree. */
  private readonly memory = new MemoryIntegrityStore();
  private readonly upsertPinRows: (pins: readonly DefinitionPin[]) => void;
  private readonly upsertChange: Database.Statement;
  private readonly decideChange: Database.Statement<[string, number, string]>;
  private readonly deleteChange: Database.Statement<[string]>;
  private readonly deletePin: Database.Statement<[string, string, string]>;
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
    for (const row of db.prepare('SELECT * FROM definition_pins').all() as PinRow[]) {
      this.memory.upsertPins([
        {
          kind: row.kind,
          backend: row.backend,
          originalName: row.original_name,
          hash: row.hash,
          definition: JSON.parse(row.definition) as JsonObject,
          approvedAt: row.approved_at,
        },
      ]);
    }
    for (const row of db
      .prepare('SELECT * FROM integrity_changes ORDER BY seen_at, id')
      .all() as ChangeRow[]) {
      this.memory.recordChange(fromRow(row));
    }
    const upsertPin = db.prepare<[string, string, string, string, string, number]>(
      `INSERT INTO definition_pins (kind, backend, original_name, hash, definition, approved_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, backend, original_name) DO UPDATE SET
         hash = excluded.hash, definition = excluded.definition, approved_at = excluded.approved_at`,
    );
    this.upsertPinRows = db.transaction((pins: readonly DefinitionPin[]) => {
      for (const p of pins) {
        upsertPin.run(
          p.kind,
          p.backend,
          p.originalName,
          p.hash,
          JSON.stringify(p.definition),
          Math.round(p.approvedAt),
        );
      }
    });
    this.upsertChange = db.prepare(
      `INSERT INTO integrity_changes
         (id, backend, capability, tool, kind, before, after, hash, findings, held, seen_at, decision, decided_at)
       VALUES (@id, @backend, @capability, @tool, @kind, @before, @after, @hash, @findings, @held, @seen_at, @decision, @decided_at)
       ON CONFLICT (id) DO UPDATE SET findings = excluded.findings, held = excluded.held`,
    );
    this.decideChange = db.prepare('UPDATE integrity_changes SET decision = ?, decided_at = ? WHERE id = ?');
    this.deleteChange = db.prepare('DELETE FROM integrity_changes WHERE id = ?');
    this.deletePin = db.prepare(
      'DELETE FROM definition_pins WHERE kind = ? AND backend = ? AND original_name = ?',
    );
  }

  pins(): DefinitionPin[] {
    return this.memory.pins();
  }

  pin(kind: IntegrityKind, backend: string, originalName: string): DefinitionPin | undefined {
    return this.memory.pin(kind, backend, originalName);
  }

  upsertPins(pins: readonly DefinitionPin[]): void {
    if (pins.length === 0) return;
    this.upsertPinRows(pins);
    this.memory.upsertPins(pins);
  }

  removePin(kind: IntegrityKind, backend: string, originalName: string): void {
    this.deletePin.run(kind, backend, originalName);
    this.memory.removePin(kind, backend, originalName);
  }

  changes(): PendingChange[] {
    return this.memory.changes();
  }

  change(id: string): PendingChange | undefined {
    return this.memory.change(id);
  }

  recordChange(change: PendingChange): PendingChange {
    const known = this.memory.change(change.id);
    const kept = known ? { ...known, findings: change.findings, held: change.held } : change;
    this.upsertChange.run(toRow(kept));
    return this.memory.recordChange(kept);
  }

  decide(id: string, decision: ChangeDecision, now: number): PendingChange | undefined {
    if (!this.memory.change(id)) return undefined;
    this.decideChange.run(decision, Math.round(now), id);
    return this.memory.decide(id, decision, now);
  }

  removeChanges(filter: ChangeFilter): void {
    const doomed = this.memory.matching(filter);
    if (doomed.length === 0) return;
    this.db.transaction(() => {
      for (const change of doomed) this.deleteChange.run(change.id);
    })();
    this.memory.removeChanges(filter);
  }
}

function toRow(c: PendingChange): Record<string, unknown> {
  return {
    id: c.id,
    backend: c.backend,
    capability: c.capability,
    tool: c.tool,
    kind: c.kind,
    before: c.before === null ? null : JSON.stringify(c.before),
    after: JSON.stringify(c.after),
    hash: c.hash,
    findings: JSON.stringify(c.findings),
    held: c.held ? 1 : 0,
    seen_at: Math.round(c.seenAt),
    decision: c.decision ?? null,
    decided_at: c.decidedAt === undefined ? null : Math.round(c.decidedAt),
  };
}

function fromRow(row: ChangeRow): PendingChange {
  return {
    id: row.id,
    backend: row.backend,
    capability: row.capability,
    tool: row.tool,
    kind: row.kind,
    before: row.before === null ? null : (JSON.parse(row.before) as JsonObject),
    after: JSON.parse(row.after) as JsonObject,
    hash: row.hash,
    seenAt: row.seen_at,
    findings: JSON.parse(row.findings) as Finding[],
    held: row.held === 1,
    ...(row.decision ? { decision: row.decision } : {}),
    ...(row.decided_at !== null ? { decidedAt: row.decided_at } : {}),
  };
}
