// What a backend is and how it is doing, independent of where it was found (config file or
// container engine). Plain data: the dashboard reads these types too. How to reach a backend is in
// backend-spec.ts.

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

export type BackendState = 'connecting' | 'ready' | 'degraded' | 'down' | 'disabled';

export type ProtocolEra = 'legacy' | 'modern';

export interface BackendStatus {
  name: string;
  state: BackendState;
  /** Epoch ms of the last state change. */
  since: number;
  /** Kept after a recovery (history): whether it is a current problem is the state's to say. */
  lastError?: { message: string; at: number };
  /**
   * While connecting fails: when the current run of failures began (epoch ms). Unlike `since`, a
   * retry does not move it; it is cleared once the backend is ready again (or stopped).
   */
  failingSince?: number;
  /** Failed connection attempts in the current run of failures. */
  attempts?: number;
  /** When the next connection attempt is due (epoch ms), while one is scheduled. */
  nextRetryAt?: number;
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
