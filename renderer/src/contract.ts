// The control-API contract the dashboard is built against: common/ (browser-safe, shared with core
// and electron), re-exported in one place for the renderer. Values come from there too: nothing is
// mirrored.
export type {
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
export type { GatewayState, SessionSummary, Snapshot } from '../../common/control/snapshot.js';
export type { Conflict, ConflictCandidate, Decision } from '../../common/domain/conflict.js';
export type { ClientId, ClientSummary } from '../../common/domain/client.js';
export { CLIENT_IDS } from '../../common/domain/client.js';
export type {
  AuditFilter,
  AuditLatency,
  AuditPage,
  AuditQuery,
  AuditRow,
  AuditStats,
  AuditStatsBucket,
  AuditStatsQuery,
} from '../../common/domain/audit-query.js';
export type { AuditOutcome } from '../../common/domain/audit.js';
export type {
  BackendSource,
  BackendState,
  BackendStatus,
  TransportKind,
} from '../../common/domain/backend.js';
export type { CapabilityKind, JsonObject } from '../../common/domain/capability.js';
export type {
  BackendLogEntry,
  BackendLogKind,
  BackendLogPage,
  BackendLogQuery,
} from '../../common/domain/backend-log.js';
export type {
  ChangeDecision,
  Finding,
  FindingSeverity,
  PendingChange,
} from '../../common/domain/integrity.js';
export type { SourceStatus } from '../../common/domain/source-status.js';
export type { ProfileReport } from '../../common/domain/profile.js';
export type { ProfileToolChoice, ProfileTools } from '../../common/domain/profile-tools.js';
export { AUDIT_OUTCOMES, NON_ERROR_OUTCOMES } from '../../common/domain/audit-query.js';
export { DISPLAY_NAME_MAX, NAME_PATTERN } from '../../common/control/limits.js';
