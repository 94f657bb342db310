// The control API's method table: for every request/response method of ControlApi, the names of
// its arguments, how it is reached over HTTP, and the zod schema its argument list must match. The
// bindings and clients are generated from it (like VS Code's ProxyChannel over a service
// interface): the HTTP routes under /api (core/control/http-api.ts, http.ts here), the IPC handlers
// (electron/ipc.ts), and the three clients (electron/engine-client.ts, electron/preload-bridge.ts,
// renderer/src/bridge/http-bridge.ts, through client.ts). The same schema checks a call whichever
// way it arrives, so HTTP and IPC cannot drift apart. Schemas are written as functions of zod
// (built once by validate.ts), so the clients, which only need names and routes, carry no zod: the
// preload bundle stays small.
//
// HTTP mapping (all under /api, bearer token, JSON): `:param` path segments carry the argument of
// that name (URL-encoded); for POST the other arguments are the JSON body's fields, `{ param: value }`;
// for GET the one other argument, an object, is the query string (a list repeats its key:
// `outcome=ok&outcome=timeout`). Answers are JSON (`{ ok: true }` for void); errors are 4xx/5xx
// with `{ error }`. `subscribe` is the event stream, `GET /api/events` (SSE) or IPC events.
import type { z } from 'zod';
import { AUDIT_OUTCOMES } from '../domain/audit-query.js';
import { CLIENT_IDS } from '../domain/client.js';
import { CONFLICT_STRATEGIES, type ControlApi } from './api.js';
import {
  AUDIT_BUCKETS_MAX,
  AUDIT_LIST_MAX,
  AUDIT_PAGE_MAX,
  AUDIT_TEXT_MAX,
  BACKEND_LOG_PAGE_MAX,
  BACKEND_NAME_MAX,
  CHANGE_ID_MAX,
  CONFLICT_ID_MAX,
  DISPLAY_NAME_INPUT_MAX,
  NAME_PATTERN,
  PROFILE_NAME_PATTERN,
  PROFILE_PICK_MAX,
  SPEC_KEY_MAX,
  SPEC_LIST_MAX,
  SPEC_VALUE_MAX,
  TOOL_KEY_MAX,
} from './limits.js';

/** Every request/response method of ControlApi (`subscribe` is a stream, bound on its own). */
export type ControlMethod = Exclude<keyof ControlApi, 'subscribe'>;
/** The part of ControlApi the table describes, i.e. what a generated client implements. */
export type ControlCalls = Pick<ControlApi, ControlMethod>;

export interface HttpRoute {
  verb: 'GET' | 'POST';
  /** Under /api; `:name` segments take the argument called `name`. */
  path: string;
}

/** One name per element of a parameter tuple (a homomorphic map keeps the tuple's length). */
type NamesOf<P extends readonly unknown[]> = { readonly [K in keyof P]: string };

export interface MethodSpec<M extends ControlMethod> {
  /** The arguments' names, in order (one per parameter): path segments, body fields, error messages. */
  params: NamesOf<Parameters<ControlApi[M]>>;
  http: HttpRoute;
  /** The whole argument list, exactly (a tuple), built from zod and the shared schemas. */
  args: (zod: Zod, shared: SharedSchemas) => z.ZodType<unknown[]>;
  /** What a call answers (documentation). */
  result: string;
}

// --- Argument schemas --------------------------------------------------------------------------------

/** The zod namespace, passed in (validate.ts) rather than imported, so clients do not bundle it. */
export type Zod = typeof z;

/** Schemas more than one method uses. */
export function sharedSchemas(z: Zod) {
  const backendName = z.string().min(1).max(BACKEND_NAME_MAX);
  const decision = z.discriminatedUnion('action', [
    z.strictObject({ action: z.literal('prefix') }),
    z.strictObject({ action: z.literal('winner'), backend: backendName }),
    z.strictObject({
      action: z.literal('rename'),
      names: z.record(backendName, z.string().regex(NAME_PATTERN)),
    }),
    z.strictObject({ action: z.literal('hide'), backend: backendName }),
  ]);
  const text = z.string().max(AUDIT_TEXT_MAX);
  const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).max(AUDIT_LIST_MAX)]);
  const time = z.number().finite();
  const auditFilter = {
    from: time.optional(),
    to: time.optional(),
    backend: oneOrMany(text).optional(),
    name: oneOrMany(text).optional(),
    outcome: oneOrMany(z.enum(AUDIT_OUTCOMES)).optional(),
    method: oneOrMany(text).optional(),
    sessionId: text.optional(),
    client: text.optional(),
    nameContains: text.optional(),
    clientContains: text.optional(),
    text: text.optional(),
  };
  const auditQuery = z.strictObject({
    ...auditFilter,
    limit: z.number().int().min(1).max(AUDIT_PAGE_MAX).optional(),
    cursor: text.optional(),
    offset: z.number().int().min(0).optional(),
  });
  const auditStatsQuery = z
    .strictObject({ ...auditFilter, from: time, to: time, bucketMs: z.number().finite().positive() })
    .refine((q) => q.to > q.from, 'need from < to')
    .refine(
      (q) => (q.to - q.from) / q.bucketMs <= AUDIT_BUCKETS_MAX,
      `too many buckets (at most ${AUDIT_BUCKETS_MAX.toLocaleString('en')})`,
    );
  // A backend as the dashboard's form sends it; the config schema (core/config/schema.ts) checks
  // the values (URL, duration, name) when the entry is written, with its own messages.
  const secretMap = z.record(z.string().min(1).max(SPEC_KEY_MAX), z.string().max(SPEC_VALUE_MAX));
  const backendSpecFields = {
    url: z.string().max(SPEC_VALUE_MAX).optional(),
    command: z.string().max(SPEC_VALUE_MAX).optional(),
    args: z.array(z.string().max(SPEC_VALUE_MAX)).max(SPEC_LIST_MAX).optional(),
    transport: z.enum(['streamable-http', 'sse', 'stdio']).optional(),
    headers: secretMap.optional(),
    env: secretMap.optional(),
    timeout: z.union([z.number().int().min(0), z.string().max(32)]).optional(),
  };
  const backendSpec = z.strictObject(backendSpecFields);
  const newBackendSpec = z.strictObject({ name: backendName, ...backendSpecFields });
  return { backendName, decision, auditQuery, auditStatsQuery, backendSpec, newBackendSpec };
}
export type SharedSchemas = ReturnType<typeof sharedSchemas>;

// --- The table -----------------------------------------------------------------------------------------

export const CONTROL_METHODS = {
  snapshot: {
    params: [],
    http: { verb: 'GET', path: '/status' },
    args: (z) => z.tuple([]),
    result: 'Snapshot',
  },
  backend: {
    params: ['name'],
    http: { verb: 'GET', path: '/backends/:name' },
    args: (z, s) => z.tuple([s.backendName]),
    result: 'BackendDetail (404 for an unknown backend)',
  },
  setBackendEnabled: {
    params: ['name', 'enabled'],
    http: { verb: 'POST', path: '/backends/:name/enabled' },
    args: (z, s) => z.tuple([s.backendName, z.boolean()]),
    result: 'void',
  },
  setBackendDisplayName: {
    params: ['name', 'displayName'],
    http: { verb: 'POST', path: '/backends/:name/display-name' },
    // A bound on input only: length (DISPLAY_NAME_MAX, after trimming) and characters are the
    // engine's rule (core/control), with its own messages.
    args: (z, s) => z.tuple([s.backendName, z.string().max(DISPLAY_NAME_INPUT_MAX).nullable()]),
    result: 'void',
  },
  reconnectBackend: {
    params: ['name'],
    http: { verb: 'POST', path: '/backends/:name/reconnect' },
    args: (z, s) => z.tuple([s.backendName]),
    result: 'void',
  },
  backendLog: {
    params: ['name', 'query'],
    http: { verb: 'GET', path: '/backends/:name/log' },
    args: (z, s) =>
      z.tuple([
        s.backendName,
        z.strictObject({
          after: z.number().int().min(0).optional(),
          limit: z.number().int().min(1).max(BACKEND_LOG_PAGE_MAX).optional(),
        }),
      ]),
    result: 'BackendLogPage (404 for an unknown backend)',
  },
  resolveConflict: {
    params: ['id', 'decision'],
    http: { verb: 'POST', path: '/conflicts/:id/decision' },
    args: (z, s) => z.tuple([z.string().min(1).max(CONFLICT_ID_MAX), s.decision.nullable()]),
    result: 'void',
  },
  setStrategy: {
    params: ['strategy'],
    http: { verb: 'POST', path: '/strategy' },
    args: (z) => z.tuple([z.enum(CONFLICT_STRATEGIES)]),
    result: 'void',
  },
  previewStrategy: {
    params: ['strategy'],
    http: { verb: 'GET', path: '/strategy/:strategy/preview' },
    args: (z) => z.tuple([z.enum(CONFLICT_STRATEGIES)]),
    result: 'StrategyPreview',
  },
  callTool: {
    params: ['name', 'arguments'],
    http: { verb: 'POST', path: '/tools/:name/call' },
    args: (z) => z.tuple([z.string().regex(NAME_PATTERN), z.record(z.string(), z.unknown())]),
    result: 'ToolCallOutcome',
  },
  setToolEnabled: {
    params: ['backend', 'tool', 'enabled'],
    http: { verb: 'POST', path: '/backends/:backend/tools/:tool/enabled' },
    args: (z, s) => z.tuple([s.backendName, z.string().min(1).max(BACKEND_NAME_MAX), z.boolean()]),
    result: 'void (409: the config file is invalid now, or a pattern keeps the tool out)',
  },
  setGatewayRunning: {
    params: ['running'],
    http: { verb: 'POST', path: '/gateway' },
    args: (z) => z.tuple([z.boolean()]),
    result: 'void',
  },
  queryAudit: {
    params: ['query'],
    http: { verb: 'GET', path: '/audit' },
    args: (z, s) => z.tuple([s.auditQuery]),
    result: 'AuditPage',
  },
  auditStats: {
    params: ['query'],
    http: { verb: 'GET', path: '/audit/stats' },
    args: (z, s) => z.tuple([s.auditStatsQuery]),
    result: 'AuditStats',
  },
  connectInfo: {
    params: [],
    http: { verb: 'GET', path: '/connect' },
    args: (z) => z.tuple([]),
    result: 'ConnectInfo',
  },
  clients: {
    params: [],
    http: { verb: 'GET', path: '/clients' },
    args: (z) => z.tuple([]),
    result: 'ClientSummary[]',
  },
  connectClient: {
    params: ['id'],
    http: { verb: 'POST', path: '/clients/:id/connect' },
    args: (z) => z.tuple([z.enum(CLIENT_IDS)]),
    result: 'ClientSummary (409 when the client file cannot be edited)',
  },
  disconnectClient: {
    params: ['id'],
    http: { verb: 'POST', path: '/clients/:id/disconnect' },
    args: (z) => z.tuple([z.enum(CLIENT_IDS)]),
    result: 'ClientSummary (409 when the entry points elsewhere or the file cannot be edited)',
  },
  listChanges: {
    params: [],
    http: { verb: 'GET', path: '/changes' },
    args: (z) => z.tuple([]),
    result: 'PendingChange[] (tool integrity: held, rejected, and flagged changes)',
  },
  decideChange: {
    params: ['id', 'decision'],
    http: { verb: 'POST', path: '/changes/:id/decision' },
    args: (z) => z.tuple([z.string().min(1).max(CHANGE_ID_MAX), z.enum(['approve', 'reject'])]),
    result: 'PendingChange (404 for an unknown change)',
  },
  profiles: {
    params: [],
    http: { verb: 'GET', path: '/profiles' },
    args: (z) => z.tuple([]),
    result: 'ProfileReport[]',
  },
  profileTools: {
    params: ['profile'],
    http: { verb: 'GET', path: '/profiles/:profile/tools' },
    args: (z) => z.tuple([z.string().regex(PROFILE_NAME_PATTERN)]),
    result: 'ProfileTools (404 unknown profile, 409 for default)',
  },
  setProfileTools: {
    params: ['profile', 'tools', 'shown'],
    http: { verb: 'POST', path: '/profiles/:profile/tools' },
    args: (z) =>
      z.tuple([
        z.string().regex(PROFILE_NAME_PATTERN),
        z.array(z.string().min(3).max(TOOL_KEY_MAX)).max(PROFILE_PICK_MAX),
        z.array(z.string().min(3).max(TOOL_KEY_MAX)).max(PROFILE_PICK_MAX),
      ]),
    result: 'void (404 unknown profile, 409 for default or an invalid config file)',
  },
  // Backends from the dashboard (backend-edit.ts).
  backendConfig: {
    params: ['name'],
    http: { verb: 'GET', path: '/backends/:name/config' },
    args: (z, s) => z.tuple([s.backendName]),
    result: 'BackendSpecView (404 unknown, 409 container backend or no config file)',
  },
  addBackend: {
    params: ['spec'],
    http: { verb: 'POST', path: '/backends' },
    args: (z, s) => z.tuple([s.newBackendSpec]),
    result: 'void (409 duplicate name or no config file, 400 naming the field)',
  },
  updateBackend: {
    params: ['name', 'spec'],
    http: { verb: 'POST', path: '/backends/:name/config' },
    args: (z, s) => z.tuple([s.backendName, s.backendSpec]),
    result: 'void (404 unknown, 409 container backend, 400 naming the field)',
  },
  removeBackend: {
    params: ['name'],
    http: { verb: 'POST', path: '/backends/:name/remove' },
    args: (z, s) => z.tuple([s.backendName]),
    result: 'void (404 unknown, 409 container backend)',
  },
  testBackend: {
    params: ['spec'],
    http: { verb: 'POST', path: '/backends/test' },
    args: (z, s) => z.tuple([s.newBackendSpec]),
    result: 'BackendTestResult',
  },
} as const satisfies { [M in ControlMethod]: MethodSpec<M> };

// Fails to compile when a schema accepts something the method's parameters do not.
type ArgsMatch = {
  [M in ControlMethod]: z.infer<ReturnType<(typeof CONTROL_METHODS)[M]['args']>> extends Parameters<
    ControlApi[M]
  >
    ? true
    : M;
}[ControlMethod];
const argsMatch: ArgsMatch = true;
void argsMatch;

export const CONTROL_METHOD_NAMES = Object.keys(CONTROL_METHODS) as ControlMethod[];

export function isControlMethod(value: unknown): value is ControlMethod {
  return typeof value === 'string' && Object.hasOwn(CONTROL_METHODS, value);
}

/** Arguments that do not match the method's schema: a 400 over HTTP and IPC alike. */
export class InvalidArgumentsError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArgumentsError';
  }
}

/** Calls one method on a ControlApi with already-validated arguments. */
export function invokeControl(
  control: ControlCalls,
  method: ControlMethod,
  args: readonly unknown[],
): Promise<unknown> {
  const fn = control[method] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(control, args as unknown[]);
}
