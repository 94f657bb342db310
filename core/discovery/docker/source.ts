// Live discovery of MCP servers running as containers on Docker or Podman. A thin source that
// wires the parts: the engine link (engine-link.ts: find the engine, follow its events, reconnect),
// the reconciler (reconciler.ts: labelled containers → registry), kept stdio attachments
// (attachments.ts) and boot retries (boot-retry.ts); and reports their status.
import type { BackendRegistry } from '../../backends/registry.js';
import type { InboundBudget } from '../../backends/inbound-limits.js';
import type { BackoffPolicy, Clock, Logger } from '../../domain/runtime.js';
import { systemClock } from '../../domain/runtime.js';
import { silentLogger } from '../../support/logger.js';
import type { DiscoverySource, SourceStatus } from '../source.js';
import { Attachments } from './attachments.js';
import { BootRetry } from './boot-retry.js';
import { engineLabel } from './engine.js';
import { EngineLink } from './engine-link.js';
import type { HostEnvironment } from './hosts.js';
import { Reconciler } from './reconciler.js';

export interface DockerSourceOptions {
  /** `auto` (DOCKER_HOST, then the Docker and Podman sockets) or an engine URL. */
  host?: string;
  /** Only containers in this group are backends (mcp.group / toolhive-group); null = all. */
  group?: string | null;
  /** Where DOCKER_HOST, XDG_RUNTIME_DIR, DOCKER_CERT_PATH are read. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
  /** Reconnect pacing after the engine is lost or was not found. Default 1 s … 30 s, jittered. */
  reconnect?: BackoffPolicy;
  /** Full resync interval while connected, ms. Default 30 s. */
  reconcileIntervalMs?: number;
  /** Events for one container within this window lead to one inspect, ms. Default 25. */
  eventDebounceMs?: number;
  /** After a container (re)starts, a backend that is down is retried sooner for this long, ms. */
  bootWindowMs?: number;
  /** … at bootRetry.initialMs for this long after the start (a typical boot), ms. Default 5 s. */
  bootFastMs?: number;
  /** … then with this backoff. Default 200 ms … 10 s, jittered. */
  bootRetry?: BackoffPolicy;
  /** Per-request timeout of discovered backends, ms. Default 30 s. */
  backendTimeoutMs?: number;
  /** Deadline of one engine API call (ping, list, inspect), ms. Default 5 s. */
  engineTimeoutMs?: number;
  /** How long start() waits for the engine and the first sync before returning, ms. Default 5 s. */
  startWaitMs?: number;
  /** Largest message from a container's server (`limits.backendResponse`). Default 100 MiB. */
  maxMessageBytes?: number;
  /** The process-wide budget for bytes in flight from backends (`limits.backendInFlight`). */
  inboundBudget?: InboundBudget;
  /** Names a container must not take (besides the registry's non-container backends). */
  reservedNames?: () => Iterable<string>;
  /** The machine as seen by the socket search (tests). */
  hostEnvironment?: HostEnvironment;
}

const DEFAULTS = {
  reconnect: { initialMs: 1000, maxMs: 30_000 },
  reconcileIntervalMs: 30_000,
  eventDebounceMs: 25,
  bootWindowMs: 60_000,
  bootFastMs: 5_000,
  bootRetry: { initialMs: 200, maxMs: 10_000 },
  backendTimeoutMs: 30_000,
  engineTimeoutMs: 5_000,
  startWaitMs: 5_000,
  maxMessageBytes: 100 * 1024 * 1024,
};

export class DockerSource implements DiscoverySource {
  private readonly link: EngineLink;
  private readonly reconciler: Reconciler;
  private readonly attachments: Attachments;
  private lastSyncAt: number | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly clock: Clock;
  private readonly startWaitMs: number;

  constructor(private readonly options: DockerSourceOptions = {}) {
    const log = (options.logger ?? silentLogger).child({ source: 'docker' });
    this.clock = options.clock ?? systemClock;
    const o = { ...DEFAULTS, ...definedOnly(options) };
    this.startWaitMs = o.startWaitMs;
    this.attachments = new Attachments({
      maxMessageBytes: o.maxMessageBytes,
      budget: options.inboundBudget,
      log,
    });
    const boots = new BootRetry({
      windowMs: o.bootWindowMs,
      fastMs: o.bootFastMs,
      policy: o.bootRetry,
      clock: this.clock,
      ...(options.random ? { random: options.random } : {}),
      retry: (id, backend) => this.reconciler.retry(id, backend),
    });
    this.link = new EngineLink(
      {
        host: options.host ?? 'auto',
        env: options.env ?? process.env,
        ...(options.hostEnvironment ? { hostEnvironment: options.hostEnvironment } : {}),
        reconnect: o.reconnect,
        reconcileIntervalMs: o.reconcileIntervalMs,
        engineTimeoutMs: o.engineTimeoutMs,
        ...(options.random ? { random: options.random } : {}),
        clock: this.clock,
        log,
      },
      {
        sync: async (generation) => {
          await this.reconciler.sync(generation);
          if (!this.link.stale(generation)) this.lastSyncAt = this.clock.now();
        },
        event: (event, generation) => this.reconciler.onEvent(event, generation),
        context: () => JSON.stringify(this.reconciler.context()),
      },
    );
    this.reconciler = new Reconciler(
      {
        group: options.group ?? null,
        platform: options.hostEnvironment?.platform ?? process.platform,
        eventDebounceMs: o.eventDebounceMs,
        engineTimeoutMs: o.engineTimeoutMs,
        backendTimeoutMs: o.backendTimeoutMs,
        ...(options.reservedNames ? { reservedNames: options.reservedNames } : {}),
        log,
      },
      this.link,
      this.attachments,
      boots,
    );
  }

  /** Starts discovery; after stop() (the gateway turned off) it may be started again. */
  async start(registry: BackendRegistry): Promise<void> {
    if (this.link.state !== 'idle' && this.link.state !== 'stopped') return;
    this.reconciler.begin(registry);
    this.unsubscribe = registry.statusChanged.on((status) => this.reconciler.onBackendStatus(status));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.link.start(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.startWaitMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    this.link.halt();
    this.unsubscribe?.();
    await this.reconciler.halt();
    await this.attachments.disposeAll();
  }

  status(): SourceStatus {
    const link = this.link;
    const info = link.engine?.info;
    const containers = [...this.reconciler.tracked.values()].map((t) => ({
      id: t.id,
      backend: t.name,
      container: t.containerName,
      image: t.image,
      convention: t.convention,
      ...(t.spec.invalid ? { invalid: t.spec.invalid } : {}),
      ...(t.attachment ? { attached: t.attachment.attached, connections: t.attachment.connections } : {}),
    }));
    const detail: Record<string, unknown> = {
      state: link.state,
      ...(info
        ? {
            engine: info.kind,
            engineVersion: info.version,
            host: info.host,
            apiVersion: info.apiVersion,
            rootless: info.rootless,
          }
        : {}),
      group: this.options.group ?? null,
      containers,
      reconnects: link.reconnects,
      ...(this.lastSyncAt ? { lastSyncAt: this.lastSyncAt } : {}),
      ...(link.lastEventAt ? { lastEventAt: link.lastEventAt } : {}),
      ...(link.lastError ? { lastError: link.lastError } : {}),
      ...(link.tried.length ? { tried: link.tried } : {}),
    };
    return {
      kind: 'docker',
      summary: this.summary(containers.length),
      ok: link.state === 'connected',
      detail,
    };
  }

  private summary(containers: number): string {
    const link = this.link;
    switch (link.state) {
      case 'connected': {
        const info = link.engine!.info;
        return `${engineLabel(info)} at ${info.host}: ${containers} container backend${containers === 1 ? '' : 's'}`;
      }
      case 'idle':
        return 'not started';
      case 'searching':
        return link.reconnects > 0
          ? 'reconnecting to the container engine'
          : 'looking for a container engine';
      case 'stopped':
        return 'stopped';
      default: {
        const retry =
          link.nextRetryAt !== undefined
            ? `; retrying in ${Math.max(1, Math.ceil((link.nextRetryAt - this.clock.now()) / 1000))} s`
            : '';
        return `${link.lastError ?? 'no container engine found'}${retry}`;
      }
    }
  }
}

/** The options that were given (an explicit undefined does not override a default). */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
