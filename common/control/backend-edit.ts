// Backends edited from the dashboard: the form's shape, what Test connection answers, and the
// masking rule for secrets (docs/decisions.md). Plain data and pure functions: the renderer, the
// engine and the method table (methods.ts) share them.

export type EditableTransport = 'streamable-http' | 'sse' | 'stdio';

/**
 * A config-file backend as the form sends it: a URL (streamable-http or sse, headers) or a command
 * (stdio, args, env). `timeout` is a duration as the config file takes it ("30s", or ms).
 * Header and env values equal to their mask (see maskSecret) mean "keep the stored value".
 */
export interface BackendSpecInput {
  url?: string;
  command?: string;
  args?: string[];
  transport?: EditableTransport;
  headers?: Record<string, string>;
  env?: Record<string, string>;
  timeout?: string | number;
}

/** For addBackend (and testBackend, where `name` names a stored backend whose secrets fill masks). */
export interface NewBackendSpec extends BackendSpecInput {
  name: string;
}

/** A config-file backend as the form shows it: header and env values masked. */
export interface BackendSpecView extends BackendSpecInput {
  name: string;
  transport: EditableTransport;
  headers: Record<string, string>;
  env: Record<string, string>;
}

/** What Test connection found (the backend is never registered). */
export interface BackendTestResult {
  ok: boolean;
  era?: 'legacy' | 'modern';
  protocolVersion?: string;
  serverInfo?: { name: string; version: string; title?: string };
  tools: string[];
  error?: string;
}

/** What the UI shows instead of a backend found in a container's Edit/Remove. */
export const CONTAINER_NOT_EDITABLE = 'Found in a container — its labels are its config';

export const SECRET_MASK = '••••';
/** Values shorter than this show no characters at all (two of six would be a third of it). */
const SHOW_TAIL_FROM = 8;
const ENV_REFERENCE = /\$\{env:[A-Za-z_][A-Za-z0-9_]*\}/;

/**
 * A header or env value as the UI receives it. A value holding a `${env:NAME}` reference is shown
 * as written (the secret is in the environment, not the file); any other value is `••••` plus its
 * last two characters, or just `••••` when it is short (an empty value stays empty).
 */
export function maskSecret(value: string): string {
  if (value === '' || ENV_REFERENCE.test(value)) return value;
  return value.length >= SHOW_TAIL_FROM ? `${SECRET_MASK}${value.slice(-2)}` : SECRET_MASK;
}

/**
 * The values to write: a submitted value equal to the mask of the stored value under the same key
 * keeps the stored value (the mask itself is never written). A mask with no stored value under its
 * key is refused by the caller (isMask).
 */
export function unmaskSecrets(
  submitted: Record<string, string> | undefined,
  stored: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (!submitted) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(submitted)) {
    const before = stored?.[key];
    out[key] = before !== undefined && value === maskSecret(before) ? before : value;
  }
  return out;
}

/** True for a value that is a mask (what unmaskSecrets could not resolve must not be written). */
export function isMask(value: string): boolean {
  return value.startsWith(SECRET_MASK);
}
