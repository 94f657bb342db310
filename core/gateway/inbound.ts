// Every client message is parsed and classified exactly once, here, into an Inbound record that
// every later hop reads: its kind, its era, the protocol version it claims, the client identity a
// modern request carries, and the name or URI it addresses. Nothing downstream looks into the raw
// message again to recover any of these.
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/client';
import {
  CLIENT_CAPABILITIES_META,
  CLIENT_INFO_META,
  PROTOCOL_VERSION_META,
  type ClientIdentity,
} from '../backends/modern.js';

export type MessageKind = 'request' | 'notification' | 'response';
export type Era = 'legacy' | 'modern';

const NO_PARAMS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

export interface Inbound {
  readonly message: JSONRPCMessage;
  readonly kind: MessageKind;
  /** The JSON-RPC method ('' for a response). */
  readonly method: string;
  /** The request's id (null for notifications). For a response: the id it answers. */
  readonly id: RequestId | null;
  readonly params: Record<string, unknown>;
  /** Modern: a 2026+ version claim in `_meta` and no session. Legacy: everything else. */
  readonly era: Era;
  /** The protocol version `_meta` claims (modern clients put it on every request). */
  readonly version: string | undefined;
  /** The client's identity from `_meta` (modern requests only; a legacy session holds its own). */
  readonly identity: ClientIdentity | undefined;
  /** The tool or prompt name, or the resource URI, the request addresses. */
  readonly target: string | undefined;
  /** Request body bytes attributed to this message (a batch's bytes split evenly). */
  readonly bytes: number;
}

/** A value that is a JSON-RPC 2.0 message object (the only check before classification). */
export function isMessage(value: unknown): value is JSONRPCMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { jsonrpc?: unknown }).jsonrpc === '2.0'
  );
}

/**
 * Classifies one message. `sessionId` is the Mcp-Session-Id header (a message on a session is
 * legacy whatever it claims); `inBatch` marks a member of a JSON array body (batches are legacy).
 */
export function classify(
  message: JSONRPCMessage,
  sessionId: string | undefined,
  inBatch: boolean,
  bytes: number,
): Inbound {
  const m = message as { method?: unknown; id?: RequestId | null; params?: unknown };
  const hasMethod = typeof m.method === 'string';
  const hasId = m.id !== undefined && m.id !== null;
  const kind: MessageKind = hasMethod ? (hasId ? 'request' : 'notification') : 'response';
  const params =
    typeof m.params === 'object' && m.params !== null ? (m.params as Record<string, unknown>) : NO_PARAMS;
  const meta = params._meta as Record<string, unknown> | undefined;
  const claimed = meta?.[PROTOCOL_VERSION_META];
  const version = typeof claimed === 'string' ? claimed : undefined;
  const era: Era =
    version !== undefined && version >= '2026' && sessionId === undefined && !inBatch ? 'modern' : 'legacy';
  const method = hasMethod ? (m.method as string) : '';
  return {
    message,
    kind,
    method,
    id: hasId ? m.id! : null,
    params,
    era,
    version,
    identity: era === 'modern' && kind === 'request' ? identityOf(meta!) : undefined,
    target: hasMethod ? targetOf(method, params) : undefined,
    bytes,
  };
}

/** The name or URI a request addresses (what Mcp-Name mirrors, what routing and the audit read). */
export function targetOf(method: string, params: Record<string, unknown>): string | undefined {
  let value: unknown;
  switch (method) {
    case 'tools/call':
    case 'prompts/get':
      value = params.name;
      break;
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      value = params.uri;
      break;
    case 'completion/complete': {
      const ref = params.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined;
      value = ref?.type === 'ref/prompt' ? ref.name : ref?.type === 'ref/resource' ? ref.uri : undefined;
      break;
    }
    default:
      return undefined;
  }
  return typeof value === 'string' ? value : undefined;
}

function identityOf(meta: Record<string, unknown>): ClientIdentity {
  const clientInfo = meta[CLIENT_INFO_META] as { name?: unknown; version?: unknown } | undefined;
  return {
    clientInfo: {
      name: typeof clientInfo?.name === 'string' ? clientInfo.name : 'unknown',
      version: typeof clientInfo?.version === 'string' ? clientInfo.version : '0',
    },
    capabilities: (meta[CLIENT_CAPABILITIES_META] as Record<string, unknown> | undefined) ?? {},
  };
}
