// Backends added, edited, removed and tested from the dashboard (the control API's part of it):
// the form's spec → a config-file entry, checked with the config schema, written in place by
// core/config/edit.ts (comments and order kept), then applied at once (the file watcher then sees
// the same text and does nothing). Secrets never leave masked and a mask is never written.
import {
  CONTAINER_NOT_EDITABLE,
  isMask,
  maskSecret,
  unmaskSecrets,
  type BackendSpecInput,
  type BackendSpecView,
  type BackendTestResult,
  type NewBackendSpec,
} from '../../common/control/backend-edit.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { ConnectionOptions } from '../backends/backend-connection.js';
import { probeBackend } from '../backends/probe.js';
import {
  addBackendEntry,
  ConfigEditError,
  readBackendEntry,
  removeBackend,
  updateBackendEntry,
  withConfigLock,
} from '../config/edit.js';
import { validateConfig } from '../config/load.js';
import type { BackendConfig } from '../config/schema.js';
import { specFromConfig } from '../discovery/config-source.js';
import { ControlError } from './errors.js';

export interface BackendEditsDeps {
  /** The config file; undefined for an engine built without one (nothing to edit). */
  file: string | undefined;
  registry: BackendRegistry;
  /** The environment `${env:NAME}` references are checked against. */
  env: NodeJS.ProcessEnv;
  /** Applies the file as it now is (the engine's reload). */
  apply(): Promise<void>;
  /** How a Test connection connects (the registry's own options). */
  connection: ConnectionOptions;
}

const UNSET_ENV = /^environment variable .* is not set$/;

export class BackendEdits {
  constructor(private readonly deps: BackendEditsDeps) {}

  async view(name: string): Promise<BackendSpecView> {
    const file = this.editable(name);
    const entry = await this.stored(file, name);
    const url = typeof entry.url === 'string' ? entry.url : undefined;
    const strings = (value: unknown) =>
      Object.fromEntries(
        Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [k, maskSecret(String(v))]),
      );
    return {
      name,
      ...(url !== undefined ? { url } : { command: String(entry.command ?? '') }),
      ...(Array.isArray(entry.args) ? { args: entry.args.map(String) } : {}),
      transport: url !== undefined ? ((entry.transport as 'sse' | undefined) ?? 'streamable-http') : 'stdio',
      headers: strings(entry.headers),
      env: strings(entry.env),
      ...(typeof entry.timeout === 'string' || typeof entry.timeout === 'number'
        ? { timeout: entry.timeout }
        : {}),
    };
  }

  async add(spec: NewBackendSpec): Promise<void> {
    const file = this.fileOrThrow();
    const existing = this.deps.registry.get(spec.name);
    if (existing)
      throw new ControlError(
        409,
        existing.status.source.kind === 'container'
          ? `a backend named "${spec.name}" was found in a container; pick another name`
          : `a backend named "${spec.name}" already exists`,
      );
    const entry = { name: spec.name, ...this.entryOf(spec, undefined) };
    this.check(entry);
    await this.edit(() => addBackendEntry(file, entry, this.deps.env));
  }

  async update(name: string, spec: BackendSpecInput): Promise<void> {
    const file = this.editable(name);
    const stored = await this.stored(file, name);
    const entry = this.entryOf(spec, stored);
    this.check({ name, ...entry });
    await this.edit(() => updateBackendEntry(file, name, entry, this.deps.env));
  }

  async remove(name: string): Promise<void> {
    const file = this.editable(name);
    await this.edit(() => removeBackend(file, name, this.deps.env));
  }

  async test(spec: NewBackendSpec): Promise<BackendTestResult> {
    // Testing an edit of a stored backend: its masked secrets stand for the stored values.
    const source = this.deps.registry.get(spec.name)?.status.source.kind;
    const stored =
      this.deps.file && source === 'config' ? await readBackendEntry(this.deps.file, spec.name) : undefined;
    const entry = { name: spec.name, ...this.entryOf(spec, stored) };
    const backend = this.check(entry, true);
    return probeBackend(specFromConfig(backend!), this.deps.connection);
  }

  // --- helpers -------------------------------------------------------------------------------------

  private fileOrThrow(): string {
    if (!this.deps.file)
      throw new ControlError(
        409,
        'this engine was started without a config file, so backends cannot be added or edited here',
      );
    return this.deps.file;
  }

  /** The file, once `name` is known to be a config-file backend (404 unknown, 409 container). */
  private editable(name: string): string {
    const file = this.fileOrThrow();
    const connection = this.deps.registry.get(name);
    if (!connection) throw new ControlError(404, `no backend named "${name}"`);
    if (connection.status.source.kind === 'container')
      throw new ControlError(
        409,
        `"${name}": ${CONTAINER_NOT_EDITABLE}; edit the container's labels instead`,
      );
    return file;
  }

  private async stored(file: string, name: string): Promise<Record<string, unknown>> {
    const entry = await readBackendEntry(file, name).catch((error: unknown) => {
      throw new ControlError(409, error instanceof Error ? error.message : String(error));
    });
    if (!entry) throw new ControlError(404, `no backend named "${name}" in ${file}`);
    return entry;
  }

  /** The config entry for `spec` (without its name), masks resolved against the stored entry. */
  private entryOf(
    spec: BackendSpecInput,
    stored: Record<string, unknown> | undefined,
  ): Record<string, unknown> {
    const hasUrl = spec.url !== undefined && spec.url !== '';
    const hasCommand = spec.command !== undefined && spec.command !== '';
    if (hasUrl === hasCommand)
      throw new ControlError(
        400,
        hasUrl ? 'url: give a URL or a command, not both' : 'url: give a URL or a command',
      );
    if (hasUrl && spec.transport === 'stdio')
      throw new ControlError(400, 'transport: stdio needs a command, not a URL');
    if (hasCommand && spec.transport !== undefined && spec.transport !== 'stdio')
      throw new ControlError(400, `transport: ${spec.transport} needs a URL, not a command`);
    const secrets = (key: 'headers' | 'env', submitted: Record<string, string> | undefined) => {
      const values = unmaskSecrets(submitted, stored?.[key] as Record<string, string> | undefined);
      for (const [k, v] of Object.entries(values ?? {}))
        if (isMask(v))
          throw new ControlError(
            400,
            `${key}.${k}: a masked value with nothing stored under "${k}"; type the value`,
          );
      return values && Object.keys(values).length ? { [key]: values } : {};
    };
    const timeout = spec.timeout === '' ? undefined : spec.timeout;
    const common = timeout !== undefined ? { timeout } : {};
    if (hasUrl)
      return {
        url: spec.url,
        ...(spec.transport === 'sse' ? { transport: 'sse' } : {}),
        ...secrets('headers', spec.headers),
        ...common,
      };
    return {
      command: spec.command,
      ...(spec.args?.length ? { args: spec.args } : {}),
      ...secrets('env', spec.env),
      ...common,
    };
  }

  /**
   * Checks an entry with the config schema (400 naming the field). An unset `${env:NAME}` is fine
   * for writing (serve reports it) but not for a test, which needs the value.
   */
  private check(entry: Record<string, unknown>, forTest = false): BackendConfig | undefined {
    const result = validateConfig({ backends: [entry] }, this.deps.env);
    if (result.ok) return result.config.backends[0]!;
    const errors = forTest ? result.errors : result.errors.filter((e) => !UNSET_ENV.test(e.message));
    const first = errors[0];
    if (first) {
      const field = first.path.replace(/^backends\[0\]\.?/, '') || 'backend';
      throw new ControlError(400, `${field}: ${first.message}`);
    }
    return undefined; // only unset variables: fine to write, never connected to
  }

  private async edit(write: () => Promise<void>): Promise<void> {
    // One edit of the file at a time (the tool switch and profile picks edit it too).
    await withConfigLock(this.fileOrThrow(), async () => {
      try {
        await write();
      } catch (error) {
        if (error instanceof ConfigEditError)
          throw new ControlError(
            error.reason === 'duplicate' ? 409 : error.reason === 'unknown' ? 404 : 400,
            error.message,
          );
        throw error;
      }
      await this.deps.apply();
    });
  }
}
