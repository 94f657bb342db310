// The config file's backends as a discovery source, like the container engine: it registers its
// backends with the registry and, when the file changes, applies the new list as a diff (new ones
// added, removed ones closed, changed ones reconnected by the registry's own spec comparison,
// untouched ones left alone).
import type { BackendConfig } from '../config/schema.js';
import { displayTarget } from '../config/load.js';
import type { BackendSpec } from '../domain/backend-spec.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { DiscoverySource, SourceStatus } from './source.js';

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

export interface ConfigSourceOptions {
  /** A backend the user turned off in the dashboard stays off whatever the file says. */
  disabledByUser(name: string): boolean;
}

/** What one application of the file's backend list did (for the log). */
export interface BackendDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

export class ConfigSource implements DiscoverySource {
  private registry: BackendRegistry | undefined;

  constructor(
    private backends: readonly BackendConfig[],
    private readonly options: ConfigSourceOptions,
  ) {}

  async start(registry: BackendRegistry): Promise<void> {
    this.registry = registry;
    await this.sync(undefined);
  }

  /** Nothing to close: the registry owns the connections (and keeps them over a pause). */
  async stop(): Promise<void> {
    this.registry = undefined;
  }

  /** A new list from the file; applied at once when the source runs, else at the next start. */
  async update(backends: readonly BackendConfig[]): Promise<BackendDiff> {
    const previous = this.backends;
    this.backends = backends;
    return this.sync(previous);
  }

  status(): SourceStatus {
    const n = this.backends.length;
    return { kind: 'config', ok: true, summary: `${n} backend${n === 1 ? '' : 's'} in the config file` };
  }

  private async sync(previous: readonly BackendConfig[] | undefined): Promise<BackendDiff> {
    const diff: BackendDiff = { added: [], removed: [], changed: [] };
    const registry = this.registry;
    if (!registry) return diff;
    const before = new Map((previous ?? []).map((b) => [b.name, b]));
    const wanted = new Set(this.backends.map((b) => b.name));
    for (const name of registry.names()) {
      if (registry.get(name)?.spec.source.kind === 'config' && !wanted.has(name)) {
        await registry.remove(name);
        diff.removed.push(name);
      }
    }
    for (const backend of this.backends) {
      const old = before.get(backend.name);
      const known = registry.get(backend.name)?.spec.source.kind === 'config';
      if (!known) diff.added.push(backend.name);
      else if (old && JSON.stringify(old) !== JSON.stringify(backend)) diff.changed.push(backend.name);
      // `enabled: false` in the file turns a backend off; back to true turns it on again, unless
      // the user turned it off in the dashboard.
      if (!backend.enabled) await registry.setEnabled(backend.name, false);
      else if (old && !old.enabled && !this.options.disabledByUser(backend.name))
        await registry.setEnabled(backend.name, true);
      registry.upsert(specFromConfig(backend));
    }
    return diff;
  }
}
