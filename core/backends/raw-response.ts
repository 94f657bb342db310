// Large responses are relayed as the bytes they arrived as. Parsing a 90 MB result, keeping the
// text it was parsed from and serializing it again held four copies of it at once (one result
// peaked at ~700 MiB RSS); a relayed result needs none of that: only its id changes, and the gateway
// reads a few small fields of it (isError, resultType, ttlMs, cacheScope).
//
// So a response from LARGE_RESPONSE_BYTES up is skimmed instead of parsed: one pass over its
// structure (strings jumped over with indexOf, nesting counted) finds the top-level id and the
// result's span, and the result's own top-level fields. The message the peer sees has a `result`
// that is parsed only if some code reads it (lists and handshakes are small; a relayed tool result
// never is). The skim checks structure (one object; strings closed; brackets balanced; no
// newline, which SSE framing could not carry), not every value: anything it does not accept goes
// through JSON.parse as before.
import type { JSONRPCResultResponse, RequestId } from '@modelcontextprotocol/client';

/** From this size up a response is relayed as bytes (below, parsing costs less than it saves). */
export const LARGE_RESPONSE_BYTES = 1024 * 1024;

type Span = readonly [start: number, end: number];

export interface RawResult {
  /** The whole message as received. */
  readonly bytes: Buffer;
  /** The response's id, as the backend sent it. */
  readonly id: RequestId;
  /** Where the result object lies in `bytes`. */
  readonly result: Span;
  /** The result object's own top-level fields (value spans), for the few the gateway reads. */
  readonly fields: ReadonlyMap<string, Span>;
}

/** Rides on a response object whose result was skimmed, not parsed. */
export const RAW_RESULT: unique symbol = Symbol('switchyard.rawResult');
type WithRawResult = { [RAW_RESULT]?: RawResult };

export function rawResultOf(message: object): RawResult | undefined {
  return (message as WithRawResult)[RAW_RESULT];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (c: number | undefined) => c === 0x20 || c === 0x09;

/** The index just past the string starting at `start` (a quote), or -1 when it never closes. */
function skipString(bytes: Buffer, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, at);
    if (quote < 0) return -1;
    let slashes = 0;
    while (bytes[quote - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

/** The index just past the value starting at `start`, or -1 when it is not well formed. */
function skipValue(bytes: Buffer, start: number): number {
  const first = bytes[start];
  if (first === QUOTE) return skipString(bytes, start);
  if (first !== 0x7b && first !== 0x5b) {
    // A number, true, false or null: up to the next delimiter.
    let at = start;
    while (at < bytes.length) {
      const c = bytes[at]!;
      if (c === 0x2c || c === 0x7d || c === 0x5d || isSpace(c)) break;
      at++;
    }
    return at > start ? at : -1;
  }
  let depth = 0;
  let at = start;
  while (at < bytes.length) {
    const c = bytes[at]!;
    if (c === QUOTE) {
      at = skipString(bytes, at);
      if (at < 0) return -1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return at + 1;
    }
    at++;
  }
  return -1;
}

function skipSpace(bytes: Buffer, at: number): number {
  while (isSpace(bytes[at])) at++;
  return at;
}

interface SkimmedObject {
  /** Key → value span of each member (the last one of a repeated key, as JSON.parse keeps). */
  members: Map<string, Span>;
  /** Just past the closing brace. */
  end: number;
  /** The members of the member named `nestedKey`, when its value is an object. */
  nested?: Map<string, Span> | undefined;
}

/**
 * The object starting at `start`: its members' spans and, in the same pass, those of one member's
 * own object (the result's fields), or undefined when it is not a well-formed object.
 */
function objectAt(bytes: Buffer, start: number, nestedKey?: string): SkimmedObject | undefined {
  if (bytes[start] !== 0x7b) return undefined;
  const members = new Map<string, Span>();
  let nested: Map<string, Span> | undefined;
  let at = skipSpace(bytes, start + 1);
  if (bytes[at] === 0x7d) return { members, end: at + 1 };
  for (;;) {
    if (bytes[at] !== QUOTE) return undefined;
    const keyEnd = skipString(bytes, at);
    if (keyEnd < 0 || keyEnd - at > 1024) return undefined;
    let key: unknown;
    try {
      key = JSON.parse(bytes.toString('utf8', at, keyEnd));
    } catch {
      return undefined;
    }
    at = skipSpace(bytes, keyEnd);
    if (bytes[at] !== 0x3a) return undefined;
    const valueStart = skipSpace(bytes, at + 1);
    let valueEnd: number;
    if (key === nestedKey) {
      const inner = bytes[valueStart] === 0x7b ? objectAt(bytes, valueStart) : undefined;
      if (bytes[valueStart] === 0x7b && !inner) return undefined;
      nested = inner?.members;
      valueEnd = inner ? inner.end : skipValue(bytes, valueStart);
    } else {
      valueEnd = skipValue(bytes, valueStart);
    }
    if (valueEnd < 0) return undefined;
    members.set(key as string, [valueStart, valueEnd]);
    at = skipSpace(bytes, valueEnd);
    if (bytes[at] === 0x2c) {
      at = skipSpace(bytes, at + 1);
      continue;
    }
    return bytes[at] === 0x7d ? { members, end: at + 1, nested } : undefined;
  }
}

function parseSpan(bytes: Buffer, span: Span): unknown {
  return JSON.parse(bytes.toString('utf8', span[0], span[1]));
}

/**
 * The skimmed form of a large result response (`{"jsonrpc":"2.0","id":…,"result":{…}}`, members in
 * any order), or undefined for anything else: a request, a notification, an error, a batch, or
 * bytes the skim does not accept (those are parsed as usual).
 */
export function skimResult(bytes: Buffer): RawResult | undefined {
  // Raw line breaks: pretty-printed JSON (or a broken string) cannot go into one SSE data line.
  if (bytes.includes(0x0a) || bytes.includes(0x0d)) return undefined;
  const top = objectAt(bytes, skipSpace(bytes, 0), 'result');
  if (!top || skipSpace(bytes, top.end) !== bytes.length) return undefined;
  if (top.members.has('method') || top.members.has('error')) return undefined;
  const idSpan = top.members.get('id');
  const resultSpan = top.members.get('result');
  const version = top.members.get('jsonrpc');
  const fields = top.nested; // a result is an object
  if (!idSpan || !resultSpan || !version || !fields) return undefined;
  try {
    const id = parseSpan(bytes, idSpan);
    if ((typeof id !== 'string' && typeof id !== 'number') || parseSpan(bytes, version) !== '2.0')
      return undefined;
    return { bytes, id, result: resultSpan, fields };
  } catch {
    return undefined;
  }
}

/**
 * The response message for a skimmed result: `result` is parsed from the bytes on first read only,
 * and the bytes ride along (RAW_RESULT) for the relay. The id may be rewritten as on any message.
 */
export function rawResultMessage(raw: RawResult): JSONRPCResultResponse {
  const message = { jsonrpc: '2.0', id: raw.id } as JSONRPCResultResponse & WithRawResult;
  let parsed: JSONRPCResultResponse['result'] | undefined;
  Object.defineProperty(message, 'result', {
    enumerable: true,
    configurable: true,
    get: () => (parsed ??= parseSpan(raw.bytes, raw.result) as JSONRPCResultResponse['result']),
  });
  Object.defineProperty(message, RAW_RESULT, { value: raw, enumerable: false });
  return message;
}

/** A top-level field of a response's result (read from the bytes when the result was skimmed). */
export function resultField(response: object, key: string): unknown {
  const raw = rawResultOf(response);
  if (raw) {
    const span = raw.fields.get(key);
    return span ? parseSpan(raw.bytes, span) : undefined;
  }
  const result = (response as { result?: unknown }).result;
  return typeof result === 'object' && result !== null ? (result as Record<string, unknown>)[key] : undefined;
}

/**
 * One message from `bytes` when it is a large result (relayed as bytes), else undefined (the
 * caller parses as usual).
 */
export function largeResult(bytes: Buffer): JSONRPCResultResponse | undefined {
  if (bytes.length < LARGE_RESPONSE_BYTES) return undefined;
  const raw = skimResult(bytes);
  return raw ? rawResultMessage(raw) : undefined;
}
