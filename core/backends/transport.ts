// The message-level transport every backend connection speaks through: Streamable HTTP (our own,
// lean client), legacy HTTP+SSE and stdio (the SDK's transports, adapted). The gateway relays
// JSON-RPC messages, so this is deliberately below the SDK's Client: no result re-validation.
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/client';
import type { TransportKind } from '../../common/domain/backend.js';

export interface SendOptions {
  /**
   * Per-request transports (HTTP) hand back a function that ends this request's own exchange
   * (the modern era's cancellation signal; also frees the socket on a timeout).
   */
  onAbortable?: (abort: (reason: Error) => void) => void;
  /** Extra HTTP headers for this request (modern era: Mcp-Param-* mirrored from tool arguments). */
  headers?: Record<string, string>;
}

export interface MessageContext {
  /** The request whose response stream carried this message, when the transport knows it. */
  relatedRequestId?: RequestId;
  /** The message exactly as received, when the transport has it (lets a response be relayed without re-serializing). */
  raw?: string;
}

export interface BackendTransport {
  readonly kind: TransportKind;
  /** True when each request has its own exchange (HTTP): responses never need a shared channel. */
  readonly perRequest: boolean;
  readonly sessionId?: string | undefined;
  start(): Promise<void>;
  /**
   * Sends one message. For requests over HTTP the promise settles when the exchange ends, and
   * rejects if it ended without the response (the peer then fails that request).
   */
  send(message: JSONRPCMessage, options?: SendOptions): Promise<void>;
  close(): Promise<void>;
  /**
   * Closes without ending the backend session (legacy HTTP: no DELETE), so it can be resumed after
   * the gateway restarts. Transports without resumable sessions just close.
   */
  detach?(): Promise<void>;
  /** Legacy sessionful HTTP: open the standalone GET stream for server-initiated messages. */
  openNotificationStream?(): void;
  /** Legacy HTTP: the version negotiated by initialize, sent as MCP-Protocol-Version from then on. */
  setProtocolVersion?(version: string): void;
  /** Legacy HTTP: continue an existing backend session (after a gateway restart) without initialize. */
  resume?(sessionId: string, protocolVersion: string): void;
  onmessage?: (message: JSONRPCMessage, context: MessageContext) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;
}
