// Assembles the engine from a config object plus runtime options, the same way for the CLI, the
// desktop app and the tests: discovery → registry → aggregate → advertised set → gateway.
import { randomUUID } from 'node:crypto';
import type { SwitchyardConfig } from './config/schema.js';
import { Aggregator } from './aggregate/aggregator.js';
import { errorMessage } from './backends/errors.js';
import { BackendRegistry } from './backends/registry.js';
import { BackendLogs, DEFAULT_BACKEND_LOG_LIMITS } from './backends/backend-log.js';
import type { ClientIdentity } from './backends/modern.js';
import { Control } from './control/control.js';
import { BackendEdits } from './control/backend-edits.js';
import { ToolEdits } from './control/tool-edits.js';
import { parseConfigText } from './config/load.js';
import { readFile } from 'node:fs/promises';
import { createApiHandler } from './control/http-api.js';
import type { ConfigStatus } from '../common/control/snapshot.js';
import { endpointUrl } from './config/paths.js';
import { ConfigSource, type BackendDiff } from './discovery/config-source.js';
import { GatewaySwitch } from './engine/gateway-switch.js';
import type { DockerSourceOptions } from './discovery/docker/source.js';
import type { DiscoverySource } from './discovery/source.js';
import type { SourceStatus } from '../common/domain/source-status.js';
import { nullAuditSink, type AuditSink } from './domain/audit.js';
import type { BackoffPolicy, Clock, Logger } from './domain/runtime.js';
import { systemClock } from './domain/runtime.js';
import type { DecisionStore, PinStore } from './domain/stores.js';
import { GatewayServer, type RouteHandler } from './gateway/http-server.js';
import { integrityAuditEvent } from './integrity/audit.js';
import type { IntegrityPolicy } from '../common/domain/integrity.js';
import { IntegrityGuard } from './integrity/guard.js';
import { integrityPolicy } from './integrity/policy.js';
import { InboundBudget } from './backends/inbound-limits.js';
import { RefusalCounter } from './gateway/refusal-counter.js';
import { McpEndpoint } from './gateway/mcp-endpoint.js';
import { Profiles } from './profiles/profiles.js';
import {
  MemoryAppSettings,
  MemoryBackendSettings,
  MemoryDecisionStore,
  MemoryIntegrityStore,
  MemoryPinStore,
  MemoryProfilePinStore,
} from './store/memory.js';
import { openStore, type Store } from './store/sqlite/store.js';
import type { ConflictStrategy } from '../common/control/api.js';
import { resolveToken, type ResolvedToken } from './store/token.js';
import { DEFAULT_BACKOFF } from './support/backoff.js';
import { Semaphore } from './support/semaphore.js';
import { Emitter } from './support/emitter.js';
import { restartOnlyChanges } from './config/diff.js';
import { silentLogger } from './support/logger.js';
import { VERSION } from './version.js';
import { ClientsService, connectTarget } from './clients/service.js';
import type { ClientEnvironment } from './clients/platform.js';

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
  /** How long a client session's stdio process must be idle before limits.stdioProcesses may reclaim it; default 30 s (tests). */
  stdioReclaimGraceMs?: number;
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
  /**
   * Whose client configs the Connect view lists and edits (`serve` passes its user's: HOME etc.).
   * Absent, the engine edits no user files (tests, embedders): those methods answer 409.
   */
  clients?: ClientEnvironment;
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
  /** The dashboard's one-time login link (absent when auth is off). */
  loginUrl?: string;
}

/** What applying an edited config did: the backends touched, and the keys only a restart applies. */
export interface ConfigApplied {
  backends: BackendDiff;
  /** Key paths whose new value waits for a restart (e.g. `server.port`, `auth.token`). */
  restartNeeded: string[];
}

export interface App {
  /** The config in force (the last valid one applied). */
  readonly config: SwitchyardConfig;
  readonly gateway: GatewaySwitch;
  readonly registry: BackendRegistry;
  readonly aggregator: Aggregator;
  /** The profiles' views (/mcp/<profile>), kept current with the set. */
  readonly profiles: Profiles;
  readonly endpoint: McpEndpoint;
  readonly control: Control;
  /** The database, when there is one. */
  readonly store: Store | undefined;
  /** Bytes from backends in flight, process-wide (`limits.backendInFlight`). */
  readonly inboundBudget: InboundBudget;
  start(): Promise<StartedApp>;
  /** Turns the MCP endpoint and the backends off or back on; the HTTP port (dashboard, /api) stays up. */
  setRunning(running: boolean): Promise<void>;
  /** A new one-time dashboard login link (undefined when not started or auth is off). */
  issueLoginUrl(): string | undefined;
  /**
   * Applies an edited config as a diff, keeping sessions, pins, decisions and untouched backends:
   * backends (added, removed, reconnected when changed), aggregation rules, session and request
   * limits. What cannot change in a running process is reported in `restartNeeded`.
   */
  applyConfig(next: SwitchyardConfig): Promise<ConfigApplied>;
  /** How an edit made from the dashboard is applied (serve's reload); default: read and apply the file. */
  useConfigReload(reload: () => Promise<void>): void;
  /** An edit of the config file that could not be applied (the running config stays). */
  configRejected(error: NonNullable<ConfigStatus['error']>): void;
  /**
   * Moves the tools of the legacy `disabledTools` setting into the config file as excludes and
   * removes the setting (once; after start, with the engine's reload in place). Returns what
   * happened: `folded`, `nothing`, or why the setting stays (it is then still honoured).
   */
  foldDisabledTools(): Promise<string>;
  stop(): Promise<void>;
}

export const GATEWAY_IDENTITY: ClientIdentity = {
  clientInfo: { name: 'switchyard', version: VERSION },
  capabilities: {},
};

export function buildApp(initialConfig: SwitchyardConfig, options: AppOptions): App {
  let config = initialConfig;
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
  const strategyFor = (c: SwitchyardConfig): ConflictStrategy => {
    const chosen = appSettings.get<{ strategy: ConflictStrategy; configured: ConflictStrategy }>('strategy');
    return chosen && chosen.configured === c.aggregation.conflicts
      ? chosen.strategy
      : c.aggregation.conflicts;
  };
  // Sent on every answer and checked on every backend's: a backend that is this gateway is refused.
  const instanceId = randomUUID();
  // Every byte from backends (connections and container attachments) counts against one budget.
  const inboundBudget = new InboundBudget(config.limits.backendInFlight);
  // How the gateway connects to a backend (the registry's, and a dashboard Test connection's).
  const connectionOptions = {
    clock,
    logger,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    healthIntervalMs: options.healthIntervalMs ?? 15_000,
    maxResponseBytes: config.limits.backendResponse,
    inboundBudget,
    selfInstance: instanceId,
    stdioProcesses: config.limits.stdioProcesses,
    ...(options.stdioReclaimGraceMs !== undefined
      ? { stdioReclaimGraceMs: options.stdioReclaimGraceMs }
      : {}),
    identity: GATEWAY_IDENTITY,
  };
  const backendLogs = new BackendLogs(DEFAULT_BACKEND_LOG_LIMITS, clock);
  const registry = new BackendRegistry({
    ...connectionOptions,
    connectLimit: new Semaphore(options.connectConcurrency ?? 16),
    logs: backendLogs,
    linkIdleTtlMs: () => config.sessions.backendIdleTtl,
  });
  // Tool integrity: checked in every rebuild; each hold, approval and rejection is audited.
  const integrity: IntegrityGuard = new IntegrityGuard({
    store: store?.integrity ?? new MemoryIntegrityStore(),
    policyOf: (backend): IntegrityPolicy =>
      integrityPolicy(config.integrity, aggregator.aggregationConfig, backend),
    clock,
    logger,
    onEvent: (event) => audit.record(integrityAuditEvent(event, clock.now())),
  });
  const aggregator: Aggregator = new Aggregator(
    registry,
    { ...config.aggregation, conflicts: strategyFor(config) },
    {
      clock,
      logger,
      pins: options.pins ?? store?.pins ?? new MemoryPinStore(),
      decisions: options.decisions ?? store?.decisions ?? new MemoryDecisionStore(),
      integrity,
      ...(options.coalesceMs !== undefined ? { coalesceMs: options.coalesceMs } : {}),
    },
  );
  const profiles = new Profiles(
    aggregator,
    config.profiles,
    store?.profilePins ?? new MemoryProfilePinStore(),
    clock,
  );
  // Tools turned off in the dashboard before its switch wrote the config file (the legacy SQLite
  // setting): honoured until foldDisabledTools() has moved them into the file.
  aggregator.loadDisabledTools(appSettings.get<Record<string, string[]>>('disabledTools') ?? {});
  // Read by the endpoint at each use, so an edited config's limits apply to the next request.
  const limits = { requestBody: config.limits.requestBody, batch: config.limits.batch };
  const sessionLimits = { idleTtlMs: config.sessions.idleTtl, max: config.sessions.max };
  const endpoint = new McpEndpoint({
    registry,
    aggregator,
    profiles,
    clock,
    logger,
    audit,
    limits,
    sessions: sessionLimits,
    ...(store ? { sessionStore: store.sessions } : {}),
    serverInfo: { name: 'switchyard', title: 'Switchyard', version: VERSION },
  });

  // The config file's backends come first, so names follow the file's order.
  const configSource = new ConfigSource(config.backends, {
    disabledByUser: (name) => backendSettings.get(name)?.enabled === false,
  });
  const sources: DiscoverySource[] = [configSource, ...(options.sources ?? [])];
  const dockerConfig = config.discovery.docker;
  const docker =
    dockerConfig.enabled && options.docker !== false
      ? lazyDockerSource({
          host: dockerConfig.host,
          group: dockerConfig.group,
          logger,
          clock,
          reservedNames: () => config.backends.map((b) => b.name),
          maxMessageBytes: config.limits.backendResponse,
          inboundBudget,
          ...options.docker,
        })
      : undefined;
  if (docker) sources.push(docker);
  const discoveryStatus = (): SourceStatus[] => [
    // The config file's own state is the snapshot's `config`; discovery lists the other sources.
    ...sources.filter((s) => s !== configSource).map((s) => s.status()),
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
  let url: string | undefined;
  let server: GatewayServer | undefined;
  let token: ResolvedToken | undefined;
  let configStatus: ConfigStatus = {
    ...(options.configFile ? { file: options.configFile } : {}),
    appliedAt: clock.now(),
  };

  /**
   * Turning the gateway off is a pause (docs/decisions.md, "Off is a pause"): clients keep their
   * sessions and GET streams and are told their lists are now empty; calls are refused as paused.
   * Backends stay connected with their own status, so resuming is instant and tells clients again.
   */
  const gateway = new GatewaySwitch(
    {
      async turnOn() {
        endpoint.resume();
      },
      async turnOff() {
        endpoint.pause();
      },
    },
    { clock, logger },
  );
  // A backend removed while the gateway runs (config edit, container gone) takes its pending
  // integrity changes with it; one that leaves because the gateway stops or pauses keeps them.
  registry.removed.on((name) => {
    if (gateway.state === 'running') integrity.forgetBackend(name);
  });
  const setRunning = async (running: boolean) => {
    if (!server) throw new Error('the gateway is not started');
    await gateway.setRunning(running);
  };
  // The snapshot follows the gateway's state and the config file's.
  const stateChanged = new Emitter<void>();
  gateway.changed.on(() => stateChanged.emit());
  const setConfigStatus = (next: ConfigStatus) => {
    configStatus = next;
    stateChanged.emit();
  };

  const refusals = new RefusalCounter({ clock, logger, settings: appSettings });

  const connectInfo = () => ({
    url: url ?? endpointUrl(config.server.host, config.server.port),
    token: token?.token ?? null,
    bridgeCommand: options.bridgeCommand ?? { command: 'switchyard', args: ['bridge'] },
  });
  // Edits from the dashboard apply at once: by default the file is read and applied here; a serve
  // with a watcher hands in its own reload (useConfigReload), so overrides and the watcher agree.
  let reloadConfig = async (): Promise<void> => {
    if (!options.configFile) return;
    const result = parseConfigText(await readFile(options.configFile, 'utf8'));
    if (result.ok) await applyConfig(result.config);
  };
  const backendEdits = new BackendEdits({
    file: options.configFile,
    registry,
    env: process.env,
    apply: () => reloadConfig(),
    connection: connectionOptions,
  });

  const toolEdits = new ToolEdits({
    file: options.configFile,
    registry,
    aggregator,
    profiles,
    env: process.env,
    apply: () => reloadConfig(),
    saveLegacy: (list) =>
      appSettings.set('disabledTools', Object.keys(list).length ? list : undefined, clock.now()),
  });

  const control = new Control({
    backendEdits,
    toolEdits,
    registry,
    aggregator,
    endpoint,
    clock,
    discovery: discoveryStatus,
    gateway: () => ({
      state: gateway.state,
      ...(url ? { url } : {}),
      ...(gateway.startedAt ? { startedAt: gateway.startedAt } : {}),
      auth: token?.token === null ? 'off' : 'token',
      refusals: refusals.summary(),
      ...(gateway.error ? { error: gateway.error } : {}),
      ...(endpoint.paused && url ? { paused: true } : {}),
    }),
    ...(options.configFile ? { config: () => configStatus } : {}),
    gatewayChanged: stateChanged,
    logAppended: backendLogs.appended,
    paths: { dataDir: options.dataDir, ...(options.configFile ? { configFile: options.configFile } : {}) },
    setGatewayRunning: setRunning,
    ...(store ? { audit: store.query } : {}),
    integrity,
    auditConfig: () => ({
      enabled: config.audit.enabled && store !== undefined,
      recordPayloads: config.audit.recordPayloads,
    }),
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
    profileViews: (set) => (set ? profiles.viewsOver(set) : profiles.currentViews()),
    connectInfo,
    ...(options.clients
      ? {
          clients: new ClientsService({
            target: () => connectTarget(connectInfo()),
            sessions: () =>
              endpoint.sessionRecords().map((s) => ({
                clientName: s.clientInfo.name,
                clientVersion: s.clientInfo.version,
                lastSeen: s.lastSeen,
              })),
            environment: options.clients,
          }),
        }
      : {}),
  });

  const applyConfig = async (next: SwitchyardConfig): Promise<ConfigApplied> => {
    const previous = config;
    config = next;
    const backends = await configSource.update(next.backends);
    if (JSON.stringify(previous.aggregation) !== JSON.stringify(next.aggregation))
      aggregator.updateConfig({ ...next.aggregation, conflicts: strategyFor(next) });
    // A new integrity policy applies from the next rebuild (held tools may be let through, or not).
    else if (JSON.stringify(previous.integrity) !== JSON.stringify(next.integrity)) aggregator.rebuild();
    if (JSON.stringify(previous.profiles) !== JSON.stringify(next.profiles))
      profiles.updateConfig(next.profiles);
    limits.requestBody = next.limits.requestBody;
    limits.batch = next.limits.batch;
    sessionLimits.idleTtlMs = next.sessions.idleTtl;
    sessionLimits.max = next.sessions.max;
    const restartNeeded = restartOnlyChanges(previous, next);
    setConfigStatus({
      ...(options.configFile ? { file: options.configFile } : {}),
      appliedAt: clock.now(),
      ...(restartNeeded.length ? { restartNeeded } : {}),
    });
    return { backends, restartNeeded };
  };

  return {
    get config() {
      return config;
    },
    gateway,
    registry,
    aggregator,
    profiles,
    endpoint,
    control,
    store,
    inboundBudget,
    setRunning,
    issueLoginUrl: () => (server && url ? server.loginUrl(url) : undefined),
    applyConfig,
    useConfigReload(reload) {
      reloadConfig = reload;
    },
    configRejected(error) {
      setConfigStatus({ ...configStatus, error });
    },
    foldDisabledTools: () => toolEdits.foldLegacy(),
    async start() {
      gateway.enter('starting');
      try {
        token = await resolveToken(config.auth.token, options.dataDir);
        if (token.regenerated)
          logger.warn('the token file was empty: wrote a new token to it', { file: token.file });
        server = new GatewayServer({
          host: config.server.host,
          port: config.server.port,
          token: token.token,
          logger,
          clock,
          refusals,
          instanceId,
          mcp: (req, res, _url, profile) => endpoint.handle(req, res, profile),
          api: createApiHandler(control),
          ...(options.dashboard ? { dashboard: options.dashboard } : {}),
        });
        for (const setting of backendSettings.all()) {
          if (!setting.enabled) await registry.setEnabled(setting.backend, false);
        }
        registry.start();
        // Listen without waiting for discovery (searching for a container engine alone takes
        // ~0.5 s): the startup hold makes the first lists wait for each source's first sync too.
        const firstSyncs = Promise.all(sources.map((source) => startSource(source, registry, logger)));
        aggregator.start();
        profiles.start();
        aggregator.holdFor(startupHoldMs, firstSyncs);
        const port = await server.listen();
        url = endpointUrl(config.server.host, port);
        gateway.enter('running');
        const loginUrl = server.loginUrl(url);
        return { url, port, token, ...(loginUrl ? { loginUrl } : {}) };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        await this.stop().catch(() => undefined);
        gateway.enter('error', message);
        throw e;
      }
    },
    async stop() {
      gateway.enter('stopping');
      control.close();
      profiles.stop();
      aggregator.stop();
      for (const source of sources) await source.stop().catch(() => undefined);
      await server?.close();
      server = undefined;
      refusals.close();
      await endpoint.close();
      await registry.stop();
      if (ownsStore) await store?.close();
      url = undefined;
      gateway.enter('stopped');
    },
  };
}

/** Starts a source; a failure is logged (and shows in its status), it does not stop the engine. */
async function startSource(
  source: DiscoverySource,
  registry: BackendRegistry,
  logger: Logger,
): Promise<void> {
  try {
    await source.start(registry);
  } catch (error) {
    logger.error('a discovery source failed to start', { error: errorMessage(error) });
  }
}

/**
 * Container discovery, its module (and dockerode's) loaded only when it starts: an engine with
 * container discovery off never pays for it, and the load leaves the synchronous build of the app.
 */
function lazyDockerSource(options: Partial<DockerSourceOptions>): DiscoverySource {
  let inner: DiscoverySource | undefined;
  let loading: Promise<DiscoverySource> | undefined;
  const load = () =>
    (loading ??= import('./discovery/docker/source.js').then((m) => (inner = new m.DockerSource(options))));
  // The engine may be stopped while the module is still loading (it starts in the background now).
  let active = false;
  return {
    async start(registry) {
      active = true;
      const source = await load();
      if (active) await source.start(registry);
    },
    async stop() {
      active = false;
      await inner?.stop();
    },
    status: () =>
      inner?.status() ?? { kind: 'docker', ok: false, summary: 'container discovery is starting' },
  };
}
