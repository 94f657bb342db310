// The HTTP binding of the method table (methods.ts), the server's half (core/control/http-api.ts):
// a request → its method and argument list, read from the path, the JSON body or the query string,
// then validated with the same schema IPC uses (validate.ts). The client's half is http.ts.
import type { z } from 'zod';
import { API_PREFIX } from './http.js';
import {
  CONTROL_METHOD_NAMES,
  CONTROL_METHODS,
  InvalidArgumentsError,
  type ControlMethod,
} from './methods.js';
import { argsSchema } from './validate.js';

/** A method's route, compiled once from its table entry. */
export interface HttpBinding {
  method: ControlMethod;
  verb: 'GET' | 'POST';
  pattern: RegExp;
  /** Argument index of each `:param` path segment, in order. */
  pathArgs: number[];
  /** Arguments sent as the JSON body's fields (POST). */
  bodyArgs: number[];
  /** The argument sent as the query string (GET), if any. */
  queryArg?: number;
}

function compile(method: ControlMethod): HttpBinding {
  const { http, params } = CONTROL_METHODS[method];
  const names = params as readonly string[];
  const pathArgs: number[] = [];
  const source = http.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const index = names.indexOf(segment.slice(1));
      if (index < 0) throw new Error(`${method}: path ${http.path} names no argument ${segment}`);
      pathArgs.push(index);
      // Empty segments match too, so an empty name is refused by the schema (400), as over IPC.
      return '([^/]*)';
    })
    .join('/');
  const rest = names.map((_, i) => i).filter((i) => !pathArgs.includes(i));
  if (http.verb === 'GET' && rest.length > 1)
    throw new Error(`${method}: GET takes at most one query argument`);
  return {
    method,
    verb: http.verb,
    pattern: new RegExp(`^${API_PREFIX}${source}$`),
    pathArgs,
    bodyArgs: http.verb === 'POST' ? rest : [],
    ...(http.verb === 'GET' && rest.length === 1 ? { queryArg: rest[0]! } : {}),
  };
}

export const HTTP_BINDINGS: readonly HttpBinding[] = CONTROL_METHOD_NAMES.map(compile);

/** The method a request is for, and its path segments (URL-decoded); undefined when none is. */
export function matchHttpRoute(
  verb: string,
  pathname: string,
): { binding: HttpBinding; segments: string[] } | undefined {
  for (const binding of HTTP_BINDINGS) {
    if (binding.verb !== verb) continue;
    const match = binding.pattern.exec(pathname);
    if (!match) continue;
    const segments = match.slice(1).map((raw) => {
      try {
        return decodeURIComponent(raw);
      } catch {
        throw new InvalidArgumentsError(`${binding.method}: the path is not valid URL encoding`);
      }
    });
    return { binding, segments };
  }
  return undefined;
}

// --- Query strings back to objects, typed by the argument's schema ----------------------------------------

interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  shape?: Record<string, z.ZodType>;
  items?: z.ZodType[];
}

const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let def = defOf(current); def.innerType && ['optional', 'nullable', 'default'].includes(def.type);) {
    current = def.innerType;
    def = defOf(current);
  }
  return current;
}

/** How a query value is read for a field: a number, a list (the key repeats), or text. */
function fieldKind(schema: z.ZodType | undefined): 'number' | 'list' | 'text' {
  if (!schema) return 'text';
  const def = defOf(unwrap(schema));
  if (def.type === 'number') return 'number';
  if (def.type === 'array') return 'list';
  if (def.type === 'union' && def.options?.some((o) => defOf(unwrap(o)).type === 'array')) return 'list';
  return 'text';
}

/**
 * A query string as the object argument its schema expects: numbers read as numbers (left as text
 * when they are not, so the schema says so), list fields as arrays, empty values left out. Unknown
 * keys are kept: the strict schema then names them.
 */
export function decodeQuery(params: URLSearchParams, schema: z.ZodType): Record<string, unknown> {
  const shape = defOf(unwrap(schema)).shape ?? {};
  const out: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key).filter((v) => v !== '');
    if (values.length === 0) continue;
    const kind = fieldKind(shape[key]);
    if (kind === 'list') out[key] = values;
    else if (values.length > 1) out[key] = values;
    else if (kind === 'number') {
      const n = Number(values[0]);
      out[key] = values[0]!.trim() !== '' && Number.isFinite(n) ? n : values[0];
    } else out[key] = values[0];
  }
  return out;
}

/**
 * The argument list of a request, before validation: path segments, then the body's fields (a JSON
 * object with only the method's fields), or the query string.
 */
export function argsFromHttp(
  binding: HttpBinding,
  segments: readonly string[],
  body: unknown,
  query: URLSearchParams,
): unknown[] {
  const { method } = binding;
  const names = CONTROL_METHODS[method].params as readonly string[];
  const args: unknown[] = names.map(() => undefined);
  binding.pathArgs.forEach((index, i) => (args[index] = segments[i]));
  if (binding.bodyArgs.length > 0) {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new InvalidArgumentsError(`${method}: body: expected a JSON object`);
    const allowed = binding.bodyArgs.map((i) => names[i]!);
    const extra = Object.keys(body).find((key) => !allowed.includes(key));
    if (extra !== undefined) throw new InvalidArgumentsError(`${method}: body: unknown field "${extra}"`);
    for (const index of binding.bodyArgs) args[index] = (body as Record<string, unknown>)[names[index]!];
  }
  if (binding.queryArg !== undefined) {
    const schema = defOf(argsSchema(method)).items?.[binding.queryArg];
    if (!schema) throw new Error(`${method}: no schema for its query argument`);
    args[binding.queryArg] = decodeQuery(query, schema);
  }
  return args;
}
