// What goes over the wire to clients, in one place: JSON-RPC error codes (the SDK's own enum plus
// the two Switchyard answers the SDK has no name for), the list_changed method names, SSE framing
// and headers, serialized responses, and request header access.
import type { IncomingMessage } from 'node:http';
import { ProtocolErrorCode } from '@modelcontextprotocol/client';

/** JSON-RPC error codes the gateway answers with. */
export const ErrorCode = {
  ParseError: ProtocolErrorCode.ParseError,
  InvalidRequest: ProtocolErrorCode.InvalidRequest,
  MethodNotFound: ProtocolErrorCode.MethodNotFound,
  InvalidParams: ProtocolErrorCode.InvalidParams,
  InternalError: ProtocolErrorCode.InternalError,
  /** Legacy-era "resource not found". */
  ResourceNotFound: ProtocolErrorCode.ResourceNotFound,
  UnsupportedProtocolVersion: ProtocolErrorCode.UnsupportedProtocolVersion,
  /** SDK convention for a request that timed out; also "session not found" on the legacy transport. */
  RequestTimeout: -32001,
  SessionNotFound: -32001,
  /** Modern era: the mirrored MCP-* headers disagree with the body. */
  HeaderMismatch: -32020,
  /** The gateway is paused (turned off): calls wait for it to be resumed. */
  Paused: -32004,
  /** Tool integrity: the tool (or prompt) changed and is held until the user reviews it. */
  HeldForReview: -32003,
} as const;

export type ListKind = 'tools' | 'prompts' | 'resources';

export const LIST_CHANGED: Readonly<Record<ListKind, string>> = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resources: 'notifications/resources/list_changed',
};

/** The list_changed methods for the lists a change touched, in a fixed order. */
export function listChangedMethods(change: Partial<Record<ListKind, boolean>>): string[] {
  const methods: string[] = [];
  if (change.tools) methods.push(LIST_CHANGED.tools);
  if (change.prompts) methods.push(LIST_CHANGED.prompts);
  if (change.resources) methods.push(LIST_CHANGED.resources);
  return methods;
}

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** An SSE comment line: keeps idle streams from being cut by intermediaries. */
export const SSE_KEEPALIVE = ':\n\n';

export function sseEvent(json: string): string {
  return `event: message\ndata: ${json}\n\n`;
}

/** Serializes a JSON-RPC response; the result may be pre-serialized JSON. */
export function resultJson(id: string | number | null, result: unknown): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${typeof result === 'string' ? result : JSON.stringify(result)}}`;
}

/**
 * A JSON-RPC response's bytes before a pre-encoded result (`resultHead(id)` + result + `}`): large
 * results (lists) are written as head, bytes, tail without building and re-encoding one string.
 */
export function resultHead(id: string | number | null): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":`;
}

export function errorJson(id: string | number | null, code: number, message: string, data?: unknown): string {
  const error = data === undefined ? { code, message } : { code, message, data };
  return JSON.stringify({ jsonrpc: '2.0', id, error });
}

/** A request header's single value (the first when repeated). */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
