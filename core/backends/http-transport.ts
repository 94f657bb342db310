// A lean Streamable HTTP client transport for backends. It is ours rather than the SDK's
// StreamableHTTPClientTransport because the gateway's hot path is here: the SDK transport measured
// ~3x the added latency of a plain keep-alive node:http exchange (see docs/decisions.md), and a
// router needs to know which request's stream carried each message. It speaks both eras: legacy
// (Mcp-Session-Id, GET stream, DELETE) and modern (per-request MCP-Protocol-Version/Mcp-Method/Mcp-Name).
import http from 'node:http';
import https from 'node:https';
import type { JSONRPCMessage, JSONRPCRequest, RequestId } from '@modelcontextprotocol/client';
import type { BackendTransport, MessageContext, SendOptions } from './transport.js';
import {
  BackendProtocolError,
  ConnectionClosedError,
  HttpStatusError,
  oneLine,
  type ResponseTooLargeError,
  SelfConnectionError,
  SessionLostError,
  StreamLostError,
} from './errors.js';
import { encodeHeaderValue, PROTOCOL_VERSION_META } from './modern.js';
import {
  collectBody,
  MessageMeter,
  SseReader,
  UNBOUNDED_BUDGET,
  type SseReaderHandlers,
  type InboundBudget,
  type InboundLimits,
} from './inbound-limits.js';
import { LARGE_RESPONSE_BYTES, largeResult } from './raw-response.js';
import type { EventSourceMessage } from 'eventsource-parser';
import { parseMessages } from './messages.js';

export interface HttpTransportOptions {
  url: string;
  /** Static headers from the config (e.g. Authorization). */
  headers?: Record<string, string>;
  maxResponseBytes: number;
  /** The process-wide budget for bytes in flight from backends (default: unbounded). */
  budget?: InboundBudget;
  /** Shared keep-alive agent: every session of a backend reuses its sockets. */
  agent?: http.Agent;
  backend?: string;
  /** Delay before the GET stream is re-opened after it drops, ms. */
  streamRetryMs?: number;
  /** This gateway's instance id: an answer carrying it in Switchyard-Instance comes from ourselves. */
  selfInstance?: string;
}

/** The header every Switchyard answers /mcp with (its per-process instance id). */
export const INSTANCE_HEADER = 'switchyard-instance';

// Enough for a JSON-RPC error object; the rest of an error body is discarded (it ends up in status lines).
const ERROR_BODY_LIMIT = 8 * 1024;

export class StreamableHttpTransport implements BackendTransport {
  readonly kind = 'streamable-http' as const;
  readonly perRequest = true;
  onmessage?: (message: JSONRPCMessage, context: MessageContext) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;

  private readonly url: URL;
  private readonly client: typeof http | typeof https;
  private readonly baseHeaders: Record<string, string>;
  private readonly target: http.RequestOptions;
  /**
   * The POST's request options, one object per transport whose `headers` each send replaces:
   * `http.request` copies its options before it returns, so no request keeps this object, and a
   * spread of `target` per call (a new object shaped at run time) is spared.
   */
  private readonly postOptions: http.RequestOptions & { headers: http.OutgoingHttpHeader[] };
  private _sessionId: string | undefined;
  private protocolVersion: string | undefined;
  private closed = false;
  private readonly inflight = new Set<http.ClientRequest>();
  private stream: http.ClientRequest | undefined;
  private streamTimer: NodeJS.Timeout | undefined;
  /** Oversize events in a row on the GET stream (the retry delay doubles with each). */
  private streamOverflows = 0;
  private readonly limits: InboundLimits;
  /** The headers of every POST, as raw pairs (see send()). */
  private readonly postHeaders: readonly string[];
  /** A closed SSE reader kept for the next response (most links read one response at a time). */
  private idleReader: SseReader | undefined;

  constructor(private readonly options: HttpTransportOptions) {
    this.limits = {
      maxMessageBytes: options.maxResponseBytes,
      budget: options.budget ?? UNBOUNDED_BUDGET,
      backend: options.backend,
    };
    this.url = new URL(options.url);
    this.client = this.url.protocol === 'https:' ? https : http;
    this.baseHeaders = { ...options.headers };
    // Request options derived once: building them from a URL on every call shows up in profiles.
    this.target = {
      protocol: this.url.protocol,
      hostname: this.url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: this.url.port || (this.url.protocol === 'https:' ? 443 : 80),
      path: `${this.url.pathname}${this.url.search}`,
      ...(this.url.username
        ? { auth: `${decodeURIComponent(this.url.username)}:${decodeURIComponent(this.url.password)}` }
        : {}),
      ...(options.agent ? { agent: options.agent } : {}),
    };
    this.postHeaders = rawPostHeaders(this.url, this.baseHeaders);
    this.postOptions = { ...this.target, method: 'POST', headers: [] };
  }

  get sessionId(): string | undefined {
    return this._sessionId;
  }

  async start(): Promise<void> {}

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  resume(sessionId: string, protocolVersion: string): void {
    this._sessionId = sessionId;
    this.protocolVersion = protocolVersion;
  }

  send(message: JSONRPCMessage, options?: SendOptions): Promise<void> {
    if (this.closed)
      return Promise.reject(new ConnectionClosedError('transport closed', this.options.backend));
    // The text goes to the socket as it is (no Buffer copy); its length in bytes is counted once.
    const body = JSON.stringify(message);
    const isRequest = 'method' in message && 'id' in message && message.id !== undefined;
    const request = isRequest ? (message as JSONRPCRequest) : undefined;
    const isInitialize = request?.method === 'initialize';
    // Raw header pairs: Node writes (and validates) them as given, without a setHeader (and its
    // per-header entry) each; Host and the URL's credentials are in `postHeaders` already.
    const headers: string[] = [...this.postHeaders, 'content-length', String(Buffer.byteLength(body))];
    const envelopeVersion = modernVersion(message);
    if (envelopeVersion) {
      headers.push('mcp-protocol-version', envelopeVersion);
      if ('method' in message) headers.push('mcp-method', message.method);
      const name = nameOf(message);
      if (name !== undefined) headers.push('mcp-name', encodeHeaderValue(name));
    } else {
      if (this._sessionId && !isInitialize) headers.push('mcp-session-id', this._sessionId);
      if (this.protocolVersion) headers.push('mcp-protocol-version', this.protocolVersion);
    }
    if (options?.headers) {
      // Per-request headers replace same-named ones (rare: the flat list is rebuilt without them).
      const extra = options.headers;
      const replaced = new Set(Object.keys(extra).map((k) => k.toLowerCase()));
      const kept: string[] = [];
      for (let i = 0; i < headers.length; i += 2)
        if (!replaced.has(headers[i]!.toLowerCase())) kept.push(headers[i]!, headers[i + 1]!);
      headers.length = 0;
      headers.push(...kept);
      for (const [key, value] of Object.entries(extra)) headers.push(key, value);
    }

    let req: http.ClientRequest;
    try {
      const postOptions = this.postOptions;
      postOptions.headers = headers;
      req = this.client.request(postOptions);
    } catch (error) {
      return Promise.reject(error as Error); // e.g. a header value Node refuses: a failed send, never a throw
    }
    const exchange = new Exchange(this, req, request?.id, isInitialize, envelopeVersion !== undefined);
    this.inflight.add(req);
    options?.onAbortable?.((reason) => {
      req.destroy();
      exchange.finish(reason);
    });
    req.on('error', onRequestError);
    req.on('response', onResponse);
    req.end(body);
    return exchange.done;
  }

  /** @internal the exchange settled: its request no longer counts as in flight. */
  settled(req: http.ClientRequest): void {
    this.inflight.delete(req);
  }

  /** @internal an error of the request: a closed transport says so instead of the socket's error. */
  requestError(error: Error): Error {
    return this.closed ? new ConnectionClosedError('transport closed') : error;
  }

  /** @internal the response arrived: a self-connection, else the session id (initialize) and the body. */
  respond(exchange: Exchange, res: http.IncomingMessage): void {
    if (this.isSelf(res)) {
      res.resume();
      exchange.finish(new SelfConnectionError(this.options.backend));
      return;
    }
    if (exchange.isInitialize && res.statusCode === 200) {
      const sid = res.headers['mcp-session-id'];
      if (typeof sid === 'string' && sid) this._sessionId = sid;
    }
    const status = res.statusCode ?? 0;
    if (status < 400 && status !== 202 && status !== 204 && contentType(res) === 'text/event-stream') {
      // The common answer to a call: read as it streams, and the stream settles the exchange.
      this.readEventStream(exchange, res);
      return;
    }
    this.handleResponse(res, exchange.id, exchange.modern).then(
      () => exchange.finish(),
      (error: Error) => exchange.finish(error),
    );
  }

  /** @internal a reader for one response's SSE stream: the idle one, or a new one when it is taken. */
  takeReader(handlers: SseReaderHandlers): SseReader {
    const idle = this.idleReader;
    if (!idle) return new SseReader(this.limits, handlers);
    this.idleReader = undefined;
    return idle.reuse(handlers);
  }

  /** @internal a response's stream is over: its reader is closed and kept for the next response. */
  returnReader(reader: SseReader): void {
    reader.close();
    this.idleReader ??= reader;
  }

  /** @internal the backend's name, for errors. */
  get backendName(): string | undefined {
    return this.options.backend;
  }

  /** @internal a message of a response's stream, for the peer. */
  deliver(message: JSONRPCMessage, context: MessageContext): void {
    this.onmessage?.(message, context);
  }

  /** @internal a stream's event that is not JSON-RPC. */
  streamError(error: Error): void {
    this.onerror?.(error);
  }

  private async handleResponse(
    res: http.IncomingMessage,
    id: RequestId | undefined,
    modern: boolean,
  ): Promise<void> {
    const status = res.statusCode ?? 0;
    if (status === 202 || status === 204) {
      res.resume();
      return;
    }
    if (status >= 400) {
      const text = await readErrorBody(res, ERROR_BODY_LIMIT);
      const error = parseJson(text);
      // A JSON-RPC error answering our request is a protocol answer, not a transport failure.
      if (id !== undefined && isErrorFor(error, id) && (modern || status === 400 || status >= 500)) {
        if (!(status === 404 || (status === 400 && this.looksLikeLostSession(text)))) {
          this.onmessage?.(error as JSONRPCMessage, { relatedRequestId: id });
          return;
        }
      }
      if (
        this._sessionId &&
        !modern &&
        (status === 404 || (status === 400 && this.looksLikeLostSession(text)))
      ) {
        throw new SessionLostError(
          `backend session ${this._sessionId} is gone (HTTP ${status})`,
          this.options.backend,
        );
      }
      throw new HttpStatusError(status, text.trim(), this.options.backend);
    }
    const type = contentType(res);
    const declared = Number(res.headers['content-length']);
    const meter = new MessageMeter(this.limits);
    try {
      const body = await collectBody(res, Number.isFinite(declared) ? declared : undefined, meter);
      if (id === undefined && body.length === 0) return;
      if (type !== 'application/json') {
        if (id === undefined && body.toString('utf8', 0, 64).trim() === '') return;
        throw new HttpStatusError(status, `unexpected content type "${type}"`, this.options.backend);
      }
      // A large answer to our request is relayed as its bytes (raw-response.ts): no string, no parse.
      const large = id === undefined ? undefined : largeResult(body);
      if (large) {
        if (large.id !== id)
          throw new BackendProtocolError(
            `backend answered request ${JSON.stringify(id)} with a response for id ${oneLine(JSON.stringify(large.id), 40)}`,
            this.options.backend,
          );
        this.onmessage?.(large, { relatedRequestId: id });
        return;
      }
      // The body becomes one string and its parse; the buffer is garbage as soon as it is decoded.
      const text = body.toString('utf8');
      const messages = parseMessages(text, this.options.backend);
      // The body answers our request or nothing: a reply under another id is dropped, and the request
      // fails now instead of waiting out its timeout.
      if (id !== undefined && !messages.some((m) => !('method' in m) && 'id' in m && m.id === id)) {
        const other = messages.find((m) => !('method' in m) && 'id' in m) as { id?: unknown } | undefined;
        throw new BackendProtocolError(
          other
            ? `backend answered request ${JSON.stringify(id)} with a response for id ${oneLine(JSON.stringify(other.id) ?? '', 40)}`
            : `backend answered request ${JSON.stringify(id)} without a response to it`,
          this.options.backend,
        );
      }
      if (messages.length === 1 && !text.trimStart().startsWith('[')) {
        this.onmessage?.(messages[0]!, { relatedRequestId: id, raw: text });
        return;
      }
      for (const message of messages) this.onmessage?.(message, { relatedRequestId: id });
    } finally {
      meter.release();
    }
  }

  private isSelf(res: http.IncomingMessage): boolean {
    const self = this.options.selfInstance;
    return self !== undefined && res.headers[INSTANCE_HEADER] === self;
  }

  private looksLikeLostSession(text: string): boolean {
    // SDK v1 example servers answer an unknown session with 400 "No valid session ID provided".
    return /session/i.test(text);
  }

  /** Reads one request's SSE response, delivering each message as it arrives (each event capped). */
  private readEventStream(exchange: Exchange, res: http.IncomingMessage): void {
    exchange.read(res, this.takeReader(exchange));
    res.setEncoding('utf8');
    // Three listeners: 'close' comes after 'end' (or after an abort), and `complete` tells which.
    res.on('data', onStreamData);
    res.on('error', onStreamError);
    res.on('close', onStreamClose);
  }

  /** Legacy era: the standalone GET stream carrying server-initiated requests and notifications. */
  openNotificationStream(): void {
    if (this.closed || this.stream || !this._sessionId) return;
    const headers: Record<string, string> = {
      ...this.baseHeaders,
      accept: 'text/event-stream',
      'mcp-session-id': this._sessionId,
    };
    if (this.protocolVersion) headers['mcp-protocol-version'] = this.protocolVersion;
    const req = this.client.request({ ...this.target, method: 'GET', headers });
    this.stream = req;
    let live = false;
    const retry = () => {
      if (this.stream !== req) return;
      this.stream = undefined;
      if (this.closed) return;
      // A stream that was open and dropped may mean the backend died: say so, so health is checked now.
      if (live) this.onerror?.(new StreamLostError('notification stream dropped', this.options.backend));
      // A backend that keeps sending oversize events waits longer each time (up to a minute), so it
      // cannot make the gateway read (and drop) its cap's worth of bytes every second.
      const base = this.options.streamRetryMs ?? 1000;
      const delay = Math.min(base * 2 ** this.streamOverflows, 60_000);
      this.streamTimer = setTimeout(() => this.openNotificationStream(), delay);
      this.streamTimer.unref();
    };
    req.on('error', () => retry());
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status === 405) {
        res.resume(); // the server offers no GET stream; that is allowed
        return;
      }
      if (status === 404 || (status === 400 && this._sessionId)) {
        res.resume();
        this.stream = undefined;
        this.onerror?.(
          new SessionLostError('backend session is gone (GET stream refused)', this.options.backend),
        );
        return;
      }
      if (status !== 200) {
        res.resume();
        retry();
        return;
      }
      live = true;
      const reader = new SseReader(this.limits, {
        onEvent: (event) => {
          if ((event.event && event.event !== 'message') || !event.data) return;
          let messages: JSONRPCMessage[];
          try {
            messages = parseMessages(event.data, this.options.backend);
          } catch (error) {
            this.onerror?.(error as Error);
            return;
          }
          this.streamOverflows = 0;
          for (const message of messages) this.onmessage?.(message, {});
        },
        // An event over the cap: drop it and reset the stream (a new GET after the retry delay).
        onOverflow: (error) => {
          this.streamOverflows++;
          this.onerror?.(error);
          req.destroy();
        },
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => reader.feed(chunk));
      res.on('end', retry);
      res.on('close', () => {
        reader.close();
        retry();
      });
      res.on('error', () => undefined);
    });
    req.end();
  }

  async close(): Promise<void> {
    await this.shutdown(true);
  }

  async detach(): Promise<void> {
    await this.shutdown(false);
  }

  private async shutdown(terminate: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.streamTimer);
    this.stream?.destroy();
    for (const req of this.inflight) req.destroy();
    this.inflight.clear();
    const sessionId = this._sessionId;
    if (sessionId && terminate) await this.terminate(sessionId).catch(() => undefined);
    this.onclose?.();
  }

  /** DELETE the backend session so the server can free it; best effort, bounded. */
  private terminate(sessionId: string): Promise<void> {
    return new Promise((resolve) => {
      const headers: Record<string, string> = { ...this.baseHeaders, 'mcp-session-id': sessionId };
      if (this.protocolVersion) headers['mcp-protocol-version'] = this.protocolVersion;
      const req = this.client.request({ ...this.target, method: 'DELETE', headers, timeout: 2000 });
      req.on('response', (res) => {
        res.resume();
        resolve();
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve());
      req.end();
    });
  }
}

/**
 * What Node adds itself to a request given its headers as an object (Host with a non-default port,
 * bracketed for IPv6; Basic credentials from the URL unless the config sets Authorization), then the
 * config's headers and the two every POST sends, as one flat list of pairs. A config header with
 * the name of one of ours gives way to it, as it did when ours were assigned over it.
 */
function rawPostHeaders(url: URL, configured: Record<string, string>): string[] {
  const own = ['content-type', 'application/json', 'accept', 'application/json, text/event-stream'];
  const ownNames = new Set(['content-type', 'accept', 'content-length']);
  const names = new Set(Object.keys(configured).map((k) => k.toLowerCase()));
  const pairs: string[] = [];
  if (!names.has('host')) pairs.push('host', url.host);
  if (url.username && !names.has('authorization')) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    pairs.push('authorization', `Basic ${Buffer.from(credentials).toString('base64')}`);
  }
  for (const [key, value] of Object.entries(configured))
    if (!ownNames.has(key.toLowerCase())) pairs.push(key, value);
  pairs.push(...own);
  return pairs;
}

/** The media type of a response, lower case, without parameters. */
function contentType(res: http.IncomingMessage): string {
  const value = res.headers['content-type'];
  if (value === undefined) return '';
  const semicolon = value.indexOf(';');
  return (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

// One POST and its answer. The request and its response carry their Exchange under a symbol and
// share module-level listeners, which read it from `this` (an emitter calls its listeners with
// itself as `this`): a call then allocates one object here, not a closure per listener, and its
// promise settles straight from the stream's events (no promise chained behind another).
const EXCHANGE: unique symbol = Symbol('switchyard.exchange');
type Carrier = { [EXCHANGE]?: Exchange };

let capturedResolve: (() => void) | undefined;
let capturedReject: ((error: Error) => void) | undefined;
function capture(resolve: () => void, reject: (error: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

class Exchange implements SseReaderHandlers {
  readonly done: Promise<void>;
  private readonly resolve: () => void;
  private readonly reject: (error: Error) => void;
  private isSettled = false;
  /** The stream carried the answer to our request (always true for a notification or response). */
  private answered: boolean;
  private reader: SseReader | undefined = undefined;
  private res: http.IncomingMessage | undefined = undefined;

  constructor(
    private readonly transport: StreamableHttpTransport,
    private readonly req: http.ClientRequest,
    readonly id: RequestId | undefined,
    readonly isInitialize: boolean,
    readonly modern: boolean,
  ) {
    this.done = new Promise<void>(capture);
    this.resolve = capturedResolve!;
    this.reject = capturedReject!;
    capturedResolve = capturedReject = undefined;
    this.answered = id === undefined;
    (req as Carrier)[EXCHANGE] = this;
  }

  finish(error?: Error): void {
    if (this.isSettled) return;
    this.isSettled = true;
    this.transport.settled(this.req);
    if (error) this.reject(error);
    else this.resolve();
  }

  /** Starts reading `res` as an SSE stream with `reader`. */
  read(res: http.IncomingMessage, reader: SseReader): void {
    this.res = res;
    this.reader = reader;
    (res as Carrier)[EXCHANGE] = this;
  }

  respond(res: http.IncomingMessage): void {
    this.transport.respond(this, res);
  }

  transportError(error: Error): Error {
    return this.transport.requestError(error);
  }

  feed(chunk: string): void {
    this.reader?.feed(chunk);
  }

  /** The stream is over (ended, failed or closed): its reader goes back to the transport. */
  release(): void {
    const reader = this.reader;
    if (!reader) return;
    this.reader = undefined;
    this.transport.returnReader(reader);
  }

  /**
   * The stream failed or closed, whole (it ended) or cut off (Node reports a cut-off answer as an
   * "aborted" error, then closes it); its reader goes back either way. The first call settles.
   */
  closed(complete: boolean, error?: Error): void {
    this.release();
    if (!complete) this.finish(new ConnectionClosedError('response stream aborted', this.backend));
    else if (error) this.finish(error);
    else if (this.answered) this.finish();
    else this.finish(new ConnectionClosedError('response stream ended before the response', this.backend));
  }

  get backend(): string | undefined {
    return this.transport.backendName;
  }

  onEvent(event: EventSourceMessage): void {
    if (event.event && event.event !== 'message') return;
    if (!event.data) return;
    const id = this.id;
    // A large answer: its bytes are relayed (one copy of the text, no parse, no re-serialization).
    if (id !== undefined && event.data.length >= LARGE_RESPONSE_BYTES) {
      const large = largeResult(Buffer.from(event.data));
      if (large && large.id === id) {
        this.answered = true;
        this.transport.deliver(large, { relatedRequestId: id });
        return;
      }
    }
    let messages: JSONRPCMessage[];
    try {
      messages = parseMessages(event.data, this.backend);
    } catch (error) {
      this.transport.streamError(error as Error);
      return;
    }
    for (const message of messages) {
      if (id !== undefined && 'id' in message && message.id === id && !('method' in message))
        this.answered = true;
      this.transport.deliver(
        message,
        messages.length === 1 ? { relatedRequestId: id, raw: event.data } : { relatedRequestId: id },
      );
    }
  }

  onOverflow(error: ResponseTooLargeError): void {
    this.finish(error); // before destroy() reports an abort
    this.res?.destroy();
  }
}

function onRequestError(this: http.ClientRequest, error: Error): void {
  const exchange = (this as Carrier)[EXCHANGE]!;
  exchange.finish(exchange.transportError(error));
}

function onResponse(this: http.ClientRequest, res: http.IncomingMessage): void {
  (this as Carrier)[EXCHANGE]!.respond(res);
}

function onStreamData(this: http.IncomingMessage, chunk: string): void {
  (this as Carrier)[EXCHANGE]!.feed(chunk);
}

function onStreamError(this: http.IncomingMessage, error: Error): void {
  (this as Carrier)[EXCHANGE]!.closed(this.complete, error);
}

function onStreamClose(this: http.IncomingMessage): void {
  (this as Carrier)[EXCHANGE]!.closed(this.complete);
}

function modernVersion(message: JSONRPCMessage): string | undefined {
  if (!('method' in message)) return undefined;
  const meta = (message.params as { _meta?: Record<string, unknown> } | undefined)?._meta;
  const version = meta?.[PROTOCOL_VERSION_META];
  return typeof version === 'string' ? version : undefined;
}

function nameOf(message: JSONRPCMessage): string | undefined {
  if (!('method' in message)) return undefined;
  const params = message.params as { name?: unknown; uri?: unknown } | undefined;
  if (message.method === 'tools/call' || message.method === 'prompts/get') {
    return typeof params?.name === 'string' ? params.name : undefined;
  }
  if (message.method === 'resources/read') return typeof params?.uri === 'string' ? params.uri : undefined;
  return undefined;
}

function isErrorFor(value: unknown, id: RequestId): boolean {
  return (
    typeof value === 'object' && value !== null && 'error' in value && (value as { id?: unknown }).id === id
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Reads an error body, keeping at most `limit` bytes (the rest is discarded, not buffered). */
function readErrorBody(res: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.push(chunk.subarray(0, Math.max(0, chunk.length - (size - limit))));
        res.destroy();
        resolve(Buffer.concat(chunks).toString('utf8'));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
