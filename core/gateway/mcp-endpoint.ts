// The /mcp endpoint for the legacy (2025-era) Streamable HTTP transport: initialize creates a
// session with a cryptographically random id, later requests must carry it (400 without, 404 when
// unknown or ended), GET opens the session's notification stream and DELETE ends the session.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
} from '@modelcontextprotocol/client';
import type { SetChange } from '../aggregate/aggregator.js';
import type { Aggregator } from '../aggregate/aggregator.js';
import type { BackendRegistry } from '../backends/registry.js';
import { LATEST_LEGACY_VERSION, LEGACY_VERSIONS } from '../backends/handshake.js';
import type { AuditSink } from '../domain/audit.js';
import type { Clock, Logger } from '../domain/runtime.js';
import { ClientSession } from './client-session.js';
import { sessionExpired, type SessionRecord, type SessionStore } from '../domain/session.js';
import { Dispatcher, ErrorCode } from './dispatch.js';
import { errorJson, Exchange, NotificationStream, resultJson } from './exchange.js';
import { BodyTooLargeError, readBody } from './guards.js';
import { BatchResponder } from './responder.js';
import { Emitter } from '../support/emitter.js';
import { mark, msSince } from '../support/stopwatch.js';
import { isModernRequest, ModernEndpoint } from './modern-endpoint.js';
import type { ClientIdentity } from '../backends/modern.js';

export interface EndpointOptions {
  registry: BackendRegistry;
  aggregator: Aggregator;
  clock: Clock;
  logger: Logger;
  audit: AuditSink;
  limits: { requestBody: number; batch: number };
  sessions: { idleTtlMs: number; max: number };
  serverInfo: { name: string; title?: string; version: string };
  /** Where sessions are kept so they survive a restart (SQLite); memory only without it. */
  sessionStore?: SessionStore;
}

const LIST_CHANGED = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resources: 'notifications/resources/list_changed',
} as const;

export class McpEndpoint {
  /** Sessions in least-recently-used order (a touched session moves to the end). */
  private readonly sessions = new Map<string, ClientSession>();
  /** Modern clients have no sessions: their backend links are pooled per client identity. */
  private readonly pooled = new Map<string, ClientSession>();
  private readonly dispatcher: Dispatcher;
  private readonly modern: ModernEndpoint;
  private sweeper: NodeJS.Timeout | undefined;
  private suspended = false;
  /** Sessions came, went, or made calls (for the dashboard; listeners throttle). */
  readonly changed = new Emitter<void>();

  constructor(private readonly options: EndpointOptions) {
    this.dispatcher = new Dispatcher(options);
    this.modern = new ModernEndpoint({
      dispatcher: this.dispatcher,
      sessionFor: (identity) => this.pooledSession(identity),
      capabilities: () => this.capabilities(),
      serverInfo: options.serverInfo,
      instructions: () => options.aggregator.current.instructions,
      reject: (res, status, code, message, id, data) => this.reject(res, status, code, message, id, data),
    });
    options.aggregator.changed.on((change) => {
      this.broadcast(change);
      this.modern.broadcast(change);
    });
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, options.sessions.idleTtlMs));
    this.sweeper.unref();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  sessionRecords(): (SessionRecord & {
    calls: number;
    streamOpen: boolean;
    era: 'legacy' | 'modern';
    linkedBackends: string[];
  })[] {
    return [...this.sessions.values(), ...this.pooled.values()].map((s) => ({
      ...s.record(),
      calls: s.calls,
      streamOpen: Boolean(s.stream?.isOpen),
      era: s.era,
      linkedBackends: s.linkedBackends,
    }));
  }

  /** The gateway is turned off: /mcp answers 503, sessions are kept for when it comes back. */
  async suspend(): Promise<void> {
    this.suspended = true;
    await Promise.all([...this.sessions.values(), ...this.pooled.values()].map((s) => s.disconnect()));
    this.modern.close();
  }

  resume(): void {
    this.suspended = false;
  }

  get isSuspended(): boolean {
    return this.suspended;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.suspended) {
      res.setHeader('retry-after', '5');
      return this.reject(
        res,
        503,
        ErrorCode.InternalError,
        'Switchyard is turned off (turn it on from the tray or the dashboard)',
      );
    }
    switch (req.method) {
      case 'POST':
        return this.post(req, res);
      case 'GET':
        return this.get(req, res);
      case 'DELETE':
        return this.delete(req, res);
      default:
        res.writeHead(405, { allow: 'GET, POST, DELETE', 'content-type': 'application/json' });
        res.end(errorJson(null, ErrorCode.InvalidRequest, `Method ${req.method} not allowed`));
    }
  }

  private reject(
    res: ServerResponse,
    status: number,
    code: number,
    message: string,
    id: string | number | null = null,
    data?: unknown,
  ): void {
    const json = errorJson(id, code, message, data);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(json)),
    });
    res.end(json);
    this.options.audit.record({
      time: this.options.clock.now(),
      method: 'http',
      durationMs: 0,
      outcome: 'denied',
      httpStatus: status,
      errorCode: code,
      errorMessage: message,
      requestBytes: 0,
      responseBytes: json.length,
      era: 'legacy',
    });
  }

  private async post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, this.options.limits.requestBody);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res.setHeader('connection', 'close');
        return this.reject(
          res,
          413,
          ErrorCode.InvalidRequest,
          `Request body too large (limit ${error.limit} bytes)`,
        );
      }
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return this.reject(res, 400, ErrorCode.ParseError, `Parse error: ${(error as Error).message}`);
    }
    const messages = Array.isArray(parsed) ? parsed : [parsed];
    if (messages.length === 0) return this.reject(res, 400, ErrorCode.InvalidRequest, 'Empty batch');
    if (messages.length > this.options.limits.batch) {
      return this.reject(
        res,
        413,
        ErrorCode.InvalidRequest,
        `Batch of ${messages.length} messages exceeds the limit of ${this.options.limits.batch}`,
      );
    }
    for (const m of messages) {
      if (!isMessage(m)) return this.reject(res, 400, ErrorCode.InvalidRequest, 'Invalid JSON-RPC message');
    }
    if (!Array.isArray(parsed) && isModernRequest(parsed, req)) {
      return this.modern.handle(req, res, parsed as JSONRPCRequest, body.length);
    }
    const initialize = messages.find((m) => (m as JSONRPCRequest).method === 'initialize') as
      JSONRPCRequest | undefined;
    if (initialize) {
      if (messages.length > 1)
        return this.reject(res, 400, ErrorCode.InvalidRequest, 'initialize must be sent alone');
      return this.initialize(initialize, res, body.length);
    }

    const sessionId = header(req, 'mcp-session-id');
    if (!sessionId) {
      const id = (messages[0] as { id?: string | number }).id ?? null;
      return this.reject(
        res,
        400,
        ErrorCode.InvalidRequest,
        'Bad Request: Mcp-Session-Id header is required',
        id,
      );
    }
    const session = this.session(sessionId);
    if (!session) {
      const id = (messages[0] as { id?: string | number }).id ?? null;
      return this.reject(res, 404, -32001, 'Session not found', id);
    }
    const version = header(req, 'mcp-protocol-version');
    if (version && !LEGACY_VERSIONS.includes(version)) {
      return this.reject(res, 400, ErrorCode.InvalidRequest, `Unsupported MCP-Protocol-Version: ${version}`);
    }

    const requests = messages.filter(
      (m): m is JSONRPCRequest => 'method' in m && 'id' in m && m.id !== undefined && m.id !== null,
    );
    for (const m of messages) {
      if ('method' in m && !requests.includes(m as JSONRPCRequest))
        this.dispatcher.notification(session, m as JSONRPCNotification);
      else if (!('method' in m))
        this.dispatcher.clientResponse(session, m as JSONRPCResultResponse | JSONRPCErrorResponse);
    }
    if (requests.length === 0) {
      res.writeHead(202);
      res.end();
      return;
    }
    const perRequestBytes = Math.round(body.length / messages.length);
    if (!Array.isArray(parsed)) {
      const exchange = new Exchange(res);
      await this.dispatcher.request(session, requests[0]!, exchange, perRequestBytes);
      this.changed.emit();
      return;
    }
    // A batch (2025-03-26 clients): answer with one JSON array once every request has its response.
    let pending = requests.length;
    const responders = requests.map(
      () =>
        new BatchResponder(() => {
          if (--pending > 0) return;
          const answers = responders.map((r) => r.json).filter((j): j is string => j !== undefined);
          const json = `[${answers.join(',')}]`;
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(json)),
          });
          res.end(json);
        }),
    );
    res.on('close', () => {
      if (pending > 0) for (const r of responders) r.abandon();
    });
    await Promise.all(
      requests.map((r, i) => this.dispatcher.request(session, r, responders[i]!, perRequestBytes)),
    );
  }

  private initialize(request: JSONRPCRequest, res: ServerResponse, requestBytes: number): void {
    const params = (request.params ?? {}) as {
      protocolVersion?: unknown;
      capabilities?: Record<string, unknown>;
      clientInfo?: { name?: unknown; version?: unknown };
    };
    const requested =
      typeof params.protocolVersion === 'string' ? params.protocolVersion : LATEST_LEGACY_VERSION;
    const version = LEGACY_VERSIONS.includes(requested) ? requested : LATEST_LEGACY_VERSION;
    const clientInfo = {
      ...(params.clientInfo as Record<string, unknown>),
      name: typeof params.clientInfo?.name === 'string' ? params.clientInfo.name : 'unknown',
      version: typeof params.clientInfo?.version === 'string' ? params.clientInfo.version : '0',
    };
    const now = this.options.clock.now();
    const startMark = mark();
    const session = this.createSession(
      randomUUID(),
      { clientInfo, capabilities: params.capabilities ?? {} },
      version,
      now,
    );
    session.initialized = true;
    // Durable before the client learns the id: a restart right after this still knows it.
    this.options.sessionStore?.save(session.record());
    const result = {
      protocolVersion: version,
      capabilities: this.capabilities(),
      serverInfo: this.options.serverInfo,
      ...(this.options.aggregator.current.instructions
        ? { instructions: this.options.aggregator.current.instructions }
        : {}),
    };
    const json = resultJson(request.id, result);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(json)),
      'mcp-session-id': session.id,
    });
    res.end(json);
    this.options.audit.record({
      time: now,
      sessionId: session.id,
      clientName: clientInfo.name,
      clientVersion: clientInfo.version,
      era: 'legacy',
      method: 'initialize',
      durationMs: msSince(startMark),
      outcome: 'ok',
      requestBytes,
      responseBytes: json.length,
    });
    this.options.logger.info('client session started', {
      session: session.id,
      client: `${clientInfo.name} ${clientInfo.version}`,
      version,
    });
  }

  /** What the gateway can route: list capabilities always (backends come and go), the rest by union. */
  capabilities(): Record<string, unknown> {
    const set = this.options.aggregator.current;
    let subscribe = false;
    let logging = false;
    let completions = false;
    for (const caps of set.backendCapabilities.values()) {
      if ((caps.resources as { subscribe?: boolean } | undefined)?.subscribe) subscribe = true;
      if (caps.logging) logging = true;
      if (caps.completions) completions = true;
    }
    return {
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { listChanged: true, ...(subscribe ? { subscribe: true } : {}) },
      ...(logging ? { logging: {} } : {}),
      ...(completions ? { completions: {} } : {}),
    };
  }

  createSession(
    id: string,
    identity: ClientSession['identity'],
    protocolVersion: string,
    createdAt: number,
  ): ClientSession {
    while (this.sessions.size >= this.options.sessions.max) {
      const oldest = this.sessions.values().next().value as ClientSession;
      this.options.logger.info('session evicted (session limit reached)', { session: oldest.id });
      this.end(oldest);
    }
    const dispatcher = this.dispatcher;
    const session: ClientSession = new ClientSession(
      id,
      identity,
      protocolVersion,
      createdAt,
      this.options.registry,
      {
        onRequest: (link, request, tag) => dispatcher.backendRequest(session, link, request, tag),
        onNotification: (link, notification, tag) =>
          dispatcher.backendNotification(session, link, notification, tag),
        onSessionChanged: () => this.options.sessionStore?.save(session.record()),
      },
    );
    this.sessions.set(id, session);
    this.changed.emit();
    return session;
  }

  /** The session for an id: live, or restored from the store after a restart (undefined → 404). */
  private session(id: string): ClientSession | undefined {
    return this.touch(id) ?? this.restore(id);
  }

  /**
   * Brings back a stored session on its first use after a restart, without the client initializing
   * again: same id, identity and protocol version; its backend sessions are resumed where the
   * backend still has them and re-initialized where it does not.
   */
  private restore(id: string): ClientSession | undefined {
    const store = this.options.sessionStore;
    const record = store?.get(id);
    if (!store || !record) return undefined;
    const now = this.options.clock.now();
    if (sessionExpired(record, this.options.sessions.idleTtlMs, now)) {
      store.delete(id);
      return undefined;
    }
    const session = this.createSession(
      record.id,
      { clientInfo: record.clientInfo, capabilities: record.capabilities },
      record.protocolVersion,
      record.createdAt,
    );
    session.initialized = true;
    session.resumable = { ...record.backendSessions };
    session.lastSeen = now;
    store.touch(id, now);
    this.options.logger.info('client session restored', {
      session: id,
      client: `${record.clientInfo.name} ${record.clientInfo.version}`,
    });
    return session;
  }

  private pooledSession(identity: ClientIdentity): ClientSession {
    // Legacy backends need one session per distinct client identity and capability set.
    const key = `${identity.clientInfo.name}@${identity.clientInfo.version}#${JSON.stringify(identity.capabilities)}`;
    const now = this.options.clock.now();
    let session = this.pooled.get(key);
    if (!session || session.isClosed) {
      const dispatcher = this.dispatcher;
      const created: ClientSession = new ClientSession(
        `modern:${key}`,
        identity,
        '2026-07-28',
        now,
        this.options.registry,
        {
          onRequest: (link, request, tag) => dispatcher.backendRequest(created, link, request, tag),
          onNotification: (link, notification, tag) =>
            dispatcher.backendNotification(created, link, notification, tag),
        },
        'modern',
      );
      session = created;
      this.pooled.set(key, session);
    }
    session.lastSeen = now;
    return session;
  }

  private touch(id: string): ClientSession | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    session.lastSeen = this.options.clock.now();
    this.sessions.delete(id);
    this.sessions.set(id, session);
    this.options.sessionStore?.touch(id, session.lastSeen);
    return session;
  }

  private get(req: IncomingMessage, res: ServerResponse): void {
    const sessionId = header(req, 'mcp-session-id');
    if (!sessionId)
      return this.reject(
        res,
        400,
        ErrorCode.InvalidRequest,
        'Bad Request: Mcp-Session-Id header is required',
      );
    const session = this.session(sessionId);
    if (!session) return this.reject(res, 404, -32001, 'Session not found');
    const accept = header(req, 'accept') ?? '';
    if (accept && !accept.includes('text/event-stream') && !accept.includes('*/*')) {
      return this.reject(
        res,
        406,
        ErrorCode.InvalidRequest,
        'Not Acceptable: the GET stream is text/event-stream',
      );
    }
    if (session.stream?.isOpen)
      return this.reject(
        res,
        409,
        ErrorCode.InvalidRequest,
        'Conflict: this session already has a GET stream',
      );
    const stream = new NotificationStream(res, {}, () => {
      if (session.stream === stream) session.stream = undefined;
    });
    session.stream = stream;
    for (const method of session.pendingNotices) stream.send({ jsonrpc: '2.0', method });
    session.pendingNotices.clear();
  }

  private delete(req: IncomingMessage, res: ServerResponse): void {
    const sessionId = header(req, 'mcp-session-id');
    if (!sessionId)
      return this.reject(
        res,
        400,
        ErrorCode.InvalidRequest,
        'Bad Request: Mcp-Session-Id header is required',
      );
    const session = this.session(sessionId);
    if (!session) return this.reject(res, 404, -32001, 'Session not found');
    this.end(session);
    this.options.logger.info('client session ended', { session: session.id });
    res.writeHead(200);
    res.end();
  }

  private end(session: ClientSession): void {
    this.sessions.delete(session.id);
    this.options.sessionStore?.delete(session.id);
    void session.close();
    this.changed.emit();
  }

  /** Tells every session which lists changed (now on its GET stream, or when it opens one). */
  private broadcast(change: SetChange): void {
    const methods: string[] = [];
    if (change.tools) methods.push(LIST_CHANGED.tools);
    if (change.prompts) methods.push(LIST_CHANGED.prompts);
    if (change.resources) methods.push(LIST_CHANGED.resources);
    if (methods.length === 0) return;
    for (const session of this.sessions.values()) {
      for (const method of methods) {
        const message: JSONRPCMessage = { jsonrpc: '2.0', method };
        if (!session.stream?.send(message)) session.pendingNotices.add(method);
      }
    }
  }

  private sweep(): void {
    const now = this.options.clock.now();
    const cutoff = now - this.options.sessions.idleTtlMs;
    const store = this.options.sessionStore;
    if (store) {
      // Stored sessions expire too, including ones not restored since a restart.
      const keep = new Set([...this.sessions.values()].filter((s) => s.stream?.isOpen).map((s) => s.id));
      const evicted = store.evict({
        idleTtlMs: this.options.sessions.idleTtlMs,
        max: this.options.sessions.max,
        now,
        keep,
      });
      for (const id of evicted) {
        const live = this.sessions.get(id);
        if (live) this.end(live);
      }
    }
    for (const [key, session] of this.pooled) {
      if (session.lastSeen < cutoff) {
        this.pooled.delete(key);
        void session.close();
      }
    }
    for (const session of [...this.sessions.values()]) {
      if (session.lastSeen >= cutoff) break; // LRU order: the rest are newer
      if (session.stream?.isOpen) continue;
      this.options.logger.info('session expired (idle)', { session: session.id });
      this.end(session);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.modern.close();
    const keep = this.options.sessionStore !== undefined;
    const stored = [...this.sessions.values()];
    const pooled = [...this.pooled.values()];
    this.sessions.clear();
    this.pooled.clear();
    // Stored sessions come back after a restart, so their backend sessions are left open to resume.
    await Promise.all([...stored.map((s) => s.close(keep)), ...pooled.map((s) => s.close())]);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isMessage(value: unknown): value is JSONRPCMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { jsonrpc?: unknown }).jsonrpc === '2.0'
  );
}
