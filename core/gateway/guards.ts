// The front door's checks, applied to every request before routing: Host must name this server
// on a loopback name (DNS rebinding), a present Origin must be a loopback origin of this server,
// and /mcp and /api need the bearer token (compared in constant time).
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return LOOPBACK_NAMES.has(h) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h.endsWith('.localhost');
}

/** Splits "name:port" (and "[v6]:port"). */
function splitHostPort(value: string): { name: string; port: string | undefined } {
  const v6 = /^(\[[^\]]+\])(?::(\d+))?$/.exec(value);
  if (v6) return { name: v6[1]!, port: v6[2] };
  const i = value.lastIndexOf(':');
  if (i > 0 && /^\d+$/.test(value.slice(i + 1))) return { name: value.slice(0, i), port: value.slice(i + 1) };
  return { name: value, port: undefined };
}

export interface HostPolicy {
  /** The port this server listens on (the Host header must name it, or omit it for 80). */
  port: number;
  /** Extra host names allowed (when bound to a non-loopback address on purpose). */
  extraHosts: readonly string[];
}

/** Why the Host header is unacceptable, or undefined when it is fine. */
export function checkHost(req: IncomingMessage, policy: HostPolicy): string | undefined {
  const header = req.headers.host;
  if (!header) return 'missing Host header';
  const { name, port } = splitHostPort(header);
  if (!isLoopbackHost(name) && !policy.extraHosts.includes(name.toLowerCase()))
    return `Host "${header}" is not allowed`;
  if ((port ?? '80') !== String(policy.port)) return `Host "${header}" names another port`;
  return undefined;
}

/** Why the Origin header is unacceptable, or undefined when absent or fine. */
export function checkOrigin(req: IncomingMessage, policy: HostPolicy): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `Origin "${origin}" is not allowed`;
  }
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const hostOk = isLoopbackHost(url.hostname) || policy.extraHosts.includes(url.hostname.toLowerCase());
  if (!hostOk || port !== String(policy.port) || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return `Origin "${origin}" is not allowed`;
  }
  return undefined;
}

/** The expected token, digested once. */
export interface ExpectedToken {
  digest: Buffer;
}

export function expectToken(token: string): ExpectedToken {
  return { digest: createHash('sha256').update(token).digest() };
}

/** Constant-time token comparison (hashing first makes lengths equal). */
export function tokenMatches(presented: string, expected: string | ExpectedToken): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = typeof expected === 'string' ? createHash('sha256').update(expected).digest() : expected.digest;
  return timingSafeEqual(a, b);
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1]!.trim() : undefined;
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

/** What a body read ends with: the error, or the body. */
export type BodyDone = (error: Error | undefined, body: Buffer | undefined) => void;

/** One body being read: kept on the request, so its listeners can be shared functions. */
interface BodyRead {
  limit: number;
  size: number;
  /** Most bodies arrive in one chunk: no array unless a second one comes. */
  first: Buffer | undefined;
  more: Buffer[] | undefined;
  done: boolean;
  callback: BodyDone;
}

const BODY_READ = Symbol('switchyard.bodyRead');
type ReadingRequest = IncomingMessage & { [BODY_READ]?: BodyRead };

// Module-level listeners (`this` is the request): reading a body creates no closures of its own.
function onBodyData(this: ReadingRequest, chunk: Buffer): void {
  const read = this[BODY_READ]!;
  if (read.done) return;
  read.size += chunk.length;
  if (read.size > read.limit) {
    read.done = true;
    read.first = read.more = undefined;
    read.callback(new BodyTooLargeError(read.limit), undefined);
  } else if (read.first === undefined) read.first = chunk;
  else (read.more ??= [read.first]).push(chunk);
}

function onBodyEnd(this: ReadingRequest): void {
  const read = this[BODY_READ]!;
  if (read.done) return;
  read.done = true;
  read.callback(undefined, read.more ? Buffer.concat(read.more, read.size) : (read.first ?? Buffer.alloc(0)));
}

function onBodyError(this: ReadingRequest, error: Error): void {
  const read = this[BODY_READ]!;
  if (read.done) return;
  read.done = true;
  read.callback(error, undefined);
}

/**
 * Reads a request body, failing as soon as it passes `limit` bytes; `callback` is called once.
 * The MCP endpoint reads bodies this way (no promise per request on its hot path). The callback
 * runs from the request's events, so it must not throw.
 */
export function readBodyThen(req: IncomingMessage, limit: number, callback: BodyDone): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    callback(new BodyTooLargeError(limit), undefined);
    return;
  }
  (req as ReadingRequest)[BODY_READ] = {
    limit,
    size: 0,
    first: undefined,
    more: undefined,
    done: false,
    callback,
  };
  req.on('data', onBodyData);
  req.on('end', onBodyEnd);
  req.on('error', onBodyError);
}

/** Reads a request body, failing as soon as it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    readBodyThen(req, limit, (error, body) => (error ? reject(error) : resolve(body!)));
  });
}

/**
 * How deep a message may nest (objects and arrays). JSON.parse copes with any depth, but every
 * recursive walk after it (identity keys, schema checks, JSON.stringify) would overflow the stack
 * on 100,000 levels; no MCP message needs more than a few dozen.
 */
export const MAX_JSON_DEPTH = 100;

/** Whether the JSON text in `body` nests deeper than `max` (a byte scan, strings skipped). */
export function nestsDeeperThan(body: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
