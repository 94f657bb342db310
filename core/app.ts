// Assembles the engine from a config object plus runtime options, the same way for the CLI, the
// desktop app and the tests: discovery → registry → aggregate → advertised set → gateway.
import type { SwitchyardConfig } from './config/schema.js';
import { Aggregator } from './aggregate/aggregator.js';
import { BackendRegistry } from './backends/registry.js';
import type { ClientIdentity } from './backends/modern.js';
import { Control } from './control/control.js';
import { createApiHandler } from './control/http-api.js';
import type { GatewayState } from './control/snapshot.js';
import { applyConfigBackends } from './discovery/config-source.js';
import type { DiscoverySource } from './discovery/source.js';
import { nullAuditSink, type AuditSink } from './domain/audit.js';
import type { BackoffPolicy, Clock, Logger } from './domain/runtime.js';
import { systemClock } from './domain/runtime.js';
import type { DecisionStore, PinStore } from './domain/stores.js';
import { GatewayServer, type RouteHandler } from './gateway/http-server.js';
import { McpEndpoint } from './gateway/mcp-endpoint.js';
import { MemoryDecisionStore, MemoryPinStore } from './store/memory.js';
import { resolveToken, type ResolvedToken } from './store/token.js';
import { DEFAULT_BACKOFF } from './support/backoff.js';
import { silentLogger } from './support/logger.js';
import { VERSION } from './version.js';

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
  /** Serves the dashboard's static files at / (headless mode). */
  dashboard?: RouteHandler;
  /** Extra sources of backends besides the config file (e.g. the container engine). */
  sources?: DiscoverySource[];
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
  readonly endpoint: McpEndpoint;
  readonly control: Control;
  start(): Promise<StartedApp>;
  stop(): Promise<void>;
}

export const GATEWAY_IDENTITY: ClientIdentity = {
  clientInfo: { name: 'switchyard', version: VERSION },
  capabilities: {},
};

export function buildApp(config: SwitchyardConfig, options: AppOptions): App {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const audit = options.audit ?? nullAuditSink;
  const registry = new BackendRegistry({
    clock,
    logger,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    healthIntervalMs: options.healthIntervalMs ?? 15_000,
    maxResponseBytes: config.limits.backendResponse,
    identity: GATEWAY_IDENTITY,
  });
  const aggregator = new Aggregator(registry, config.aggregation, {
    clock,
    logger,
    pins: options.pins ?? new MemoryPinStore(),
    decisions: options.decisions ?? new MemoryDecisionStore(),
    ...(options.coalesceMs !== undefined ? { coalesceMs: options.coalesceMs } : {}),
  });
  const endpoint = new McpEndpoint({
    registry,
    aggregator,
    clock,
    logger,
    audit,
    limits: config.limits,
    sessions: { idleTtlMs: config.sessions.idleTtl, max: config.sessions.max },
    serverInfo: { name: 'switchyard', title: 'Switchyard', version: VERSION },
  });

  let state: GatewayState = 'stopped';
  let url: string | undefined;
  let startedAt: number | undefined;
  let server: GatewayServer | undefined;
  let token: ResolvedToken | undefined;
  let error: string | undefined;

  const control = new Control({
    registry,
    aggregator,
    endpoint,
    gateway: () => ({
      state,
      ...(url ? { url } : {}),
      ...(startedAt ? { startedAt } : {}),
      auth: token?.token === null ? 'off' : 'token',
      ...(error ? { error } : {}),
    }),
  });

  return {
    config,
    registry,
    aggregator,
    endpoint,
    control,
    async start() {
      state = 'starting';
      try {
        token = await resolveToken(config.auth.token, options.dataDir);
        server = new GatewayServer({
          host: config.server.host,
          port: config.server.port,
          token: token.token,
          logger,
          audit,
          mcp: (req, res) => endpoint.handle(req, res),
          api: createApiHandler(control),
          ...(options.dashboard ? { dashboard: options.dashboard } : {}),
        });
        await applyConfigBackends(registry, config.backends);
        registry.start();
        for (const source of options.sources ?? []) await source.start(registry);
        aggregator.start();
        const port = await server.listen();
        const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
        url = `http://${host}:${port}/mcp`;
        startedAt = clock.now();
        state = 'running';
        error = undefined;
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
      state = 'stopping';
      aggregator.stop();
      for (const source of options.sources ?? []) await source.stop().catch(() => undefined);
      await server?.close();
      server = undefined;
      await endpoint.close();
      await registry.stop();
      state = 'stopped';
      url = undefined;
    },
  };
}
