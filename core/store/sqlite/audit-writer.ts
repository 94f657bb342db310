// The audit trail's writer. The gateway calls record() on the request path; it only appends the
// event to an in-memory buffer. The buffer is handed to the writer thread (audit-worker.ts, started
// with the first batch so that starting a thread is not startup work; its
// own SQLite connection) as one batch
//   - `flushIntervalMs` (default 250 ms) after the first event buffered since the last batch, but
//     never sooner than `minBatchGapMs` (default 1 s) after the previous batch, or
//   - on the next turn of the event loop once it holds `maxBatchRows` (default 1,000) events,
//   - and by flush() and close(), which the engine awaits on shutdown;
// and the thread writes each batch in one transaction. On the event loop this costs only turning
// each event into a row of plain values (payloads redacted and capped, so they stay small) and
// posting the batch; SQLite's work happens on the other thread. `thread: false` writes on the
// calling thread instead (same batches, same SQL), and is what the writer falls back to if the
// thread dies.
//
// Why a gap between batches: every batch wakes the writer thread and runs a hand-over on the event
// loop, and both cost less per row in bigger batches. Measured through the gateway at one call at a
// time: four batches a second cost 2.4–2.9 µs per row on the event loop and 7.6 µs on the writer
// thread; one a second, 1.2–1.7 and 5.6–7.2 µs (docs/decisions.md, "third pass"). A lone call's
// row is still written 250 ms later, so the dashboard stays live; under load the batches are
// simply bigger.
//
// Batch window — what a crash (SIGKILL) can lose: the rows not yet committed. That is the
// events recorded since the last batch (at most `minBatchGapMs`, or `flushIntervalMs` if that is
// longer), plus those of the one batch the thread is writing (at most one batch is in flight; a
// batch takes milliseconds to tens of milliseconds), plus — only right after start — those
// recorded before the thread has opened the database (`ready()`). In time: about minBatchGapMs +
// one batch's write time, ≈ 1.1 s (the durability test allows a second more on a busy machine).
// In rows: what the gateway records in that time; never more than
// `maxBufferRows` (default 20,000) — beyond that many unwritten rows new events are dropped and
// counted in stats.dropped, which also covers a database that cannot be written (busy, disk
// full: batches are kept and retried).
// Committed rows survive a process crash (WAL). The audit connections use synchronous=NORMAL, so a
// power loss can also lose the batches committed since the last checkpoint (see database.ts).
//
// Retention: prune() deletes rows older than `retentionDays`, then the oldest beyond `maxRows`
// (default 1,000,000), in short transactions. It runs shortly after start and every
// `pruneIntervalMs` (default 1 h).
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { AuditEvent } from '../../../common/domain/audit.js';
import type { AuditSink } from '../../domain/audit.js';
import type { Clock, Logger } from '../../domain/runtime.js';
import { systemClock } from '../../domain/runtime.js';
import { silentLogger } from '../../support/logger.js';
import {
  AuditSql,
  toAuditParams,
  type AuditParams,
  type InsertResult,
  type PayloadOptions,
  type RetentionOptions,
} from './audit-sql.js';
import type { AuditWorkerData, FromAuditWorker, ToAuditWorker } from './audit-worker.js';
import { normalizeKey } from './redact.js';

export interface AuditWriterOptions {
  /** Store request/response payloads (redacted, capped). Default false. */
  recordPayloads?: boolean;
  /** Cap per stored payload, in bytes of UTF-8. Default 4096. */
  maxPayloadBytes?: number;
  /** Rows older than this are deleted. Default 30. */
  retentionDays?: number;
  /** At most this many rows are kept; the oldest go first. Default 1,000,000. */
  maxRows?: number;
  /** How long the first event after a batch waits for others to join it. Default 250 ms. */
  flushIntervalMs?: number;
  /**
   * Batches are handed over at least this far apart (a full batch, flush() and close() excepted):
   * fewer wake-ups of the writer thread under load. Default 1,000 ms.
   */
  minBatchGapMs?: number;
  /** Default 1,000. */
  maxBatchRows?: number;
  /** At most this many rows wait unwritten (in memory); newer events are dropped. Default 20,000. */
  maxBufferRows?: number;
  /** How often prune() runs by itself; 0 turns automatic pruning off. Default 1 h. */
  pruneIntervalMs?: number;
  /** Rows deleted per transaction while pruning. Default 5,000. */
  pruneChunkRows?: number;
  /** How long a batch the database refused waits before it is tried again. Default 1 s. */
  retryMs?: number;
  /** More key fragments to redact, besides the built-in ones (see redact.ts). */
  redactKeys?: readonly string[];
  /** Write on a worker thread (default true) or on the calling thread. */
  thread?: boolean;
  busyTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface AuditWriterStats {
  /** Recorded, not yet handed to the database writer. */
  buffered: number;
  /** Handed over, not yet committed. */
  pending: number;
  written: number;
  /** Events not stored: over maxBufferRows, recorded after close, refused by SQLite, or lost at close. */
  dropped: number;
  /** Batches the database refused at first (retried). */
  failedFlushes: number;
  /** Where rows are written. */
  mode: 'thread' | 'inline';
}

export const AUDIT_DEFAULTS = {
  maxPayloadBytes: 4096,
  retentionDays: 30,
  maxRows: 1_000_000,
  flushIntervalMs: 250,
  minBatchGapMs: 1000,
  maxBatchRows: 1000,
  maxBufferRows: 20_000,
  pruneIntervalMs: 3_600_000,
  pruneChunkRows: 5000,
  retryMs: 1000,
} as const;

/** What a sink reports back to the writer. */
interface SinkEvents {
  written(rows: number, refused: number, refusal: string | undefined): void;
  failed(error: string): void;
  lost(rows: number, reason?: string): void;
  /** The writer thread ended unexpectedly; these batches were not confirmed written. */
  died(error: string, unconfirmed: AuditParams[][]): void;
}

/** Where batches go: the writer thread, or SQLite on this thread. */
interface Sink {
  readonly mode: 'thread' | 'inline';
  /** Rows handed over and not yet committed. */
  readonly pending: number;
  /** Resolves once rows can be written (the thread has started). */
  ready(): Promise<void>;
  write(rows: AuditParams[]): void;
  /** Resolves once every batch handed over has been committed or has failed once (and waits for a retry). */
  settled(): Promise<void>;
  prune(now: number, options: RetentionOptions): Promise<number>;
  /** Makes a last attempt to write what is pending; reports the rest as lost. */
  close(): Promise<void>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const CLOSE_TIMEOUT_MS = 15_000;
const count = (batches: Iterable<AuditParams[]>) => {
  let n = 0;
  for (const rows of batches) n += rows.length;
  return n;
};

class InlineSink implements Sink {
  readonly mode = 'inline';
  pending = 0;
  private queue: AuditParams[][] = [];
  private retry: NodeJS.Timeout | undefined;
  private draining = false;
  private closed = false;
  private readonly sql: AuditSql;

  constructor(
    db: Database.Database,
    private readonly retryMs: number,
    private readonly events: SinkEvents,
  ) {
    this.sql = new AuditSql(db);
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  write(rows: AuditParams[]): void {
    this.queue.push(rows);
    this.pending += rows.length;
    if (!this.retry && !this.draining) this.drain();
  }

  settled(): Promise<void> {
    return Promise.resolve();
  }

  async prune(now: number, options: RetentionOptions): Promise<number> {
    let deleted = 0;
    for (const chunk of this.sql.prune(now, options)) {
      deleted += chunk;
      if (this.closed) break;
      await nextTurn();
    }
    return deleted;
  }

  close(): Promise<void> {
    this.closed = true;
    this.drain(); // a last attempt
    if (this.pending) this.events.lost(this.pending);
    this.queue = [];
    this.pending = 0;
    return Promise.resolve();
  }

  /** Writes queued batches in order; stops at the first the database refuses and tries again later. */
  private drain(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    this.draining = true;
    try {
      while (this.queue.length) {
        const rows = this.queue[0]!;
        let result: InsertResult;
        try {
          result = this.sql.insert(rows);
        } catch (error) {
          this.events.failed(String(error));
          if (!this.closed) {
            this.retry = setTimeout(() => this.drain(), this.retryMs);
            this.retry.unref();
          }
          return;
        }
        this.queue.shift();
        this.pending -= rows.length;
        // May hand over the next batch: it is queued, and written by this loop.
        this.events.written(result.written, result.refused, result.refusal);
      }
    } finally {
      this.draining = false;
    }
  }
}

/** Starts audit-worker in a thread: the compiled .js, or the .ts source through tsx (tests, `npm run` from source). */
function startWorker(data: AuditWorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./audit-worker.js', here), { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./audit-worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

class ThreadSink implements Sink {
  readonly mode = 'thread';
  pending = 0;
  /** Started with the first batch (or ready()/prune): a thread's start is not startup work. */
  private worker: Worker | undefined;
  private nextId = 1;
  /** Batches handed over and not confirmed; `settled` once written or reported failing. */
  private readonly batches = new Map<number, { rows: AuditParams[]; settled: boolean }>();
  private waiters: (() => void)[] = [];
  private readonly prunes = new Map<number, (deleted: number) => void>();
  private onClosed: (() => void) | undefined;
  private ended = false;
  private closing = false;
  private readonly started: Promise<void>;
  private markStarted!: () => void;

  constructor(
    private readonly data: AuditWorkerData,
    private readonly events: SinkEvents,
  ) {
    this.started = new Promise((resolve) => (this.markStarted = resolve));
  }

  private thread(): Worker | undefined {
    if (this.worker || this.ended) return this.worker;
    let worker: Worker;
    try {
      worker = startWorker(this.data);
    } catch (error) {
      this.exited(`could not start the audit writer thread: ${String(error)}`);
      return undefined;
    }
    this.worker = worker;
    worker.unref(); // a forgotten close() must not keep the process alive
    worker.on('message', (message: FromAuditWorker) => this.receive(message));
    let failure = 'the audit writer thread exited';
    worker.on('error', (error) => (failure = `the audit writer thread failed: ${String(error)}`));
    worker.on('exit', () => this.exited(failure));
    return worker;
  }

  ready(): Promise<void> {
    this.thread();
    return this.started;
  }

  write(rows: AuditParams[]): void {
    const id = this.nextId++;
    this.batches.set(id, { rows, settled: false });
    this.pending += rows.length;
    this.post({ type: 'rows', id, rows });
  }

  settled(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  prune(now: number, options: RetentionOptions): Promise<number> {
    if (this.ended) return Promise.resolve(0);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.prunes.set(id, resolve);
      this.post({ type: 'prune', id, now, options });
    });
  }

  close(): Promise<void> {
    if (this.ended) return Promise.resolve();
    const worker = this.worker;
    if (!worker) {
      // Never started: nothing was handed over, nothing to wait for.
      this.ended = true;
      this.markStarted();
      return Promise.resolve();
    }
    this.closing = true;
    worker.ref(); // keep the process alive until the last rows are written
    return new Promise((resolve) => {
      this.onClosed = resolve;
      this.post({ type: 'close' });
      // A last attempt can wait busy_timeout; a thread that does not answer at all is ended.
      setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS).unref();
    });
  }

  private post(message: ToAuditWorker): void {
    this.thread()?.postMessage(message);
  }

  private forget(id: number): void {
    const batch = this.batches.get(id);
    if (!batch) return;
    this.batches.delete(id);
    this.pending -= batch.rows.length;
  }

  private isSettled(): boolean {
    for (const batch of this.batches.values()) if (!batch.settled) return false;
    return true;
  }

  private wake(): void {
    if (!this.isSettled()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private receive(message: FromAuditWorker): void {
    switch (message.type) {
      case 'ready':
        this.markStarted();
        break;
      case 'written':
        this.forget(message.id);
        this.events.written(message.written, message.refused, message.refusal);
        break;
      case 'retrying': {
        const batch = this.batches.get(message.id);
        if (batch) batch.settled = true;
        this.events.failed(message.error);
        break;
      }
      case 'pruned':
        if (message.error) this.events.failed(`retention: ${message.error}`);
        this.prunes.get(message.id)?.(message.deleted);
        this.prunes.delete(message.id);
        break;
      case 'closed':
        if (message.lost) this.events.lost(message.lost);
        this.batches.clear();
        this.pending = 0;
        break;
    }
    this.wake();
  }

  private exited(failure: string): void {
    this.ended = true;
    const unconfirmed = [...this.batches.values()].map((b) => b.rows);
    this.batches.clear();
    this.pending = 0;
    if (!this.closing) this.events.died(failure, unconfirmed);
    else if (unconfirmed.length) this.events.lost(count(unconfirmed), failure);
    for (const resolve of this.prunes.values()) resolve(0);
    this.prunes.clear();
    this.wake();
    this.markStarted();
    this.onClosed?.();
  }
}

export class AuditWriter implements AuditSink {
  readonly wantsPayloads: boolean;
  private buffer: AuditEvent[] = [];
  /** A batch is due (interval passed or batch full) but waits for the one in flight. */
  private due = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private pruneTimers: NodeJS.Timeout[] = [];
  private pruning: Promise<number> | undefined;
  private closing: Promise<void> | undefined;
  private sink: Sink;
  private readonly counters = { written: 0, dropped: 0, failedFlushes: 0 };
  private readonly payloads: PayloadOptions;
  private readonly retention: RetentionOptions;
  /** When the last batch was handed over (performance.now()); -Infinity before the first. */
  private lastHandOver = -Infinity;
  private readonly o: {
    flushIntervalMs: number;
    minBatchGapMs: number;
    maxBatchRows: number;
    maxBufferRows: number;
    retryMs: number;
  };
  private readonly clock: Clock;
  private readonly logger: Logger;

  /** `db` is the connection to write through when not on a thread (and if the thread dies). */
  constructor(
    private readonly db: Database.Database,
    options: AuditWriterOptions = {},
  ) {
    this.wantsPayloads = options.recordPayloads ?? false;
    this.payloads = {
      record: this.wantsPayloads,
      maxBytes: options.maxPayloadBytes ?? AUDIT_DEFAULTS.maxPayloadBytes,
      redactKeys: (options.redactKeys ?? []).map(normalizeKey).filter(Boolean),
    };
    this.retention = {
      retentionDays: options.retentionDays ?? AUDIT_DEFAULTS.retentionDays,
      maxRows: options.maxRows ?? AUDIT_DEFAULTS.maxRows,
      chunkRows: options.pruneChunkRows ?? AUDIT_DEFAULTS.pruneChunkRows,
    };
    this.o = {
      flushIntervalMs: options.flushIntervalMs ?? AUDIT_DEFAULTS.flushIntervalMs,
      minBatchGapMs: options.minBatchGapMs ?? AUDIT_DEFAULTS.minBatchGapMs,
      maxBatchRows: options.maxBatchRows ?? AUDIT_DEFAULTS.maxBatchRows,
      maxBufferRows: options.maxBufferRows ?? AUDIT_DEFAULTS.maxBufferRows,
      retryMs: options.retryMs ?? AUDIT_DEFAULTS.retryMs,
    };
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.sink = (options.thread ?? true) ? this.startThread(options.busyTimeoutMs) : this.inline();
    const pruneIntervalMs = options.pruneIntervalMs ?? AUDIT_DEFAULTS.pruneIntervalMs;
    if (pruneIntervalMs > 0) {
      const run = () => void this.prune();
      // Once soon after start (out of the way of startup work), then every interval.
      this.pruneTimers = [setTimeout(run, 1000), setInterval(run, pruneIntervalMs)];
      for (const timer of this.pruneTimers) timer.unref();
    }
  }

  get stats(): AuditWriterStats {
    return {
      buffered: this.buffer.length,
      pending: this.sink.pending,
      ...this.counters,
      mode: this.sink.mode,
    };
  }

  /** Takes ownership of the event (it must not be changed afterwards). Never blocks. */
  record(event: AuditEvent): void {
    if (this.closing || this.buffer.length + this.sink.pending >= this.o.maxBufferRows) {
      this.counters.dropped++;
      return;
    }
    this.buffer.push(event);
    if (this.buffer.length >= this.o.maxBatchRows) {
      this.immediate ??= setImmediate(() => this.batchDue());
    } else if (!this.timer && !this.due) {
      // Runs once per batch (the first event after a hand-over), not per event.
      const wait = Math.max(
        this.o.flushIntervalMs,
        this.lastHandOver + this.o.minBatchGapMs - performance.now(),
      );
      this.timer = setTimeout(() => this.batchDue(), wait);
      this.timer.unref();
    }
  }

  /**
   * Resolves once the writer can write: its thread has opened the database (events recorded
   * before that simply wait). Awaiting it is optional.
   */
  ready(): Promise<void> {
    return this.sink.ready(); // a thread that dies while starting resolves it too (writing falls back)
  }

  /** Hands over everything buffered now and resolves once it is committed (or failing, for a retry). */
  async flush(): Promise<void> {
    this.handOver();
    await this.sink.settled();
  }

  /**
   * Deletes rows older than retentionDays, then the oldest beyond maxRows, a chunk per
   * transaction. Returns the rows deleted.
   */
  prune(now = this.clock.now()): Promise<number> {
    this.pruning ??= this.sink
      .prune(now, this.retention)
      .catch((error: unknown) => {
        this.logger.warn('audit retention failed; will try again later', { error: String(error) });
        return 0;
      })
      .finally(() => {
        this.pruning = undefined;
      });
    return this.pruning;
  }

  /** Writes what is buffered, stops the timers and the writer thread. The connection stays open. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.pruneTimers) clearTimeout(timer);
      this.handOver();
      await this.sink.close(); // also stops a prune under way after its current chunk
      await this.pruning;
    })();
    return this.closing;
  }

  private readonly sinkEvents: SinkEvents = {
    written: (rows, refused, refusal) => {
      this.counters.written += rows;
      if (refused) {
        this.counters.dropped += refused;
        this.logger.warn('audit rows refused by the database; dropped', { rows: refused, error: refusal });
      }
      if (this.due) this.handOver();
    },
    failed: (error) => {
      this.counters.failedFlushes++;
      this.logger.warn('could not write audit rows; will retry', { error });
    },
    lost: (rows, reason) => {
      this.counters.dropped += rows;
      this.logger.error('audit rows lost: the database could not be written', { rows, reason });
    },
    died: (error, unconfirmed) => {
      this.logger.error('audit writer thread ended; writing on the main thread from now on', { error });
      this.sink = this.inline();
      for (const rows of unconfirmed) this.sink.write(rows);
      if (this.buffer.length) this.handOver();
    },
  };

  private startThread(busyTimeoutMs: number | undefined): Sink {
    try {
      return new ThreadSink(
        {
          file: this.db.name,
          retryMs: this.o.retryMs,
          ...(busyTimeoutMs !== undefined ? { busyTimeoutMs } : {}),
        },
        this.sinkEvents,
      );
    } catch (error) {
      this.logger.error('could not start the audit writer thread; writing on the main thread', {
        error: String(error),
      });
      return this.inline();
    }
  }

  private inline(): Sink {
    return new InlineSink(this.db, this.o.retryMs, this.sinkEvents);
  }

  /** The interval passed or the batch is full: hand over now, or once the batch in flight is written. */
  private batchDue(): void {
    this.due = true;
    if (this.sink.pending === 0 || this.closing) this.handOver();
  }

  private handOver(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    this.due = false;
    if (this.buffer.length === 0) return;
    this.lastHandOver = performance.now();
    const events = this.buffer;
    this.buffer = [];
    const now = this.clock.now();
    const rows = events.map((event) => toAuditParams(event, this.payloads, now));
    this.sink.write(rows);
  }
}
