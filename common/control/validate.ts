// Validation of a call's arguments against the method table's schemas: the same check for every
// binding (HTTP in core/control/http-api.ts, IPC in electron/ipc.ts). The only module of the
// contract that loads zod at run time, so the clients (which never validate) do not carry it.
import { z } from 'zod';
import type { ControlApi } from './api.js';
import {
  CONTROL_METHOD_NAMES,
  CONTROL_METHODS,
  InvalidArgumentsError,
  sharedSchemas,
  type ControlMethod,
} from './methods.js';

// Built on first use, not at import: building every method's schema is startup work the engine's
// first initialize does not need (the control API is used once the dashboard or a CLI asks).
let schemas: Map<ControlMethod, z.ZodType<unknown[]>> | undefined;

/** The schema of a method's whole argument list. */
export function argsSchema(method: ControlMethod): z.ZodType<unknown[]> {
  if (schemas === undefined) {
    const shared = sharedSchemas(z);
    schemas = new Map(
      CONTROL_METHOD_NAMES.map((method) => [method, CONTROL_METHODS[method].args(z, shared)]),
    );
  }
  return schemas.get(method)!;
}

/** `query.limit`, `enabled`, `arguments`: where in the argument list an issue is, by name. */
function describePath(method: ControlMethod, path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'arguments';
  const [first, ...rest] = path;
  const params = CONTROL_METHODS[method].params as readonly string[];
  const head = typeof first === 'number' ? (params[first] ?? `argument ${first}`) : String(first);
  return [head, ...rest.map(String)].join('.');
}

/** The arguments, checked; throws InvalidArgumentsError naming the method, the field and the problem. */
export function parseControlArgs<M extends ControlMethod>(
  method: M,
  args: unknown,
): Parameters<ControlApi[M]> {
  const parsed = argsSchema(method).safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidArgumentsError(`${method}: ${describePath(method, issue.path)}: ${issue.message}`);
  }
  return parsed.data as Parameters<ControlApi[M]>;
}
