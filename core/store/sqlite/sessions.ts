// Legacy client sessions in SQLite, so a client's Mcp-Session-Id keeps working after a restart.
//
// - save() queues the record and commits every save queued in the same turn in one transaction
//   on the next setImmediate (state connection, synchronous=FULL), so a burst of new clients costs
//   one commit, and the commit runs after the initialize response was handed to the socket rather
//   than before it. flush() and close() (the stop path, also on SIGTERM) write them at once;
//   get(), list() and evict() write them first, so reads always see them; delete() drops a
//   queued save. The window:
//   a SIGKILL or power loss within that one turn (a few ms) after an initialize loses that
//   session, and its client gets 404 and initializes again (docs/decisions.md).
// - delete() commits before it returns.
// - touch() runs on every request, so it only records the time in memory; the pending times are
//   written in one transaction `touchFlushMs` (default 1 s) after the first of them, by
//   flush(), and before evict() and close(). get() and list() see pending times. A crash loses
//   at most that window of last-seen updates, which only makes a session look up to
//   `touchFlushMs` older than it is.
// - A batch of touches alone is committed with synchronous=NORMAL (no fsync; the connection's own
//   level is restored right after). In WAL mode that commit survives a crash of the process; only
//   a power loss or OS crash can undo it, which makes sessions look a few seconds older, nothing
//   more. Committed with the connection's FULL, the fsync stalled the event loop once a second,
//   0.75 ms (median) to 6 ms on this VM, and every call in flight then waited: a p99 tail.
import type Database from 'better-sqlite3';
import type { SessionEviction, SessionRecord, SessionStore } from '../../domain/session.js';
import type { Logger } from '../../domain/runtime.js';
import { silentLogger } from '../../support/logger.js';

export interface SqliteSessionStoreOptions {
  /** How long touches are coalesced before they are written (ms). */
  touchFlushMs?: number;
  logger?: Logger;
}

interface SessionRow {
  id: string;
  client_name: string;
  client_version: string;
  client_info: string;
  capabilities: string;
  protocol_version: string;
  created_at: number;
  last_seen: number;
  backend_sessions: string;
}

export class SqliteSessionStore implements SessionStore {
  private readonly pending = new Map<string, number>();
  /** Saves not yet written, by id (a later save of the same id replaces the earlier one). */
  private readonly pendingSaves = new Map<string, SessionRecord>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly touchFlushMs: number;
  private readonly logger: Logger;
  private readonly statements;
  private readonly writeBatch: (saves: SessionRecord[], touches: [string, number][]) => void;
  private readonly deleteMany: (ids: readonly string[]) => void;
  /** The connection's own `synchronous` level, restored after a batch of touches. */
  private readonly synchronous: number;

  constructor(
    private readonly db: Database.Database,
    options: SqliteSessionStoreOptions = {},
  ) {
    this.touchFlushMs = options.touchFlushMs ?? 1000;
    this.logger = options.logger ?? silentLogger;
    this.statements = {
      upsert: db.prepare<[string, string, string, string, string, string, number, number, string]>(
        `INSERT INTO sessions (id, client_name, client_version, client_info, capabilities, protocol_version,
           created_at, last_seen, backend_sessions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET client_name = excluded.client_name,
           client_version = excluded.client_version, client_info = excluded.client_info,
           capabilities = excluded.capabilities, protocol_version = excluded.protocol_version,
           created_at = excluded.created_at, last_seen = max(last_seen, excluded.last_seen),
           backend_sessions = excluded.backend_sessions`,
      ),
      touch: db.prepare<[number, string]>('UPDATE sessions SET last_seen = max(last_seen, ?) WHERE id = ?'),
      get: db.prepare<[string]>('SELECT * FROM sessions WHERE id = ?'),
      list: db.prepare<[]>('SELECT * FROM sessions ORDER BY last_seen DESC'),
      delete: db.prepare<[string]>('DELETE FROM sessions WHERE id = ?'),
      idle: db.prepare<[number]>('SELECT id FROM sessions WHERE last_seen < ? ORDER BY last_seen'),
      byAge: db.prepare<[]>('SELECT id FROM sessions ORDER BY last_seen, id'),
    };
    // Saves before touches: a touch of a session saved in the same batch then applies to its row.
    this.writeBatch = db.transaction((saves: SessionRecord[], touches: [string, number][]) => {
      for (const record of saves) this.upsert(record);
      for (const [id, lastSeen] of touches) this.statements.touch.run(lastSeen, id);
    });
    this.deleteMany = db.transaction((ids: readonly string[]) => {
      for (const id of ids) this.statements.delete.run(id);
    });
    this.synchronous = db.pragma('synchronous', { simple: true }) as number;
  }

  /** Queues the record; it is committed on the next setImmediate (or by flush/close/reads). */
  save(record: SessionRecord): void {
    // A queued save of the same id is replaced, but its last-seen time never moves back (as on disk).
    const queued = this.pendingSaves.get(record.id);
    this.pendingSaves.set(
      record.id,
      queued && queued.lastSeen > record.lastSeen ? { ...record, lastSeen: queued.lastSeen } : record,
    );
    const pending = this.pending.get(record.id);
    if (pending !== undefined && pending <= record.lastSeen) this.pending.delete(record.id);
    this.immediate ??= setImmediate(() => {
      this.immediate = undefined;
      this.flushSafely(() => this.flushSaves());
    });
  }

  private upsert(record: SessionRecord): void {
    this.statements.upsert.run(
      record.id,
      record.clientInfo.name,
      record.clientInfo.version,
      JSON.stringify(record.clientInfo),
      JSON.stringify(record.capabilities),
      record.protocolVersion,
      Math.round(record.createdAt),
      Math.round(record.lastSeen),
      JSON.stringify(record.backendSessions),
    );
  }

  touch(id: string, lastSeen: number): void {
    const previous = this.pending.get(id);
    if (previous !== undefined && previous >= lastSeen) return;
    this.pending.set(id, Math.round(lastSeen));
    if (!this.timer) {
      this.timer = setTimeout(() => this.flushSafely(), this.touchFlushMs);
      this.timer.unref();
    }
  }

  get(id: string): SessionRecord | undefined {
    this.flushSaves();
    const row = this.statements.get.get(id) as SessionRow | undefined;
    return row ? this.fromRow(row) : undefined;
  }

  delete(id: string): void {
    this.pending.delete(id);
    this.pendingSaves.delete(id);
    this.statements.delete.run(id);
  }

  list(): SessionRecord[] {
    this.flushSaves();
    const records = (this.statements.list.all() as SessionRow[]).map((row) => this.fromRow(row));
    return this.pending.size ? records.sort((a, b) => b.lastSeen - a.lastSeen) : records;
  }

  evict({ idleTtlMs, max, now, keep }: SessionEviction): string[] {
    this.flush();
    const kept = (id: string) => keep?.has(id) ?? false;
    const evicted = new Set<string>();
    for (const { id } of this.statements.idle.all(now - idleTtlMs) as { id: string }[]) {
      if (!kept(id)) evicted.add(id);
    }
    const remaining = (this.statements.byAge.all() as { id: string }[]).filter(({ id }) => !evicted.has(id));
    let excess = remaining.length - max;
    for (const { id } of remaining) {
      if (excess <= 0) break;
      if (kept(id)) continue;
      evicted.add(id);
      excess--;
    }
    const ids = [...evicted];
    if (ids.length) this.deleteMany(ids);
    return ids;
  }

  /** Writes pending saves and touches now, in one transaction. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    clearImmediate(this.immediate);
    this.immediate = undefined;
    if (this.pending.size === 0 && this.pendingSaves.size === 0) return;
    if (this.pendingSaves.size === 0) this.writeTouches([...this.pending]);
    else this.writeBatch([...this.pendingSaves.values()], [...this.pending]);
    // Only forget what was written: nothing can be added meanwhile (this is synchronous).
    this.pendingSaves.clear();
    this.pending.clear();
  }

  /** Last-seen times alone: committed without an fsync (see the head of this file). */
  private writeTouches(touches: [string, number][]): void {
    this.db.pragma('synchronous = NORMAL');
    try {
      this.writeBatch([], touches);
    } finally {
      this.db.pragma(`synchronous = ${this.synchronous}`);
    }
  }

  /** Writes queued saves only (touches keep their own, slower timer). */
  private flushSaves(): void {
    clearImmediate(this.immediate);
    this.immediate = undefined;
    if (this.pendingSaves.size === 0) return;
    this.writeBatch([...this.pendingSaves.values()], []);
    this.pendingSaves.clear();
  }

  /** Writes pending saves and touches; the database stays open (its owner closes it). */
  close(): void {
    this.flush();
  }

  private flushSafely(write: () => void = () => this.flush()): void {
    try {
      write();
    } catch (error) {
      // Busy or failing disk: keep what is queued and try again later.
      this.logger.warn('could not write sessions; will retry', { error: String(error) });
      if (!this.timer && this.db.open) {
        this.timer = setTimeout(() => this.flushSafely(), this.touchFlushMs);
        this.timer.unref();
      }
    }
  }

  private fromRow(row: SessionRow): SessionRecord {
    const pending = this.pending.get(row.id);
    return {
      id: row.id,
      clientInfo: JSON.parse(row.client_info) as SessionRecord['clientInfo'],
      capabilities: JSON.parse(row.capabilities) as Record<string, unknown>,
      protocolVersion: row.protocol_version,
      createdAt: row.created_at,
      lastSeen: pending !== undefined && pending > row.last_seen ? pending : row.last_seen,
      backendSessions: JSON.parse(row.backend_sessions) as Record<string, string>,
    };
  }
}
