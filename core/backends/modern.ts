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

export function isModernVersion(version: string): boolean {
  return version >= MODERN_PROTOCOL_VERSION;
}

export interface ClientIdentity {
  clientInfo: { name: string; version: string; [key: string]: unknown };
  capabilities: Record<string, unknown>;
}

/** `_meta` fields a modern request carries, merged over any `_meta` the caller already set. */
export function withEnvelope(
  params: Record<string, unknown> | undefined,
  identity: ClientIdentity,
  version = MODERN_PROTOCOL_VERSION,
): Record<string, unknown> {
  const meta = (params?._meta as Record<string, unknown> | undefined) ?? {};
  return {
    ...params,
    _meta: {
      ...meta,
      [PROTOCOL_VERSION_META_KEY]: version,
      [CLIENT_INFO_META_KEY]: identity.clientInfo,
      [CLIENT_CAPABILITIES_META_KEY]: identity.capabilities,
    },
  };
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
