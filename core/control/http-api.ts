// The control API over HTTP under /api (the headless dashboard and `switchyard status` use it).
// The token, Host and Origin checks happen before this handler (gateway/http-server.ts). Routes
// are documented in control/api.ts; request bodies are validated here with zod.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { AUDIT_OUTCOMES } from '../domain/audit-query.js';
import type { AuditQuery, AuditStatsQuery } from '../domain/audit-query.js';
import type { AuditOutcome } from '../domain/audit.js';
import { BodyTooLargeError, readBody } from '../gateway/guards.js';
import type { ControlApi, ControlEvent } from './api.js';
import { ControlError } from './errors.js';

const BODY_LIMIT = 64 * 1024;
const KEEPALIVE_MS = 25_000;

const decisionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('prefix') }),
  z.strictObject({ action: z.literal('winner'), backend: z.string().min(1) }),
  z.strictObject({
    action: z.literal('rename'),
    names: z.record(z.string(), z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)),
  }),
  z.strictObject({ action: z.literal('hide'), backend: z.string().min(1) }),
]);

const bodies = {
  enabled: z.strictObject({ enabled: z.boolean() }),
  displayName: z.strictObject({ displayName: z.string().nullable() }),
  decision: z.strictObject({ decision: decisionSchema.nullable() }),
  strategy: z.strictObject({ strategy: z.enum(['auto', 'prefix', 'priority', 'manual']) }),
  running: z.strictObject({ running: z.boolean() }),
  change: z.strictObject({ decision: z.enum(['approve', 'reject']) }),
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = body === undefined ? '{"ok":true}' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(json)),
  });
  res.end(json);
}

async function jsonBody<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  let raw: Buffer;
  try {
    raw = await readBody(req, BODY_LIMIT);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new ApiError(413, `request body over ${BODY_LIMIT} bytes`);
    throw error;
  }
  let value: unknown;
  try {
    value = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    throw new ApiError(400, 'request body is not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ApiError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

function numberParam(params: URLSearchParams, key: string): number | undefined {
  const value = params.get(key);
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ApiError(400, `${key} must be a number`);
  return n;
}

function listParam(params: URLSearchParams, key: string): string[] | undefined {
  const values = params.getAll(key).filter((v) => v !== '');
  return values.length ? values : undefined;
}

export function auditQueryFrom(params: URLSearchParams): AuditQuery {
  const outcomes = listParam(params, 'outcome');
  for (const o of outcomes ?? []) {
    if (!(AUDIT_OUTCOMES as readonly string[]).includes(o)) throw new ApiError(400, `unknown outcome "${o}"`);
  }
  const query: AuditQuery = {};
  const from = numberParam(params, 'from');
  const to = numberParam(params, 'to');
  const limit = numberParam(params, 'limit');
  const offset = numberParam(params, 'offset');
  if (from !== undefined) query.from = from;
  if (to !== undefined) query.to = to;
  if (limit !== undefined) query.limit = limit;
  if (offset !== undefined) query.offset = offset;
  const backend = listParam(params, 'backend');
  const name = listParam(params, 'name');
  const method = listParam(params, 'method');
  if (backend) query.backend = backend;
  if (name) query.name = name;
  if (method) query.method = method;
  if (outcomes) query.outcome = outcomes as AuditOutcome[];
  for (const key of ['cursor', 'sessionId', 'client', 'text'] as const) {
    const value = params.get(key);
    if (value) query[key] = value;
  }
  return query;
}

function statsQueryFrom(params: URLSearchParams): AuditStatsQuery {
  const base = auditQueryFrom(params);
  const from = numberParam(params, 'from');
  const to = numberParam(params, 'to');
  const bucketMs = numberParam(params, 'bucketMs');
  if (from === undefined || to === undefined || bucketMs === undefined) {
    throw new ApiError(400, 'from, to and bucketMs are required');
  }
  if (bucketMs <= 0 || to <= from) throw new ApiError(400, 'need from < to and bucketMs > 0');
  if ((to - from) / bucketMs > 10_000) throw new ApiError(400, 'too many buckets (at most 10,000)');
  const { limit: _l, cursor: _c, offset: _o, ...filter } = base;
  return { ...filter, from, to, bucketMs };
}

/** `GET /api/events`: the current snapshot at once, then every change. */
function streamEvents(control: ControlApi, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const write = (event: ControlEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`);
  let closed = false;
  const unsubscribe = control.subscribe((event) => {
    if (!closed) write(event);
  });
  void control.snapshot().then((snapshot) => {
    if (!closed) write({ type: 'snapshot', snapshot });
  });
  const keepalive = setInterval(() => res.write(':\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  req.on('close', () => {
    closed = true;
    clearInterval(keepalive);
    unsubscribe();
  });
}

export function createApiHandler(control: ControlApi) {
  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'GET') {
      if (path === '/api/status') return send(res, 200, await control.snapshot());
      if (path === '/api/events') return streamEvents(control, req, res);
      if (path === '/api/connect') return send(res, 200, await control.connectInfo());
      if (path === '/api/changes') return send(res, 200, await control.listChanges());
      if (path === '/api/audit')
        return send(res, 200, await control.queryAudit(auditQueryFrom(url.searchParams)));
      if (path === '/api/audit/stats')
        return send(res, 200, await control.auditStats(statsQueryFrom(url.searchParams)));
      const backend = /^\/api\/backends\/([^/]+)$/.exec(path);
      if (backend) return send(res, 200, await control.backend(decodeURIComponent(backend[1]!)));
    }
    if (method === 'POST') {
      const enabled = /^\/api\/backends\/([^/]+)\/enabled$/.exec(path);
      if (enabled) {
        const body = await jsonBody(req, bodies.enabled);
        await control.setBackendEnabled(decodeURIComponent(enabled[1]!), body.enabled);
        return send(res, 200, undefined);
      }
      const displayName = /^\/api\/backends\/([^/]+)\/display-name$/.exec(path);
      if (displayName) {
        const body = await jsonBody(req, bodies.displayName);
        await control.setBackendDisplayName(decodeURIComponent(displayName[1]!), body.displayName);
        return send(res, 200, undefined);
      }
      const reconnect = /^\/api\/backends\/([^/]+)\/reconnect$/.exec(path);
      if (reconnect) {
        await control.reconnectBackend(decodeURIComponent(reconnect[1]!));
        return send(res, 200, undefined);
      }
      const decision = /^\/api\/conflicts\/([^/]+)\/decision$/.exec(path);
      if (decision) {
        const body = await jsonBody(req, bodies.decision);
        await control.resolveConflict(decodeURIComponent(decision[1]!), body.decision);
        return send(res, 200, undefined);
      }
      const change = /^\/api\/changes\/([^/]+)\/decision$/.exec(path);
      if (change) {
        const body = await jsonBody(req, bodies.change);
        return send(res, 200, await control.decideChange(decodeURIComponent(change[1]!), body.decision));
      }
      if (path === '/api/strategy') {
        const body = await jsonBody(req, bodies.strategy);
        await control.setStrategy(body.strategy);
        return send(res, 200, undefined);
      }
      if (path === '/api/gateway') {
        const body = await jsonBody(req, bodies.running);
        await control.setGatewayRunning(body.running);
        return send(res, 200, undefined);
      }
    }
    throw new ApiError(404, `Not found: ${method} ${path}`);
  };
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    try {
      await route(req, res, url);
    } catch (error) {
      if (res.headersSent) return void res.end();
      if (error instanceof ApiError) return send(res, error.status, { error: error.message });
      if (error instanceof ControlError) return send(res, error.status, { error: error.message });
      throw error;
    }
  };
}
