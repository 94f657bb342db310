// JSON-RPC over a BackendTransport: our own request ids (never a client's), timeouts that are
// really applied, cancellation forwarded with the id the backend knows, and messages the backend
// sends mid-request attributed to the request that caused them.
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  RequestId,
} from '@modelcontextprotocol/client';
import type { BackendTransport, MessageContext } from './transport.js';
import { BackendTimeoutError, ConnectionClosedError } from './errors.js';

export type RpcResponse = JSONRPCResultResponse | JSONRPCErrorResponse;

/**
 * Lets the caller cancel a request it made: the peer fills in `cancel` while the request is in
 * flight. (A plain callback slot: no AbortController on the hot path.)
 */
export interface CancelHandle {
  cancel?: (reason?: string) => void;
}

export interface RequestOptions {
  timeoutMs: number;
  cancel?: CancelHandle;
  headers?: Record<string, string>;
  /** Opaque owner of the request (the client exchange); handed back with related messages. */
  tag?: unknown;
}

export interface PeerHandlers {
  /** A request from the backend (sampling, elicitation, roots/list); `tag` of the request that caused it. */
  onRequest?: (request: JSONRPCRequest, tag: unknown) => void;
  onNotification?: (notification: JSONRPCNotification, tag: unknown) => void;
  onClose?: (reason?: Error) => void;
  onError?: (error: Error) => void;
}

interface Pending {
  method: string;
  resolve: (response: RpcResponse) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  tag: unknown;
  progressToken?: string | number;
  /** Ends this request's own exchange (HTTP), set by the transport once it has one. */
  abort?: (reason: Error) => void;
  handle?: CancelHandle;
}

/** Responses as the backend sent them, for relaying without a parse/serialize round trip. */
const RAW_TEXT = new WeakMap<object, string>();

/**
 * A response as JSON under another id (the client's). When the backend's own text is at hand and
 * its top-level id sits at the very start or end (as every JSON-RPC library writes it), the text is
 * relayed with only the id replaced; otherwise the response is serialized again.
 */
export function relayJson(response: RpcResponse, id: RequestId | null): string {
  const raw = RAW_TEXT.get(response);
  const target = `"id":${JSON.stringify(id)}`;
  if (raw !== undefined && response.id !== undefined && response.id !== null) {
    const upstream = `"id":${JSON.stringify(response.id)}`;
    const suffix = `,${upstream}}`;
    if (raw.endsWith(suffix)) return `${raw.slice(0, raw.length - suffix.length)},${target}}`;
    const prefix = `{"jsonrpc":"2.0",${upstream},`;
    if (raw.startsWith(prefix)) return `{"jsonrpc":"2.0",${target},${raw.slice(prefix.length)}`;
  }
  return JSON.stringify({ ...response, id });
}

export class CancelledError extends Error {
  constructor(message = 'request cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export class RpcPeer {
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private closed = false;
  private closeReason: Error | undefined;

  constructor(
    readonly transport: BackendTransport,
    private readonly handlers: PeerHandlers = {},
    private readonly backend?: string,
  ) {
    transport.onmessage = (message, context) => this.receive(message, context);
    transport.onclose = (reason) => this.onTransportClosed(reason);
    transport.onerror = (error) => this.handlers.onError?.(error);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get inflight(): number {
    return this.pending.size;
  }

  /** Sends a request; resolves with the backend's response (result or JSON-RPC error) as it came. */
  request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: RequestOptions,
  ): Promise<RpcResponse> {
    if (this.closed) {
      return Promise.reject(this.closeReason ?? new ConnectionClosedError('connection closed', this.backend));
    }
    const id = this.nextId++;
    const message: JSONRPCRequest = { jsonrpc: '2.0', id, method, ...(params ? { params } : {}) };
    const progressToken = (params?._meta as { progressToken?: string | number } | undefined)?.progressToken;
    return new Promise<RpcResponse>((resolve, reject) => {
      const entry: Pending = {
        method,
        resolve,
        reject,
        tag: options.tag,
        ...(progressToken !== undefined ? { progressToken } : {}),
        timer: setTimeout(() => {
          this.cancel(id, `timed out after ${options.timeoutMs} ms`);
          reject(new BackendTimeoutError(options.timeoutMs, method, this.backend));
        }, options.timeoutMs),
      };
      this.pending.set(id, entry);
      if (options.cancel) {
        entry.handle = options.cancel;
        options.cancel.cancel = (reason = 'cancelled by the client') => {
          if (this.pending.get(id) !== entry) return;
          this.cancel(id, reason);
          reject(new CancelledError());
        };
      }
      this.transport
        .send(message, {
          ...(this.transport.perRequest ? { onAbortable: (abort) => (entry.abort = abort) } : {}),
          ...(options.headers ? { headers: options.headers } : {}),
        })
        .catch((error: Error) => {
          const current = this.pending.get(id);
          if (current !== entry) return; // already answered, cancelled or timed out
          this.settle(id);
          reject(error);
        });
    });
  }

  notify(method: string, params?: Record<string, unknown>): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.transport.send({ jsonrpc: '2.0', method, ...(params ? { params } : {}) });
  }

  /** Answers a request the backend sent us. */
  respond(response: RpcResponse): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.transport.send(response);
  }

  /** Stops waiting for `id`, tells the backend (legacy: notifications/cancelled; HTTP: ends the stream). */
  private cancel(id: RequestId, reason: string): void {
    const entry = this.settle(id);
    if (!entry) return;
    if (entry.method !== 'initialize') {
      this.notify('notifications/cancelled', { requestId: id, reason }).catch(() => undefined);
    }
    entry.abort?.(new CancelledError(reason));
  }

  private settle(id: RequestId): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    if (entry.handle) entry.handle.cancel = undefined;
    return entry;
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
    const entry = this.settle(message.id);
    if (!entry) return;
    if (context.raw !== undefined) RAW_TEXT.set(message, context.raw);
    entry.resolve(message as RpcResponse);
  }

  /** Which of our requests a backend-initiated message belongs to, if we can tell. */
  private tagFor(message: JSONRPCRequest | JSONRPCNotification, context: MessageContext): unknown {
    if (context.relatedRequestId !== undefined) return this.pending.get(context.relatedRequestId)?.tag;
    const token = (message.params as { progressToken?: string | number } | undefined)?.progressToken;
    if (token !== undefined) {
      for (const entry of this.pending.values()) if (entry.progressToken === token) return entry.tag;
    }
    // A backend request on a shared channel while exactly one call is running was caused by it.
    if ('id' in message && this.pending.size === 1) return this.pending.values().next().value?.tag;
    return undefined;
  }

  private onTransportClosed(reason?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason ?? new ConnectionClosedError('connection closed', this.backend);
    for (const [id, entry] of this.pending) {
      this.settle(id);
      entry.reject(this.closeReason);
    }
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
