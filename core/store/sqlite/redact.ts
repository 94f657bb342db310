// Turns a request or response payload into the text the audit trail stores: JSON with secrets
// replaced, cut at a byte budget. One pass that stops once the budget is spent, so a 100 MiB
// response costs no more than its first few kilobytes.
//
// A value is redacted when its key, lower-cased with everything but letters and digits removed,
// contains one of SECRET_KEY_PARTS or ends with one of SECRET_KEY_SUFFIXES — at any depth,
// inside arrays too — and a string that is a bearer credential ("Bearer <token>") is redacted
// wherever it appears. Suffix-only matching for "token" keeps counters such as `maxTokens`
// readable while `access_token`, `refreshToken` and `x-auth-token` are hidden.

export const REDACTED = '[redacted]';
/** Ends a payload that was cut at maxPayloadBytes; the stored text is then not valid JSON. */
export const TRUNCATED = '…[truncated]';

export const SECRET_KEY_PARTS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'authorization',
  'apikey',
  'privatekey',
  'credential',
  'cookie',
];
export const SECRET_KEY_SUFFIXES = ['token', 'auth', 'pwd'];

const CREDENTIAL_VALUE = /^\s*bearer\s+[\w.~+/=-]{8,}\s*$/i;
const MAX_DEPTH = 64;
/** Distinct keys remembered per serializer (payload keys repeat: "type", "text", "name", …). */
const KEY_CACHE = 5000;

/** A key as it is matched: lower case, letters and digits only ("X-Api-Key" → "xapikey"). */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** `extraParts` must already be normalized. */
export function isSecretKey(key: string, extraParts: readonly string[] = []): boolean {
  const k = normalizeKey(key);
  if (!k) return false;
  for (const part of SECRET_KEY_PARTS) if (k.includes(part)) return true;
  for (const part of extraParts) if (k.includes(part)) return true;
  for (const suffix of SECRET_KEY_SUFFIXES) if (k.endsWith(suffix)) return true;
  return false;
}

function isCredential(value: string): boolean {
  if (value.length < 15) return false;
  const first = value.charCodeAt(0);
  return (first === 0x42 || first === 0x62 || first <= 0x20) && CREDENTIAL_VALUE.test(value);
}

/** The longest prefix of `text` that is at most `maxBytes` of UTF-8, cut between characters. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  // Each UTF-16 unit is at most 3 UTF-8 bytes: short enough strings need no measuring.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  const bytes = Buffer.from(text.length > maxBytes ? text.slice(0, maxBytes) : text);
  let end = Math.min(maxBytes, bytes.length);
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // never end inside a character
  return bytes.subarray(0, end).toString('utf8');
}

class BudgetSpent extends Error {}

class PayloadSerializer {
  /** key → its JSON prefix (`"key":`), and whether its value is redacted. */
  private readonly keys = new Map<string, { prefix: string; secret: boolean }>();

  constructor(private readonly extraParts: readonly string[]) {}

  serialize(value: unknown, maxBytes: number): string | undefined {
    if (value === undefined || maxBytes <= 0) return undefined;
    // Stop a little past the budget (counting UTF-16 units, a lower bound of the bytes); the
    // exact cut is made at the end.
    const limit = maxBytes + 1;
    let out = '';
    const stack: object[] = [];
    const emit = (chunk: string) => {
      out += chunk;
      if (out.length > limit) throw new BudgetSpent();
    };

    const write = (v: unknown): void => {
      switch (typeof v) {
        case 'string': {
          if (isCredential(v)) return emit(`"${REDACTED}"`);
          const room = limit - out.length; // a long string only needs what could still fit
          return emit(JSON.stringify(v.length > room ? v.slice(0, Math.max(0, room)) : v));
        }
        case 'number':
          return emit(Number.isFinite(v) ? String(v) : 'null');
        case 'boolean':
          return emit(v ? 'true' : 'false');
        case 'bigint':
          return emit(`"${v.toString()}"`);
        case 'object':
          break;
        default:
          return emit('null'); // undefined, a function or a symbol in an array
      }
      if (v === null) return emit('null');
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function')
        return write((v as { toJSON(): unknown }).toJSON());
      if (stack.includes(v)) return emit('"[circular]"');
      if (stack.length >= MAX_DEPTH) return emit('"[too deep]"');
      stack.push(v);
      if (Array.isArray(v)) {
        emit('[');
        for (let i = 0; i < v.length; i++) {
          if (i) emit(',');
          write(v[i]);
        }
        emit(']');
      } else {
        emit('{');
        let first = true;
        for (const key in v) {
          if (!Object.hasOwn(v, key)) continue;
          const item = (v as Record<string, unknown>)[key];
          if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
          const k = this.key(key);
          emit(first ? k.prefix : `,${k.prefix}`);
          first = false;
          if (k.secret) emit(`"${REDACTED}"`);
          else write(item);
        }
        emit('}');
      }
      stack.pop();
    };

    try {
      write(value);
      if (Buffer.byteLength(out) <= maxBytes) return out;
    } catch (error) {
      if (!(error instanceof BudgetSpent)) throw error;
    }
    const marker = Buffer.byteLength(TRUNCATED);
    if (maxBytes < marker) return truncateUtf8(TRUNCATED, maxBytes) || undefined;
    return truncateUtf8(out, maxBytes - marker) + TRUNCATED;
  }

  private key(key: string): { prefix: string; secret: boolean } {
    let entry = this.keys.get(key);
    if (!entry) {
      entry = { prefix: `${JSON.stringify(key)}:`, secret: isSecretKey(key, this.extraParts) };
      if (this.keys.size < KEY_CACHE) this.keys.set(key, entry);
    }
    return entry;
  }
}

const serializers = new Map<string, PayloadSerializer>();

/**
 * JSON for `value` with secrets redacted, at most `maxBytes` bytes of UTF-8: cut short (ending
 * with TRUNCATED) when longer. undefined when there is nothing to store. `extraSecretParts` are
 * normalized key fragments (see normalizeKey) to redact besides the built-in ones.
 */
export function serializePayload(
  value: unknown,
  maxBytes: number,
  extraSecretParts: readonly string[] = [],
): string | undefined {
  const id = extraSecretParts.join('\u0000');
  let serializer = serializers.get(id);
  if (!serializer) serializers.set(id, (serializer = new PayloadSerializer([...extraSecretParts])));
  return serializer.serialize(value, maxBytes);
}
