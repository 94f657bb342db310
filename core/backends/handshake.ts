// Era negotiation and handshakes with a backend: modern `server/discover` first, else the legacy
// `initialize` handshake. Each hop negotiates on its own: the gateway never forwards a client's
// `initialize` or `initialized` to a backend.
import { SUPPORTED_PROTOCOL_VERSIONS, LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/client';
import type { JsonObject } from '../../common/domain/capability.js';
import type { ProtocolEra } from '../../common/domain/backend.js';
import { HttpStatusError, BackendError, BackendTimeoutError } from './errors.js';
import {
  MODERN_ERROR_CODES,
  MODERN_PROTOCOL_VERSIONS,
  SERVER_INFO_META,
  withEnvelope,
  type ClientIdentity,
} from './modern.js';
import type { RpcPeer } from './rpc-peer.js';

export interface Handshake {
  era: ProtocolEra;
  protocolVersion: string;
  capabilities: JsonObject;
  serverInfo?: { name: string; version: string; title?: string };
  instructions?: string;
}

export const LEGACY_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;
export const LATEST_LEGACY_VERSION = LATEST_PROTOCOL_VERSION;

export class HandshakeError extends BackendError {}

/**
 * Probe with `server/discover`. Returns the modern handshake, or `undefined` when the answer says
 * the backend is legacy. Auth failures, 5xx and timeouts on HTTP are errors, not era evidence.
 */
export async function discover(
  peer: RpcPeer,
  identity: ClientIdentity,
  timeoutMs: number,
  { silenceMeansLegacy }: { silenceMeansLegacy: boolean },
): Promise<Handshake | undefined> {
  let response;
  try {
    response = await peer.request('server/discover', withEnvelope(undefined, identity), { timeoutMs });
  } catch (error) {
    if (error instanceof HttpStatusError) {
      if (error.status === 401 || error.status === 403) {
        throw new HandshakeError(`unauthorized (HTTP ${error.status}): check the backend's headers/token`);
      }
      if (error.status >= 400 && error.status < 500) return undefined; // a legacy server refusing a modern request
    }
    if (error instanceof BackendTimeoutError && silenceMeansLegacy) return undefined; // stdio: silence is legacy
    throw error;
  }
  if ('error' in response) {
    const data = response.error.data as { supported?: unknown } | undefined;
    if (response.error.code === -32022 && Array.isArray(data?.supported)) {
      // Our modern version was refused: speak legacy if the server lists a legacy version, else give up.
      const legacy = data.supported.some((v) => typeof v === 'string' && LEGACY_VERSIONS.includes(v));
      if (legacy) return undefined;
      throw new HandshakeError(
        `no protocol version in common (server supports ${data.supported.join(', ')})`,
      );
    }
    if (MODERN_ERROR_CODES.has(response.error.code)) {
      throw new HandshakeError(`server/discover failed: ${response.error.message}`);
    }
    return undefined; // e.g. -32601 method not found from a legacy server
  }
  const result = response.result as {
    supportedVersions?: unknown;
    capabilities?: JsonObject;
    instructions?: string;
    _meta?: Record<string, unknown>;
  };
  const versions = Array.isArray(result.supportedVersions) ? result.supportedVersions : [];
  const version = MODERN_PROTOCOL_VERSIONS.find((v) => versions.includes(v));
  if (!version) return undefined; // discover answered, but no modern version in common: speak legacy
  const serverInfo = result._meta?.[SERVER_INFO_META] as Handshake['serverInfo'] | undefined;
  return {
    era: 'modern',
    protocolVersion: version,
    capabilities: result.capabilities ?? {},
    ...(serverInfo ? { serverInfo } : {}),
    ...(typeof result.instructions === 'string' ? { instructions: result.instructions } : {}),
  };
}

/** The legacy `initialize` + `notifications/initialized` handshake. */
export async function initialize<Tag>(
  peer: RpcPeer<Tag>,
  identity: ClientIdentity,
  timeoutMs: number,
  requestedVersion: string = LATEST_LEGACY_VERSION,
): Promise<Handshake> {
  const response = await peer.request(
    'initialize',
    {
      protocolVersion: LEGACY_VERSIONS.includes(requestedVersion) ? requestedVersion : LATEST_LEGACY_VERSION,
      capabilities: identity.capabilities,
      clientInfo: identity.clientInfo,
    },
    { timeoutMs },
  );
  if ('error' in response) throw new HandshakeError(`initialize failed: ${response.error.message}`);
  const result = response.result as {
    protocolVersion?: string;
    capabilities?: JsonObject;
    serverInfo?: Handshake['serverInfo'];
    instructions?: string;
  };
  const version = result.protocolVersion;
  if (typeof version !== 'string' || !LEGACY_VERSIONS.includes(version)) {
    throw new HandshakeError(`backend chose unsupported protocol version ${String(version)}`);
  }
  peer.transport.setProtocolVersion?.(version);
  await peer.notify('notifications/initialized');
  return {
    era: 'legacy',
    protocolVersion: version,
    capabilities: result.capabilities ?? {},
    ...(result.serverInfo ? { serverInfo: result.serverInfo } : {}),
    ...(typeof result.instructions === 'string' ? { instructions: result.instructions } : {}),
  };
}
