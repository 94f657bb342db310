// The charts above the audit table: calls per backend, error rate, latency percentiles, and the
// headline figures of the whole range.
import { useId, useMemo } from 'react';
import { Chart } from '../components/Chart.js';
import { Spinner } from '../components/controls.js';
import { callsPerBackend, errorRate, latency } from '../lib/chart-data.js';
import { formatCount, formatDuration, formatPercent } from '../lib/format.js';
import { formatBucket, RANGE_PRESETS } from '../lib/time-range.js';
import { useAudit, useDashboard, useUi } from '../stores/hooks.js';

export function AuditCharts() {
  const stats = useAudit((s) => s.stats);
  const loading = useAudit((s) => s.statsLoading);
  const error = useAudit((s) => s.statsError);
  const range = useAudit((s) => s.filter.range);
  const charts = useMemo(
    () =>
      stats ? { calls: callsPerBackend(stats), errors: errorRate(stats), latency: latency(stats) } : null,
    [stats],
  );
  const rangeLabel = RANGE_PRESETS.find((p) => p.id === range)?.label.toLowerCase() ?? '';
  const open = useUi((s) => s.chartsOpen);
  const { ui } = useDashboard();
  const gridId = useId();

  if (!stats || !charts) {
    return (
      <section className="charts charts-empty" aria-label="Charts">
        {error ? (
          <p className="form-error">Charts unavailable: {error}</p>
        ) : (
          <Spinner label="Loading charts" />
        )}
      </section>
    );
  }
  // The headline counts what a user means by calls: requests a backend served. Lists and
  // initialize (answered by the gateway itself) and refused requests would skew both the error
  // rate and the percentiles; refusals get their own figure, since they are a security signal.
  const { served, total, denied } = stats;
  return (
    <section className="charts" aria-label="Charts" aria-busy={loading}>
      <div className="charts-head">
        <dl className="stat-cards">
          <div title={`${formatCount(total.calls)} requests in all, lists and initialize included`}>
            <dt>Calls</dt>
            <dd>{formatCount(served.calls)}</dd>
          </div>
          <div className={served.errorRate > 0.05 ? 'stat-bad' : undefined}>
            <dt>Error rate</dt>
            <dd>{served.calls ? formatPercent(served.errorRate) : '–'}</dd>
          </div>
          <div>
            <dt>p50</dt>
            <dd>{served.calls ? formatDuration(served.p50) : '–'}</dd>
          </div>
          <div>
            <dt>p95</dt>
            <dd>{served.calls ? formatDuration(served.p95) : '–'}</dd>
          </div>
          <div>
            <dt>p99</dt>
            <dd>{served.calls ? formatDuration(served.p99) : '–'}</dd>
          </div>
          <div
            className={denied > 0 ? 'stat-bad' : undefined}
            title="Requests refused for a wrong Host, Origin or token (outcome: denied)"
          >
            <dt>Denied</dt>
            <dd>{formatCount(denied)}</dd>
          </div>
          <div className="stat-note">
            <dt>Bucket</dt>
            <dd>{formatBucket(stats.bucketMs)}</dd>
          </div>
        </dl>
        <button
          type="button"
          className="button button-small button-ghost"
          aria-expanded={open}
          aria-controls={gridId}
          onClick={() => ui.getState().setChartsOpen(!open)}
        >
          {open ? 'Hide charts' : 'Show charts'}
        </button>
      </div>
      {open ? (
        <div className="chart-grid" id={gridId}>
          <Chart
            title="Calls per backend"
            unit="count"
            data={charts.calls}
            summary={`${total.calls} requests ${rangeLabel}, ${served.calls} of them calls backends served, ${charts.calls.series.length} series`}
          />
          <Chart
            title="Error rate"
            unit="ratio"
            data={charts.errors}
            summary={`Error rate ${formatPercent(served.errorRate)} (${served.errors} errors in ${served.calls} calls)`}
          />
          <Chart
            title={charts.latency.perBackend ? 'Latency p95 per backend' : 'Latency p50 / p95 / p99'}
            unit="ms"
            data={charts.latency}
            summary={`Latency p50 ${formatDuration(served.p50)}, p95 ${formatDuration(served.p95)}, p99 ${formatDuration(served.p99)}`}
          />
        </div>
      ) : null}
    </section>
  );
}
