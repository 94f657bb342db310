// Assembles the engine from a config object plus runtime options, the same way for the CLI, the
// desktop app and the tests: discovery → registry → aggregate → advertised set → gateway.
import type { SwitchyardConfig } from './config/schema.js';
import { Aggregator } from './aggregate/aggregator.js';
import { BackendRegistry } from './backends/registry.js';
import type { ClientIdentity } from './backends/modern.js';
import { Control } from './control/control.js';
import { createApiHandler } from './control/http-api.js';
import type { GatewayState } from '../common/control/snapshot.js';
import { applyConfigBackends } from './discovery/config-source.js';
import { DockerSource, type DockerSourceOptions } from './discovery/docker/source.js';
import type { DiscoverySource } from './discovery/source.js';
import type { SourceStatus } from '../common/domain/source-status.js';
import { nullAuditSink, type AuditSink } from './domain/audit.js';
import type { BackoffPolicy, Clock, Logger } from './domain/runtime.js';
import { systemClock } from './domain/runtime.js';
import type { DecisionStore, PinStore } from './domain/stores.js';
import { GatewayServer, type RouteHandler } from './gateway/http-server.js';
import { McpEndpoint } from './gateway/mcp-endpoint.js';
import { Profiles } from './profiles/profiles.js';
import {
  MemoryAppSettings,
  MemoryBackendSettings,
  MemoryDecisionStore,
  MemoryPinStore,
  MemoryProfilePinStore,
} from './store/memory.js';
import { openStore, type Store } from './store/sqlite/store.js';
import type { ConflictStrategy } from '../common/control/api.js';
import { resolveToken, type ResolvedToken } from './store/token.js';
import { DEFAULT_BACKOFF } from './support/backoff.js';
import { Semaphore } from './support/semaphore.js';
import { Emitter } from './support/emitter.js';
import { silentLogger } from './support/logger.js';
import { VERSION } from './version.js';

/** Long enough for most servers' first handshake; short enough that no client times out. */
const DEFAULT_STARTUP_HOLD_MS = 5000;

export interface AppOptions {
  /** Where the token (and, with the store, the database) live. */
  dataDir: string;
  logger?: Logger;
  clock?: Clock;
  pins?: PinStore;
  decisions?: DecisionStore;
  audit?: AuditSink;
  backoff?: BackoffPolicy;
  healthIntervalMs?: number;
  coalesceMs?: number;
  /**
   * After the backends start, how long at most lists (and calls to names not known yet) wait for
   * backends still making their first connection; default 5 s. 0 turns the hold off.
   */
  startupHoldMs?: number;
  /** How many backends may connect (handshake and list) at once; default 16. */
  connectConcurrency?: number;
  /** Serves the dashboard's static files at / (headless mode). */
  dashboard?: RouteHandler;
  /** The config file the engine was built from, if any (shown in the dashboard). */
  configFile?: string;
  /** How `switchyard bridge` is launched here (shown in the dashboard's Connect view). */
  bridgeCommand?: { command: string; args: string[] };
  /** Extra sources of backends besides the config file and the container engine. */
  sources?: DiscoverySource[];
  /**
   * Container discovery (Docker/Podman) runs when `discovery.docker.enabled` is true: these options
   * tune it (timings, environment); `false` leaves it off whatever the config says.
   */
  docker?: Partial<DockerSourceOptions> | false;
  /**
   * The database (pins, decisions, sessions, audit, settings). Default: opened from `dataDir` and
   * closed by stop(). `false` keeps everything in memory.
   */
  store?: Store | false;
}

export interface StartedApp {
  url: string;
  port: number;
  token: ResolvedToken;
}

export interface App {
  readonly config: SwitchyardConfig;
  readonly registry: BackendRegistry;
  readonly aggregator: Aggregator;
  /** The profiles' views (/mcp/<profile>), kept current with the set. */
  readonly profiles: Profiles;
  readonly endpoint: McpEndpoint;
  readonly control: Control;
  /** The database, when there is one. */
  readonly store: Store | undefined;
  start(): Promise<StartedApp>;
  /** Turns the MCP endpoint and the backends off or back on; the HTTP port (dashboard, /api) stays up. */
  setRunning(running: boolean): Promise<void>;
  stop(): Promise<void>;
}

export const GATEWAY_IDENTITY: ClientIdentity = {
  clientInfo: { name: 'switchyard', version: VERSION },
  capabilities: {},
};

export function buildApp(config: SwitchyardConfig, options: AppOptions): App {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  // What survives a restart: the data dir's database unless the caller gives one (or none).
  const ownsStore = options.store === undefined;
  const store: Store | undefined =
    options.store === false
      ? undefined
      : (options.store ??
        openStore(options.dataDir, {
          logger,
          clock,
          audit: {
            recordPayloads: config.audit.recordPayloads,
            maxPayloadBytes: config.audit.maxPayloadBytes,
            retentionDays: config.audit.retentionDays,
            maxRows: config.audit.maxRows,
          },
        }));
  const audit = options.audit ?? (store && config.audit.enabled ? store.audit : nullAuditSink);
  const backendSettings = store?.settings ?? new MemoryBackendSettings();
  const appSettings = store?.appSettings ?? new MemoryAppSettings();
  // A strategy chosen in the dashboard holds until the config file's own value is changed.
  const chosen = appSettings.get<{ strategy: ConflictStrategy; configured: ConflictStrategy }>('strategy');
  const strategy =
    chosen && chosen.configured === config.aggregation.conflicts
      ? chosen.strategy
      : config.aggregation.conflicts;
  const registry = new BackendRegistry({
    clock,
    logger,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    healthIntervalMs: options.healthIntervalMs ?? 15_000,
    maxResponseBytes: config.limits.backendResponse,
    identity: GATEWAY_IDENTITY,
    connectLimit: new Semaphore(options.connectConcurrency ?? 16),
  });
  const aggregator = new Aggregator(
    registry,
    { ...config.aggregation, conflicts: strategy },
    {
      clock,
      logger,
      pins: options.pins ?? store?.pins ?? new MemoryPinStore(),
      decisions: options.decisions ?? store?.decisions ?? new MemoryDecisionStore(),
      ...(options.coalesceMs !== undefined ? { coalesceMs: options.coalesceMs } : {}),
    },
  );
  const profiles = new Profiles(
    aggregator,
    config.profiles,
    store?.profilePins ?? new MemoryProfilePinStore(),
    clock,
  );
  const endpoint = new McpEndpoint({
    registry,
    aggregator,
    profiles,
    clock,
    logger,
    audit,
    limits: config.limits,
    sessions: { idleTtlMs: config.sessions.idleTtl, max: config.sessions.max },
    ...(store ? { sessionStore: store.sessions } : {}),
    serverInfo: { name: 'switchyard', title: 'Switchyard', version: VERSION },
  });

  const sources: DiscoverySource[] = [...(options.sources ?? [])];
  const dockerConfig = config.discovery.docker;
  const docker =
    dockerConfig.enabled && options.docker !== false
      ? new DockerSource({
          host: dockerConfig.host,
          group: dockerConfig.group,
          logger,
          clock,
          reservedNames: () => config.backends.map((b) => b.name),
          ...options.docker,
        })
      : undefined;
  if (docker) sources.push(docker);
  const discoveryStatus = (): SourceStatus[] => [
    ...sources.map((s) => s.status()),
    ...(docker
      ? []
      : [
          {
            kind: 'docker',
            ok: false,
            summary: 'container discovery is off (discovery.docker.enabled: false, or --no-docker)',
          },
        ]),
  ];

  const startupHoldMs = options.startupHoldMs ?? DEFAULT_STARTUP_HOLD_MS;
  let state: GatewayState = 'stopped';
  let url: string | undefined;
  let startedAt: number | undefined;
  let server: GatewayServer | undefined;
  let token: ResolvedToken | undefined;
  let error: string | undefined;

  const gatewayChanged = new Emitter<void>();
  const setState = (next: GatewayState) => {
    state = next;
    gatewayChanged.emit();
  };

  /** Turning the gateway off keeps the engine's state: sessions, pins and decisions survive. */
  const setRunning = async (running: boolean) => {
    if (!server) throw new Error('the gateway is not started');
    if (running === (state === 'running')) return;
    if (running) {
      setState('starting');
      registry.resume();
      for (const source of sources) await source.start(registry);
      // As at start: clients are let in once the sources have registered their backends, so the
      // hold covers those too (container backends left the registry when the gateway was turned off).
      aggregator.holdFor(startupHoldMs);
      endpoint.resume();
      startedAt = clock.now();
      setState('running');
      logger.info('gateway turned on');
    } else {
      setState('stopping');
      for (const source of sources) await (source.suspend?.() ?? source.stop()).catch(() => undefined);
      await endpoint.suspend();
      await registry.suspend();
      setState('stopped');
      logger.info('gateway turned off (sessions kept)');
    }
  };

  const control = new Control({
    registry,
    aggregator,
    endpoint,
    clock,
    discovery: discoveryStatus,
    gateway: () => ({
      state,
      ...(url ? { url } : {}),
      ...(startedAt ? { startedAt } : {}),
      auth: token?.token === null ? 'off' : 'token',
      ...(error ? { error } : {}),
    }),
    gatewayChanged,
    paths: { dataDir: options.dataDir, ...(options.configFile ? { configFile: options.configFile } : {}) },
    setGatewayRunning: setRunning,
    ...(store ? { audit: store.query } : {}),
    settings: {
      setBackendEnabled: (name, enabled) => void backendSettings.set(name, { enabled }, clock.now()),
      displayName: (name) => backendSettings.get(name)?.displayName,
      setBackendDisplayName: (name, displayName) =>
        void backendSettings.set(name, { displayName }, clock.now()),
      setStrategy: (next) =>
        appSettings.set(
          'strategy',
          { strategy: next, configured: config.aggregation.conflicts },
          clock.now(),
        ),
    },
    profiles: () => profiles.reports(),
    connectInfo: () => ({
      url: url ?? `http://${config.server.host}:${config.server.port}/mcp`,
      token: token?.token ?? null,
      bridgeCommand: options.bridgeCommand ?? { command: 'switchyard', args: ['bridge'] },
    }),
  });

  return {
    config,
    registry,
    aggregator,
    profiles,
    endpoint,
    control,
    store,
    setRunning,
    async start() {
      setState('starting');
      try {
        token = await resolveToken(config.auth.token, options.dataDir);
        server = new GatewayServer({
          host: config.server.host,
          port: config.server.port,
          token: token.token,
          logger,
          audit,
          mcp: (req, res, _url, profile) => endpoint.handle(req, res, profile),
          api: createApiHandler(control),
          ...(options.dashboard ? { dashboard: options.dashboard } : {}),
        });
        for (const setting of backendSettings.all()) {
          if (!setting.enabled) await registry.setEnabled(setting.backend, false);
        }
        await applyConfigBackends(registry, config.backends);
        registry.start();
        for (const source of sources) await source.start(registry);
        aggregator.start();
        profiles.start();
        aggregator.holdFor(startupHoldMs);
        const port = await server.listen();
        const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
        url = `http://${host}:${port}/mcp`;
        startedAt = clock.now();
        error = undefined;
        setState('running');
        return { url, port, token };
      } catch (e) {
        state = 'error';
        error = e instanceof Error ? e.message : String(e);
        await this.stop().catch(() => undefined);
        state = 'error';
        throw e;
      }
    },
    async stop() {
      setState('stopping');
      control.close();
      profiles.stop();
      aggregator.stop();
      for (const source of sources) await source.stop().catch(() => undefined);
      await server?.close();
      server = undefined;
      await endpoint.close();
      await registry.stop();
      if (ownsStore) await store?.close();
      url = undefined;
      setState('stopped');
    },
  };
}
