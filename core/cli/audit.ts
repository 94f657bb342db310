// `switchyard audit`: reads the audit trail from the data dir's database, read-only, while `serve`
// may be writing it (WAL lets a reader in another process see every committed batch).
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parseDuration } from '../config/units.js';
import type { AuditOutcome } from '../../common/domain/audit.js';
import {
  AUDIT_OUTCOMES,
  isAuditOutcome,
  type AuditFilter,
  type AuditRow,
} from '../../common/domain/audit-query.js';
import { StoreError } from '../store/sqlite/database.js';
import { openAuditReader } from '../store/sqlite/store.js';
import { dataDirFrom, UsageError, type Io } from './common.js';

export interface AuditCommandOptions {
  /** Ends --follow (default: SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** How often --follow looks for new rows (default 1 s, or --interval). */
  pollMs?: number;
  now?: () => number;
}

/** "1h", "30m", "2d" before now, or an ISO date/time. */
export function parseSince(text: string, now: number): number {
  const duration = parseDuration(text);
  if (duration !== undefined) return now - duration;
  const time = Date.parse(text);
  if (Number.isNaN(time))
    throw new UsageError(`expected a duration such as 1h, 30m, 2d or a date, got "${text}"`);
  return time;
}

export async function auditCommand(
  argv: string[],
  io: Io,
  options: AuditCommandOptions = {},
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      backend: { type: 'string', multiple: true },
      tool: { type: 'string', multiple: true },
      outcome: { type: 'string', multiple: true },
      method: { type: 'string', multiple: true },
      session: { type: 'string' },
      client: { type: 'string' },
      text: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      follow: { type: 'boolean', short: 'f' },
      interval: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const now = options.now ?? Date.now;
  const outcomes = (values.outcome ?? []).flatMap((o) => o.split(','));
  for (const outcome of outcomes) {
    if (!isAuditOutcome(outcome)) {
      throw new UsageError(`--outcome must be one of ${AUDIT_OUTCOMES.join(', ')}; got "${outcome}"`);
    }
  }
  const limit = values.limit !== undefined ? Number(values.limit) : 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new UsageError(`--limit must be a whole number from 1 to 1000, got "${values.limit}"`);
  }
  const pollMs = values.interval !== undefined ? parseDuration(values.interval) : (options.pollMs ?? 1000);
  if (pollMs === undefined || pollMs <= 0)
    throw new UsageError(`--interval must be a duration such as 500ms or 2s`);
  const filter: AuditFilter = {
    ...(values.since !== undefined ? { from: parseSince(values.since, now()) } : {}),
    ...(values.until !== undefined ? { to: parseSince(values.until, now()) } : {}),
    ...(values.backend ? { backend: values.backend } : {}),
    ...(values.tool ? { name: values.tool } : {}),
    ...(outcomes.length ? { outcome: outcomes as AuditOutcome[] } : {}),
    ...(values.method ? { method: values.method } : {}),
    ...(values.session !== undefined ? { sessionId: values.session } : {}),
    ...(values.client !== undefined ? { client: values.client } : {}),
    ...(values.text !== undefined ? { text: values.text } : {}),
  };

  const dataDir = dataDirFrom(values['data-dir'], io.env);
  let reader: ReturnType<typeof openAuditReader>;
  try {
    reader = openAuditReader(dataDir);
  } catch (error) {
    if (error instanceof StoreError) {
      io.stderr.write(`switchyard audit: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const print = values.json
    ? (rows: AuditRow[]) => {
        for (const row of rows) io.stdout.write(`${JSON.stringify(row)}\n`);
      }
    : (rows: AuditRow[]) => {
        for (const row of rows) io.stdout.write(`${formatAuditRow(row)}\n`);
      };
  try {
    const before = reader.query.lastId();
    const page = reader.query.query({ ...filter, limit });
    const rows = page.rows.reverse();
    if (!values.json && (rows.length || values.follow)) io.stdout.write(`${AUDIT_HEADER}\n`);
    print(rows);
    if (!values.follow) {
      if (!rows.length && !values.json) io.stderr.write('No audit rows match.\n');
      else if (page.total > rows.length && !values.json) {
        io.stderr.write(`(the last ${rows.length} of ${page.total} matching rows; use --limit or --since)\n`);
      }
      return 0;
    }
    await follow(
      reader.query,
      filter,
      Math.max(before, ...rows.map((r) => r.id)),
      pollMs,
      print,
      options.signal,
    );
    return 0;
  } finally {
    reader.close();
  }
}

async function follow(
  query: ReturnType<typeof openAuditReader>['query'],
  filter: AuditFilter,
  lastId: number,
  pollMs: number,
  print: (rows: AuditRow[]) => void,
  given: AbortSignal | undefined,
): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  const signal = given ?? controller.signal;
  if (!given) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  try {
    while (!signal.aborted) {
      try {
        await sleep(pollMs, undefined, { signal });
      } catch {
        break; // aborted
      }
      for (;;) {
        const rows = query.tail(lastId, filter, 1000);
        if (!rows.length) break;
        print(rows);
        lastId = rows[rows.length - 1]!.id;
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

const COLUMNS = [
  ['TIME', 19],
  ['CLIENT', 20],
  ['METHOD', 16],
  ['NAME', 28],
  ['BACKEND', 16],
  ['OUTCOME', 18],
] as const;

function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

export const AUDIT_HEADER = `${COLUMNS.map(([title, width]) => cell(title, width)).join('  ')}  ${'DURATION'.padStart(9)}`;

/** Local time, to the second: 2026-11-22 14:03:05. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function formatMs(ms: number): string {
  if (ms < 1) return `${+ms.toFixed(2)} ms`;
  if (ms < 10) return `${+ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)} s`;
  return `${+(ms / 60_000).toFixed(1)} min`;
}

export function formatAuditRow(row: AuditRow): string {
  const client = row.clientName
    ? `${row.clientName}${row.clientVersion ? ` ${row.clientVersion}` : ''}`
    : '-';
  const status = row.httpStatus && row.httpStatus !== 200 ? ` ${row.httpStatus}` : '';
  const code = !status && row.errorCode !== undefined ? ` ${row.errorCode}` : '';
  const values = [
    formatTime(row.time),
    client,
    row.method,
    row.name ?? '-',
    row.backend ?? '-',
    `${row.outcome}${status}${code}`,
  ];
  const cells = COLUMNS.map(([, width], i) => cell(values[i]!, width));
  return `${cells.join('  ')}  ${formatMs(row.durationMs).padStart(9)}`;
}
