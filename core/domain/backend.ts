// What a backend is, independent of where it was found (config file or container engine).

export type TransportKind = 'streamable-http' | 'sse' | 'stdio';

export type BackendSource =
  | { kind: 'config' }
  | {
      kind: 'container';
      engine: string;
      engineVersion?: string;
      containerId: string;
      containerName: string;
      image: string;
      convention: 'mcp' | 'toolhive';
    };

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
  /** Set when the spec itself is unusable (e.g. a mislabelled container); the backend is shown in error. */
  invalid?: string;
}

export type BackendState = 'connecting' | 'ready' | 'degraded' | 'down' | 'disabled';

export type ProtocolEra = 'legacy' | 'modern';

export interface BackendStatus {
  name: string;
  state: BackendState;
  /** Epoch ms of the last state change. */
  since: number;
  lastError?: { message: string; at: number };
  era?: ProtocolEra;
  protocolVersion?: string;
  serverInfo?: { name: string; version: string; title?: string };
  transport: TransportKind;
  source: BackendSource;
  /** Where it is reached, for display: a URL or a command line. Never contains header values. */
  target: string;
  counts: { tools: number; prompts: number; resources: number; resourceTemplates: number };
  /** Round-trip of the last health ping, ms. */
  latencyMs?: number;
}
