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

export const CONFLICT_STRATEGIES = ['auto', 'prefix', 'priority', 'manual'] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

/** One capability of a backend as the gateway advertises it (or hides it). */
export interface CapabilityEntry {
  kind: CapabilityKind | 'resourceTemplate';
  /** The backend's own name (or URI / URI template). */
  originalName: string;
  /** What clients see; null when hidden (filtered out, lost a conflict, or unresolved). */
  advertisedAs: string | null;
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

/** A change the dashboard should apply; `snapshot` carries the whole current picture. */
export type ControlEvent = { type: 'snapshot'; snapshot: Snapshot } | { type: 'audit'; rows: AuditRow[] };

export interface ControlApi {
  snapshot(): Promise<Snapshot>;
  /** Pushes a fresh snapshot after every change (throttled) and new audit rows as they are written. */
  subscribe(listener: (event: ControlEvent) => void): () => void;
  backend(name: string): Promise<BackendDetail>;
  setBackendEnabled(name: string, enabled: boolean): Promise<void>;
  /**
   * The name the dashboard and the tray show for a backend (its advertised names and prefixes are
   * unchanged); `null` or blank goes back to the backend's own name. At most 64 characters.
   */
  setBackendDisplayName(name: string, displayName: string | null): Promise<void>;
  reconnectBackend(name: string): Promise<void>;
  /** Resolve a conflict (`id` is `kind:name`, as in Snapshot.conflicts), or undo with `null`. */
  resolveConflict(id: string, decision: Decision | null): Promise<void>;
  setStrategy(strategy: ConflictStrategy): Promise<void>;
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
}
