// Which integrity policy applies to a backend: its own `aggregation.backends.<name>.integrity`
// keys, else the top-level `integrity`.
import type { IntegrityConfig, SwitchyardConfig } from '../config/schema.js';
import type { IntegrityPolicy } from '../../common/domain/integrity.js';

export function integrityPolicy(
  integrity: IntegrityConfig,
  aggregation: Pick<SwitchyardConfig['aggregation'], 'backends'>,
  backend: string,
): IntegrityPolicy {
  const own = aggregation.backends[backend]?.integrity;
  return {
    newTools: own?.newTools ?? integrity.newTools,
    changedTools: own?.changedTools ?? integrity.changedTools,
  };
}
