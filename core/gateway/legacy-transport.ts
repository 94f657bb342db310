// The legacy (2025-era) Streamable HTTP transport on /mcp: initialize creates a session with a
// cryptographically random id, later requests must carry it (400 without, 404 when unknown or
// ended), GET opens the session's notification stream and DELETE ends the session. Batches
// (2025-03-26 clients) are answered with one JSON array.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LATEST_LEGACY_VERSION, LEGACY_VERSIONS } from '../backends/handshake.js';
import type { AuditSink } from '../domain/audit.js';
import type { Clock, Logger } from '../domain/runtime.js';
import { mark, msSince } from '../support/stopwatch.js';
import type { Emitter } from '../support/emitter.js';
import type { ClientSession } from './client-session.js';
import type { Dispatcher } from './dispatch.js';
import type { AdvertisedView } from './gateway-view.js';
import { Exchange, NotificationStream } from './exchange.js';
import type { Inbound } from './inbound.js';
import type { Refuser } from './refusal.js';
import { BatchResponder } from './responder.js';
import type { SessionTable } from './session-table.js';
import { ErrorCode, header, resultJson } from './wire.js';
import type { Views } from './views.js';
import { DEFAULT_PROFILE } from '../config/schema.js';

export interface LegacyTransportOptions {
  table: SessionTable;
  dispatcher: Dispatcher;
  refuser: Refuser;
  view: AdvertisedView;
  views: Views;
  audit: AuditSink;
  clock: Clock;
  logger: Logger;
  serverInfo: { name: string; title?: string; version: string };
  /** Emitted after each request (the dashboard's call counts). */
  changed: Emitter<void>;
}

const SESSION_REQUIRED = 'Bad Request: Mcp-Session-Id header is required';

function isInitialize(m: Inbound): boolean {
  return m.kind === 'request' && m.method === 'initialize';
}

/** The client takes an SSE answer to its POST (the spec asks every client to; some send only JSON). */
function acceptsEventStream(req: IncomingMessage): boolean {
  return (header(req, 'accept') ?? '').includes('text/event-stream');
}

export class LegacyTransport {
  constructor(private readonly o: LegacyTransportOptions) {}

  /** A POST of classified messages (one, or a batch) to the endpoint of `profile`. */
  post(
    req: IncomingMessage,
    res: ServerResponse,
    messages: Inbound[],
    batch: boolean,
    sessionId: string | undefined,
    profile = DEFAULT_PROFILE,
  ): void | Promise<void> {
    const first = messages[0]!;
    const initialize = batch ? messages.find(isInitialize) : isInitialize(first) ? first : undefined;
    if (initialize) {
      if (messages.length > 1)
        return this.refuse(res, 400, ErrorCode.InvalidRequest, 'initialize must be sent alone');
      return this.initialize(initialize, res, profile);
    }
    if (!sessionId) return this.refuse(res, 400, ErrorCode.InvalidRequest, SESSION_REQUIRED, first);
    const session = this.o.table.find(sessionId, profile);
    if (!session) return this.refuse(res, 404, ErrorCode.SessionNotFound, 'Session not found', first);
    const version = header(req, 'mcp-protocol-version');
    if (version && !LEGACY_VERSIONS.includes(version)) {
      return this.refuse(res, 400, ErrorCode.InvalidRequest, `Unsupported MCP-Protocol-Version: ${version}`);
    }

    const dispatcher = this.o.dispatcher;
    let requests = 0;
    for (const m of messages) {
      if (m.kind === 'request') requests++;
      else if (m.kind === 'notification') dispatcher.notification(session, m);
      else dispatcher.clientResponse(session, m);
    }
    if (requests === 0) {
      res.writeHead(202);
      res.end();
      return;
    }
    if (batch) return this.batch(res, session, messages);
    const exchange = new Exchange(res);
    // list_changed notices its GET stream could not take go first on this response's stream.
    if (acceptsEventStream(req)) session.flushNotices(exchange);
    const pending = dispatcher.request(session, first, exchange);
    if (!pending) return this.o.changed.emit();
    return pending.then(this.requestDone);
  }

  /** A request was answered: the dashboard's call counts changed (one function, not one per call). */
  private readonly requestDone = (): void => this.o.changed.emit();

  /** A batch: answered with one JSON array once every request has its response. */
  private async batch(res: ServerResponse, session: ClientSession, messages: Inbound[]): Promise<void> {
    const requests = messages.filter((m) => m.kind === 'request');
    let pending = requests.length;
    const responders = requests.map(
      () =>
        new BatchResponder(() => {
          if (--pending > 0) return;
          const answers = responders.map((r) => r.json).filter((j): j is string => j !== undefined);
          const json = `[${answers.join(',')}]`;
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(json),
          });
          res.end(json);
        }),
    );
    res.on('close', () => {
      if (pending > 0) for (const r of responders) r.abandon();
    });
    await Promise.all(requests.map((r, i) => this.o.dispatcher.request(session, r, responders[i]!)));
    this.o.changed.emit();
  }

  private initialize(inbound: Inbound, res: ServerResponse, profile: string): void {
    const startMark = mark();
    const params = inbound.params as {
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
    const now = this.o.clock.now();
    const session = this.o.table.create(
      { clientInfo, capabilities: params.capabilities ?? {} },
      version,
      profile,
    );
    const set = this.o.views.of(profile) ?? this.o.view.current;
    const result = {
      protocolVersion: version,
      capabilities: set.capabilities,
      serverInfo: this.o.serverInfo,
      ...(set.instructions ? { instructions: set.instructions } : {}),
    };
    const json = resultJson(inbound.id, result);
    const bytes = Buffer.byteLength(json);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': bytes,
      'mcp-session-id': session.id,
    });
    res.end(json);
    this.o.audit.record({
      time: now,
      sessionId: session.id,
      clientName: clientInfo.name,
      clientVersion: clientInfo.version,
      era: 'legacy',
      method: 'initialize',
      durationMs: msSince(startMark),
      outcome: 'ok',
      requestBytes: inbound.bytes,
      responseBytes: bytes,
    });
    this.o.logger.info('client session started', {
      session: session.id,
      client: `${clientInfo.name} ${clientInfo.version}`,
      version,
    });
  }

  /** GET: the session's standalone notification stream (one at a time). */
  get(req: IncomingMessage, res: ServerResponse, profile = DEFAULT_PROFILE): void {
    const session = this.sessionOf(req, res, profile);
    if (!session) return;
    const accept = header(req, 'accept') ?? '';
    if (accept && !accept.includes('text/event-stream') && !accept.includes('*/*')) {
      return this.refuse(
        res,
        406,
        ErrorCode.InvalidRequest,
        'Not Acceptable: the GET stream is text/event-stream',
      );
    }
    if (session.streamOpen)
      return this.refuse(
        res,
        409,
        ErrorCode.InvalidRequest,
        'Conflict: this session already has a GET stream',
      );
    session.openStream(new NotificationStream(res, (stream) => session.streamClosed(stream)));
  }

  /** DELETE: the client ends its session. */
  delete(req: IncomingMessage, res: ServerResponse, profile = DEFAULT_PROFILE): void {
    const session = this.sessionOf(req, res, profile);
    if (!session) return;
    this.o.table.end(session);
    this.o.logger.info('client session ended', { session: session.id });
    res.writeHead(200);
    res.end();
  }

  private sessionOf(req: IncomingMessage, res: ServerResponse, profile: string): ClientSession | undefined {
    const sessionId = header(req, 'mcp-session-id');
    if (!sessionId) {
      this.refuse(res, 400, ErrorCode.InvalidRequest, SESSION_REQUIRED);
      return undefined;
    }
    const session = this.o.table.find(sessionId, profile);
    if (!session) this.refuse(res, 404, ErrorCode.SessionNotFound, 'Session not found');
    return session;
  }

  private refuse(res: ServerResponse, status: number, code: number, message: string, about?: Inbound): void {
    this.o.refuser.refuse(res, {
      status,
      code,
      message,
      id: about?.id ?? null,
      era: 'legacy',
      requestBytes: about?.bytes ?? 0,
    });
  }
}
