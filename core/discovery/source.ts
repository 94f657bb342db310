// A source of backends (the config file, a container engine). Sources feed the registry; they
// never talk to the aggregator or the gateway.
import type { BackendRegistry } from '../backends/registry.js';
import type { SourceStatus } from '../../common/domain/source-status.js';

export type { SourceStatus } from '../../common/domain/source-status.js';

export interface DiscoverySource {
  start(registry: BackendRegistry): Promise<void>;
  stop(): Promise<void>;
  /**
   * Like stop, for the gateway being turned off: keeps what must outlive the pause (a container
   * attachment, whose closing would end the server behind it) for the next start.
   */
  suspend?(): Promise<void>;
  status(): SourceStatus;
}
