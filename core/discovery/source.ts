// A source of backends (the config file, a container engine). Sources feed the registry; they
// never talk to the aggregator or the gateway.
import type { BackendRegistry } from '../backends/registry.js';
import type { SourceStatus } from '../domain/source-status.js';

export type { SourceStatus } from '../domain/source-status.js';

export interface DiscoverySource {
  start(registry: BackendRegistry): Promise<void>;
  stop(): Promise<void>;
  status(): SourceStatus;
}
