// A legacy-era client session (Mcp-Session-Id): the client's identity, its own backend links,
// its GET stream, and the bookkeeping that maps ids between the client and each backend.
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCResultResponse,
  RequestId,
} from '@modelcontextprotocol/client';
import { BackendLink, type LinkHandlers } from '../backends/backend-link.js';
import type { CancelHandle } from '../backends/rpc-peer.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { ClientIdentity } from '../backends/modern.js';
import type { SessionRecord } from '../domain/session.js';
import type { NotificationStream } from './exchange.js';
import type { Responder } from './responder.js';

/** A request we sent the client: relayed from a backend, or asked by the gateway itself. */
type OutgoingRequest =
  | { link: BackendLink; upstreamId: RequestId }
  | { resolve: (response: JSONRPCResultResponse | JSONRPCErrorResponse) => void; timer: NodeJS.Timeout };

export class ClientSession {
  readonly links = new Map<string, BackendLink>();
  stream: NotificationStream | undefined;
  /** list_changed notices to deliver when the client next opens its GET stream. */
  readonly pendingNotices = new Set<string>();
  /** Requests a backend sent that we forwarded to the client, by the id we gave them. */
  readonly outgoing = new Map<RequestId, OutgoingRequest>();
  /** The client's requests in flight, by the client's id: cancelling one aborts it upstream. */
  readonly inflight = new Map<RequestId, CancelHandle>();
  readonly subscriptions = new Set<string>();
  logLevel: string | undefined;
  initialized = false;
  /** Backend session ids from before a restart, tried once before initializing anew. */
  resumable: Record<string, string> = {};
  calls = 0;
  lastSeen: number;
  private nextOutgoingId = 1;
  private closed = false;

  constructor(
    readonly id: string,
    readonly identity: ClientIdentity,
    readonly protocolVersion: string,
    readonly createdAt: number,
    private readonly registry: BackendRegistry,
    private readonly handlers: LinkHandlers,
    /** Modern (2026-07-28) clients have no session: one pooled ClientSession per client identity. */
    readonly era: 'legacy' | 'modern' = 'legacy',
  ) {
    this.lastSeen = createdAt;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** This session's link to a backend, created on first use. */
  link(backend: string): BackendLink | undefined {
    const existing = this.links.get(backend);
    if (existing && existing.connection === this.registry.get(backend)) return existing;
    const connection = this.registry.get(backend);
    if (!connection) return undefined;
    if (existing) void existing.close(); // the backend was replaced (its address changed)
    const resume = this.resumable[backend];
    delete this.resumable[backend];
    const link = new BackendLink(
      connection,
      { ...this.identity, protocolVersion: this.protocolVersion },
      this.handlers,
      resume,
    );
    link.logLevel = this.logLevel;
    this.links.set(backend, link);
    return link;
  }

  /** Registers a backend's request for the client; returns the id the client will answer to. */
  trackOutgoing(link: BackendLink, upstreamId: RequestId): number {
    const id = this.nextOutgoingId++;
    this.outgoing.set(id, { link, upstreamId });
    return id;
  }

  /**
   * Asks the client something on the gateway's own behalf (a modern backend's input request, for a
   * legacy client): resolves with the client's answer, or an error response if none can be had.
   */
  ask(
    method: string,
    params: Record<string, unknown> | undefined,
    responder: Responder | undefined,
    timeoutMs: number,
  ): Promise<JSONRPCResultResponse | JSONRPCErrorResponse> {
    const id = this.nextOutgoingId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.outgoing.delete(id);
        resolve({
          jsonrpc: '2.0',
          id,
          error: { code: -32001, message: `the client did not answer ${method} in time` },
        });
      }, timeoutMs);
      this.outgoing.set(id, { resolve, timer });
      if (!this.deliver({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }, responder)) {
        clearTimeout(timer);
        this.outgoing.delete(id);
        resolve({
          jsonrpc: '2.0',
          id,
          error: { code: -32603, message: 'the client has no open stream to receive this request' },
        });
      }
    });
  }

  /** Delivers a message on the request's own stream when it is open, else on the GET stream. */
  deliver(message: JSONRPCMessage | string, responder?: Responder): boolean {
    if (responder?.isOpen && responder.send(message)) return true;
    return this.stream?.send(message) ?? false;
  }

  /**
   * Every backend this session has a link to (open now, or kept to resume): stdio and modern
   * backends have no HTTP session id, so `record().backendSessions` alone would miss them.
   */
  get linkedBackends(): string[] {
    return [...new Set([...this.links.keys(), ...Object.keys(this.resumable)])].sort();
  }

  record(): SessionRecord {
    const backendSessions: Record<string, string> = { ...this.resumable };
    for (const [name, link] of this.links) if (link.sessionId) backendSessions[name] = link.sessionId;
    return {
      id: this.id,
      clientInfo: this.identity.clientInfo,
      capabilities: this.identity.capabilities,
      protocolVersion: this.protocolVersion,
      createdAt: this.createdAt,
      lastSeen: this.lastSeen,
      backendSessions,
    };
  }

  /**
   * Lets go of every backend session and the GET stream but stays valid: the gateway was turned
   * off, and the client continues on this session when it is turned back on.
   */
  async disconnect(): Promise<void> {
    for (const handle of this.inflight.values()) handle.cancel?.('the session ended');
    this.stream?.close();
    const links = [...this.links.values()];
    this.links.clear();
    for (const link of links) if (link.sessionId) this.resumable[link.backend] = link.sessionId;
    await Promise.all(links.map((link) => link.close(true)));
  }

  /**
   * Ends the session. `keepBackendSessions` (the gateway is shutting down, the session is stored)
   * leaves legacy HTTP backend sessions open so they can be resumed after the restart.
   */
  async close(keepBackendSessions = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const handle of this.inflight.values()) handle.cancel?.('the session ended');
    this.inflight.clear();
    for (const [id, entry] of this.outgoing) {
      if ('resolve' in entry) {
        clearTimeout(entry.timer);
        entry.resolve({ jsonrpc: '2.0', id, error: { code: -32603, message: 'session closed' } });
      }
    }
    this.outgoing.clear();
    this.stream?.close();
    await Promise.all([...this.links.values()].map((link) => link.close(keepBackendSessions)));
    this.links.clear();
  }
}
