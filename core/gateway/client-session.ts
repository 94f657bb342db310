// A client session: the client's identity, its own backend links, its GET stream, and the
// bookkeeping that maps ids between the client and each backend. Legacy clients have one per
// Mcp-Session-Id; modern clients (no sessions) share one pooled session per client identity.
// Everything about a session changes through its methods: no other part writes its state.
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCResultResponse,
  RequestId,
} from '@modelcontextprotocol/client';
import { BackendLink, type LinkHandlers } from '../backends/backend-link.js';
import type { CancelHandle, RpcResponse } from '../backends/rpc-peer.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { ClientIdentity } from '../backends/modern.js';
import type { SessionRecord } from '../domain/session.js';
import type { NotificationStream } from './exchange.js';
import type { Era } from './inbound.js';
import type { Responder } from './responder.js';
import { DEFAULT_PROFILE } from '../config/schema.js';

/** A session's link to one backend; its tag is the responder of the client request that caused a message. */
export type SessionLink = BackendLink<Responder>;

/** A request we sent the client: relayed from a backend, or asked by the gateway itself. */
type OutgoingRequest =
  | { link: SessionLink; upstreamId: RequestId }
  | { resolve: (response: JSONRPCResultResponse | JSONRPCErrorResponse) => void; timer: NodeJS.Timeout };

export class ClientSession {
  private readonly links = new Map<string, SessionLink>();
  private stream: NotificationStream | undefined;
  /** list_changed notices to deliver when the client next opens its GET stream. */
  private readonly pendingNotices = new Set<string>();
  /** Requests a backend sent that we forwarded to the client, by the id we gave them. */
  private readonly outgoing = new Map<RequestId, OutgoingRequest>();
  /** The client's requests in flight, by the client's id: cancelling one aborts it upstream. */
  private readonly inflight = new Map<RequestId, CancelHandle>();
  private readonly subscriptions = new Set<string>();
  private logLevel: string | undefined;
  /** Backend session ids from before a restart (or a pause), tried once before initializing anew. */
  private resumable: Record<string, string> = {};
  private callCount = 0;
  private nextOutgoingId = 1;
  private closed = false;
  lastSeen: number;
  /** The profile whose endpoint (`/mcp/<profile>`) the session was opened on: what it lists and calls. */
  profile: string = DEFAULT_PROFILE;
  private readonly handlers: LinkHandlers<Responder>;

  constructor(
    readonly id: string,
    readonly identity: ClientIdentity,
    readonly protocolVersion: string,
    readonly createdAt: number,
    private readonly registry: BackendRegistry,
    /** Where this session's links send the backend's own messages (the dispatcher). */
    handlersFor: (session: ClientSession) => LinkHandlers<Responder>,
    readonly era: Era = 'legacy',
    /** A link started a new backend session (worth storing: it can be resumed after a restart). */
    onSessionChanged?: (session: ClientSession) => void,
  ) {
    this.lastSeen = createdAt;
    const handlers = handlersFor(this);
    this.handlers = onSessionChanged
      ? { ...handlers, onSessionChanged: () => onSessionChanged(this) }
      : handlers;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get calls(): number {
    return this.callCount;
  }

  get streamOpen(): boolean {
    return this.stream?.isOpen ?? false;
  }

  /** This session's link to a backend, created on first use. */
  link(backend: string): SessionLink | undefined {
    const existing = this.links.get(backend);
    const connection = this.registry.get(backend);
    if (existing && existing.connection === connection) return existing;
    if (!connection) return undefined;
    if (existing) void existing.close(); // the backend was replaced (its address changed)
    const resume = this.resumable[backend];
    delete this.resumable[backend];
    const link = new BackendLink<Responder>(
      connection,
      { ...this.identity, protocolVersion: this.protocolVersion },
      this.handlers,
      resume,
    );
    link.logLevel = this.logLevel;
    this.links.set(backend, link);
    return link;
  }

  /** Backend sessions to resume on first use (a session restored after a restart). */
  resumeFrom(backendSessions: Readonly<Record<string, string>>): void {
    Object.assign(this.resumable, backendSessions);
  }

  /** A client request starts: cancelling `id` (notifications/cancelled) now cancels `handle`. */
  begin(id: RequestId, handle: CancelHandle, call: boolean): void {
    this.inflight.set(id, handle);
    if (call) this.callCount++;
  }

  /** The request is over (only its own registration is removed: a client may reuse an id). */
  finish(id: RequestId, handle: CancelHandle): void {
    if (this.inflight.get(id) === handle) this.inflight.delete(id);
  }

  cancel(id: RequestId, reason: string): void {
    this.inflight.get(id)?.cancel(reason);
  }

  subscribe(uri: string): void {
    this.subscriptions.add(uri);
  }

  unsubscribe(uri: string): void {
    this.subscriptions.delete(uri);
  }

  isSubscribed(uri: string): boolean {
    return this.subscriptions.has(uri);
  }

  /** Remembers the client's log level (re-applied to links opened later); returns the open links. */
  setLogLevel(level: string): SessionLink[] {
    this.logLevel = level;
    const links = [...this.links.values()];
    for (const link of links) link.logLevel = level;
    return links;
  }

  /** Relays a client notification (roots/list_changed) to every backend this session talks to. */
  notifyLinks(method: string, params: Record<string, unknown>): void {
    for (const link of this.links.values()) void link.notify(method, params).catch(() => undefined);
  }

  /** Opens the session's GET stream and hands it the list_changed notices that waited for it. */
  openStream(stream: NotificationStream): void {
    this.stream = stream;
    for (const method of this.pendingNotices) stream.send({ jsonrpc: '2.0', method });
    this.pendingNotices.clear();
  }

  streamClosed(stream: NotificationStream): void {
    if (this.stream === stream) this.stream = undefined;
  }

  /**
   * A list changed: tell the client now on its GET stream; if it has none (closed, or not reopened
   * after a restart), keep the notice — one per list, so at most three — for the stream it opens
   * next or the response to its next request, whichever comes first.
   */
  listChanged(method: string): void {
    if (!this.stream?.send({ jsonrpc: '2.0', method })) this.pendingNotices.add(method);
  }

  /**
   * Sends the notices that waited for a stream ahead of a request's response (the exchange turns
   * into an SSE stream, which the spec allows: notifications before the response).
   */
  flushNotices(exchange: { send(message: JSONRPCMessage): boolean }): void {
    for (const method of this.pendingNotices) {
      if (!exchange.send({ jsonrpc: '2.0', method })) return;
      this.pendingNotices.delete(method);
    }
  }

  /** Forwards a backend's request to the client under an id of ours; false when it cannot be delivered. */
  forwardRequest(
    link: SessionLink,
    upstreamId: RequestId,
    message: JSONRPCMessage,
    responder?: Responder,
  ): boolean {
    const id = this.nextOutgoingId++;
    this.outgoing.set(id, { link, upstreamId });
    const delivered = this.deliver({ ...(message as object), id } as JSONRPCMessage, responder);
    if (!delivered) this.outgoing.delete(id);
    return delivered;
  }

  /** The backend gave up on a request it had sent the client: pass its cancellation on under our id. */
  forwardCancelled(link: SessionLink, upstreamId: unknown, notification: JSONRPCNotification): void {
    for (const [id, entry] of this.outgoing) {
      if ('link' in entry && entry.link === link && entry.upstreamId === upstreamId) {
        this.outgoing.delete(id);
        this.deliver({ ...notification, params: { ...notification.params, requestId: id } });
      }
    }
  }

  /** The client answered a request we sent it: back to the backend (with its id) or to our own waiter. */
  answer(response: JSONRPCResultResponse | JSONRPCErrorResponse): void {
    const id = response.id;
    if (id === undefined || id === null) return;
    const entry = this.outgoing.get(id);
    if (!entry) return;
    this.outgoing.delete(id);
    if ('resolve' in entry) {
      clearTimeout(entry.timer);
      entry.resolve(response);
      return;
    }
    void entry.link.respond({ ...response, id: entry.upstreamId } as RpcResponse).catch(() => undefined);
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

  /** Answers every request still running with an error (the gateway was paused); the session stays. */
  endInflight(reason: string): void {
    for (const handle of this.inflight.values()) handle.end(reason);
    this.inflight.clear();
  }

  /**
   * Ends the session. `keepBackendSessions` (the gateway is shutting down, the session is stored)
   * leaves legacy HTTP backend sessions open so they can be resumed after the restart.
   */
  async close(keepBackendSessions = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const handle of this.inflight.values())
      handle.end('the session ended (deleted, evicted or expired) while this request was running');
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
