// Durations for the audit trail. They come from the monotonic clock at microsecond precision:
// a relayed call takes well under a millisecond, which Date.now() would record as 0 or 1 ms, and
// a wall-clock step (NTP, sleep) would skew it.

/** A start mark for `msSince`. */
export const mark = (): number => performance.now();

/** Milliseconds since `start` (a `mark()`), rounded to the microsecond. */
export const msSince = (start: number): number => Math.round((performance.now() - start) * 1000) / 1000;
