// Requests the front door refused (bad Host, bad Origin, missing or wrong token) are counted per
// reason per minute instead of being written to the audit trail one row each: any web page can make
// a browser send thousands of them a second, and as rows they would push the real history out at the
// row cap. The counts live in memory and in one app-settings row (the last day, written at most
// once a minute), and are shown in the snapshot (`switchyard status`, the dashboard).
import type { AppSettingsStore } from '../domain/stores.js';
import type { Clock, Logger } from '../domain/runtime.js';
import { REFUSAL_REASONS, type RefusalReason, type RefusalSummary } from '../../common/domain/refusal.js';

export type { RefusalReason, RefusalSummary };

/** The app-settings key holding the counts. */
export const REFUSALS_KEY = 'refusals';
const MINUTE = 60_000;
/** Minutes kept: one day (at most 4 reasons × 1,440 minutes). */
const KEEP_MINUTES = 1440;

/** [minute number, reason, count] — compact, for the settings row. */
type Row = [number, RefusalReason, number];

export interface RefusalCounterOptions {
  clock: Clock;
  logger: Logger;
  /** Where the counts survive a restart; none: memory only. */
  settings?: AppSettingsStore;
  /** How often changed counts are written, ms (default one minute). */
  flushMs?: number;
}

export class RefusalCounter {
  /** minute → reason → count */
  private readonly minutes = new Map<number, Map<RefusalReason, number>>();
  private last: RefusalSummary['last'];
  private dirty = false;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RefusalCounterOptions) {
    const stored = options.settings?.get<{ rows?: Row[] }>(REFUSALS_KEY)?.rows ?? [];
    for (const [minute, reason, count] of stored) {
      if (REFUSAL_REASONS.includes(reason) && Number.isInteger(minute) && Number.isInteger(count))
        this.bucket(minute).set(reason, count);
    }
    if (options.settings) {
      this.timer = setInterval(() => this.flush(), options.flushMs ?? MINUTE);
      this.timer.unref();
    }
  }

  count(reason: RefusalReason): void {
    const now = this.options.clock.now();
    const minute = Math.floor(now / MINUTE);
    const bucket = this.bucket(minute);
    const before = bucket.get(reason) ?? 0;
    bucket.set(reason, before + 1);
    this.last = { at: now, reason };
    this.dirty = true;
    // One log line per reason per minute, not one per request.
    if (before === 0)
      this.options.logger.warn('refused requests', {
        reason,
        minute: new Date(minute * MINUTE).toISOString(),
      });
  }

  summary(): RefusalSummary {
    const minute = Math.floor(this.options.clock.now() / MINUTE);
    this.prune(minute);
    const zero = () =>
      Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0])) as Record<RefusalReason, number>;
    const lastHour = zero();
    const lastDay = zero();
    for (const [m, bucket] of this.minutes) {
      for (const [reason, count] of bucket) {
        lastDay[reason] += count;
        if (m > minute - 60) lastHour[reason] += count;
      }
    }
    return { lastHour, lastDay, ...(this.last ? { last: this.last } : {}) };
  }

  /** Writes the counts if they changed (called once a minute and on close). */
  flush(): void {
    if (!this.dirty || !this.options.settings) return;
    this.dirty = false;
    this.prune(Math.floor(this.options.clock.now() / MINUTE));
    const rows: Row[] = [];
    for (const [minute, bucket] of this.minutes)
      for (const [reason, count] of bucket) rows.push([minute, reason, count]);
    try {
      this.options.settings.set(REFUSALS_KEY, { rows }, this.options.clock.now());
    } catch (error) {
      this.options.logger.warn('could not save refusal counts', { error: String(error) });
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }

  private bucket(minute: number): Map<RefusalReason, number> {
    let bucket = this.minutes.get(minute);
    if (!bucket) {
      bucket = new Map();
      this.minutes.set(minute, bucket);
      this.prune(minute);
    }
    return bucket;
  }

  private prune(minute: number): void {
    for (const m of this.minutes.keys()) if (m <= minute - KEEP_MINUTES) this.minutes.delete(m);
  }
}
