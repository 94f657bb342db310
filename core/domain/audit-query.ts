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
