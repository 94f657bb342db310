// A legacy-era client session as it is persisted: enough to restore it after a restart without the
// client initializing again (its identity, the protocol version it negotiated, and each backend's
// own session id), plus the store interface the gateway keeps it in.

export interface SessionRecord {
  id: string;
  clientInfo: { name: string; version: string; [key: string]: unknown };
  capabilities: Record<string, unknown>;
  protocolVersion: string;
  createdAt: number;
  lastSeen: number;
  /** Backend session ids per backend (legacy HTTP backends), to resume after a restart. */
  backendSessions: Record<string, string>;
}

export interface SessionEviction {
  /** Sessions not seen for longer than this are evicted. */
  idleTtlMs: number;
  /** At most this many sessions are kept; the least recently seen go first. */
  max: number;
  now: number;
  /** Ids never evicted (e.g. sessions with an open GET stream). They still count towards `max`. */
  keep?: ReadonlySet<string>;
}

export interface SessionStore {
  /** Inserts or replaces a session. Durable once it returns: call it before telling the client the id. */
  save(record: SessionRecord): void;
  /** Records activity. Cheap enough for every request: implementations may coalesce the writes. */
  touch(id: string, lastSeen: number): void;
  get(id: string): SessionRecord | undefined;
  delete(id: string): void;
  /** Every stored session, most recently seen first. */
  list(): SessionRecord[];
  /** Removes idle sessions and, beyond `max`, the least recently used; returns the removed ids. */
  evict(options: SessionEviction): string[];
}

/** Whether a stored session has been idle too long to be restored. */
export function sessionExpired(
  record: Pick<SessionRecord, 'lastSeen'>,
  idleTtlMs: number,
  now: number,
): boolean {
  return now - record.lastSeen > idleTtlMs;
}
