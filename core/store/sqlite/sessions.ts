// Legacy client sessions in SQLite, so a client's Mcp-Session-Id keeps working after a restart.
//
// - save() and delete() commit before they return (state connection, synchronous=FULL): the
//   gateway saves a session before it sends the id to the client, so every id a client holds
//   is restorable.
// - touch() runs on every request, so it only records the time in memory; the pending times are
//   written in one transaction `touchFlushMs` (default 1 s) after the first of them, by
//   flush(), and before evict() and close(). get() and list() see pending times. A crash loses
//   at most that window of last-seen updates, which only makes a session look up to
//   `touchFlushMs` older than it is.
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
  private timer: NodeJS.Timeout | undefined;
  private readonly touchFlushMs: number;
  private readonly logger: Logger;
  private readonly statements;
  private readonly writeTouches: (touches: [string, number][]) => void;
  private readonly deleteMany: (ids: readonly string[]) => void;

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
    this.writeTouches = db.transaction((touches: [string, number][]) => {
      for (const [id, lastSeen] of touches) this.statements.touch.run(lastSeen, id);
    });
    this.deleteMany = db.transaction((ids: readonly string[]) => {
      for (const id of ids) this.statements.delete.run(id);
    });
  }

  save(record: SessionRecord): void {
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
    const pending = this.pending.get(record.id);
    if (pending !== undefined && pending <= record.lastSeen) this.pending.delete(record.id);
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
    const row = this.statements.get.get(id) as SessionRow | undefined;
    return row ? this.fromRow(row) : undefined;
  }

  delete(id: string): void {
    this.pending.delete(id);
    this.statements.delete.run(id);
  }

  list(): SessionRecord[] {
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

  /** Writes pending touches now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const touches = [...this.pending];
    this.writeTouches(touches);
    // Only forget what was written: nothing can be added meanwhile (this is synchronous).
    this.pending.clear();
  }

  /** Writes pending touches; the database stays open (its owner closes it). */
  close(): void {
    this.flush();
  }

  private flushSafely(): void {
    try {
      this.flush();
    } catch (error) {
      // Busy or failing disk: keep the touches and try again later.
      this.logger.warn('could not write session activity; will retry', { error: String(error) });
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
