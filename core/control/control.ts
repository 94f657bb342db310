// The app API: one interface for the CLI, the HTTP control API, the dashboard and the tray.
// It reads the engine's real state (never a cached copy) and performs actions on it.
import type { Aggregator } from '../aggregate/aggregator.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { BackendStatus } from '../../common/domain/backend.js';
import type { CapabilityKind, JsonObject } from '../../common/domain/capability.js';
import type { Decision } from '../../common/domain/conflict.js';
import type { AuditPage, AuditQuery, AuditStats, AuditStatsQuery } from '../../common/domain/audit-query.js';
import { InvalidAuditQueryError, type AuditQueryApi } from '../domain/audit-query.js';
import type { SourceStatus } from '../../common/domain/source-status.js';
import type { BackendLogPage, BackendLogQuery } from '../../common/domain/backend-log.js';
import type { BackendLogAppended } from '../backends/backend-log.js';
import type { ChangeDecision, PendingChange } from '../../common/domain/integrity.js';
import { UnknownChangeError, type IntegrityGuard } from '../integrity/guard.js';
import type { McpEndpoint } from '../gateway/mcp-endpoint.js';
import { advertisedNames, advertisedResource, advertisedTemplate } from '../aggregate/routes.js';
import type { Clock } from '../domain/runtime.js';
import type { AdvertisedSet } from '../domain/advertised.js';
import type { ProfileView } from '../profiles/view.js';
import { Emitter } from '../support/emitter.js';
import { VERSION } from '../version.js';
import type {
  BackendDetail,
  CapabilityEntry,
  ConflictStrategy,
  ConnectInfo,
  ControlApi,
  ControlEvent,
  ListImpact,
  NameChange,
  ProfileStrategyImpact,
  StrategyPreview,
  ToolCallOutcome,
} from '../../common/control/api.js';
import { DashboardClient } from './dashboard-client.js';
import { DISPLAY_NAME_MAX } from '../../common/control/limits.js';
import { ControlError } from './errors.js';
import { ClientRequestError, type ClientsService } from '../clients/service.js';
import type { ClientId, ClientSummary } from '../../common/domain/client.js';
import type { ProfileReport } from '../../common/domain/profile.js';
import type { BackendEdits } from './backend-edits.js';
import type { ToolEdits } from './tool-edits.js';
import type { ProfileTools } from '../../common/domain/profile-tools.js';
import type {
  BackendSpecInput,
  BackendSpecView,
  BackendTestResult,
  NewBackendSpec,
} from '../../common/control/backend-edit.js';
import type { ConfigStatus, Snapshot } from '../../common/control/snapshot.js';

/** The gateway's state as the snapshot shows it. */
export type GatewayInfo = Snapshot['gateway'];

/** Where user choices made in the dashboard are kept (SQLite when the store is open). */
export interface ControlSettings {
  setBackendEnabled(name: string, enabled: boolean): void;
  displayName(name: string): string | undefined;
  setBackendDisplayName(name: string, displayName: string | null): void;
  setStrategy(strategy: ConflictStrategy): void;
}

export interface ControlDeps {
  registry: BackendRegistry;
  aggregator: Aggregator;
  endpoint: McpEndpoint;
  clock: Clock;
  /** Status of each discovery source (the container engine: which one, or why none). */
  discovery?: () => SourceStatus[];
  gateway: () => GatewayInfo;
  paths: { dataDir: string; configFile?: string };
  /** The config file's state (live reload). */
  config?: () => ConfigStatus;
  /** Fires when the gateway's own state changes (started, turned off). */
  gatewayChanged?: Emitter<void>;
  /** Fires for every backend log entry (core/backends/backend-log.ts): pushed as `backendLog` events. */
  logAppended?: { on(listener: (appended: BackendLogAppended) => void): () => void };
  setGatewayRunning: (running: boolean) => Promise<void>;
  connectInfo: () => ConnectInfo;
  /** The clients `connect` knows (the Connect view); absent in engines that must not edit user files. */
  clients?: ClientsService;
  /** Per-profile reports (core/profiles); without it only `default` exists. */
  profiles?: () => ProfileReport[];
  /**
   * The configured profiles' views: now (no argument) or as they would be over another set (a
   * strategy preview), built by core/profiles' own code.
   */
  profileViews?: (set?: Omit<AdvertisedSet, 'version'>) => readonly ProfileView[];
  audit?: AuditQueryApi;
  /** The audit config in force (enabled, payloads kept). */
  auditConfig?: () => { enabled: boolean; recordPayloads: boolean };
  settings?: ControlSettings;
  /** Tool integrity (changes awaiting review). */
  integrity?: IntegrityGuard;
  /** Backends added, edited, removed and tested from the dashboard (the config file's). */
  backendEdits?: BackendEdits;
  /** Which tools are advertised (the Tools switch, a profile's pick), written to the config file. */
  toolEdits?: ToolEdits;
}

type Routes = ReadonlyMap<string, { backend: string; originalName: string }>;

/** How a list of advertised names changes from one routing table to another. */
function listImpact(from: Routes, to: Routes): ListImpact {
  const changes = (a: Routes, b: Routes): NameChange[] =>
    [...a]
      .filter(([name]) => !b.has(name))
      .map(([name, route]) => ({ name, backend: route.backend, originalName: route.originalName }))
      .sort((x, y) => x.name.localeCompare(y.name));
  return { before: from.size, after: to.size, gained: changes(to, from), lost: changes(from, to) };
}

const UNSAFE_IN_LABEL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** Snapshots are pushed at most this often while things change. */
const PUSH_INTERVAL_MS = 200;
/** New audit rows are looked for this often while someone listens. */
const AUDIT_POLL_MS = 1000;
/**
 * "A backend's log grew" is pushed at most this often per backend: a backend flooding stderr costs
 * the dashboard a few small events a second, never one per line.
 */
const LOG_PUSH_INTERVAL_MS = 250;

export class Control implements ControlApi {
  private readonly events = new Emitter<ControlEvent>();
  private pushTimer: NodeJS.Timeout | undefined;
  private auditTimer: NodeJS.Timeout | undefined;
  private lastAuditId = 0;
  /** Backends whose log grew since the last push, with their newest seq. */
  private readonly logsGrown = new Map<string, number>();
  private logTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  /** Changes only the control layer knows of (a display name): pushed like engine changes. */
  private readonly settingsChanged = new Emitter<void>();

  /** The dashboard's own MCP client for "Try it" (opened on first use). */
  private readonly dashboardClient: DashboardClient;

  constructor(private readonly deps: ControlDeps) {
    this.dashboardClient = new DashboardClient(() => deps.connectInfo());
  }

  snapshot(): Promise<Snapshot> {
    return Promise.resolve(this.snapshotNow());
  }

  /** The snapshot, synchronously (for the CLI and tests). */
  snapshotNow(): Snapshot {
    const { registry, aggregator, endpoint } = this.deps;
    const set = aggregator.current;
    const changes = this.deps.integrity?.changes() ?? [];
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
      backends: s.linkedBackends,
    }));
    return {
      version: VERSION,
      gateway: this.deps.gateway(),
      ...(this.deps.auditConfig ? { audit: this.deps.auditConfig() } : {}),
      paths: this.deps.paths,
      ...(this.deps.config ? { config: this.deps.config() } : {}),
      discovery: this.deps.discovery?.() ?? [],
      backends: registry.statuses().map((status) => this.withSettings(status)),
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
        changesToReview: changes.filter((c) => c.decision === undefined).length,
        heldTools: set.heldTools.size + set.heldPrompts.size,
      },
    };
  }

  subscribe(listener: (event: ControlEvent) => void): () => void {
    const off = this.events.on(listener);
    if (this.events.size === 1) this.watch();
    return () => {
      off();
      if (this.events.size === 0) this.unwatch();
    };
  }

  /** Starts following the engine once someone listens (nothing is computed for nobody). */
  private watch(): void {
    const schedule = () => {
      this.pushTimer ??= setTimeout(() => {
        this.pushTimer = undefined;
        this.events.emit({ type: 'snapshot', snapshot: this.snapshotNow() });
      }, PUSH_INTERVAL_MS);
    };
    this.unsubscribe.push(
      this.deps.registry.statusChanged.on(schedule),
      this.deps.registry.membershipChanged.on(schedule),
      this.deps.aggregator.changed.on(schedule),
      this.deps.endpoint.changed.on(schedule),
      this.settingsChanged.on(schedule),
    );
    if (this.deps.integrity) this.unsubscribe.push(this.deps.integrity.changed.on(schedule));
    if (this.deps.gatewayChanged) this.unsubscribe.push(this.deps.gatewayChanged.on(schedule));
    if (this.deps.logAppended) {
      this.unsubscribe.push(
        this.deps.logAppended.on(({ backend, seq }) => {
          this.logsGrown.set(backend, seq);
          this.logTimer ??= setTimeout(() => {
            this.logTimer = undefined;
            const grown = [...this.logsGrown];
            this.logsGrown.clear();
            for (const [name, lastSeq] of grown)
              this.events.emit({ type: 'backendLog', backend: name, lastSeq });
          }, LOG_PUSH_INTERVAL_MS);
        }),
      );
    }
    const audit = this.deps.audit;
    if (audit) {
      this.lastAuditId = audit.lastId();
      this.auditTimer = setInterval(() => {
        const rows = audit.tail(this.lastAuditId, undefined, 500);
        if (rows.length === 0) return;
        this.lastAuditId = rows[rows.length - 1]!.id;
        this.events.emit({ type: 'audit', rows });
      }, AUDIT_POLL_MS);
      this.auditTimer.unref();
    }
  }

  private unwatch(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    clearTimeout(this.pushTimer);
    this.pushTimer = undefined;
    clearTimeout(this.logTimer);
    this.logTimer = undefined;
    this.logsGrown.clear();
    clearInterval(this.auditTimer);
  }

  async backend(name: string): Promise<BackendDetail> {
    const connection = this.deps.registry.get(name);
    if (!connection) throw new ControlError(404, `no backend named "${name}"`);
    const set = this.deps.aggregator.current;
    const catalog = connection.catalog;
    const tools = advertisedNames(set, 'tool', name);
    const prompts = advertisedNames(set, 'prompt', name);
    const entry = (
      kind: CapabilityEntry['kind'],
      definition: JsonObject,
      originalName: string,
      advertisedAs: string | null,
    ): CapabilityEntry => ({
      kind,
      originalName,
      advertisedAs,
      ...(typeof definition.title === 'string' ? { title: definition.title } : {}),
      ...(typeof definition.description === 'string' ? { description: definition.description } : {}),
      definition,
    });
    return {
      status: this.withSettings(connection.status),
      ...(catalog?.instructions ? { instructions: catalog.instructions } : {}),
      capabilities: catalog?.serverCapabilities ?? {},
      tools: (catalog?.tools ?? []).map((t) => ({
        ...entry('tool', t, t.name, tools.get(t.name) ?? null),
        ...(this.deps.aggregator.isToolDisabled(name, t.name) ? { disabled: true } : {}),
      })),
      prompts: (catalog?.prompts ?? []).map((p) => entry('prompt', p, p.name, prompts.get(p.name) ?? null)),
      resources: (catalog?.resources ?? []).map((r) =>
        entry('resource', r, r.uri, advertisedResource(set, name, r.uri)),
      ),
      resourceTemplates: (catalog?.resourceTemplates ?? []).map((t) =>
        entry('resourceTemplate', t, t.uriTemplate, advertisedTemplate(set, name, t.uriTemplate)),
      ),
    };
  }

  async setBackendEnabled(name: string, enabled: boolean): Promise<void> {
    if (!this.deps.registry.get(name)) throw new ControlError(404, `no backend named "${name}"`);
    this.deps.settings?.setBackendEnabled(name, enabled);
    await this.deps.registry.setEnabled(name, enabled);
  }

  async setBackendDisplayName(name: string, displayName: string | null): Promise<void> {
    if (!this.deps.registry.get(name)) throw new ControlError(404, `no backend named "${name}"`);
    if (displayName !== null && typeof displayName !== 'string')
      throw new ControlError(400, 'displayName must be a string or null');
    const settings = this.deps.settings;
    if (!settings) throw new ControlError(409, 'settings are not kept by this engine');
    const value = displayName?.trim() || null;
    if (value === null || value === name) {
      settings.setBackendDisplayName(name, null);
      this.settingsChanged.emit();
      return;
    }
    if (value.length > DISPLAY_NAME_MAX)
      throw new ControlError(400, `a display name has at most ${DISPLAY_NAME_MAX} characters`);
    // Control characters, line separators and bidi overrides would garble or disguise a label.
    if (UNSAFE_IN_LABEL.test(value))
      throw new ControlError(400, 'a display name cannot contain control or text-direction characters');
    // Two rows that read the same would have the user disable or rename the wrong backend.
    for (const other of this.deps.registry.names()) {
      if (other === name) continue;
      if (other === value || settings.displayName(other) === value)
        throw new ControlError(409, `"${value}" already names backend "${other}"`);
    }
    settings.setBackendDisplayName(name, value);
    this.settingsChanged.emit();
  }

  async reconnectBackend(name: string): Promise<void> {
    const connection = this.deps.registry.get(name);
    if (!connection) throw new ControlError(404, `no backend named "${name}"`);
    if (!this.deps.registry.isEnabled(name)) throw new ControlError(409, `backend "${name}" is disabled`);
    connection.reconnect();
  }

  async backendLog(name: string, query: BackendLogQuery): Promise<BackendLogPage> {
    const log = this.deps.registry.log(name);
    if (!log) {
      if (!this.deps.registry.get(name)) throw new ControlError(404, `no backend named "${name}"`);
      return { backend: name, entries: [], lastSeq: 0, skipped: 0 };
    }
    return log.read(query);
  }

  async resolveConflict(id: string, decision: Decision | null): Promise<void> {
    const colon = id.indexOf(':');
    const kind = id.slice(0, colon) as CapabilityKind;
    const name = id.slice(colon + 1);
    if (colon < 1 || !['tool', 'prompt', 'resource'].includes(kind) || !name) {
      throw new ControlError(400, `"${id}" is not a conflict id (kind:name)`);
    }
    if (decision && (decision.action === 'winner' || decision.action === 'hide')) {
      const conflict = this.deps.aggregator.current.conflicts.find((c) => c.id === id);
      if (conflict && !conflict.candidates.some((c) => c.backend === decision.backend)) {
        throw new ControlError(400, `backend "${decision.backend}" is not a candidate of ${id}`);
      }
    }
    if (decision && kind === 'resource' && (decision.action === 'prefix' || decision.action === 'rename')) {
      throw new ControlError(400, 'resource URIs cannot be renamed: pick a winner or hide one');
    }
    this.deps.aggregator.decide(kind, name, decision);
  }

  async setStrategy(strategy: ConflictStrategy): Promise<void> {
    this.deps.settings?.setStrategy(strategy);
    this.deps.aggregator.setStrategy(strategy);
  }

  async previewStrategy(strategy: ConflictStrategy): Promise<StrategyPreview> {
    const before = this.deps.aggregator.current;
    const after = this.deps.aggregator.preview(strategy);
    // Each profile's view over the previewed set comes from the same builder as the real views.
    const profilesNow = this.deps.profileViews?.() ?? [];
    const profilesAfter = new Map((this.deps.profileViews?.(after) ?? []).map((v) => [v.profile, v]));
    return {
      strategy,
      current: this.deps.aggregator.strategy as ConflictStrategy,
      tools: listImpact(before.toolRoutes, after.toolRoutes),
      prompts: listImpact(before.promptRoutes, after.promptRoutes),
      openConflicts: {
        before: before.conflicts.filter((c) => c.open).length,
        after: after.conflicts.filter((c) => c.open).length,
      },
      profiles: profilesNow.flatMap((now): ProfileStrategyImpact[] => {
        const next = profilesAfter.get(now.profile);
        if (!next) return [];
        return [
          {
            profile: now.profile,
            clientLabel: now.report.clientLabel,
            tools: listImpact(now.toolRoutes, next.toolRoutes),
            prompts: listImpact(now.promptRoutes, next.promptRoutes),
            search: next.search,
          },
        ];
      }),
    };
  }

  callTool(name: string, args: JsonObject): Promise<ToolCallOutcome> {
    if (this.deps.gateway().state !== 'running') {
      return Promise.resolve({
        ok: false,
        error: { code: -32000, message: 'The MCP endpoint is off: turn it on to call a tool' },
        durationMs: 0,
      });
    }
    return this.dashboardClient.callTool(name, args, () => this.deps.clock.now());
  }

  async setToolEnabled(backend: string, tool: string, enabled: boolean): Promise<void> {
    return this.toolEdits().setToolEnabled(backend, tool, enabled);
  }

  async profileTools(profile: string): Promise<ProfileTools> {
    return this.toolEdits().profileTools(profile);
  }

  async setProfileTools(profile: string, tools: string[], shown: string[]): Promise<void> {
    return this.toolEdits().setProfileTools(profile, { picked: tools, shown });
  }

  private toolEdits(): ToolEdits {
    if (!this.deps.toolEdits)
      throw new ControlError(409, 'this engine cannot edit which tools are advertised');
    return this.deps.toolEdits;
  }

  setGatewayRunning(running: boolean): Promise<void> {
    return this.deps.setGatewayRunning(running);
  }

  async queryAudit(query: AuditQuery): Promise<AuditPage> {
    try {
      return this.deps.audit?.query(query) ?? { rows: [], total: 0 };
    } catch (error) {
      if (error instanceof InvalidAuditQueryError) throw new ControlError(400, error.message);
      throw error;
    }
  }

  async auditStats(query: AuditStatsQuery): Promise<AuditStats> {
    const empty = { calls: 0, errors: 0, errorRate: 0, p50: 0, p95: 0, p99: 0 };
    return (
      this.deps.audit?.stats(query) ?? {
        from: query.from,
        to: query.to,
        bucketMs: query.bucketMs,
        buckets: [],
        totals: [],
        backends: [],
        total: empty,
        served: empty,
        denied: 0,
      }
    );
  }

  async connectInfo(): Promise<ConnectInfo> {
    return this.deps.connectInfo();
  }

  clients(): Promise<ClientSummary[]> {
    return this.clientsService().list();
  }

  connectClient(id: ClientId): Promise<ClientSummary> {
    return this.clientCall(() => this.clientsService().connect(id));
  }

  disconnectClient(id: ClientId): Promise<ClientSummary> {
    return this.clientCall(() => this.clientsService().disconnect(id));
  }

  private clientsService(): ClientsService {
    if (!this.deps.clients) throw new ControlError(409, 'this engine does not edit client configurations');
    return this.deps.clients;
  }

  /** A client file connect will not edit (unparseable, an entry that points elsewhere): 409 with why. */
  private async clientCall(run: () => Promise<ClientSummary>): Promise<ClientSummary> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ClientRequestError) throw new ControlError(409, error.message);
      throw error;
    }
  }

  async profiles(): Promise<ProfileReport[]> {
    return this.deps.profiles?.() ?? [];
  }

  async listChanges(): Promise<PendingChange[]> {
    return this.deps.integrity?.changes() ?? [];
  }

  async decideChange(id: string, decision: ChangeDecision): Promise<PendingChange> {
    if (decision !== 'approve' && decision !== 'reject')
      throw new ControlError(400, 'decision must be "approve" or "reject"');
    try {
      return this.deps.aggregator.decideChange(id, decision);
    } catch (error) {
      if (error instanceof UnknownChangeError) throw new ControlError(404, error.message);
      throw error;
    }
  }

  // --- Backends from the dashboard (backend-edits.ts) ---
  private edits(): BackendEdits {
    if (!this.deps.backendEdits) throw new ControlError(409, 'this engine cannot edit its backends');
    return this.deps.backendEdits;
  }

  async backendConfig(name: string): Promise<BackendSpecView> {
    return this.edits().view(name);
  }

  async addBackend(spec: NewBackendSpec): Promise<void> {
    return this.edits().add(spec);
  }

  async updateBackend(name: string, spec: BackendSpecInput): Promise<void> {
    return this.edits().update(name, spec);
  }

  async removeBackend(name: string): Promise<void> {
    return this.edits().remove(name);
  }

  async testBackend(spec: NewBackendSpec): Promise<BackendTestResult> {
    return this.edits().test(spec);
  }
  // --- end of backends from the dashboard ---

  close(): void {
    this.unwatch();
    void this.dashboardClient.close();
  }

  private withSettings(status: BackendStatus): BackendStatus & { enabled: boolean; displayName?: string } {
    const displayName = this.deps.settings?.displayName(status.name);
    return {
      ...status,
      enabled: this.deps.registry.isEnabled(status.name),
      ...(displayName ? { displayName } : {}),
    };
  }
}
