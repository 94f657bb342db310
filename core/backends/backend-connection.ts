// The gateway's own connection to one backend (the "control" connection): negotiates the era,
// lists capabilities, follows the backend's list_changed, pings for health and reconnects with
// capped, jittered backoff. Client traffic never rides on it: each client session opens its own
// BackendLink (backend-link.ts), which reuses this connection's era verdict.
import http from 'node:http';
import type { JSONRPCRequest } from '@modelcontextprotocol/client';
import type { BackendState, BackendStatus } from '../../common/domain/backend.js';
import type { BackendSpec } from '../domain/backend-spec.js';
import type { BackendCatalog } from '../../common/domain/capability.js';
import type { BackoffPolicy, Clock, Logger } from '../domain/runtime.js';
import { backoffDelay } from '../support/backoff.js';
import { Emitter } from '../support/emitter.js';
import type { Semaphore } from '../support/semaphore.js';
import { listCatalog } from './catalog.js';
import { createTransport, describeTarget } from './create-transport.js';
import {
  BackendTimeoutError,
  ConnectionClosedError,
  errorMessage,
  SessionLostError,
  StreamLostError,
} from './errors.js';
import { discover, initialize, type Handshake } from './handshake.js';
import { withEnvelope, type ClientIdentity } from './modern.js';
import { RpcPeer } from './rpc-peer.js';
import type { BackendTransport } from './transport.js';
import type { InboundBudget } from './inbound-limits.js';
import { ProcessSlots } from './stdio-transport.js';
import { mark, msSince } from '../support/stopwatch.js';
import type { BackendLog, BackendLogs } from './backend-log.js';

export interface ConnectionOptions {
  clock: Clock;
  logger: Logger;
  backoff: BackoffPolicy;
  /** Interval between health pings, ms. */
  healthIntervalMs: number;
  maxResponseBytes: number;
  /** The process-wide budget for bytes in flight from backends (limits.backendInFlight). */
  inboundBudget?: InboundBudget;
  /** This gateway's instance id, to refuse a backend that is this gateway itself. */
  selfInstance?: string;
  /** Processes a stdio backend may run at once (limits.stdioProcesses; default unbounded). */
  stdioProcesses?: number;
  /** How long a client session's process must be idle before the cap may reclaim it (default 30 s). */
  stdioReclaimGraceMs?: number;
  /** How the gateway identifies itself on its own connections. */
  identity: ClientIdentity;
  random?: () => number;
  /** Shared by all connections: how many may handshake and list at the same time. */
  connectLimit?: Semaphore;
  /** Each backend's log ring (stderr of stdio processes, connection history). */
  logs?: BackendLogs;
  /**
   * `sessions.backendIdleTtl`: how long a client session's link may sit idle before its backend
   * session (and stdio process) is closed; 0 or absent: never. Read at each use (live config).
   */
  linkIdleTtlMs?: () => number;
}

const LIST_CHANGED = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
]);

/** Consecutive failed pings before a backend that still answers nothing is declared down. */
const PINGS_BEFORE_DOWN = 2;

export class BackendConnection {
  readonly catalogChanged = new Emitter<BackendCatalog | undefined>();
  readonly statusChanged = new Emitter<BackendStatus>();
  /** Agent shared by this backend's control connection and every client session's link. */
  readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 64 });
  /** Shared by this backend's processes (stdio): the control connection's and every session's. */
  readonly processSlots: ProcessSlots | undefined;

  private _status: BackendStatus;
  private _catalog: BackendCatalog | undefined;
  private _handshake: Handshake | undefined;
  private peer: RpcPeer | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** The current run of failures: since when, and when the next attempt is due (BackendStatus). */
  private failingSince: number | undefined;
  private nextRetryAt: number | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private failedPings = 0;
  private stopped = true;
  /** Started and still on its first connection attempt (the startup hold waits for these). */
  private firstAttempt = false;
  private generation = 0;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private readonly log: Logger;
  /** This backend's log ring, when the engine keeps one (read by `switchyard logs`). */
  readonly history: BackendLog | undefined;

  constructor(
    readonly spec: BackendSpec,
    private readonly options: ConnectionOptions,
  ) {
    this.log = options.logger.child({ backend: spec.name });
    this.processSlots =
      options.stdioProcesses !== undefined
        ? new ProcessSlots(options.stdioProcesses, options.stdioReclaimGraceMs)
        : undefined;
    this.history = options.logs?.for(spec.name);
    this._status = {
      name: spec.name,
      state: 'connecting',
      since: options.clock.now(),
      transport: spec.endpoint.transport,
      source: spec.source,
      target: describeTarget(spec),
      counts: { tools: 0, prompts: 0, resources: 0, resourceTemplates: 0 },
    };
  }

  get name(): string {
    return this.spec.name;
  }

  get status(): BackendStatus {
    return this._status;
  }

  get catalog(): BackendCatalog | undefined {
    return this._catalog;
  }

  /** The era verdict and capabilities from the last successful handshake (used by client links). */
  get handshake(): Handshake | undefined {
    return this._handshake;
  }

  /** Still making its first connection attempt since it was started. */
  get settling(): boolean {
    return this.firstAttempt;
  }

  get isUsable(): boolean {
    return this._status.state === 'ready' || this._status.state === 'degraded';
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.firstAttempt = true;
    if (this.spec.invalid) {
      this.setState('down', this.spec.invalid);
      return;
    }
    void this.connect();
  }

  /** Stop and mark the backend disabled (it stays in the registry). */
  async disable(): Promise<void> {
    await this.stop();
    this.setState('disabled');
  }

  /** Disconnects and stops retrying; `reason` (e.g. the gateway was turned off) is shown as its state. */
  async stop(reason?: string): Promise<void> {
    this.stopped = true;
    this.firstAttempt = false;
    this.generation++;
    clearTimeout(this.retryTimer);
    this.failingSince = undefined;
    this.nextRetryAt = undefined;
    this.attempt = 0;
    clearInterval(this.healthTimer);
    const peer = this.peer;
    this.peer = undefined;
    await peer?.close();
    this.setCatalog(undefined);
    this.agent.destroy();
    if (reason && this._status.state !== 'disabled') this.setState('down', reason);
  }

  /** Drop the current connection and connect again now (user action, or a link saw the backend restart). */
  reconnect(): void {
    if (this.stopped || this.spec.invalid) return;
    clearTimeout(this.retryTimer);
    this.nextRetryAt = undefined;
    // A reconnect starts the backoff over; a backend still failing keeps its failingSince.
    this.attempt = 0;
    void this.teardown().then(() => this.connect());
  }

  /** How long a client session's link to this backend may be idle before it closes (0: never). */
  get linkIdleTtlMs(): number {
    return this.options.linkIdleTtlMs?.() ?? 0;
  }

  /** A new transport to this backend (for client links). */
  createTransport(): BackendTransport {
    return createTransport(this.spec, {
      agent: this.agent,
      maxResponseBytes: this.options.maxResponseBytes,
      budget: this.options.inboundBudget,
      selfInstance: this.options.selfInstance,
      processSlots: this.processSlots,
      logger: this.log,
      ...(this.history ? { log: this.history } : {}),
    });
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.nextRetryAt = undefined;
    if (this._status.state !== 'connecting')
      this.setState('connecting', this._status.lastError?.message, true);
    // Fan-out is bounded: fifty backends starting at once connect a few at a time.
    const limit = this.options.connectLimit;
    await (limit ? limit.run(() => this.handshakeAndList(generation)) : this.handshakeAndList(generation));
  }

  private async handshakeAndList(generation: number): Promise<void> {
    const stale = () => generation !== this.generation || this.stopped;
    if (stale()) return;
    const timeoutMs = this.spec.timeoutMs;
    let peer: RpcPeer | undefined;
    try {
      let handshake: Handshake | undefined;
      peer = await this.openPeer();
      if (stale()) return void peer.close();
      if (this.spec.endpoint.transport !== 'sse') {
        handshake = await discover(peer, this.options.identity, Math.min(timeoutMs, 10_000), {
          silenceMeansLegacy: this.spec.endpoint.transport === 'stdio',
        });
        if (stale()) return void peer.close();
        if (!handshake && peer.isClosed) peer = await this.openPeer(); // a stdio server that exits on unknown methods
      }
      handshake ??= await initialize(peer, this.options.identity, timeoutMs);
      if (stale()) return void peer.close();
      this.peer = peer;
      this._handshake = handshake;
      if (handshake.era === 'legacy') peer.transport.openNotificationStream?.();
      else this.listen(peer, generation);
      const catalog = await listCatalog(this.name, peer, handshake, timeoutMs, this.options.identity);
      if (stale()) return;
      this.attempt = 0;
      this.failingSince = undefined;
      this.failedPings = 0;
      this._status = {
        ...this._status,
        era: handshake.era,
        protocolVersion: handshake.protocolVersion,
        ...(handshake.serverInfo ? { serverInfo: handshake.serverInfo } : {}),
      };
      this.setCatalog(catalog);
      this.setState('ready');
      this.log.info('backend ready', {
        era: handshake.era,
        version: handshake.protocolVersion,
        tools: catalog.tools.length,
      });
      this.startHealth(generation);
    } catch (error) {
      if (stale()) return void peer?.close();
      this.peer = undefined;
      await peer?.close();
      this.fail(error);
    }
  }

  private async openPeer(): Promise<RpcPeer> {
    const transport = this.createTransport();
    const generation = this.generation;
    const peer = new RpcPeer(
      transport,
      {
        onNotification: (notification) => {
          if (LIST_CHANGED.has(notification.method)) this.refresh();
        },
        onRequest: (request) => this.answerOwnRequest(peer, request),
        onClose: (reason) => {
          if (generation !== this.generation || this.stopped || this.peer !== peer) return;
          this.peer = undefined;
          this.fail(reason ?? new ConnectionClosedError('connection closed'));
        },
        onError: (error) => {
          if (error instanceof SessionLostError && this.peer === peer) this.reconnect();
          // The backend's stream broke: find out now whether it is still there, not at the next ping.
          else if (error instanceof StreamLostError && this.peer === peer) void this.ping(this.generation);
          else this.log.debug('transport error', { error: errorMessage(error) });
        },
      },
      this.name,
    );
    await transport.start();
    return peer;
  }

  /** The control connection declares no client capabilities; answer what a backend may still ask. */
  private answerOwnRequest(peer: RpcPeer, request: JSONRPCRequest): void {
    const response =
      request.method === 'ping'
        ? { jsonrpc: '2.0' as const, id: request.id, result: {} }
        : {
            jsonrpc: '2.0' as const,
            id: request.id,
            error: {
              code: -32601,
              message: `${request.method} is not available on the gateway's own connection`,
            },
          };
    peer.respond(response).catch(() => undefined);
  }

  /** Modern era: list changes arrive on a long-lived subscriptions/listen stream. */
  private listen(peer: RpcPeer, generation: number): void {
    const caps = this._handshake?.capabilities ?? {};
    const wants = (key: string) => Boolean((caps[key] as { listChanged?: boolean } | undefined)?.listChanged);
    const filter = {
      ...(wants('tools') ? { toolsListChanged: true } : {}),
      ...(wants('prompts') ? { promptsListChanged: true } : {}),
      ...(wants('resources') ? { resourcesListChanged: true } : {}),
    };
    if (Object.keys(filter).length === 0) return;
    peer
      .request('subscriptions/listen', withEnvelope({ notifications: filter }, this.options.identity), {
        timeoutMs: 2 ** 31 - 1,
      })
      .then(
        () => undefined,
        (error: unknown) => {
          // The subscription broke (not ended): the backend may be gone; check now.
          if (!(error instanceof BackendTimeoutError) && this.peer === peer) void this.ping(generation);
        },
      )
      .finally(() => {
        // The server ended the subscription: open it again while this connection lives.
        if (generation === this.generation && !this.stopped && this.peer === peer) {
          setTimeout(() => this.listen(peer, generation), 1000).unref();
        }
      });
  }

  /** Re-list after a list_changed, coalescing bursts into one refresh at a time. */
  refresh(): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    const peer = this.peer;
    const handshake = this._handshake;
    if (!peer || !handshake) return;
    this.refreshing = (async () => {
      try {
        const catalog = await listCatalog(
          this.name,
          peer,
          handshake,
          this.spec.timeoutMs,
          this.options.identity,
        );
        if (this.peer === peer) this.setCatalog(catalog);
      } catch (error) {
        this.log.warn('refresh failed', { error: errorMessage(error) });
        if (this.peer !== peer) return;
        // The backend restarted and forgot our session: connect again rather than stay degraded.
        if (error instanceof SessionLostError) this.reconnect();
        else this.setState('degraded', `refresh failed: ${errorMessage(error)}`);
      }
    })().finally(() => {
      this.refreshing = undefined;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        this.refresh();
      }
    });
  }

  private startHealth(generation: number): void {
    clearInterval(this.healthTimer);
    this.healthTimer = setInterval(() => void this.ping(generation), this.options.healthIntervalMs);
    this.healthTimer.unref();
  }

  private async ping(generation: number): Promise<void> {
    const peer = this.peer;
    const handshake = this._handshake;
    if (!peer || !handshake || generation !== this.generation) return;
    const started = mark();
    try {
      const response =
        handshake.era === 'legacy'
          ? await peer.request('ping', undefined, { timeoutMs: Math.min(this.spec.timeoutMs, 10_000) })
          : await peer.request('server/discover', withEnvelope(undefined, this.options.identity), {
              timeoutMs: Math.min(this.spec.timeoutMs, 10_000),
            });
      if (generation !== this.generation) return;
      if ('error' in response && handshake.era === 'legacy' && response.error.code !== -32601) {
        throw new Error(`ping failed: ${response.error.message}`);
      }
      this.failedPings = 0;
      this._status = { ...this._status, latencyMs: msSince(started) };
      if (this._status.state === 'degraded') this.setState('ready');
      else this.statusChanged.emit(this._status);
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof SessionLostError) return this.reconnect();
      this.failedPings++;
      if (this.failedPings >= PINGS_BEFORE_DOWN || !(error instanceof BackendTimeoutError)) {
        await this.teardown();
        this.fail(error);
      } else {
        this.setState('degraded', `health check: ${errorMessage(error)}`);
      }
    }
  }

  private async teardown(): Promise<void> {
    this.generation++;
    clearInterval(this.healthTimer);
    const peer = this.peer;
    this.peer = undefined;
    await peer?.close();
  }

  private fail(error: unknown): void {
    clearInterval(this.healthTimer);
    const message = errorMessage(error);
    this.setCatalog(undefined);
    if (this.stopped) {
      this.setState('down', message);
      return;
    }
    const now = this.options.clock.now();
    this.failingSince ??= now;
    const delay = backoffDelay(this.attempt++, this.options.backoff, this.options.random);
    this.nextRetryAt = now + delay;
    this.setState('down', message);
    this.log.warn('backend down', { error: message, retryInMs: delay, attempts: this.attempt });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private setCatalog(catalog: BackendCatalog | undefined): void {
    const before = this._catalog;
    this._catalog = catalog;
    this._status = {
      ...this._status,
      counts: {
        tools: catalog?.tools.length ?? 0,
        prompts: catalog?.prompts.length ?? 0,
        resources: catalog?.resources.length ?? 0,
        resourceTemplates: catalog?.resourceTemplates.length ?? 0,
      },
    };
    if (before === catalog) return;
    if (before && catalog && JSON.stringify(before) === JSON.stringify(catalog)) return;
    this.catalogChanged.emit(catalog);
  }

  private setState(state: BackendState, error?: string, keepError = false): void {
    const now = this.options.clock.now();
    const changed = state !== this._status.state;
    if (state !== 'connecting') this.firstAttempt = false;
    const lastError =
      error !== undefined
        ? { message: error, at: keepError ? (this._status.lastError?.at ?? now) : now }
        : undefined;
    const { failingSince: _since, attempts: _attempts, nextRetryAt: _next, ...rest } = this._status;
    this._status = {
      ...rest,
      state,
      since: changed ? now : this._status.since,
      ...(lastError ? { lastError } : {}),
      ...(this.failingSince !== undefined && state !== 'ready' && state !== 'disabled'
        ? {
            failingSince: this.failingSince,
            attempts: this.attempt,
            ...(this.nextRetryAt !== undefined ? { nextRetryAt: this.nextRetryAt } : {}),
          }
        : {}),
    };
    if (changed || (error !== undefined && !keepError)) this.record(state, error);
    this.statusChanged.emit(this._status);
  }

  /** Connection history in the log ring: what a user asks when a backend misbehaves. */
  private record(state: BackendState, error: string | undefined): void {
    const history = this.history;
    if (!history) return;
    const why = error ? `: ${error}` : '';
    if (state === 'ready') {
      const s = this._status;
      history.append(
        'connected',
        `connected (${s.era ?? '?'} ${s.protocolVersion ?? ''}, ${s.counts.tools} tools, ${s.counts.prompts} prompts, ${s.counts.resources} resources)`,
      );
    } else if (state === 'down') history.append('disconnected', `down${why}`);
    else if (state === 'degraded') history.append('error', `degraded${why}`);
    else if (state === 'disabled') history.append('disconnected', 'disabled');
  }
}
