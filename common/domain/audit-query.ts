// Reading the audit trail back: the filters, pages and chart statistics the dashboard and
// `switchyard audit` use. The store's port (AuditQueryApi) is in core/domain/audit-query.ts.
import type { AuditEvent, AuditOutcome } from './audit.js';

export const AUDIT_OUTCOMES = [
  'ok',
  'tool_error',
  'protocol_error',
  'denied',
  'timeout',
  'backend_down',
  'cancelled',
] as const satisfies readonly AuditOutcome[];

// Fails to compile when AuditOutcome gains a member the list above does not have.
type MissingOutcome = Exclude<AuditOutcome, (typeof AUDIT_OUTCOMES)[number]>;
const outcomesComplete: [MissingOutcome] extends [never] ? true : never = true;
void outcomesComplete;

export function isAuditOutcome(value: string): value is AuditOutcome {
  return (AUDIT_OUTCOMES as readonly string[]).includes(value);
}

/** Outcomes that do not count as errors in statistics (a cancelled call is the client's choice). */
export const NON_ERROR_OUTCOMES: readonly AuditOutcome[] = ['ok', 'cancelled'];

export function isErrorOutcome(outcome: AuditOutcome): boolean {
  return !NON_ERROR_OUTCOMES.includes(outcome);
}

/** One stored audit row. Payloads are the stored JSON text: redacted, and possibly cut short. */
export interface AuditRow extends Omit<AuditEvent, 'requestPayload' | 'responsePayload'> {
  id: number;
  requestPayload?: string;
  responsePayload?: string;
}

/** Every field narrows the result; lists match any of their values. */
export interface AuditFilter {
  /** Inclusive, epoch milliseconds. */
  from?: number;
  /** Exclusive, epoch milliseconds. */
  to?: number;
  backend?: string | readonly string[];
  /** Advertised tool/prompt name or resource URI (exact). */
  name?: string | readonly string[];
  outcome?: AuditOutcome | readonly AuditOutcome[];
  method?: string | readonly string[];
  sessionId?: string;
  /** Client name (exact). */
  client?: string;
  /** Case-insensitive substring of the advertised name (what the dashboard's Tool field types). */
  nameContains?: string;
  /** Case-insensitive substring of the client name. */
  clientContains?: string;
  /** Case-insensitive substring of method, names, backend, client, session, error message or payloads. */
  text?: string;
}

export interface AuditQuery extends AuditFilter {
  /** Rows per page: default 100, at most 1,000. */
  limit?: number;
  /** From a previous page's `nextCursor`; takes precedence over `offset`. */
  cursor?: string;
  offset?: number;
}

export interface AuditPage {
  /** Newest first. */
  rows: AuditRow[];
  /** Rows matching the filter, over all pages. */
  total: number;
  /** Present when there may be more rows. */
  nextCursor?: string;
}

export interface AuditStatsQuery extends AuditFilter {
  from: number;
  to: number;
  bucketMs: number;
}

export interface AuditLatency {
  calls: number;
  errors: number;
  /** errors / calls (0 when there are no calls). */
  errorRate: number;
  /** Milliseconds (nearest rank). */
  p50: number;
  p95: number;
  p99: number;
}

export interface AuditStatsBucket extends AuditLatency {
  /** Start of the bucket: from + k * bucketMs. */
  start: number;
  /** null for requests no backend served (initialize, lists, rejected requests). */
  backend: string | null;
}

export interface AuditStats {
  from: number;
  to: number;
  bucketMs: number;
  /** Only non-empty (bucket, backend) pairs, by start then backend. */
  buckets: AuditStatsBucket[];
  /** Per bucket, every call a backend served, all backends together (lists and rejected requests left out), by start. */
  totals?: (AuditLatency & { start: number })[];
  /** The whole range per backend. */
  backends: (AuditLatency & { backend: string | null })[];
  /** The whole range, every request (lists, initialize and rejected requests too). */
  total: AuditLatency;
  /** The whole range, only the calls a backend served: the figures a user means by "calls". */
  served: AuditLatency;
  /** Requests refused before any MCP handling (wrong Host, Origin or token) in the range. */
  denied: number;
}
