// The app API: one interface for the CLI, the HTTP control API, the dashboard and the tray.
// It reads the engine's real state (never a cached copy) and performs actions on it.
import type { Aggregator } from '../aggregate/aggregator.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { McpEndpoint } from '../gateway/mcp-endpoint.js';
import { VERSION } from '../version.js';
import type { GatewayState, Snapshot } from './snapshot.js';

export interface ControlDeps {
  registry: BackendRegistry;
  aggregator: Aggregator;
  endpoint: McpEndpoint;
  gateway: () => {
    state: GatewayState;
    url?: string;
    startedAt?: number;
    auth: 'token' | 'off';
    error?: string;
  };
}

export class Control {
  constructor(private readonly deps: ControlDeps) {}

  snapshot(): Snapshot {
    const { registry, aggregator, endpoint } = this.deps;
    const set = aggregator.current;
    const sessions = endpoint.sessionRecords().map((s) => ({
      id: s.id,
      clientName: s.clientInfo.name,
      clientVersion: s.clientInfo.version,
      protocolVersion: s.protocolVersion,
      era: s.era,
      createdAt: s.createdAt,
      lastSeen: s.lastSeen,
      calls: s.calls,
      streamOpen: s.streamOpen,
      backends: Object.keys(s.backendSessions),
    }));
    return {
      version: VERSION,
      gateway: this.deps.gateway(),
      backends: registry
        .statuses()
        .map((status) => ({ ...status, enabled: registry.isEnabled(status.name) })),
      conflicts: set.conflicts,
      strategy: aggregator.strategy,
      sessions,
      counts: {
        tools: set.tools.length,
        prompts: set.prompts.length,
        resources: set.resources.length,
        resourceTemplates: set.resourceTemplates.length,
        openConflicts: set.conflicts.filter((c) => c.open).length,
        sessions: sessions.length,
      },
    };
  }
}
