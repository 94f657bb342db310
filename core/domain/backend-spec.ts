// How to reach a backend: what discovery hands the registry. Node-side only (a container
// attachment is a pair of Node streams); the status types the dashboard reads are in backend.ts.
import type { BackendSource } from './backend.js';

/** How to reach a backend: everything a connection needs, and nothing that runs code chosen by a label. */
export type BackendEndpoint =
  | { transport: 'streamable-http' | 'sse'; url: string; headers: Record<string, string> }
  | { transport: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd?: string }
  /** A container started with an open stdin; the engine attaches to it (see core/discovery). */
  | { transport: 'stdio'; attach: StdioAttachment };

/** Opens a duplex byte stream to a running process (a container's stdin/stdout). */
export interface StdioAttachment {
  describe(): string;
  open(): Promise<{
    stdin: NodeJS.WritableStream;
    stdout: NodeJS.ReadableStream;
    close(): Promise<void>;
  }>;
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
