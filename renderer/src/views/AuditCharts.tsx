// The charts above the audit table: calls per backend, error rate, latency percentiles, and the
// headline figures of the whole range.
import { useMemo } from 'react';
import { Chart } from '../components/Chart.js';
import { Spinner } from '../components/controls.js';
import { callsPerBackend, errorRate, latency } from '../lib/chart-data.js';
import { formatCount, formatDuration, formatPercent } from '../lib/format.js';
import { formatBucket, RANGE_PRESETS } from '../lib/time-range.js';
import { useAudit } from '../stores/hooks.js';

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
  const { total } = stats;
  return (
    <section className="charts" aria-label="Charts" aria-busy={loading}>
      <dl className="stat-cards">
        <div>
          <dt>Calls</dt>
          <dd>{formatCount(total.calls)}</dd>
        </div>
        <div className={total.errorRate > 0.05 ? 'stat-bad' : undefined}>
          <dt>Error rate</dt>
          <dd>{formatPercent(total.errorRate)}</dd>
        </div>
        <div>
          <dt>p50</dt>
          <dd>{total.calls ? formatDuration(total.p50) : '–'}</dd>
        </div>
        <div>
          <dt>p95</dt>
          <dd>{total.calls ? formatDuration(total.p95) : '–'}</dd>
        </div>
        <div>
          <dt>p99</dt>
          <dd>{total.calls ? formatDuration(total.p99) : '–'}</dd>
        </div>
        <div className="stat-note">
          <dt>Bucket</dt>
          <dd>{formatBucket(stats.bucketMs)}</dd>
        </div>
      </dl>
      <div className="chart-grid">
        <Chart
          title="Calls per backend"
          unit="count"
          data={charts.calls}
          summary={`${total.calls} calls ${rangeLabel}, ${charts.calls.series.length} backend(s)`}
        />
        <Chart
          title="Error rate"
          unit="ratio"
          data={charts.errors}
          summary={`Error rate ${formatPercent(total.errorRate)} (${total.errors} errors)`}
        />
        <Chart
          title={charts.latency.perBackend ? 'Latency p95 per backend' : 'Latency p50 / p95 / p99'}
          unit="ms"
          data={charts.latency}
          summary={`Latency p50 ${formatDuration(total.p50)}, p95 ${formatDuration(total.p95)}, p99 ${formatDuration(total.p99)}`}
        />
      </div>
    </section>
  );
}
