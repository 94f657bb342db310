// The control-API contract the dashboard is built against, re-exported for the renderer.
// Types only: renderer/ may see core/ through `import type` and nothing else.
export type {
  BackendDetail,
  CapabilityEntry,
  ConflictStrategy,
  ConnectInfo,
  ControlApi,
  ControlEvent,
} from '../../core/control/api.js';
export type { GatewayState, SessionSummary, Snapshot } from '../../core/control/snapshot.js';
export type { Conflict, ConflictCandidate, Decision } from '../../core/domain/conflict.js';
export type {
  AuditFilter,
  AuditLatency,
  AuditPage,
  AuditQuery,
  AuditRow,
  AuditStats,
  AuditStatsBucket,
  AuditStatsQuery,
} from '../../core/domain/audit-query.js';
export type { AuditOutcome } from '../../core/domain/audit.js';
export type { BackendSource, BackendState, BackendStatus, TransportKind } from '../../core/domain/backend.js';
export type { CapabilityKind, JsonObject } from '../../core/domain/capability.js';
export type { ChangeDecision, Finding, FindingSeverity, PendingChange } from '../../core/domain/integrity.js';
export type { SourceStatus } from '../../core/domain/source-status.js';

import type { AuditOutcome } from '../../core/domain/audit.js';

/** Mirrors AUDIT_OUTCOMES in core/domain/audit-query.ts (a value, so it cannot be imported here). */
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = [
  'ok',
  'tool_error',
  'protocol_error',
  'denied',
  'timeout',
  'backend_down',
  'cancelled',
];

/** Mirrors NON_ERROR_OUTCOMES in core/domain/audit-query.ts. */
export const NON_ERROR_OUTCOMES: readonly AuditOutcome[] = ['ok', 'cancelled'];

/** Advertised tool and prompt names (what Claude Desktop accepts). */
export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
