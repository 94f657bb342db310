// The control API contract: one interface the dashboard (over HTTP or Electron IPC), the tray and
// the CLI use. How each method crosses a process boundary (HTTP route, argument schema) is in
// methods.ts; a new method is a line here, an entry there, and its implementation in core/control.
import type { ChangeDecision, PendingChange } from '../domain/integrity.js';
import type { BackendStatus } from '../domain/backend.js';
import type { CapabilityKind, JsonObject } from '../domain/capability.js';
import type { Decision } from '../domain/conflict.js';
import type { AuditPage, AuditQuery, AuditRow, AuditStats, AuditStatsQuery } from '../domain/audit-query.js';
import type { ClientId, ClientSummary } from '../domain/client.js';
import type { Snapshot } from './snapshot.js';
import type { ProfileReport } from '../domain/profile.js';
import type { ProfileTools } from '../domain/profile-tools.js';
import type { BackendSpecInput, BackendSpecView, BackendTestResult, NewBackendSpec } from './backend-edit.js';
import type { BackendLogPage, BackendLogQuery } from '../domain/backend-log.js';

export const CONFLICT_STRATEGIES = ['auto', 'prefix', 'priority', 'manual'] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

/** One capability of a backend as the gateway advertises it (or hides it). */
export interface CapabilityEntry {
  kind: CapabilityKind | 'resourceTemplate';
  /** The backend's own name (or URI / URI template). */
  originalName: string;
  /** What clients see; null when hidden (filtered out, lost a conflict, or unresolved). */
  advertisedAs: string | null;
  /** Tools only: left out by the backend's include/exclude in the config (what setToolEnabled writes). */
  disabled?: boolean;
  title?: string;
  description?: string;
  /** The definition exactly as the backend sent it. */
  definition: JsonObject;
}

export interface BackendDetail {
  status: BackendStatus & { enabled: boolean; displayName?: string };
  instructions?: string;
  capabilities: JsonObject;
  tools: CapabilityEntry[];
  prompts: CapabilityEntry[];
  resources: CapabilityEntry[];
  resourceTemplates: CapabilityEntry[];
}

export interface ConnectInfo {
  /** The MCP endpoint, e.g. http://127.0.0.1:4750/mcp. */
  url: string;
  /** null when authentication is off. */
  token: string | null;
  /** How `switchyard bridge` is launched on this machine (for Claude Desktop). */
  bridgeCommand: { command: string; args: string[] };
}

/** An advertised name a strategy change would add or remove, and whose it is. */
export interface NameChange {
  name: string;
  backend: string;
  originalName: string;
}

/** How one list (tools or prompts) would change: its size before and after, names gained and lost. */
export interface ListImpact {
  before: number;
  after: number;
  gained: NameChange[];
  lost: NameChange[];
}

/** What one profile's client (/mcp/<profile>) would see under another strategy. */
export interface ProfileStrategyImpact {
  profile: string;
  /** The client kind's name ("Cursor"), or "Any client". */
  clientLabel: string;
  /** Names as this profile advertises them (shortened to its client's rule); counts are reachable tools. */
  tools: ListImpact;
  prompts: ListImpact;
  /** Search mode after the change (the list is then find_tools + call_tool over these tools). */
  search: boolean;
}

/** What clients would see under another conflict strategy, computed without applying it. */
export interface StrategyPreview {
  strategy: ConflictStrategy;
  /** The strategy in force now (the comparison's base). */
  current: ConflictStrategy;
  /** The default endpoint (/mcp): the whole advertised set. */
  tools: ListImpact;
  prompts: ListImpact;
  openConflicts: { before: number; after: number };
  /** Each configured profile, in config order (empty when there are none). */
  profiles: ProfileStrategyImpact[];
}

/** The outcome of a tool call the dashboard made through the gateway ("Try it"). */
export interface ToolCallOutcome {
  /** The JSON-RPC call succeeded (the tool may still report `isError` in its result). */
  ok: boolean;
  /** The tools/call result as the backend sent it (when ok). */
  result?: JsonObject;
  /** The JSON-RPC error (when not ok). */
  error?: { code: number; message: string };
  durationMs: number;
}

/**
 * A change the dashboard should apply; `snapshot` carries the whole current picture. `backendLog`
 * says only that a backend's log ring grew (up to `lastSeq`, at most a few times a second): a view
 * following that log reads the new entries with backendLog(name, { after: its cursor }).
 */
export type ControlEvent =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'audit'; rows: AuditRow[] }
  | { type: 'backendLog'; backend: string; lastSeq: number };

export interface ControlApi {
  snapshot(): Promise<Snapshot>;
  /**
   * Pushes a fresh snapshot after every change (throttled), new audit rows as they are written, and
   * which backends' logs grew (throttled).
   */
  subscribe(listener: (event: ControlEvent) => void): () => void;
  backend(name: string): Promise<BackendDetail>;
  setBackendEnabled(name: string, enabled: boolean): Promise<void>;
  /**
   * The name the dashboard and the tray show for a backend (its advertised names and prefixes are
   * unchanged); `null` or blank goes back to the backend's own name. At most 64 characters.
   */
  setBackendDisplayName(name: string, displayName: string | null): Promise<void>;
  reconnectBackend(name: string): Promise<void>;
  /**
   * A backend's recent life, oldest first: its stdio processes' stderr and its connection history
   * (a bounded ring). To follow, pass the page's `lastSeq` as `after` next time.
   */
  backendLog(name: string, query: BackendLogQuery): Promise<BackendLogPage>;
  /** Resolve a conflict (`id` is `kind:name`, as in Snapshot.conflicts), or undo with `null`. */
  resolveConflict(id: string, decision: Decision | null): Promise<void>;
  setStrategy(strategy: ConflictStrategy): Promise<void>;
  /** What the advertised tools and prompts would become under `strategy`; nothing is applied. */
  previewStrategy(strategy: ConflictStrategy): Promise<StrategyPreview>;
  /**
   * Calls an advertised tool through the gateway's own MCP endpoint as the client
   * "switchyard-dashboard", so it is routed, limited and audited like any client's call.
   */
  callTool(name: string, args: JsonObject): Promise<ToolCallOutcome>;
  /**
   * Turns one tool of a backend off for every client or on again, by writing the backend's
   * `aggregation.backends.<backend>.tools` include/exclude in the config file (applied at once).
   * 409 when the file is invalid now (the errors name line and key path; the file is untouched) or
   * when a pattern in `exclude` keeps the tool out.
   */
  setToolEnabled(backend: string, tool: string, enabled: boolean): Promise<void>;
  /** Every tool a configured profile could show, and which it does (409 for `default`, 404 unknown). */
  profileTools(profile: string): Promise<ProfileTools>;
  /**
   * A pick among the tools a pick showed: of `shown` (the keys `backend/tool` the pick listed, from
   * profileTools), the profile shows `tools` and hides the rest, by writing `profiles.<name>.tools`
   * in the config file (applied at once). A tool not in `shown` (added while the pick was open)
   * keeps what the file gives it. 409 for `default` or an invalid file.
   */
  setProfileTools(profile: string, tools: string[], shown: string[]): Promise<void>;
  /** Turn the MCP endpoint off and on (the engine keeps its state; sessions survive). */
  setGatewayRunning(running: boolean): Promise<void>;
  queryAudit(query: AuditQuery): Promise<AuditPage>;
  auditStats(query: AuditStatsQuery): Promise<AuditStats>;
  connectInfo(): Promise<ConnectInfo>;
  /** Each client `switchyard connect` knows: installed, connected (and to which profile), last seen. */
  clients(): Promise<ClientSummary[]>;
  /** Points a client's user-level config at this Switchyard, as `switchyard connect CLIENT` does. */
  connectClient(id: ClientId): Promise<ClientSummary>;
  /** Takes out what connectClient put in, as `switchyard disconnect CLIENT` does. */
  disconnectClient(id: ClientId): Promise<ClientSummary>;
  /**
   * Tool integrity: every recorded change, oldest first — held ones awaiting review, rejected ones
   * (still held), and new or changed tools the policy let through whose scan found something.
   */
  listChanges(): Promise<PendingChange[]>;
  /** Approve (pin the new definition: listed again) or reject (stays held) a change. */
  decideChange(id: string, decision: ChangeDecision): Promise<PendingChange>;
  /**
   * Per profile (`default` first): the tools its client will see, its budget and the client's own
   * limit, whether search mode is on, what the budget cut and which names were shortened.
   */
  profiles(): Promise<ProfileReport[]>;
  // Backends from the dashboard: edits of the config file in place (backend-edit.ts). 404 unknown,
  // 409 duplicate, a container backend (its labels are its config) or no config file; 400 names the field.
  /** A config-file backend as the form shows it (header and env values masked). */
  backendConfig(name: string): Promise<BackendSpecView>;
  addBackend(spec: NewBackendSpec): Promise<void>;
  /** A masked header/env value left as it was keeps the stored value. */
  updateBackend(name: string, spec: BackendSpecInput): Promise<void>;
  removeBackend(name: string): Promise<void>;
  /** Connect, negotiate, list tools and close within the backend's timeout; never registers it. */
  testBackend(spec: NewBackendSpec): Promise<BackendTestResult>;
}
