// The control API's methods and the validation of their arguments, for messages that cross a
// process boundary: the renderer's IPC calls (untrusted page → main) are checked here before they
// reach the engine, with the same rules as the HTTP binding (core/control/http-api.ts).
import { z } from 'zod';
import type { ControlApi } from '../core/control/api.js';
import { AUDIT_OUTCOMES } from '../core/domain/audit-query.js';

/** Every request/response method of ControlApi (`subscribe` is a stream, handled on its own). */
export const CONTROL_METHODS = [
  'snapshot',
  'backend',
  'setBackendEnabled',
  'setBackendDisplayName',
  'reconnectBackend',
  'resolveConflict',
  'setStrategy',
  'setGatewayRunning',
  'queryAudit',
  'auditStats',
  'connectInfo',
  'listChanges',
  'decideChange',
] as const;

export type ControlMethod = (typeof CONTROL_METHODS)[number];

// Fails to compile when ControlApi gains a method this list does not have (or loses one).
type Missing = Exclude<Exclude<keyof ControlApi, 'subscribe'>, ControlMethod>;
type Extra = Exclude<ControlMethod, keyof ControlApi>;
const complete: [Missing, Extra] extends [never, never] ? true : never = true;
void complete;

export function isControlMethod(value: unknown): value is ControlMethod {
  return typeof value === 'string' && (CONTROL_METHODS as readonly string[]).includes(value);
}

const name = z.string().min(1).max(512);
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const decision = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('prefix') }),
  z.strictObject({ action: z.literal('winner'), backend: name }),
  z.strictObject({
    action: z.literal('rename'),
    names: z.record(z.string(), z.string().regex(NAME_PATTERN)),
  }),
  z.strictObject({ action: z.literal('hide'), backend: name }),
]);

const text = z.string().max(4096);
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).max(1000)]);
const time = z.number().finite();

const filter = {
  from: time.optional(),
  to: time.optional(),
  backend: oneOrMany(text).optional(),
  name: oneOrMany(text).optional(),
  outcome: oneOrMany(z.enum(AUDIT_OUTCOMES)).optional(),
  method: oneOrMany(text).optional(),
  sessionId: text.optional(),
  client: text.optional(),
  text: text.optional(),
};

const auditQuery = z.strictObject({
  ...filter,
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: text.optional(),
  offset: z.number().int().min(0).optional(),
});

const auditStatsQuery = z
  .strictObject({ ...filter, from: time, to: time, bucketMs: z.number().finite().positive() })
  .refine((q) => q.to > q.from, 'need from < to')
  .refine((q) => (q.to - q.from) / q.bucketMs <= 10_000, 'too many buckets (at most 10,000)');

/** The argument list each method accepts, exactly. */
export const CONTROL_ARGS = {
  snapshot: z.tuple([]),
  backend: z.tuple([name]),
  setBackendEnabled: z.tuple([name, z.boolean()]),
  // Length and characters are checked by core/control (the same rule for HTTP and IPC).
  setBackendDisplayName: z.tuple([name, z.string().max(1024).nullable()]),
  reconnectBackend: z.tuple([name]),
  resolveConflict: z.tuple([z.string().min(3).max(1024), decision.nullable()]),
  setStrategy: z.tuple([z.enum(['auto', 'prefix', 'priority', 'manual'])]),
  setGatewayRunning: z.tuple([z.boolean()]),
  queryAudit: z.tuple([auditQuery]),
  auditStats: z.tuple([auditStatsQuery]),
  connectInfo: z.tuple([]),
  listChanges: z.tuple([]),
  decideChange: z.tuple([z.string().min(1).max(64), z.enum(['approve', 'reject'])]),
} satisfies Record<ControlMethod, z.ZodType<unknown[]>>;

// Fails to compile when a schema accepts something the method's parameters do not.
type ArgsMatch = {
  [M in ControlMethod]: z.infer<(typeof CONTROL_ARGS)[M]> extends Parameters<ControlApi[M]> ? true : M;
}[ControlMethod];
const argsMatch: ArgsMatch = true;
void argsMatch;

export class InvalidArgumentsError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArgumentsError';
  }
}

/** The arguments, checked; throws InvalidArgumentsError naming the first problem. */
export function parseControlArgs<M extends ControlMethod>(
  method: M,
  args: unknown,
): Parameters<ControlApi[M]> {
  const parsed = CONTROL_ARGS[method].safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `argument ${issue.path.join('.')}` : 'arguments';
    throw new InvalidArgumentsError(`${method}: ${where}: ${issue.message}`);
  }
  return parsed.data as Parameters<ControlApi[M]>;
}

/** Calls one method on a ControlApi with already-validated arguments. */
export function invokeControl(control: ControlApi, method: ControlMethod, args: unknown[]): Promise<unknown> {
  const fn = control[method] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(control, args);
}

/** An error as it crosses a process boundary: message, and the HTTP-like status when there is one. */
export interface WireError {
  message: string;
  name?: string;
  status?: number;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const status = (error as { status?: unknown }).status;
    return {
      message: error.message,
      name: error.name,
      ...(typeof status === 'number' ? { status } : {}),
    };
  }
  return { message: String(error) };
}

/** A call's outcome on the wire: errors travel as data, so their message arrives unchanged. */
export type WireResult = { ok: true; value: unknown } | { ok: false; error: WireError };
