// The only owner of client sessions: legacy sessions by id in least-recently-used order (evicting
// the oldest at the limit), restored from the store on first use after a restart, swept when idle,
// kept in the store; and the pool of modern clients' sessions (one per client identity).
import { randomUUID } from 'node:crypto';
import type { BackendRegistry } from '../backends/registry.js';
import type { LinkHandlers } from '../backends/backend-link.js';
import { MODERN_PROTOCOL_VERSION, type ClientIdentity } from '../backends/modern.js';
import type { Clock, Logger } from '../domain/runtime.js';
import { sessionExpired, type SessionRecord, type SessionStore } from '../domain/session.js';
import { Emitter } from '../support/emitter.js';
import { ClientSession } from './client-session.js';
import type { Era } from './inbound.js';
import type { Responder } from './responder.js';
import { DEFAULT_PROFILE } from '../config/schema.js';
import { LIST_CHANGED } from './wire.js';

export interface SessionTableOptions {
  registry: BackendRegistry;
  clock: Clock;
  logger: Logger;
  limits: { idleTtlMs: number; max: number };
  /** Where sessions are kept so they survive a restart (SQLite); memory only without it. */
  store?: SessionStore;
  /** Where a session's backend links send the backend's own messages (the dispatcher). */
  handlersFor(session: ClientSession): LinkHandlers<Responder>;
}

export type SessionInfo = SessionRecord & {
  calls: number;
  streamOpen: boolean;
  era: Era;
  /** Every backend the session has a link to (stdio and modern ones have no HTTP session id). */
  linkedBackends: string[];
};

export class SessionTable {
  /** Legacy sessions in least-recently-used order (a touched session moves to the end). */
  private readonly sessions = new Map<string, ClientSession>();
  /**
   * The id last put at the end of `sessions`: touching it again leaves the order as it is (a Map's
   * delete + set per request reallocated its table while a single client was busy).
   */
  private newest: string | undefined;
  /** Modern clients have no sessions: their backend links are pooled per client identity. */
  private readonly pool = new Map<string, ClientSession>();
  /** Sessions came or went (for the dashboard; listeners throttle). */
  readonly changed = new Emitter<void>();

  constructor(private readonly options: SessionTableOptions) {}

  /** Every live session, legacy and pooled modern ones. */
  *all(): Iterable<ClientSession> {
    yield* this.sessions.values();
    yield* this.pool.values();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Every session, legacy then pooled, for the dashboard. */
  infos(): SessionInfo[] {
    const out: SessionInfo[] = [];
    for (const s of [...this.sessions.values(), ...this.pool.values()]) {
      out.push({
        ...s.record(),
        calls: s.calls,
        streamOpen: s.streamOpen,
        era: s.era,
        linkedBackends: s.linkedBackends,
      });
    }
    return out;
  }

  /** A new legacy session (initialize), queued for the store as the client learns its id. */
  create(identity: ClientIdentity, protocolVersion: string, profile = DEFAULT_PROFILE): ClientSession {
    const session = this.add(randomUUID(), identity, protocolVersion, this.options.clock.now());
    session.profile = profile;
    // Committed within this turn (the store batches saves on setImmediate and flushes on stop), so
    // a restart right after this still knows it; only a kill -9 in that turn loses it.
    this.options.store?.save(session.record());
    return session;
  }

  /**
   * The session for an id on a profile's endpoint: live, or restored from the store after a restart
   * (undefined → 404). A session belongs to the endpoint it was opened on; a restored one takes the
   * profile of the URL it comes back on (clients keep their URL).
   */
  find(id: string, profile = DEFAULT_PROFILE): ClientSession | undefined {
    const live = this.sessions.get(id);
    if (live && live.profile !== profile) return undefined;
    return this.touch(id) ?? this.restore(id, profile);
  }

  /** The pooled session that carries a modern client identity's backend links. */
  pooled(identity: ClientIdentity, profile = DEFAULT_PROFILE): ClientSession {
    // Legacy backends need one session per distinct client identity and capability set (and profile).
    const key = `${profile}|${identity.clientInfo.name}@${identity.clientInfo.version}#${JSON.stringify(identity.capabilities)}`;
    const now = this.options.clock.now();
    let session = this.pool.get(key);
    if (!session || session.isClosed) {
      // A pooled identity is a session like any other: it counts against sessions.max.
      this.makeRoom();
      session = this.session(`modern:${key}`, identity, MODERN_PROTOCOL_VERSION, now, 'modern');
      session.profile = profile;
      this.pool.set(key, session);
    } else {
      // Least recently used order, as for legacy sessions.
      this.pool.delete(key);
      this.pool.set(key, session);
    }
    session.lastSeen = now;
    return session;
  }

  end(session: ClientSession): void {
    if (this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    this.options.store?.delete(session.id);
    void session.close();
    this.changed.emit();
  }

  /**
   * Tells every legacy session of a profile which lists changed (now on its GET stream, or when it
   * opens one).
   */
  listChanged(methods: readonly string[], profile = DEFAULT_PROFILE): void {
    if (methods.length === 0) return;
    for (const session of this.sessions.values()) {
      if (session.profile !== profile) continue;
      for (const method of methods) session.listChanged(method);
    }
  }

  /** Ends idle sessions (memory and store) and idle pooled sessions. */
  sweep(): void {
    const now = this.options.clock.now();
    const { idleTtlMs, max } = this.options.limits;
    const cutoff = now - idleTtlMs;
    const store = this.options.store;
    if (store) {
      // Stored sessions expire too, including ones not restored since a restart.
      const keep = new Set<string>();
      for (const s of this.sessions.values()) if (s.streamOpen) keep.add(s.id);
      for (const id of store.evict({ idleTtlMs, max, now, keep })) {
        const live = this.sessions.get(id);
        if (live) this.end(live);
      }
    }
    for (const [key, session] of this.pool) {
      if (session.lastSeen < cutoff) {
        this.pool.delete(key);
        void session.close();
      }
    }
    for (const session of [...this.sessions.values()]) {
      if (session.lastSeen >= cutoff) break; // LRU order: the rest are newer
      if (session.streamOpen) continue;
      this.options.logger.info('session expired (idle)', { session: session.id });
      this.end(session);
    }
  }

  /** Closes everything; stored sessions keep their backend sessions to resume after a restart. */
  async close(): Promise<void> {
    const keep = this.options.store !== undefined;
    const stored = [...this.sessions.values()];
    const pooled = [...this.pool.values()];
    this.sessions.clear();
    this.pool.clear();
    await Promise.all([...stored.map((s) => s.close(keep)), ...pooled.map((s) => s.close())]);
  }

  private session(
    id: string,
    identity: ClientIdentity,
    protocolVersion: string,
    createdAt: number,
    era: Era,
  ): ClientSession {
    const store = this.options.store;
    return new ClientSession(
      id,
      identity,
      protocolVersion,
      createdAt,
      this.options.registry,
      this.options.handlersFor,
      era,
      store && era === 'legacy' ? (s) => store.save(s.record()) : undefined,
    );
  }

  private add(
    id: string,
    identity: ClientIdentity,
    protocolVersion: string,
    createdAt: number,
  ): ClientSession {
    this.makeRoom();
    const session = this.session(id, identity, protocolVersion, createdAt, 'legacy');
    this.sessions.set(id, session);
    this.newest = id;
    this.changed.emit();
    return session;
  }

  /**
   * Ends the least recently used session, legacy or pooled, until one more fits under
   * sessions.max (both kinds hold backend sessions and processes alike).
   */
  private makeRoom(): void {
    while (this.sessions.size + this.pool.size >= this.options.limits.max) {
      const legacy = this.sessions.values().next().value as ClientSession | undefined;
      const pooled = this.pool.entries().next().value as [string, ClientSession] | undefined;
      if (pooled && (!legacy || pooled[1].lastSeen <= legacy.lastSeen)) {
        this.options.logger.info('pooled session evicted (session limit reached)', { session: pooled[1].id });
        this.pool.delete(pooled[0]);
        void pooled[1].close();
        this.changed.emit();
      } else if (legacy) {
        this.options.logger.info('session evicted (session limit reached)', { session: legacy.id });
        this.end(legacy);
      } else return;
    }
  }

  private touch(id: string): ClientSession | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    session.lastSeen = this.options.clock.now();
    if (id !== this.newest) {
      this.sessions.delete(id);
      this.sessions.set(id, session);
      this.newest = id;
    }
    this.options.store?.touch(id, session.lastSeen);
    return session;
  }

  /**
   * Brings back a stored session on its first use after a restart, without the client initializing
   * again: same id, identity and protocol version; its backend sessions are resumed where the
   * backend still has them and re-initialized where it does not.
   */
  private restore(id: string, profile: string): ClientSession | undefined {
    const store = this.options.store;
    const record = store?.get(id);
    if (!store || !record) return undefined;
    const now = this.options.clock.now();
    if (sessionExpired(record, this.options.limits.idleTtlMs, now)) {
      store.delete(id);
      return undefined;
    }
    const session = this.add(
      record.id,
      { clientInfo: record.clientInfo, capabilities: record.capabilities },
      record.protocolVersion,
      record.createdAt,
    );
    session.profile = profile;
    session.resumeFrom(record.backendSessions);
    // Its client cannot know what changed while Switchyard was down: every list, once.
    for (const method of Object.values(LIST_CHANGED)) session.listChanged(method);
    session.lastSeen = now;
    store.touch(id, now);
    this.options.logger.info('client session restored', {
      session: id,
      client: `${record.clientInfo.name} ${record.clientInfo.version}`,
    });
    return session;
  }
}
