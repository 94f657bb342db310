// One client session's own connection to one backend, opened when that session first needs the
// backend (so a backend's replies, server-initiated requests and session state only reach the
// client session that caused them; a modern client identity's pooled session shares its links
// among that identity's requests).
// Legacy backends get their own `initialize` with the client's identity; modern backends are
// stateless, so a link is just the client's envelope on every request.
// A legacy link left idle for `sessions.backendIdleTtl` closes its backend session (for a stdio
// command: its process) and opens a new one on the next request; the client session never notices,
// except that backend-side session state (not resource subscriptions: those keep a link open) starts over.
// The same happens sooner to a stdio link idle for 30 s when its backend is at limits.stdioProcesses
// and another session needs a process (ProcessSlots, stdio-transport.ts).
import { performance } from 'node:perf_hooks';
import type { JSONRPCNotification, JSONRPCRequest } from '@modelcontextprotocol/client';
import type { BackendConnection } from './backend-connection.js';
import { BackendUnavailableError, SessionLostError } from './errors.js';
import { initialize, type Handshake } from './handshake.js';
import { withEnvelope, withoutEnvelope, type ClientIdentity } from './modern.js';
import { RpcPeer, type RequestOptions, type RpcResponse } from './rpc-peer.js';
import { StdioTransport, type ReclaimableProcess } from './stdio-transport.js';

/**
 * What a link's owner does with the backend's own messages. `Tag` is what the owner attached to
 * the request that caused one (the gateway: the client request's responder), handed back typed.
 */
export interface LinkHandlers<Tag = unknown> {
  /** The backend asks the client something (sampling, elicitation, roots). */
  onRequest(link: BackendLink<Tag>, request: JSONRPCRequest, tag: Tag | undefined): void;
  onNotification(link: BackendLink<Tag>, notification: JSONRPCNotification, tag: Tag | undefined): void;
  /** The link now talks to a new backend session (its id is worth remembering across restarts). */
  onSessionChanged?(link: BackendLink<Tag>): void;
}

export interface LinkIdentity extends ClientIdentity {
  /** The protocol version the client negotiated with the gateway (legacy clients). */
  protocolVersion?: string;
}

export class BackendLink<Tag = unknown> implements ReclaimableProcess {
  private peer: RpcPeer<Tag> | undefined;
  private opening: Promise<RpcPeer<Tag>> | undefined;
  private handshake: Handshake | undefined;
  private closed = false;
  /** Last `logging/setLevel` the client sent, re-applied when the link re-initializes. */
  logLevel: string | undefined;
  /** Requests in flight through this link: it is not idle while any is. */
  private inflight = 0;
  /** Monotonic ms of the last request's end (or the last message to the backend). */
  private lastActive = performance.now();
  private idleTimer: NodeJS.Timeout | undefined;
  /** Resources the client subscribed to through this link: updates come on its backend session. */
  private readonly subscribed = new Set<string>();

  constructor(
    readonly connection: BackendConnection,
    private readonly identity: LinkIdentity,
    private readonly handlers: LinkHandlers<Tag>,
    /** A backend session id from before a restart: tried first, re-initialized if the backend forgot it. */
    private resumeSessionId?: string,
  ) {}

  get backend(): string {
    return this.connection.name;
  }

  get era(): Handshake['era'] | undefined {
    return this.handshake?.era ?? this.connection.handshake?.era;
  }

  /** The backend session id (legacy HTTP), for persistence and display. */
  get sessionId(): string | undefined {
    return this.peer?.transport.sessionId;
  }

  /**
   * Forwards a request. A backend that lost our session (it restarted) is re-initialized and the
   * request retried once; any other failure is the caller's to report.
   */
  async request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: RequestOptions<Tag>,
  ): Promise<RpcResponse> {
    // One async frame on the call path: the open peer is used directly, the retry only on a loss.
    // While a request is in flight the link is not idle; its end re-arms the idle check.
    this.inflight++;
    let response: RpcResponse;
    try {
      const peer = this.peer !== undefined && !this.peer.isClosed ? this.peer : await this.open();
      response = await peer.request(method, this.forwarded(params), options);
    } catch (error) {
      if (!(error instanceof SessionLostError) || this.closed) throw error;
      if (this.peer) this.reset(this.peer);
      this.connection.refresh();
      const peer = await this.open();
      response = await peer.request(method, this.forwarded(params), options);
    } finally {
      this.inflight--;
      this.touch();
    }
    if ((method === 'resources/subscribe' || method === 'resources/unsubscribe') && 'result' in response)
      this.noteSubscription(method, params?.uri);
    return response;
  }

  /** A resource subscription lives in the backend session: a link holding one is never idle. */
  private noteSubscription(method: string, uri: unknown): void {
    if (typeof uri !== 'string') return;
    if (method === 'resources/subscribe') this.subscribed.add(uri);
    else this.subscribed.delete(uri);
  }

  /** The params as this backend's era expects them (a modern envelope, or none). */
  private forwarded(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    return this.era === 'modern' ? withEnvelope(params, this.identity) : withoutEnvelope(params);
  }

  /** Answers a request the backend sent through this link. */
  respond(response: RpcResponse): Promise<void> {
    this.touch();
    return this.peer?.respond(response) ?? Promise.resolve();
  }

  notify(method: string, params?: Record<string, unknown>): Promise<void> {
    if (this.era === 'modern') return Promise.resolve(); // stateless backends take no client notifications
    if (this.peer) this.touch();
    return this.peer?.notify(method, params) ?? Promise.resolve();
  }

  private open(): Promise<RpcPeer<Tag>> {
    if (this.closed) return Promise.reject(new BackendUnavailableError('session closed', this.backend));
    if (this.peer && !this.peer.isClosed) return Promise.resolve(this.peer);
    if (!this.connection.isUsable || !this.connection.handshake) {
      const status = this.connection.status;
      const reason = status.lastError?.message ? `: ${status.lastError.message}` : '';
      return Promise.reject(
        new BackendUnavailableError(`backend "${this.backend}" is ${status.state}${reason}`, this.backend),
      );
    }
    this.opening ??= this.connect(this.connection.handshake).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async connect(verdict: Handshake): Promise<RpcPeer<Tag>> {
    const transport = this.connection.createTransport();
    const peer: RpcPeer<Tag> = new RpcPeer<Tag>(
      transport,
      {
        onRequest: (request, tag) => this.handlers.onRequest(this, request, tag),
        onNotification: (notification, tag) => this.handlers.onNotification(this, notification, tag),
        onError: (error) => {
          if (error instanceof SessionLostError && this.peer === peer) this.reset(peer);
        },
      },
      this.backend,
    );
    try {
      await transport.start();
      const resume = this.resumeSessionId;
      this.resumeSessionId = undefined;
      if (verdict.era === 'legacy' && resume && transport.resume) {
        // After a gateway restart: carry on with the backend session the client had. If the
        // backend restarted too, its 404 makes request() re-initialize and retry.
        transport.resume(resume, this.identity.protocolVersion ?? verdict.protocolVersion);
        this.handshake = verdict;
        transport.openNotificationStream?.();
      } else if (verdict.era === 'legacy') {
        this.handshake = await initialize(
          peer,
          this.identity,
          this.connection.spec.timeoutMs,
          this.identity.protocolVersion,
        );
        transport.openNotificationStream?.();
        if (this.logLevel && this.handshake.capabilities.logging) {
          await peer.request(
            'logging/setLevel',
            { level: this.logLevel },
            { timeoutMs: this.connection.spec.timeoutMs },
          );
        }
      } else {
        this.handshake = verdict;
      }
    } catch (error) {
      await peer.close();
      throw error;
    }
    if (this.closed) {
      await peer.close();
      throw new BackendUnavailableError('session closed', this.backend);
    }
    this.peer = peer;
    // A process of its own counts against limits.stdioProcesses, which may reclaim it when idle.
    if (transport instanceof StdioTransport) this.connection.processSlots?.register(this);
    if (transport.sessionId) this.handlers.onSessionChanged?.(this);
    return peer;
  }

  /** When the backend session was last used, if it could be closed now (nothing in flight or held). */
  idleSince(): number | undefined {
    const peer = this.peer;
    if (
      this.closed ||
      !peer ||
      peer.isClosed ||
      this.inflight > 0 ||
      this.opening ||
      this.subscribed.size > 0
    )
      return undefined;
    return this.lastActive;
  }

  /** limits.stdioProcesses needs this idle process: closed now, re-opened on the next request. */
  async reclaim(): Promise<void> {
    const peer = this.peer;
    if (!peer || this.idleSince() === undefined) return;
    this.peer = undefined;
    const pid = (peer.transport as { pid?: number }).pid;
    this.connection.history?.append(
      'idle',
      `a client session's idle process stopped to make room for another (limits.stdioProcesses); it reopens on the next request`,
      pid,
    );
    await peer.close();
  }

  /** Forget a peer whose backend session is gone; the next request opens a new one. */
  private reset(peer: RpcPeer<Tag>): void {
    if (this.peer === peer) this.peer = undefined;
    this.connection.processSlots?.unregister(this);
    void peer.close();
  }

  /** Marks the link used now and makes sure an idle check is pending. */
  private touch(): void {
    this.lastActive = performance.now();
    this.armIdle();
  }

  private armIdle(): void {
    const ttl = this.connection.linkIdleTtlMs;
    if (this.idleTimer || this.closed || ttl <= 0) return;
    const due = Math.max(0, this.lastActive + ttl - performance.now());
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.checkIdle();
    }, due + 1);
    this.idleTimer.unref();
  }

  /** Closes the backend session when the link has been idle long enough; otherwise looks again later. */
  private checkIdle(): void {
    const ttl = this.connection.linkIdleTtlMs;
    const peer = this.peer;
    if (this.closed || ttl <= 0 || !peer || peer.isClosed) return;
    // Busy (a request, or one being opened), or holding subscriptions: the next request's end re-arms.
    if (this.inflight > 0 || this.opening || this.subscribed.size > 0) return;
    // Stateless (modern) backends have no session to free.
    if (this.era !== 'legacy') return;
    if (performance.now() - this.lastActive < ttl) return this.armIdle();
    this.peer = undefined;
    this.connection.processSlots?.unregister(this);
    const pid = (peer.transport as { pid?: number }).pid;
    this.connection.history?.append(
      'idle',
      `a client session's backend session closed after ${Math.round(ttl / 1000)} s idle${
        pid !== undefined ? ' (its process stopped)' : ''
      }; it reopens on the next request`,
      pid,
    );
    void peer.close();
  }

  /** Ends the link; `detach` keeps a legacy HTTP backend session for a resume after a restart. */
  async close(detach = false): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.connection.processSlots?.unregister(this);
    const peer = this.peer ?? (await this.opening?.catch(() => undefined));
    this.peer = undefined;
    await peer?.close(detach);
  }
}
