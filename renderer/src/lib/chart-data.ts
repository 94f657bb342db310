// Audit statistics → chart series (uPlot's aligned arrays). Pure.
import type { AuditStats, AuditStatsBucket } from '../contract.js';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

export interface ChartData {
  /** Bucket starts in seconds (uPlot's time scale). */
  x: number[];
  series: ChartSeries[];
}

export const backendLabel = (backend: string | null): string => backend ?? 'no backend (lists, initialize…)';

/** Every bucket start in the window, also the empty ones (ms). */
export function bucketStarts(stats: Pick<AuditStats, 'from' | 'to' | 'bucketMs'>): number[] {
  const starts: number[] = [];
  for (let t = stats.from; t < stats.to; t += stats.bucketMs) starts.push(t);
  return starts;
}

function indexOfBucket(stats: AuditStats, bucket: Pick<AuditStatsBucket, 'start'>): number {
  return Math.round((bucket.start - stats.from) / stats.bucketMs);
}

/** Calls per bucket, one series per backend (busiest first); empty buckets are 0. */
export function callsPerBackend(stats: AuditStats): ChartData {
  const starts = bucketStarts(stats);
  const order = [...stats.backends].sort((a, b) => b.calls - a.calls).map((b) => b.backend);
  const rows = new Map(order.map((b) => [b, starts.map(() => 0)]));
  for (const bucket of stats.buckets) {
    const row = rows.get(bucket.backend);
    const i = indexOfBucket(stats, bucket);
    if (row && i >= 0 && i < row.length) row[i]! += bucket.calls;
  }
  return {
    x: starts.map((t) => t / 1000),
    series: order.map((b) => ({ label: backendLabel(b), values: rows.get(b)! })),
  };
}

/**
 * Error rate per bucket over the calls backends served (null where there were none): lists and
 * refused requests are not calls. From an engine without per-bucket totals: over every request.
 */
export function errorRate(stats: AuditStats): ChartData {
  const starts = bucketStarts(stats);
  const calls = starts.map(() => 0);
  const errors = starts.map(() => 0);
  for (const bucket of stats.totals ?? stats.buckets) {
    const i = indexOfBucket(stats, bucket);
    if (i < 0 || i >= starts.length) continue;
    calls[i]! += bucket.calls;
    errors[i]! += bucket.errors;
  }
  return {
    x: starts.map((t) => t / 1000),
    series: [{ label: 'error rate', values: calls.map((n, i) => (n ? errors[i]! / n : null)) }],
  };
}

/**
 * Latency over time: p50, p95 and p99 of the calls backends served, all backends together (the
 * engine computes them per bucket from the raw durations). From an engine without per-bucket
 * totals: one backend's percentiles, or p95 per backend when there are several.
 */
export function latency(stats: AuditStats): ChartData & { perBackend: boolean } {
  const starts = bucketStarts(stats);
  const x = starts.map((t) => t / 1000);
  if (stats.totals) {
    const series = (['p50', 'p95', 'p99'] as const).map((key) => {
      const values = starts.map((): number | null => null);
      for (const bucket of stats.totals!) {
        const i = Math.floor((bucket.start - stats.from) / stats.bucketMs);
        if (i >= 0 && i < values.length) values[i] = bucket[key];
      }
      return { label: key, values };
    });
    return { x, perBackend: false, series };
  }
  const served = stats.backends.filter((b) => b.backend !== null);
  const backends = served.length ? served : stats.backends;
  if (backends.length <= 1) {
    const only = backends[0]?.backend ?? null;
    const p50 = starts.map((): number | null => null);
    const p95 = starts.map((): number | null => null);
    const p99 = starts.map((): number | null => null);
    for (const bucket of stats.buckets) {
      if (bucket.backend !== only) continue;
      const i = indexOfBucket(stats, bucket);
      if (i < 0 || i >= starts.length) continue;
      p50[i] = bucket.p50;
      p95[i] = bucket.p95;
      p99[i] = bucket.p99;
    }
    return {
      x,
      perBackend: false,
      series: [
        { label: 'p50', values: p50 },
        { label: 'p95', values: p95 },
        { label: 'p99', values: p99 },
      ],
    };
  }
  const order = [...backends].sort((a, b) => b.calls - a.calls).map((b) => b.backend);
  const rows = new Map(order.map((b) => [b, starts.map((): number | null => null)]));
  for (const bucket of stats.buckets) {
    const row = rows.get(bucket.backend);
    const i = indexOfBucket(stats, bucket);
    if (row && i >= 0 && i < row.length) row[i] = bucket.p95;
  }
  return {
    x,
    perBackend: true,
    series: order.map((b) => ({ label: `${backendLabel(b)} p95`, values: rows.get(b)! })),
  };
}
