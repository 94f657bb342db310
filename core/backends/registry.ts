// The set of live backends, fed by discovery sources. It owns one BackendConnection per backend
// and tells the aggregator when any backend's catalog changes.
import type { BackendStatus } from '../../common/domain/backend.js';
import type { BackendSpec } from '../domain/backend-spec.js';
import type { BackendCatalog } from '../../common/domain/capability.js';
import { Emitter } from '../support/emitter.js';
import { BackendConnection, type ConnectionOptions } from './backend-connection.js';
import type { BackendLog } from './backend-log.js';

interface Entry {
  connection: BackendConnection;
  key: string;
  unsubscribe: (() => void)[];
}

/** Two specs are the same backend when everything that decides how to reach it is equal. */
function specKey(spec: BackendSpec): string {
  const endpoint = 'attach' in spec.endpoint ? { attach: spec.endpoint.attach.describe() } : spec.endpoint;
  return JSON.stringify({
    endpoint,
    timeoutMs: spec.timeoutMs,
    invalid: spec.invalid,
    source: spec.source,
    group: spec.group,
  });
}

export class BackendRegistry {
  /** Some backend's catalog changed (appeared, changed, or went away). */
  readonly catalogsChanged = new Emitter<string>();
  readonly statusChanged = new Emitter<BackendStatus>();
  /** A backend was added to or removed from the registry. */
  readonly membershipChanged = new Emitter<void>();
  /** A backend was removed (its name). */
  readonly removed = new Emitter<string>();
  private readonly entries = new Map<string, Entry>();
  private readonly disabled = new Set<string>();
  private running = false;

  constructor(private readonly options: ConnectionOptions) {}

  start(): void {
    this.running = true;
    for (const entry of this.entries.values())
      if (!this.disabled.has(entry.connection.name)) entry.connection.start();
  }

  /** Adds a backend, or replaces it when how to reach it changed. */
  upsert(spec: BackendSpec): void {
    const key = specKey(spec);
    const existing = this.entries.get(spec.name);
    if (existing?.key === key) return;
    if (existing) void this.dispose(existing);
    const connection = new BackendConnection(spec, this.options);
    const entry: Entry = {
      connection,
      key,
      unsubscribe: [
        connection.catalogChanged.on(() => this.catalogsChanged.emit(spec.name)),
        connection.statusChanged.on((status) => this.statusChanged.emit(status)),
      ],
    };
    // Map order is registration order; a replaced backend keeps its place.
    this.entries.set(spec.name, entry);
    if (this.running) {
      if (this.disabled.has(spec.name)) void connection.disable();
      else connection.start();
    }
    this.membershipChanged.emit();
    if (existing) this.catalogsChanged.emit(spec.name);
  }

  async remove(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    this.options.logs?.delete(name);
    await this.dispose(entry);
    this.removed.emit(name);
    this.membershipChanged.emit();
    this.catalogsChanged.emit(name);
  }

  private async dispose(entry: Entry): Promise<void> {
    for (const off of entry.unsubscribe) off();
    await entry.connection.stop();
  }

  /** Turns a backend off (its tools leave the advertised set) or back on. */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    if (enabled) this.disabled.delete(name);
    else this.disabled.add(name);
    const connection = this.entries.get(name)?.connection;
    if (!connection || !this.running) return;
    if (enabled) {
      await connection.stop();
      connection.start();
    } else {
      await connection.disable();
    }
  }

  isEnabled(name: string): boolean {
    return !this.disabled.has(name);
  }

  get(name: string): BackendConnection | undefined {
    return this.entries.get(name)?.connection;
  }

  /** A backend's log ring: its stdio processes' stderr and its connection history. */
  log(name: string): BackendLog | undefined {
    return this.entries.has(name) ? this.options.logs?.for(name) : undefined;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  connections(): BackendConnection[] {
    return [...this.entries.values()].map((e) => e.connection);
  }

  /** Some backend is still making its first connection attempt since it was started. */
  settling(): boolean {
    for (const { connection } of this.entries.values()) if (connection.settling) return true;
    return false;
  }

  statuses(): BackendStatus[] {
    return this.connections().map((c) => c.status);
  }

  /** Catalogs of the usable backends, in registration order. */
  catalogs(): BackendCatalog[] {
    const out: BackendCatalog[] = [];
    for (const { connection } of this.entries.values()) {
      if (connection.isUsable && connection.catalog) out.push(connection.catalog);
    }
    return out;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([...this.entries.values()].map((e) => this.dispose(e)));
  }
}
