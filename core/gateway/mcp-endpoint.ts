// The /mcp endpoint: reads and bounds the body, parses it, classifies every message once
// (inbound.ts), and hands the result to the legacy transport or the modern endpoint. It owns the
// parts of the request path and what ties them to the engine: the aggregator's change events and
// the session sweep (both released on close), and the gateway's on/off state.
//
// Where later work plugs in: a per-profile view (`/mcp/<profile>`) is the same parts over another
// view of the advertised set — routes and pre-serialized lists of its own (aggregate/routes.ts
// routes any RouteTable). Pausing is the view (gateway-view.ts) being empty plus list_changed, with
// calls refused as "paused"; sessions, their streams and backend links are kept.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import type { Aggregator } from '../aggregate/aggregator.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { AuditSink } from '../domain/audit.js';
import type { Clock, Logger } from '../domain/runtime.js';
import type { SessionStore } from '../domain/session.js';
import { DisposableStore } from '../support/disposable.js';
import { Emitter } from '../support/emitter.js';
import { Dispatcher } from './dispatch.js';
import { GatewayView } from './gateway-view.js';
import { BodyTooLargeError, MAX_JSON_DEPTH, nestsDeeperThan, readBodyThen } from './guards.js';
import { failRequest, runGuarded } from './http-server.js';
import { classify, isMessage, type Inbound } from './inbound.js';
import { LegacyTransport } from './legacy-transport.js';
import { ModernEndpoint } from './modern-endpoint.js';
import { Refuser } from './refusal.js';
import { SessionTable, type SessionInfo } from './session-table.js';
import { ErrorCode, errorJson, header, listChangedMethods } from './wire.js';
import { Views } from './views.js';
import { DEFAULT_PROFILE } from '../config/schema.js';
import type { Profiles } from '../profiles/profiles.js';

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
  /** The profiles served at /mcp/<profile>; without them only /mcp (everything) is. */
  profiles?: Profiles;
}

export class McpEndpoint {
  private readonly table: SessionTable;
  private readonly legacy: LegacyTransport;
  private readonly modern: ModernEndpoint;
  private readonly refuser: Refuser;
  private readonly disposables = new DisposableStore();
  /** What clients are served: the aggregator's set, or nothing while paused. */
  private readonly view: GatewayView;
  /** Sessions came, went, or made calls (for the dashboard; listeners throttle). */
  readonly changed = new Emitter<void>();

  private readonly views: Views;

  constructor(private readonly options: EndpointOptions) {
    this.view = new GatewayView(options.aggregator);
    this.disposables.add(() => this.view.dispose());
    const views = new Views(this.view, options.profiles);
    this.views = views;
    const dispatcher = new Dispatcher({ ...options, view: this.view, views });
    this.refuser = new Refuser(options.audit, options.clock);
    this.table = new SessionTable({
      registry: options.registry,
      clock: options.clock,
      logger: options.logger,
      limits: options.sessions,
      ...(options.sessionStore ? { store: options.sessionStore } : {}),
      handlersFor: (session) => dispatcher.handlersFor(session),
    });
    const shared = { table: this.table, dispatcher, refuser: this.refuser, view: this.view, views };
    this.legacy = new LegacyTransport({
      ...shared,
      audit: options.audit,
      clock: options.clock,
      logger: options.logger,
      serverInfo: options.serverInfo,
      changed: this.changed,
    });
    this.modern = new ModernEndpoint({ ...shared, serverInfo: options.serverInfo });
    this.disposables.add(this.table.changed.on(() => this.changed.emit()));
    this.disposables.add(
      this.view.changed.on((change) => {
        this.table.listChanged(listChangedMethods(change));
        this.modern.listChanged(change);
      }),
    );
    // A profile's sessions hear list_changed when its own view changed (not for every set change).
    if (options.profiles) {
      this.disposables.add(
        options.profiles.changed.on((change) => {
          this.table.listChanged(listChangedMethods(change), change.profile);
          this.modern.listChanged(change, change.profile);
        }),
      );
    }
    this.disposables.interval(() => this.table.sweep(), Math.min(60_000, options.sessions.idleTtlMs));
  }

  get sessionCount(): number {
    return this.table.size;
  }

  sessionRecords(): SessionInfo[] {
    return this.table.infos();
  }

  /** Paused: lists are empty, calls are refused as paused; sessions and streams stay (list_changed sent). */
  pause(): void {
    this.view.pause();
    // A call already on its way gets the same answer as one made now, not a late result.
    for (const session of this.table.all())
      session.endInflight('Switchyard was paused while this request was running; it was not completed');
  }

  /** Resumed: everything is served again (list_changed sent). */
  resume(): void {
    this.view.resume();
  }

  get paused(): boolean {
    return this.view.isPaused;
  }

  /**
   * A request to /mcp (`profile` default) or /mcp/<profile>. Not async: a POST is answered from its
   * body's events and owns its failures (see posted()), so a call makes no promise until it is
   * routed to a backend.
   */
  handle(req: IncomingMessage, res: ServerResponse, profile = DEFAULT_PROFILE): void {
    if (!this.views.has(profile)) {
      return this.refuser.refuse(res, {
        status: 404,
        code: ErrorCode.InvalidRequest,
        message: `No profile "${profile}": /mcp serves everything, /mcp/<profile> a profile of the config`,
      });
    }
    switch (req.method) {
      case 'POST':
        return this.post(req, res, profile);
      case 'GET':
        return this.legacy.get(req, res, profile);
      case 'DELETE':
        return this.legacy.delete(req, res, profile);
      default:
        res.writeHead(405, { allow: 'GET, POST, DELETE', 'content-type': 'application/json' });
        res.end(errorJson(null, ErrorCode.InvalidRequest, `Method ${req.method} not allowed`));
    }
  }

  private post(req: IncomingMessage, res: ServerResponse, profile: string): void {
    // Called from the request's events: nothing may escape as an exception or a rejection.
    readBodyThen(req, this.options.limits.requestBody, (error, body) =>
      runGuarded(res, this.options.logger, () =>
        error ? this.unread(res, error) : this.posted(req, res, profile, body!),
      ),
    );
  }

  /** The body could not be read: too large (413, and the connection closes), or the client failed. */
  private unread(res: ServerResponse, error: Error): void {
    if (!(error instanceof BodyTooLargeError)) return failRequest(res, this.options.logger, error);
    res.setHeader('connection', 'close');
    this.refuse(res, 413, ErrorCode.InvalidRequest, `Request body too large (limit ${error.limit} bytes)`);
  }

  /** A POSTed body, read whole: parsed, checked and classified once, then handed on. */
  private posted(
    req: IncomingMessage,
    res: ServerResponse,
    profile: string,
    body: Buffer,
  ): void | Promise<void> {
    const limits = this.options.limits;
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
      return this.refuse(
        res,
        400,
        ErrorCode.InvalidRequest,
        `Invalid request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
        body.length,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return this.refuse(
        res,
        400,
        ErrorCode.ParseError,
        `Parse error: ${(error as Error).message}`,
        body.length,
      );
    }
    const sessionId = header(req, 'mcp-session-id');
    if (!Array.isArray(parsed)) {
      if (!isMessage(parsed))
        return this.refuse(res, 400, ErrorCode.InvalidRequest, 'Invalid JSON-RPC message', body.length);
      const inbound = classify(parsed, sessionId, false, body.length);
      if (inbound.era === 'modern') return this.modern.handle(req, res, inbound, profile);
      return this.legacy.post(req, res, [inbound], false, sessionId, profile);
    }
    if (parsed.length === 0)
      return this.refuse(res, 400, ErrorCode.InvalidRequest, 'Empty batch', body.length);
    if (parsed.length > limits.batch) {
      const message = `Batch of ${parsed.length} messages exceeds the limit of ${limits.batch}`;
      return this.refuse(res, 413, ErrorCode.InvalidRequest, message, body.length);
    }
    const each = Math.round(body.length / parsed.length);
    const messages: Inbound[] = [];
    for (const m of parsed as unknown[]) {
      if (!isMessage(m))
        return this.refuse(res, 400, ErrorCode.InvalidRequest, 'Invalid JSON-RPC message', body.length);
      messages.push(classify(m as JSONRPCMessage, sessionId, true, each));
    }
    return this.legacy.post(req, res, messages, true, sessionId, profile);
  }

  private refuse(res: ServerResponse, status: number, code: number, message: string, requestBytes = 0): void {
    this.refuser.refuse(res, { status, code, message, requestBytes });
  }

  async close(): Promise<void> {
    this.disposables.dispose();
    this.modern.close();
    await this.table.close();
  }
}
