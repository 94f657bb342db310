// Static backends from the config file, as backend specs for the registry.
import type { BackendConfig } from '../config/schema.js';
import { displayTarget } from '../config/load.js';
import type { BackendSpec } from '../domain/backend-spec.js';
import type { BackendRegistry } from '../backends/registry.js';

export function specFromConfig(backend: BackendConfig): BackendSpec {
  const endpoint: BackendSpec['endpoint'] =
    'url' in backend
      ? { transport: backend.transport, url: backend.url, headers: backend.headers }
      : {
          transport: 'stdio',
          command: backend.command,
          args: backend.args,
          env: backend.env,
          ...(backend.cwd ? { cwd: backend.cwd } : {}),
        };
  const display = displayTarget(backend);
  return {
    name: backend.name,
    endpoint,
    timeoutMs: backend.timeout,
    source: { kind: 'config' },
    ...(display !== undefined ? { display } : {}),
  };
}

/** Registers the config's backends; a disabled one is registered but not connected. */
export async function applyConfigBackends(
  registry: BackendRegistry,
  backends: readonly BackendConfig[],
): Promise<void> {
  const wanted = new Set(backends.map((b) => b.name));
  for (const name of registry.names()) {
    const connection = registry.get(name);
    if (connection?.spec.source.kind === 'config' && !wanted.has(name)) await registry.remove(name);
  }
  for (const backend of backends) {
    if (!backend.enabled) await registry.setEnabled(backend.name, false);
    registry.upsert(specFromConfig(backend));
  }
}
