// Reading the audit trail: filtered pages (keyset-paged, newest first) and chart statistics.
// Every filter column has a (column, time) index (migration 2), and pages continue from a
// (time, id) cursor, so a page costs the same on the first screen and the thousandth.
import type Database from 'better-sqlite3';
import type { AuditOutcome } from '../../../common/domain/audit.js';
import {
  NON_ERROR_OUTCOMES,
  type AuditFilter,
  type AuditLatency,
  type AuditPage,
  type AuditQuery,
  type AuditRow,
  type AuditStats,
  type AuditStatsBucket,
  type AuditStatsQuery,
} from '../../../common/domain/audit-query.js';
import { decodeAuditCursor, encodeAuditCursor, type AuditQueryApi } from '../../domain/audit-query.js';

export const DEFAULT_PAGE_ROWS = 100;
export const MAX_PAGE_ROWS = 1000;
/** A stats request may ask for at most this many buckets. */
export const MAX_BUCKETS = 10_000;

interface AuditDbRow {
  id: number;
  time: number;
  session_id: string | null;
  client_name: string | null;
  client_version: string | null;
  era: string | null;
  method: string;
  name: string | null;
  backend: string | null;
  original_name: string | null;
  duration_ms: number;
  outcome: string;
  http_status: number | null;
  error_code: number | null;
  error_message: string | null;
  request_bytes: number;
  response_bytes: number;
  request_payload: string | null;
  response_payload: string | null;
}

type Param = string | number;

const TEXT_COLUMNS = [
  'method',
  'name',
  'original_name',
  'backend',
  'client_name',
  'session_id',
  'error_message',
  'request_payload',
  'response_payload',
];

function toRow(r: AuditDbRow): AuditRow {
  const row: AuditRow = {
    id: r.id,
    time: r.time,
    method: r.method,
    durationMs: r.duration_ms,
    outcome: r.outcome as AuditOutcome,
    requestBytes: r.request_bytes,
    responseBytes: r.response_bytes,
  };
  if (r.session_id !== null) row.sessionId = r.session_id;
  if (r.client_name !== null) row.clientName = r.client_name;
  if (r.client_version !== null) row.clientVersion = r.client_version;
  if (r.era !== null) row.era = r.era as 'legacy' | 'modern';
  if (r.name !== null) row.name = r.name;
  if (r.backend !== null) row.backend = r.backend;
  if (r.original_name !== null) row.originalName = r.original_name;
  if (r.http_status !== null) row.httpStatus = r.http_status;
  if (r.error_code !== null) row.errorCode = r.error_code;
  if (r.error_message !== null) row.errorMessage = r.error_message;
  if (r.request_payload !== null) row.requestPayload = r.request_payload;
  if (r.response_payload !== null) row.responsePayload = r.response_payload;
  return row;
}

/** The WHERE clause for a filter (always non-empty: "1" when nothing narrows). */
function whereOf(f: AuditFilter): { sql: string; params: Param[] } {
  const clauses: string[] = [];
  const params: Param[] = [];
  const oneOf = (column: string, value: string | readonly string[] | undefined) => {
    if (value === undefined) return;
    const values = typeof value === 'string' ? [value] : value;
    if (values.length === 0) return;
    clauses.push(
      values.length === 1 ? `${column} = ?` : `${column} IN (${values.map(() => '?').join(', ')})`,
    );
    params.push(...values);
  };
  if (f.from !== undefined) {
    clauses.push('time >= ?');
    params.push(f.from);
  }
  if (f.to !== undefined) {
    clauses.push('time < ?');
    params.push(f.to);
  }
  oneOf('backend', f.backend);
  oneOf('name', f.name);
  oneOf('outcome', f.outcome);
  oneOf('method', f.method);
  oneOf('session_id', f.sessionId);
  oneOf('client_name', f.client);
  const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  for (const [column, value] of [
    ['name', f.nameContains],
    ['client_name', f.clientContains],
  ] as const) {
    if (!value) continue;
    clauses.push(`${column} LIKE ? ESCAPE '\\'`);
    params.push(like(value));
  }
  if (f.text) {
    const pattern = like(f.text);
    clauses.push(`(${TEXT_COLUMNS.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    for (let i = 0; i < TEXT_COLUMNS.length; i++) params.push(pattern);
  }
  return { sql: clauses.length ? clauses.join(' AND ') : '1', params };
}

const encodeCursor = encodeAuditCursor;
const decodeCursor = decodeAuditCursor;

/** Summary of one group whose durations are `sorted[start, start + n)`, ascending. */
function latency(sorted: ArrayLike<number>, start: number, n: number, errors: number): AuditLatency {
  const rank = (p: number) => (n ? sorted[start + Math.max(0, Math.ceil((p / 100) * n) - 1)]! : 0);
  return { calls: n, errors, errorRate: n ? errors / n : 0, p50: rank(50), p95: rank(95), p99: rank(99) };
}

const byBackend = (a: string | null, b: string | null) =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;

/**
 * Buckets, per-backend and overall figures from each row's group key and duration. Rows come in
 * time order, so each bucket is one contiguous run of them.
 */
function summarize(
  from: number,
  bucketMs: number,
  backends: (string | null)[],
  keys: number[],
  durations: number[],
): Pick<AuditStats, 'buckets' | 'totals' | 'backends' | 'total' | 'served'> {
  const width = Math.max(1, backends.length);
  const rows = keys.length;
  const backendOf = new Int32Array(rows);
  const perBackend = backends.map(() => ({ n: 0, errors: 0 }));
  let errors = 0;
  for (let i = 0; i < rows; i++) {
    const b = (keys[i]! >> 1) % width;
    backendOf[i] = b;
    perBackend[b]!.n++;
    if (keys[i]! & 1) {
      perBackend[b]!.errors++;
      errors++;
    }
  }

  const nullIndex = backends.indexOf(null);
  const buckets: AuditStatsBucket[] = [];
  const totals: NonNullable<AuditStats['totals']> = [];
  const count = new Int32Array(width);
  const errs = new Int32Array(width);
  const scratch = new Float64Array(rows);
  for (let start = 0; start < rows;) {
    const bucket = Math.floor((keys[start]! >> 1) / width);
    let end = start;
    count.fill(0);
    errs.fill(0);
    while (end < rows && Math.floor((keys[end]! >> 1) / width) === bucket) {
      count[backendOf[end]!]!++;
      errs[backendOf[end]!]! += keys[end]! & 1;
      end++;
    }
    // Lay the run out backend after backend, then sort each backend's part.
    const next = new Int32Array(width);
    for (let b = 1; b < width; b++) next[b] = next[b - 1]! + count[b - 1]!;
    const first = Int32Array.from(next);
    for (let i = start; i < end; i++) scratch[start + next[backendOf[i]!]!++] = durations[i]!;
    let servedErrors = 0;
    for (let b = 0; b < width; b++) {
      if (b !== nullIndex) servedErrors += errs[b]!;
      if (!count[b]) continue;
      const part = scratch.subarray(start + first[b]!, start + first[b]! + count[b]!).sort();
      buckets.push({
        start: from + bucket * bucketMs,
        backend: backends[b] ?? null,
        ...latency(part, 0, count[b]!, errs[b]!),
      });
    }
    // Every backend together (percentiles cannot be merged from the per-backend ones); requests no
    // backend served (lists, rejected requests) would only drag the percentiles towards zero.
    const served: number[] = [];
    for (let i = start; i < end; i++) if (backendOf[i] !== nullIndex) served.push(durations[i]!);
    if (served.length > 0) {
      const sorted = Float64Array.from(served).sort();
      totals.push({ start: from + bucket * bucketMs, ...latency(sorted, 0, served.length, servedErrors) });
    }
    start = end;
  }

  const byBackendDurations = perBackend.map(({ n }) => new Float64Array(n));
  const filled = new Int32Array(width);
  for (let i = 0; i < rows; i++) byBackendDurations[backendOf[i]!]![filled[backendOf[i]!]!++] = durations[i]!;
  const servedDurations = new Float64Array(rows - (perBackend[nullIndex]?.n ?? 0));
  for (let i = 0, k = 0; i < rows; i++) if (backendOf[i] !== nullIndex) servedDurations[k++] = durations[i]!;
  const servedTotalErrors = errors - (perBackend[nullIndex]?.errors ?? 0);
  return {
    buckets,
    totals,
    backends: backends.map((backend, b) => ({
      backend,
      ...latency(byBackendDurations[b]!.sort(), 0, perBackend[b]!.n, perBackend[b]!.errors),
    })),
    total: latency(Float64Array.from(durations).sort(), 0, rows, errors),
    served: latency(servedDurations.sort(), 0, servedDurations.length, servedTotalErrors),
  };
}

export class SqliteAuditQuery implements AuditQueryApi {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  query(q: AuditQuery): AuditPage {
    const limit = Math.min(Math.max(1, Math.floor(q.limit ?? DEFAULT_PAGE_ROWS)), MAX_PAGE_ROWS);
    const where = whereOf(q);
    const total = (
      this.statement(`SELECT count(*) AS n FROM audit WHERE ${where.sql}`).get(...where.params) as {
        n: number;
      }
    ).n;
    let sql = `SELECT * FROM audit WHERE ${where.sql}`;
    const params = [...where.params];
    let offset = 0;
    if (q.cursor) {
      const after = decodeCursor(q.cursor);
      sql += ' AND (time, id) < (?, ?)';
      params.push(after.time, after.id);
    } else if (q.offset) {
      offset = Math.max(0, Math.floor(q.offset));
    }
    sql += ' ORDER BY time DESC, id DESC LIMIT ? OFFSET ?';
    params.push(limit + 1, offset);
    const found = (this.statement(sql).all(...params) as AuditDbRow[]).map(toRow);
    const more = found.length > limit;
    const rows = more ? found.slice(0, limit) : found;
    return { rows, total, ...(more ? { nextCursor: encodeCursor(rows[rows.length - 1]!) } : {}) };
  }

  tail(afterId: number, filter: AuditFilter = {}, limit = MAX_PAGE_ROWS): AuditRow[] {
    const where = whereOf(filter);
    const rows = this.statement(`SELECT * FROM audit WHERE id > ? AND ${where.sql} ORDER BY id LIMIT ?`).all(
      afterId,
      ...where.params,
      Math.max(1, Math.floor(limit)),
    ) as AuditDbRow[];
    return rows.map(toRow);
  }

  lastId(): number {
    return (this.statement('SELECT coalesce(max(id), 0) AS id FROM audit').get() as { id: number }).id;
  }

  /**
   * Only numbers cross into JavaScript, in whole columns (a row object per audit row would cost
   * several times more): one small GROUP BY names the backends, then two columns over the same
   * rows in the same (time, id) order — each row's group as a number, and its duration — read
   * in one snapshot. Grouping and sorting happen on typed arrays.
   */
  stats(q: AuditStatsQuery): AuditStats {
    const { from, to } = q;
    const bucketMs = Math.floor(q.bucketMs);
    if (!(bucketMs > 0) || !(to > from)) throw new RangeError('audit stats need from < to and bucketMs >= 1');
    const bucketCount = Math.ceil((to - from) / bucketMs);
    if (bucketCount > MAX_BUCKETS) {
      throw new RangeError(`audit stats: at most ${MAX_BUCKETS} buckets (use a larger bucketMs)`);
    }
    const where = whereOf({ ...q, from, to });
    const error = `(outcome NOT IN (${NON_ERROR_OUTCOMES.map((o) => `'${o}'`).join(', ')}))`;
    const read = this.db.transaction(() => {
      const backends = (
        this.statement(`SELECT DISTINCT backend FROM audit WHERE ${where.sql}`)
          .pluck()
          .all(...where.params) as (string | null)[]
      ).sort(byBackend);
      // Each row's group: (bucket * backends + index of its backend) * 2 + 1 when it is an error.
      const named = backends.filter((b) => b !== null);
      const index = named.length
        ? `CASE backend ${named.map(() => 'WHEN ? THEN ?').join(' ')} ELSE ${backends.indexOf(null)} END`
        : '0';
      const keys = this.statement(
        `SELECT (CAST((time - ?) / ? AS INTEGER) * ? + ${index}) * 2 + ${error} FROM audit
         WHERE ${where.sql} ORDER BY time, id`,
      )
        .pluck()
        .all(
          from,
          bucketMs,
          backends.length,
          ...named.flatMap((b) => [b, backends.indexOf(b)]),
          ...where.params,
        );
      const durations = this.statement(`SELECT duration_ms FROM audit WHERE ${where.sql} ORDER BY time, id`)
        .pluck()
        .all(...where.params);
      const denied = this.statement(`SELECT count(*) FROM audit WHERE ${where.sql} AND outcome = 'denied'`)
        .pluck()
        .get(...where.params) as number;
      return { backends, keys: keys as number[], durations: durations as number[], denied };
    });
    const { backends, keys, durations, denied } = read();
    return { from, to, bucketMs, ...summarize(from, bucketMs, backends, keys, durations), denied };
  }

  private statement(sql: string): Database.Statement {
    let statement = this.cache.get(sql);
    if (!statement) {
      if (this.cache.size >= 200) this.cache.clear();
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
}
