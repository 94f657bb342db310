// Turning text from a backend into JSON-RPC messages, with a clear error when it is not one. The
// shape is checked only as far as routing needs (an object with a method, or a result or error);
// payloads are relayed as they are (no schema validation of what the gateway only forwards).
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { BackendProtocolError, oneLine } from './errors.js';

export function isJsonRpcMessage(value: unknown): value is JSONRPCMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  if (typeof m.method === 'string') return true;
  return ('result' in m || 'error' in m) && 'id' in m;
}

/** One message, or the messages of a batch; throws BackendProtocolError for anything else. */
export function parseMessages(text: string, backend?: string): JSONRPCMessage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BackendProtocolError(
      `backend sent invalid JSON (${oneLine((error as Error).message, 120)}): ${oneLine(text, 80)}`,
      backend,
    );
  }
  const messages = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  if (messages.length === 0 || !messages.every(isJsonRpcMessage)) {
    throw new BackendProtocolError(
      `backend sent something that is not a JSON-RPC message: ${oneLine(text, 80)}`,
      backend,
    );
  }
  return messages as JSONRPCMessage[];
}
