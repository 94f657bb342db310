// The 2026-07-28 ("modern") era's per-request envelope and header encoding.
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
} from '@modelcontextprotocol/client';

export const MODERN_PROTOCOL_VERSION = '2026-07-28';
export const MODERN_PROTOCOL_VERSIONS: readonly string[] = [MODERN_PROTOCOL_VERSION];
export const PROTOCOL_VERSION_META = PROTOCOL_VERSION_META_KEY;
export const CLIENT_INFO_META = CLIENT_INFO_META_KEY;
export const CLIENT_CAPABILITIES_META = CLIENT_CAPABILITIES_META_KEY;

export interface ClientIdentity {
  clientInfo: { name: string; version: string; [key: string]: unknown };
  capabilities: Record<string, unknown>;
}

/** `_meta` fields a modern request carries; any the caller already set are kept. */
export function withEnvelope(
  params: Record<string, unknown> | undefined,
  identity: ClientIdentity,
  version = MODERN_PROTOCOL_VERSION,
): Record<string, unknown> {
  const meta = (params?._meta as Record<string, unknown> | undefined) ?? {};
  return {
    ...params,
    _meta: {
      [PROTOCOL_VERSION_META_KEY]: version,
      [CLIENT_INFO_META_KEY]: identity.clientInfo,
      [CLIENT_CAPABILITIES_META_KEY]: identity.capabilities,
      // A modern client's own envelope (its capabilities for this very request) passes through.
      ...meta,
    },
  };
}

const ENVELOPE_KEYS = [PROTOCOL_VERSION_META_KEY, CLIENT_INFO_META_KEY, CLIENT_CAPABILITIES_META_KEY];

/**
 * The params without a modern envelope, for a legacy backend: a modern client's request forwarded
 * to a 2025-era server must not claim 2026-07-28 (each hop negotiates on its own).
 */
export function withoutEnvelope(
  params: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const meta = params?._meta as Record<string, unknown> | undefined;
  if (!meta || !ENVELOPE_KEYS.some((k) => k in meta)) return params;
  const rest = Object.fromEntries(Object.entries(meta).filter(([k]) => !ENVELOPE_KEYS.includes(k)));
  const { _meta: _dropped, ...others } = params!;
  return Object.keys(rest).length > 0 ? { ...others, _meta: rest } : others;
}

/** Header-safe value, or the `=?base64?…?=` sentinel form the spec requires otherwise. */
export function encodeHeaderValue(value: string): string {
  const plain =
    /^[\x20-\x7e]*$/.test(value) &&
    value.trim() === value &&
    !(value.startsWith('=?base64?') && value.endsWith('?='));
  return plain ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

export function decodeHeaderValue(value: string): string {
  const m = /^=\?base64\?(.*)\?=$/.exec(value);
  return m ? Buffer.from(m[1]!, 'base64').toString('utf8') : value;
}

/** Recognised modern JSON-RPC error codes: a 4xx carrying one of these means the server is modern. */
export const MODERN_ERROR_CODES = new Set([-32020, -32021, -32022]);

export { SERVER_INFO_META_KEY as SERVER_INFO_META } from '@modelcontextprotocol/client';
