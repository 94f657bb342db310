// A source of backends (the config file, a container engine). Sources feed the registry; they
// never talk to the aggregator or the gateway.
import type { BackendRegistry } from '../backends/registry.js';

export interface SourceStatus {
  /** e.g. "docker". */
  kind: string;
  /** Human-readable state: "Podman 5.4.2 at unix:///run/podman/podman.sock", "no container engine found". */
  summary: string;
  ok: boolean;
  detail?: Record<string, unknown>;
}

export interface DiscoverySource {
  start(registry: BackendRegistry): Promise<void>;
  stop(): Promise<void>;
  status(): SourceStatus;
}
