// JSON-RPC over a BackendTransport: our own request ids (never a client's), timeouts that are
// really applied, cancellation forwarded with the id the backend knows, and messages the backend
// sends mid-request attributed to the request that caused them (its typed `tag`).
//
// This is the hot path of every relayed call, so a request allocates a flat, fixed set of objects:
// one Pending (which is also the transport's SendOptions), the message, one promise. No closure is created inside a promise executor (such a closure keeps the
// whole request reachable until it settles, and survives scavenges), and the backend's raw text
// rides on the response object under a symbol instead of in a WeakMap (an ephemeron table the
// garbage collector must revisit on every scavenge). Timeouts take no timer per request: each
// request carries its deadline and the peer keeps one timer, armed for the earliest (a timer per
// request created, scheduled and cancelled a Node timer list on every call).
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  RequestId,
} from '@modelcontextprotocol/client';
import type { BackendTransport, MessageContext, SendOptions } from './transport.js';
import { BackendTimeoutError, ConnectionClosedError } from './errors.js';

export type RpcResponse = JSONRPCResultResponse | JSONRPCErrorResponse;

/** The backend's own text of a response, when the transport had it (relayed without re-serializing). */
export const RAW_TEXT: unique symbol = Symbol('switchyard.rawText');
type WithRaw = { [RAW_TEXT]?: string };

export class CancelledError extends Error {
  constructor(message = 'request cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/**
 * Lets a caller cancel what it started: a request in flight on a peer (the peer attaches it while
 * the request runs), or a wait of the caller's own (it reads `cancelled`). A cancel that comes
 * before the request is sent is remembered, and the request then fails at once.
 */
export class CancelHandle {
  private target: { cancel(reason: string): void } | undefined = undefined;
  private _cancelled = false;
  private _notice: string | undefined;

  get cancelled(): boolean {
    return this._cancelled;
  }

  /**
   * Set when the gateway, not the client, ended the request (its session was deleted, evicted or
   * paused): the client is still waiting and must be told why, with an error response.
   */
  get notice(): string | undefined {
    return this._notice;
  }

  cancel(reason = 'cancelled by the client'): void {
    this._cancelled = true;
    const target = this.target;
    this.target = undefined;
    target?.cancel(reason);
  }

  /** Ends the request on the gateway's behalf; the client gets `notice` as a JSON-RPC error. */
  end(notice: string): void {
    if (this._cancelled) return;
    this._notice = notice;
    this.cancel(notice);
  }

  /** @internal the peer's request now in flight under this handle (undefined once it settled). */
  attach(target: { cancel(reason: string): void } | undefined): void {
    this.target = target;
  }
}

export interface RequestOptions<Tag = unknown> {
  timeoutMs: number;
  cancel?: CancelHandle;
  headers?: Record<string, string>;
  /** Owner of the request (the client's responder); handed back with related backend messages. */
  tag?: Tag;
}

export interface PeerHandlers<Tag = unknown> {
  /** A request from the backend (sampling, elicitation, roots/list); `tag` of the request that caused it. */
  onRequest?: (request: JSONRPCRequest, tag: Tag | undefined) => void;
  onNotification?: (notification: JSONRPCNotification, tag: Tag | undefined) => void;
  onClose?: (reason?: Error) => void;
  onError?: (error: Error) => void;
}

/** One request in flight; also the SendOptions its transport reads (no separate options object). */
class Pending implements SendOptions {
  resolve: (response: RpcResponse) => void;
  reject: (error: Error) => void;
  /** When the request times out (performance.now() clock). */
  readonly deadline: number;
  /** Ends this request's own exchange (HTTP), handed over by the transport once it has one. */
  abort: ((reason: Error) => void) | undefined = undefined;

  constructor(
    readonly peer: { cancelPending(entry: Pending, reason: string): void },
    readonly id: number,
    readonly method: string,
    /** The caller's tag (typed by the owning RpcPeer). */
    readonly tag: unknown,
    readonly progressToken: string | number | undefined,
    readonly timeoutMs: number,
    readonly handle: CancelHandle | undefined,
    readonly headers: Record<string, string> | undefined,
  ) {
    this.resolve = capturedResolve!;
    this.reject = capturedReject!;
    capturedResolve = capturedReject = undefined;
    this.deadline = performance.now() + timeoutMs;
  }

  onAbortable(abort: (reason: Error) => void): void {
    this.abort = abort;
  }

  /** Called through the CancelHandle. */
  cancel(reason: string): void {
    this.peer.cancelPending(this, reason);
  }
}

// A promise's resolvers, taken out by a module-level executor (it runs synchronously inside
// `new Promise`), so no closure is allocated per request.
let capturedResolve: ((response: RpcResponse) => void) | undefined;
let capturedReject: ((error: Error) => void) | undefined;
function capture(resolve: (response: RpcResponse) => void, reject: (error: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** Node fires a timer by its loop's clock (whole ms): a deadline this close counts as reached. */
const DEADLINE_SLACK_MS = 1;

function deadlinesDue(peer: { expireDue(): void }): void {
  peer.expireDue();
}

/**
 * A response as JSON under another id (the client's). When the backend's own text is at hand and
 * its top-level id sits at the very start or end (as every JSON-RPC library writes it), the text is
 * relayed with only the id replaced; otherwise the response is serialized again.
 */
export function relayJson(response: RpcResponse, id: RequestId | null): string {
  const raw = (response as WithRaw)[RAW_TEXT];
  const target = `"id":${JSON.stringify(id)}`;
  if (raw !== undefined && response.id !== undefined && response.id !== null) {
    const upstream = `"id":${JSON.stringify(response.id)}`;
    const suffix = `,${upstream}}`;
    if (raw.endsWith(suffix)) return `${raw.slice(0, raw.length - suffix.length)},${target}}`;
    const prefix = `{"jsonrpc":"2.0",${upstream},`;
    if (raw.startsWith(prefix)) return `{"jsonrpc":"2.0",${target},${raw.slice(prefix.length)}`;
  }
  return 'result' in response
    ? JSON.stringify({ jsonrpc: '2.0', id, result: response.result })
    : JSON.stringify({ jsonrpc: '2.0', id, error: response.error });
}

export class RpcPeer<Tag = unknown> {
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private closed = false;
  private closeReason: Error | undefined;
  /** The one timeout timer: armed for `timerAt`, the earliest deadline known when it was set. */
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    readonly transport: BackendTransport,
    private readonly handlers: PeerHandlers<Tag> = {},
    private readonly backend?: string,
  ) {
    transport.onmessage = (message, context) => this.receive(message, context);
    transport.onclose = (reason) => this.onTransportClosed(reason);
    transport.onerror = (error) => this.handlers.onError?.(error);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a request; resolves with the backend's response (result or JSON-RPC error) as it came. */
  request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: RequestOptions<Tag>,
  ): Promise<RpcResponse> {
    if (this.closed) {
      return Promise.reject(this.closeReason ?? new ConnectionClosedError('connection closed', this.backend));
    }
    const handle = options.cancel;
    if (handle?.cancelled) return Promise.reject(new CancelledError());
    const id = this.nextId++;
    const message: JSONRPCRequest =
      params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
    const progressToken = (params?._meta as { progressToken?: string | number } | undefined)?.progressToken;
    const promise = new Promise<RpcResponse>(capture);
    const entry = new Pending(
      this,
      id,
      method,
      options.tag,
      progressToken,
      options.timeoutMs,
      handle,
      options.headers,
    );
    this.pending.set(id, entry);
    this.armFor(entry.deadline);
    handle?.attach(entry);
    this.transport.send(message, entry).then(undefined, (error: Error) => this.sendFailed(entry, error));
    return promise;
  }

  notify(method: string, params?: Record<string, unknown>): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.transport.send(
      params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params },
    );
  }

  /** Answers a request the backend sent us. */
  respond(response: RpcResponse): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.transport.send(response);
  }

  /** @internal the request's CancelHandle was used. */
  cancelPending(entry: Pending, reason: string): void {
    if (this.pending.get(entry.id) !== entry) return;
    this.cancel(entry, reason);
    entry.reject(new CancelledError());
  }

  /**
   * Keeps the timer armed for `deadline` or earlier, and holding the process open (as a request's
   * own timer did) while something waits on it.
   */
  private armFor(deadline: number): void {
    if (deadline < this.timerAt) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timerAt = deadline;
      this.timer = setTimeout(deadlinesDue, Math.max(1, Math.ceil(deadline - performance.now())), this);
    } else if (this.pending.size === 1) this.timer?.ref();
  }

  /** @internal the timer fired: requests past their deadline time out; it is armed for the next. */
  expireDue(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now() + DEADLINE_SLACK_MS;
    let next = Infinity;
    for (const entry of this.pending.values()) {
      if (entry.deadline <= now) this.timeoutPending(entry);
      else if (entry.deadline < next) next = entry.deadline;
    }
    if (next !== Infinity && !this.closed) this.armFor(next);
  }

  /** A request's deadline passed. */
  private timeoutPending(entry: Pending): void {
    if (this.pending.get(entry.id) !== entry) return;
    this.cancel(entry, `timed out after ${entry.timeoutMs} ms`);
    entry.reject(new BackendTimeoutError(entry.timeoutMs, entry.method, this.backend));
  }

  private sendFailed(entry: Pending, error: Error): void {
    if (this.pending.get(entry.id) !== entry) return; // already answered, cancelled or timed out
    this.settle(entry);
    entry.reject(error);
  }

  /** Stops waiting, tells the backend (legacy: notifications/cancelled; HTTP: ends the stream). */
  private cancel(entry: Pending, reason: string): void {
    this.settle(entry);
    if (entry.method !== 'initialize') {
      this.notify('notifications/cancelled', { requestId: entry.id, reason }).catch(() => undefined);
    }
    entry.abort?.(new CancelledError(reason));
  }

  private settle(entry: Pending): void {
    this.pending.delete(entry.id);
    // Nothing waits: the timer stays armed (cheaper than re-arming it per call) but no longer
    // keeps the process alive; it fires at most once per timeout span and finds nothing due.
    if (this.pending.size === 0) this.timer?.unref();
    entry.handle?.attach(undefined);
  }

  private receive(message: JSONRPCMessage, context: MessageContext): void {
    if ('method' in message) {
      const tag = this.tagFor(message as JSONRPCRequest | JSONRPCNotification, context);
      if ('id' in message && message.id !== undefined)
        this.handlers.onRequest?.(message as JSONRPCRequest, tag);
      else this.handlers.onNotification?.(message as JSONRPCNotification, tag);
      return;
    }
    if (!('id' in message) || message.id === undefined || message.id === null) {
      // An error without an id: nothing to correlate it with.
      this.handlers.onError?.(
        new Error(`backend sent an uncorrelated error: ${JSON.stringify(message).slice(0, 200)}`),
      );
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.settle(entry);
    if (context.raw !== undefined) (message as WithRaw)[RAW_TEXT] = context.raw;
    entry.resolve(message as RpcResponse);
  }

  /** Which of our requests a backend-initiated message belongs to, if we can tell. */
  private tagFor(message: JSONRPCRequest | JSONRPCNotification, context: MessageContext): Tag | undefined {
    if (context.relatedRequestId !== undefined)
      return this.pending.get(context.relatedRequestId)?.tag as Tag | undefined;
    const token = (message.params as { progressToken?: string | number } | undefined)?.progressToken;
    if (token !== undefined) {
      for (const entry of this.pending.values())
        if (entry.progressToken === token) return entry.tag as Tag | undefined;
    }
    // A backend request on a shared channel while exactly one call is running was caused by it.
    if ('id' in message && this.pending.size === 1)
      return this.pending.values().next().value?.tag as Tag | undefined;
    return undefined;
  }

  private onTransportClosed(reason?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason ?? new ConnectionClosedError('connection closed', this.backend);
    for (const entry of [...this.pending.values()]) {
      this.settle(entry);
      entry.reject(this.closeReason);
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.handlers.onClose?.(reason);
  }

  /** Closes the connection; `detach` keeps the backend's session alive for a later resume. */
  async close(detach = false): Promise<void> {
    if (this.closed) return;
    const transport = this.transport;
    await (detach && transport.detach ? transport.detach() : transport.close()).catch(() => undefined);
    this.onTransportClosed(new ConnectionClosedError('connection closed', this.backend));
  }
}
