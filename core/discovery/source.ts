// A source of backends (the config file, a container engine). Sources feed the registry; they
// never talk to the aggregator or the gateway.
import type { BackendRegistry } from '../backends/registry.js';
import type { SourceStatus } from '../../common/domain/source-status.js';

export type { SourceStatus } from '../../common/domain/source-status.js';

export interface DiscoverySource {
  start(registry: BackendRegistry): Promise<void>;
  /** The engine stops (a pause of the gateway leaves its sources running). */
  stop(): Promise<void>;
  status(): SourceStatus;
}
