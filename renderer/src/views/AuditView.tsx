// What clients did: filters, charts, the virtualized history and one call's details.
import { EmptyState, Spinner } from '../components/controls.js';
import { activeFilterCount } from '../lib/audit-filter.js';
import { formatCount } from '../lib/format.js';
import { useAudit, useDashboard } from '../stores/hooks.js';
import { AuditCharts } from './AuditCharts.js';
import { AuditDetail } from './AuditDetail.js';
import { AuditFilters } from './AuditFilters.js';
import { AuditTable } from './AuditTable.js';

export function AuditView() {
  const { audit } = useDashboard();
  const total = useAudit((s) => s.total);
  const loading = useAudit((s) => s.loading);
  const error = useAudit((s) => s.error);
  const newRows = useAudit((s) => s.newRows);
  const atTop = useAudit((s) => s.atTop);
  const filtered = useAudit((s) => activeFilterCount(s.filter) > 0);

  return (
    <div className="audit-view">
      <div className="view-head">
        <h2 className="view-title">
          Audit history{' '}
          {total !== null ? (
            <span className="muted" aria-live="polite">
              ({formatCount(total)} {total === 1 ? 'request' : 'requests'})
            </span>
          ) : null}
        </h2>
        {loading ? <Spinner label="Loading the audit history" /> : null}
      </div>
      <AuditFilters />
      <AuditCharts />
      {error ? (
        <p className="form-error" role="alert">
          Could not load the audit history: {error}
        </p>
      ) : null}
      {newRows > 0 && !atTop ? (
        <button
          type="button"
          className="new-rows button button-small"
          onClick={() => void audit.getState().refresh()}
        >
          {newRows} new {newRows === 1 ? 'call' : 'calls'}: show
        </button>
      ) : null}
      {total === 0 ? (
        filtered ? (
          <EmptyState title="No requests match these filters">
            <button type="button" className="button" onClick={() => audit.getState().resetFilter()}>
              Reset filters
            </button>
          </EmptyState>
        ) : (
          <EmptyState title="No requests in this time range">
            <p>
              Every request a client sends through Switchyard is recorded here: who called which tool on which
              backend, how long it took and how it ended. Connect a client and call a tool to see it appear.
            </p>
          </EmptyState>
        )
      ) : total !== null ? (
        <AuditTable />
      ) : null}
      <AuditDetail />
    </div>
  );
}
