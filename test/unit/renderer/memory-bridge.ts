// A small in-memory implementation of the dashboard's Bridge (our own control-API interface, not
// MCP) for store and component tests: a fake engine whose state tests set up and inspect, with
// the paging, filtering and statistics rules of the real one kept simple.
import type { Bridge, ConnectionState } from '../../../renderer/src/bridge/bridge.js';
import { BridgeError, UnauthorizedError } from '../../../renderer/src/bridge/bridge.js';
import {
  CONTAINER_NOT_EDITABLE,
  maskSecret,
  type BackendSpecInput,
  type BackendSpecView,
  type BackendTestResult,
  type NewBackendSpec,
} from '../../../common/control/backend-edit.js';
import type {
  AuditPage,
  AuditQuery,
  AuditRow,
  AuditStats,
  AuditStatsQuery,
  BackendDetail,
  BackendLogEntry,
  BackendLogPage,
  BackendLogQuery,
  BackendStatus,
  ClientId,
  ClientSummary,
  ChangeDecision,
  Conflict,
  ConflictStrategy,
  ConnectInfo,
  ControlEvent,
  Decision,
  ProfileReport,
  ProfileTools,
  PendingChange,
  Snapshot,
  StrategyPreview,
  ToolCallOutcome,
  JsonObject,
} from '../../../renderer/src/contract.js';
import { NON_ERROR_OUTCOMES } from '../../../renderer/src/contract.js';
import { rowMatches } from '../../../renderer/src/lib/audit-filter.js';

export type Call = { method: string; args: unknown[] };

export function backendStatus(
  name: string,
  patch: Partial<BackendStatus> = {},
): BackendStatus & { enabled: boolean } {
  return {
    name,
    state: 'ready',
    since: Date.now() - 60_000,
    transport: 'streamable-http',
    source: { kind: 'config' },
    target: `http://127.0.0.1:3001/${name}`,
    counts: { tools: 2, prompts: 0, resources: 0, resourceTemplates: 0 },
    era: 'legacy',
    protocolVersion: '2025-11-25',
    serverInfo: { name: `${name}-server`, version: '1.0.0' },
    latencyMs: 1.5,
    enabled: true,
    ...patch,
  };
}

export function echoConflict(patch: Partial<Conflict> = {}): Conflict {
  return {
    id: 'tool:echo',
    kind: 'tool',
    name: 'echo',
    candidates: [
      {
        backend: 'alpha',
        originalName: 'echo',
        advertisedAs: 'echo',
        definition: {
          name: 'echo',
          description: 'Echo from alpha',
          inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
        },
      },
      {
        backend: 'beta',
        originalName: 'echo',
        advertisedAs: 'beta__echo',
        definition: {
          name: 'echo',
          description: 'Echo from beta',
          inputSchema: {
            type: 'object',
            properties: { message: { type: 'number' }, loud: { type: 'boolean' } },
            required: ['message', 'loud'],
          },
        },
      },
    ],
    resolvedBy: 'strategy',
    strategy: 'auto',
    open: true,
    ...patch,
  };
}

export function auditRow(id: number, time: number, patch: Partial<AuditRow> = {}): AuditRow {
  return {
    id,
    time,
    sessionId: `session-${id % 3}`,
    clientName: id % 2 ? 'claude-code' : 'cursor',
    clientVersion: '1.0.0',
    era: 'legacy',
    method: 'tools/call',
    name: `tool_${id % 5}`,
    backend: id % 2 ? 'alpha' : 'beta',
    originalName: `tool_${id % 5}`,
    durationMs: 1 + (id % 10),
    outcome: id % 7 === 0 ? 'tool_error' : 'ok',
    requestBytes: 100,
    responseBytes: 200,
    ...patch,
  };
}

export class MemoryBridge implements Bridge {
  calls: Call[] = [];
  /** Tokens accepted; null = no auth. */
  acceptedToken: string | null = null;
  token: string | null = null;
  /** Make the next calls of a method fail with this error. */
  failures = new Map<string, Error>();
  /** Resolve requests only when released (to observe pending states). */
  hold = false;
  private held: (() => void)[] = [];

  backends: (BackendStatus & { enabled: boolean; displayName?: string })[] = [
    backendStatus('alpha'),
    backendStatus('beta'),
  ];
  conflicts: Conflict[] = [echoConflict()];
  strategy: ConflictStrategy = 'auto';
  running = true;
  rows: AuditRow[] = [];
  connect: ConnectInfo = {
    url: 'http://127.0.0.1:4750/mcp',
    token: 'secret-token-123',
    bridgeCommand: { command: 'node', args: ['/opt/switchyard/dist/core/cli/main.js', 'bridge'] },
  };
  details: Record<string, BackendDetail> = {};
  /** The Connect view's clients: connect/disconnect flip `connected` (no file is written). */
  clientRows: ClientSummary[] = [
    {
      id: 'claude-code',
      name: 'Claude Code',
      file: '/home/u/.claude.json',
      transport: 'http',
      installed: true,
      connected: false,
    },
    {
      id: 'claude-desktop',
      name: 'Claude Desktop',
      file: '/home/u/.config/Claude/claude_desktop_config.json',
      transport: 'bridge',
      installed: false,
      connected: false,
    },
  ];
  profileReports: ProfileReport[] = [];
  private listeners = new Set<(event: ControlEvent) => void>();
  private connectionListeners = new Set<(state: ConnectionState) => void>();
  connection: ConnectionState = 'open';

  private async call<T>(method: string, args: unknown[], result: () => T): Promise<T> {
    this.calls.push({ method, args });
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    await Promise.resolve();
    if (this.acceptedToken !== null && this.token !== this.acceptedToken) throw new UnauthorizedError();
    const failure = this.failures.get(method);
    if (failure) throw failure;
    // A copy, as over HTTP or IPC: the views never share objects with the "engine".
    return structuredClone(result());
  }

  release(): void {
    this.hold = false;
    for (const resolve of this.held.splice(0)) resolve();
  }

  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  buildSnapshot(): Snapshot {
    return {
      version: '0.1.0',
      gateway: {
        state: this.running ? 'running' : 'stopped',
        url: this.connect.url,
        startedAt: Date.now() - 3_600_000,
        auth: 'token',
      },
      paths: {
        dataDir: '/home/user/.local/share/switchyard',
        configFile: '/home/user/.local/share/switchyard/config.yaml',
      },
      discovery: [{ kind: 'docker', ok: true, summary: 'Podman 5.4.2 at unix:///run/podman/podman.sock' }],
      backends: this.backends,
      conflicts: this.conflicts,
      strategy: this.strategy,
      sessions: [
        {
          id: '0d5c9a7e-1f2b-4c3d-8e9f-000000000001',
          clientName: 'claude-code',
          clientVersion: '2.1.0',
          protocolVersion: '2025-11-25',
          era: 'legacy',
          createdAt: Date.now() - 600_000,
          lastSeen: Date.now() - 5000,
          calls: 12,
          streamOpen: true,
          backends: ['alpha'],
        },
      ],
      counts: {
        tools: 4,
        prompts: 0,
        resources: 0,
        resourceTemplates: 0,
        openConflicts: this.conflicts.filter((c) => c.open).length,
        sessions: 1,
        changesToReview: this.changes.filter((c) => c.decision === undefined).length,
        heldTools: this.changes.filter((c) => c.held).length,
      },
    };
  }

  /** Pushes an event to subscribers, as the engine's stream would. */
  emit(event: ControlEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  setConnection(state: ConnectionState): void {
    this.connection = state;
    for (const listener of this.connectionListeners) listener(state);
  }

  snapshot = () => this.call('snapshot', [], () => this.buildSnapshot());

  subscribe = (listener: (event: ControlEvent) => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  onConnectionChange = (listener: (state: ConnectionState) => void) => {
    this.connectionListeners.add(listener);
    listener(this.connection);
    return () => void this.connectionListeners.delete(listener);
  };

  setToken = (token: string | null) => {
    this.token = token;
  };

  backend = (name: string) =>
    this.call('backend', [name], (): BackendDetail => {
      const status = this.backends.find((b) => b.name === name);
      if (!status) throw new Error(`no backend ${name}`);
      return (
        this.details[name] ?? {
          status,
          capabilities: { tools: {} },
          instructions: `Instructions of ${name}`,
          tools: [
            {
              kind: 'tool',
              originalName: 'echo',
              advertisedAs: name === 'alpha' ? 'echo' : `${name}__echo`,
              description: `Echo from ${name}`,
              definition: { name: 'echo' },
            },
            {
              kind: 'tool',
              originalName: 'secret',
              advertisedAs: null,
              description: 'Filtered out',
              definition: { name: 'secret' },
            },
          ],
          prompts: [],
          resources: [],
          resourceTemplates: [],
        }
      );
    });

  setBackendEnabled = (name: string, enabled: boolean) =>
    this.call('setBackendEnabled', [name, enabled], () => {
      const b = this.backends.find((x) => x.name === name);
      if (b) b.enabled = enabled;
    });

  setBackendDisplayName = (name: string, displayName: string | null) =>
    this.call('setBackendDisplayName', [name, displayName], () => {
      const b = this.backends.find((x) => x.name === name);
      if (!b) throw new Error(`no backend named "${name}"`);
      if (displayName) b.displayName = displayName;
      else delete b.displayName;
    });

  /** What a reconnect ends in (the engine's outcome; `since` moves to now). */
  reconnectOutcome: { state: BackendStatus['state']; error?: string } = { state: 'ready' };

  reconnectBackend = (name: string) =>
    this.call('reconnectBackend', [name], () => {
      const b = this.backends.find((x) => x.name === name);
      if (!b) throw new Error(`no backend named "${name}"`);
      b.state = this.reconnectOutcome.state;
      b.since = Date.now();
      if (this.reconnectOutcome.error) b.lastError = { message: this.reconnectOutcome.error, at: Date.now() };
    });

  /** Each backend's log entries, as the engine's ring would hold them (tests push to it). */
  logs: Record<string, BackendLogEntry[]> = {};

  /** Appends to a backend's ring and says so, as the engine does (one event for the batch). */
  appendLog(name: string, lines: { kind?: BackendLogEntry['kind']; text: string; pid?: number }[]): void {
    const log = (this.logs[name] ??= []);
    for (const line of lines) {
      log.push({
        seq: (log.at(-1)?.seq ?? 0) + 1,
        at: Date.now(),
        kind: line.kind ?? 'stderr',
        text: line.text,
        ...(line.pid !== undefined ? { pid: line.pid } : {}),
      });
    }
    this.emit({ type: 'backendLog', backend: name, lastSeq: log.at(-1)?.seq ?? 0 });
  }

  backendLog = (name: string, query: BackendLogQuery) =>
    this.call('backendLog', [name, query], (): BackendLogPage => {
      if (!this.backends.some((b) => b.name === name)) throw new Error(`no backend named "${name}"`);
      const all = this.logs[name] ?? [];
      const after = all.filter((e) => e.seq > (query.after ?? 0));
      const entries = after.slice(Math.max(0, after.length - (query.limit ?? 1000)));
      return {
        backend: name,
        entries,
        lastSeq: all.at(-1)?.seq ?? 0,
        skipped: after.length - entries.length,
      };
    });

  resolveConflict = (id: string, decision: Decision | null) =>
    this.call('resolveConflict', [id, decision], () => {
      const conflict = this.conflicts.find((c) => c.id === id);
      if (!conflict) throw new Error(`no conflict ${id}`);
      if (decision) {
        conflict.resolvedBy = 'decision';
        conflict.decision = decision;
        conflict.open = false;
      } else {
        conflict.resolvedBy = 'strategy';
        delete conflict.decision;
        conflict.open = true;
      }
      this.conflicts = this.conflicts.map((c) => (c.id === id ? { ...conflict } : c));
    });

  setStrategy = (strategy: ConflictStrategy) =>
    this.call('setStrategy', [strategy], () => {
      this.strategy = strategy;
    });

  /** What a preview answers (set by a test); by default nothing would change. */
  preview: StrategyPreview | null = null;

  previewStrategy = (strategy: ConflictStrategy) =>
    this.call(
      'previewStrategy',
      [strategy],
      (): StrategyPreview =>
        this.preview ?? {
          strategy,
          current: this.strategy,
          tools: { before: 4, after: 4, gained: [], lost: [] },
          prompts: { before: 0, after: 0, gained: [], lost: [] },
          openConflicts: { before: 1, after: 1 },
          profiles: [],
        },
    );

  /** What "Try it" answers: an echo of the arguments, as a text content block. */
  callTool = (name: string, args: JsonObject) =>
    this.call('callTool', [name, args], (): ToolCallOutcome => ({
      ok: true,
      result: { content: [{ type: 'text', text: `${name}: ${JSON.stringify(args)}` }] },
      durationMs: 3,
    }));

  /** Tools turned off (backend/tool). */
  disabledTools = new Set<string>();

  setToolEnabled = (backend: string, tool: string, enabled: boolean) =>
    this.call('setToolEnabled', [backend, tool, enabled], () => {
      if (enabled) this.disabledTools.delete(`${backend}/${tool}`);
      else this.disabledTools.add(`${backend}/${tool}`);
      const detail = this.details[backend];
      const entry = detail?.tools.find((t) => t.originalName === tool);
      if (entry) {
        entry.disabled = !enabled || undefined;
        if (!enabled) entry.advertisedAs = null;
      }
    });

  setGatewayRunning = (running: boolean) =>
    this.call('setGatewayRunning', [running], () => {
      this.running = running;
    });

  queryAudit = (query: AuditQuery) =>
    this.call('queryAudit', [query], (): AuditPage => {
      const matching = this.rows
        .filter((r) => rowMatches(r, query) && (query.to === undefined || r.time < query.to))
        .sort((a, b) => b.time - a.time || b.id - a.id);
      const limit = Math.min(query.limit ?? 100, 1000);
      let start = query.offset ?? 0;
      if (query.cursor) {
        const [time, id] = query.cursor.split('.').map(Number) as [number, number];
        start = matching.findIndex((r) => r.time < time || (r.time === time && r.id < id));
        if (start < 0) start = matching.length;
      }
      const rows = matching.slice(start, start + limit);
      const more = start + limit < matching.length;
      const last = rows[rows.length - 1];
      return {
        rows,
        total: matching.length,
        ...(more && last ? { nextCursor: `${last.time}.${last.id}` } : {}),
      };
    });

  auditStats = (query: AuditStatsQuery) =>
    this.call('auditStats', [query], (): AuditStats => {
      const rows = this.rows.filter((r) => rowMatches(r, query) && r.time >= query.from && r.time < query.to);
      const summary = (list: AuditRow[]) => {
        const durations = list.map((r) => r.durationMs).sort((a, b) => a - b);
        const rank = (p: number) =>
          durations.length ? durations[Math.max(0, Math.ceil((p / 100) * durations.length) - 1)]! : 0;
        const errors = list.filter((r) => !NON_ERROR_OUTCOMES.includes(r.outcome)).length;
        return {
          calls: list.length,
          errors,
          errorRate: list.length ? errors / list.length : 0,
          p50: rank(50),
          p95: rank(95),
          p99: rank(99),
        };
      };
      const groups = new Map<string, AuditRow[]>();
      for (const r of rows) {
        const start = query.from + Math.floor((r.time - query.from) / query.bucketMs) * query.bucketMs;
        const key = `${start}|${r.backend ?? ''}`;
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      const backends = [...new Set(rows.map((r) => r.backend ?? null))];
      return {
        from: query.from,
        to: query.to,
        bucketMs: query.bucketMs,
        buckets: [...groups.entries()].map(([key, list]) => {
          const [start, backend] = key.split('|');
          return { start: Number(start), backend: backend || null, ...summary(list) };
        }),
        backends: backends.map((b) => ({
          backend: b,
          ...summary(rows.filter((r) => (r.backend ?? null) === b)),
        })),
        total: summary(rows),
        served: summary(rows.filter((r) => r.backend)),
        denied: rows.filter((r) => r.outcome === 'denied').length,
      };
    });

  connectInfo = () => this.call('connectInfo', [], () => this.connect);

  clients = () => this.call('clients', [], () => this.clientRows.map((c) => ({ ...c })));

  private setClient(id: string, connected: boolean): ClientSummary {
    const row = this.clientRows.find((c) => c.id === id);
    if (!row) throw new BridgeError(`unknown client "${id}"`, 400);
    Object.assign(
      row,
      connected
        ? { connected, current: true, profile: 'default', endpoint: this.connect.url }
        : { connected, current: undefined, profile: undefined, endpoint: undefined },
    );
    return { ...row };
  }

  connectClient = (id: ClientId) => this.call('connectClient', [id], () => this.setClient(id, true));
  disconnectClient = (id: ClientId) => this.call('disconnectClient', [id], () => this.setClient(id, false));

  /** Tool changes awaiting review, as the engine would list them. */
  changes: PendingChange[] = [];

  listChanges = () => this.call('listChanges', [], () => structuredClone(this.changes));

  decideChange = (id: string, decision: ChangeDecision) =>
    this.call('decideChange', [id, decision], () => {
      const change = this.changes.find((c) => c.id === id);
      if (!change) throw new Error(`no change with id "${id}"`);
      if (decision === 'approve') this.changes = this.changes.filter((c) => c.id !== id);
      else Object.assign(change, { decision, decidedAt: Date.now(), held: true });
      return { ...change, decision };
    });

  profiles = () => this.call('profiles', [], () => this.profileReports);

  /** Per profile: the tools it could show and which it does (what profileTools answers). */
  profileToolLists: Record<string, ProfileTools> = {};

  profileTools = (profile: string) =>
    this.call('profileTools', [profile], () => {
      const tools = this.profileToolLists[profile];
      if (!tools) throw new Error(`no profile named "${profile}"`);
      return structuredClone(tools);
    });

  /** Like the engine: the pick is applied, and the profile's report counts it. */
  setProfileTools = (profile: string, keys: string[], shown: string[]) =>
    this.call('setProfileTools', [profile, keys, shown], () => {
      const tools = this.profileToolLists[profile];
      if (!tools) throw new Error(`no profile named "${profile}"`);
      // Tools the pick did not show keep what they had.
      for (const tool of tools.tools)
        if (shown.includes(tool.key) || keys.includes(tool.key)) tool.selected = keys.includes(tool.key);
      const report = this.profileReports.find((r) => r.profile === profile);
      if (report) {
        const selected = tools.tools.filter((t) => t.selected).length;
        const advertised = report.budget === null ? selected : Math.min(selected, report.budget);
        Object.assign(report, { selected, advertised, reachable: advertised });
      }
    });

  // --- Backends from the dashboard: the config file's entries, secrets as the engine masks them ---
  specs: Record<string, BackendSpecView> = {
    alpha: {
      name: 'alpha',
      url: 'http://127.0.0.1:3001/alpha',
      transport: 'streamable-http',
      headers: { Authorization: maskSecret('Bearer abcdef12') },
      env: {},
      timeout: '30s',
    },
  };
  testResult: BackendTestResult = {
    ok: true,
    era: 'legacy',
    protocolVersion: '2025-11-25',
    serverInfo: { name: 'fixture', version: '1.0.0' },
    tools: ['echo', 'add'],
  };
  private editable(name: string): BackendSpecView {
    const backend = this.backends.find((b) => b.name === name);
    if (!backend) throw new BridgeError(`no backend named "${name}"`, 404);
    if (backend.source.kind === 'container')
      throw new BridgeError(`"${name}": ${CONTAINER_NOT_EDITABLE}`, 409);
    return (
      this.specs[name] ?? { name, url: backend.target, transport: 'streamable-http', headers: {}, env: {} }
    );
  }
  backendConfig = (name: string) => this.call('backendConfig', [name], () => this.editable(name));
  addBackend = (spec: NewBackendSpec) =>
    this.call('addBackend', [spec], () => {
      if (this.backends.some((b) => b.name === spec.name))
        throw new BridgeError(`a backend named "${spec.name}" already exists`, 409);
      this.backends = [
        ...this.backends,
        backendStatus(spec.name, { target: spec.url ?? spec.command ?? '' }),
      ];
      this.specs[spec.name] = { transport: 'streamable-http', headers: {}, env: {}, ...spec };
    });
  updateBackend = (name: string, spec: BackendSpecInput) =>
    this.call('updateBackend', [name, spec], () => {
      this.editable(name);
      this.specs[name] = { name, transport: 'streamable-http', headers: {}, env: {}, ...spec };
    });
  removeBackend = (name: string) =>
    this.call('removeBackend', [name], () => {
      this.editable(name);
      this.backends = this.backends.filter((b) => b.name !== name);
      delete this.specs[name];
    });
  testBackend = (spec: NewBackendSpec) => this.call('testBackend', [spec], () => this.testResult);
}

/** Lets pending promise callbacks run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
