// Reading the audit trail back: the store's port, implemented over SQLite in
// core/store/sqlite/audit-query.ts. The query and result shapes are in common/domain/audit-query.ts.
import type {
  AuditFilter,
  AuditPage,
  AuditQuery,
  AuditRow,
  AuditStats,
  AuditStatsQuery,
} from '../../common/domain/audit-query.js';

export interface AuditQueryApi {
  query(query: AuditQuery): AuditPage;
  stats(query: AuditStatsQuery): AuditStats;
  /** Rows stored after `afterId`, oldest first (for following the trail). */
  tail(afterId: number, filter?: AuditFilter, limit?: number): AuditRow[];
  /** The newest row id (0 when empty). */
  lastId(): number;
}

/** A query that cannot be answered as asked (a malformed cursor): the caller's mistake, a 400. */
export class InvalidAuditQueryError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAuditQueryError';
  }
}

const CURSOR = /^(-?\d{1,16})\.(\d{1,16})$/;

/** A page cursor is "<time>.<id>", as `nextCursor` gives it; anything else is refused. */
export function encodeAuditCursor(row: { time: number; id: number }): string {
  return `${row.time}.${row.id}`;
}

export function decodeAuditCursor(cursor: string): { time: number; id: number } {
  const m = CURSOR.exec(cursor);
  if (!m) {
    throw new InvalidAuditQueryError(
      `invalid audit cursor ${JSON.stringify(cursor.slice(0, 40))}: pass a nextCursor from a previous page`,
    );
  }
  return { time: Number(m[1]), id: Number(m[2]) };
}
