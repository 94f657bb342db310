// How to reach a backend: what discovery hands the registry. Node-side only (a container
// attachment is a live connection); the status types the dashboard reads are in common/domain/backend.ts.
import type { BackendSource } from '../../common/domain/backend.js';

/** How to reach a backend: everything a connection needs, and nothing that runs code chosen by a label. */
export type BackendEndpoint =
  | { transport: 'streamable-http' | 'sse'; url: string; headers: Record<string, string> }
  | { transport: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd?: string }
  /** A container started with an open stdin; the engine attaches to it (see core/discovery). */
  | { transport: 'stdio'; attach: StdioAttachment };

/** One JSON-RPC message as parsed from the wire (a batch is split before it gets here). */
export type AttachedMessage = Record<string, unknown>;

/** Where an attachment delivers what the process sends to one connection. */
export interface AttachmentReceiver {
  message(message: AttachedMessage): void;
  /** The connection ended (the process's stream ended, or the attachment was let go). */
  closed(reason?: Error): void;
}

/** One connection over an attachment: parsed messages in and out, no byte framing. */
export interface AttachmentConnection {
  /** Sends one message to the process; throws when the connection is closed. */
  send(message: AttachedMessage): void;
  close(): void;
}

/**
 * A running process's stdin/stdout (a container's), shared by several connections: the attachment
 * multiplexes them, so each connection sees its own JSON-RPC session.
 */
export interface StdioAttachment {
  describe(): string;
  open(receiver: AttachmentReceiver): Promise<AttachmentConnection>;
}

export interface BackendSpec {
  /** Unique among live backends; the tool-name prefix is derived from it. */
  name: string;
  endpoint: BackendEndpoint;
  /** Per-request timeout applied to every call forwarded to this backend. */
  timeoutMs: number;
  source: BackendSource;
  group?: string;
  /** How the target reads for people when it differs from the endpoint (config: before ${env:} expansion). */
  display?: string;
  /** Set when the spec itself is unusable (e.g. a mislabelled container); the backend is shown in error. */
  invalid?: string;
}
