// Time ranges of the audit view and the bucket width of its charts.

export type RangePreset = '15m' | '1h' | '6h' | '24h' | '7d' | '30d' | 'all' | 'custom';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const RANGE_PRESETS: { id: RangePreset; label: string; spanMs?: number }[] = [
  { id: '15m', label: 'Last 15 minutes', spanMs: 15 * MINUTE },
  { id: '1h', label: 'Last hour', spanMs: HOUR },
  { id: '6h', label: 'Last 6 hours', spanMs: 6 * HOUR },
  { id: '24h', label: 'Last 24 hours', spanMs: DAY },
  { id: '7d', label: 'Last 7 days', spanMs: 7 * DAY },
  { id: '30d', label: 'Last 30 days', spanMs: 30 * DAY },
  { id: 'all', label: 'All time' },
  { id: 'custom', label: 'Custom range' },
];

/** Bucket widths a chart may use, smallest first. */
export const BUCKETS = [
  1000,
  5000,
  10_000,
  30_000,
  MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  7 * DAY,
];

/** The smallest bucket that cuts `spanMs` into at most `maxBuckets` pieces. */
export function pickBucket(spanMs: number, maxBuckets = 90): number {
  for (const bucket of BUCKETS) if (spanMs / bucket <= maxBuckets) return bucket;
  return Math.ceil(spanMs / maxBuckets);
}

export interface ResolvedRange {
  /** Inclusive; undefined = from the beginning. */
  from?: number;
  /** Exclusive; undefined = up to now. */
  to?: number;
}

/** The range a preset means at `now` (custom: the given bounds). */
export function resolveRange(
  preset: RangePreset,
  now: number,
  custom: { from?: number | undefined; to?: number | undefined } = {},
): ResolvedRange {
  if (preset === 'custom') {
    return {
      ...(custom.from !== undefined ? { from: custom.from } : {}),
      ...(custom.to !== undefined ? { to: custom.to } : {}),
    };
  }
  const span = RANGE_PRESETS.find((p) => p.id === preset)?.spanMs;
  return span ? { from: now - span } : {};
}

/** Chart bounds for a range: open ends become "30 days ago" and "now"; start aligned to the bucket. */
export function chartWindow(
  range: ResolvedRange,
  now: number,
): { from: number; to: number; bucketMs: number } {
  const to = range.to ?? now + 1;
  const rawFrom = range.from ?? to - 30 * DAY;
  const bucketMs = pickBucket(Math.max(1, to - rawFrom));
  const from = Math.floor(rawFrom / bucketMs) * bucketMs;
  return { from, to, bucketMs };
}

export function formatBucket(ms: number): string {
  if (ms % DAY === 0) return `${ms / DAY} d`;
  if (ms % HOUR === 0) return `${ms / HOUR} h`;
  if (ms % MINUTE === 0) return `${ms / MINUTE} min`;
  return `${ms / 1000} s`;
}
