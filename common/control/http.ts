// The HTTP binding of the method table (methods.ts), the client's half: a call → its request (the
// renderer's HTTP bridge). The server's half, a request → the method and its argument list, is
// http-routes.ts. Browser-safe: URLSearchParams only.
import { CONTROL_METHODS, type ControlMethod } from './methods.js';

export const API_PREFIX = '/api';
/** `GET /api/events`: text/event-stream of ControlEvent (`data:` JSON), the snapshot first. */
export const EVENTS_PATH = `${API_PREFIX}/events`;

/** `?a=1&b=x&b=y`: lists repeat their key; undefined and null values are left out. */
export function encodeQuery(params: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params) as [string, unknown][]) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
    else search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export interface HttpRequest {
  verb: 'GET' | 'POST';
  /** From /api on, with the query string. */
  path: string;
  /** The JSON body (POST: always an object). */
  body?: Record<string, unknown>;
}

/** The request that makes a call. */
export function httpRequestFor(method: ControlMethod, args: readonly unknown[]): HttpRequest {
  const { http, params } = CONTROL_METHODS[method];
  const names = params as readonly string[];
  const inPath = new Set<number>();
  let path =
    API_PREFIX +
    http.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
      const index = names.indexOf(name);
      inPath.add(index);
      return encodeURIComponent(String(args[index]));
    });
  // GET: the one other argument is the query string; POST: the others are the body's fields.
  const rest = names.map((_, i) => i).filter((i) => !inPath.has(i));
  if (http.verb === 'GET') {
    if (rest.length === 1) path += encodeQuery((args[rest[0]!] as object | undefined) ?? {});
    return { verb: 'GET', path };
  }
  return { verb: 'POST', path, body: Object.fromEntries(rest.map((i) => [names[i]!, args[i]])) };
}
