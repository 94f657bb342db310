// Audit rows as SQLite sees them, shared by the two places that write them: the writer thread
// (audit-worker.ts) and the in-process writer (audit-writer.ts, `thread: false`).
// toAuditParams() runs where the event was recorded (it needs the payload objects, and cuts them
// down before anything is copied); AuditSql runs where the connection is.
import type Database from 'better-sqlite3';
import type { AuditEvent } from '../../../common/domain/audit.js';
import { serializePayload } from './redact.js';

/** One row's values, in the column order of INSERT_SQL: only strings, numbers and nulls. */
export type AuditParams = [
  time: number,
  sessionId: string | null,
  clientName: string | null,
  clientVersion: string | null,
  era: string | null,
  method: string,
  name: string | null,
  backend: string | null,
  originalName: string | null,
  durationMs: number,
  outcome: string,
  httpStatus: number | null,
  errorCode: number | null,
  errorMessage: string | null,
  requestBytes: number,
  responseBytes: number,
  requestPayload: string | null,
  responsePayload: string | null,
];

export interface PayloadOptions {
  record: boolean;
  maxBytes: number;
  /** Normalized key fragments to redact besides the built-in ones. */
  redactKeys: readonly string[];
}

const text = (value: unknown, max: number): string | null => {
  if (typeof value === 'string') return value.length > max ? value.slice(0, max) : value;
  return value === undefined || value === null ? null : String(value).slice(0, max);
};

const int = (value: unknown): number | null => {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (value === undefined || value === null) return null;
  const n = Math.round(Number(value));
  return Number.isFinite(n) ? n : null;
};

function payload(value: unknown, options: PayloadOptions): string | null {
  if (!options.record || value === undefined) return null;
  try {
    return serializePayload(value, options.maxBytes, options.redactKeys) ?? null;
  } catch {
    return serializePayload('[unserializable payload]', options.maxBytes) ?? null;
  }
}

/**
 * The values SQLite will store for an event: whatever the gateway handed over becomes text or
 * numbers of bounded size (STRICT tables refuse anything else), payloads redacted and capped.
 */
export function toAuditParams(e: AuditEvent, payloads: PayloadOptions, now: number): AuditParams {
  return [
    int(e.time) ?? now,
    text(e.sessionId, 256),
    text(e.clientName, 256),
    text(e.clientVersion, 256),
    text(e.era, 16),
    text(e.method, 256) ?? 'unknown',
    text(e.name, 2048),
    text(e.backend, 256),
    text(e.originalName, 2048),
    typeof e.durationMs === 'number' && Number.isFinite(e.durationMs) ? e.durationMs : 0,
    text(e.outcome, 32) ?? 'protocol_error',
    int(e.httpStatus),
    int(e.errorCode),
    text(e.errorMessage, 4096),
    int(e.requestBytes) ?? 0,
    int(e.responseBytes) ?? 0,
    payload(e.requestPayload, payloads),
    payload(e.responsePayload, payloads),
  ];
}

/** SQLite errors about one row rather than the database: that row is dropped, the batch goes on. */
const ROW_ERRORS = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

export interface InsertResult {
  written: number;
  /** Rows SQLite refused, with the first error. */
  refused: number;
  refusal?: string;
}

export interface RetentionOptions {
  retentionDays: number;
  maxRows: number;
  chunkRows: number;
}

const DAY_MS = 86_400_000;

export class AuditSql {
  private readonly insertOne: Database.Statement<AuditParams>;
  private readonly insertAll: Database.Transaction<(rows: readonly AuditParams[]) => InsertResult>;
  private readonly deleteOlder: Database.Statement<[number, number]>;
  private readonly capThreshold: Database.Statement<[number]>;
  private readonly deleteUpTo: Database.Statement<[number, number]>;

  constructor(db: Database.Database) {
    this.insertOne = db.prepare(
      `INSERT INTO audit (time, session_id, client_name, client_version, era, method, name, backend,
         original_name, duration_ms, outcome, http_status, error_code, error_message, request_bytes,
         response_bytes, request_payload, response_payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertAll = db.transaction((rows: readonly AuditParams[]) => {
      const result: InsertResult = { written: 0, refused: 0 };
      for (const row of rows) {
        try {
          this.insertOne.run(...row);
          result.written++;
        } catch (error) {
          if (!ROW_ERRORS.test((error as { code?: string }).code ?? '')) throw error;
          result.refused++;
          result.refusal ??= String(error);
        }
      }
      return result;
    });
    this.deleteOlder = db.prepare(
      'DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE time < ? ORDER BY time LIMIT ?)',
    );
    this.capThreshold = db.prepare('SELECT id FROM audit ORDER BY id DESC LIMIT 1 OFFSET ?');
    this.deleteUpTo = db.prepare(
      'DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE id <= ? ORDER BY id LIMIT ?)',
    );
  }

  /** One transaction (BEGIN IMMEDIATE); throws, writing nothing, when the database cannot be written. */
  insert(rows: readonly AuditParams[]): InsertResult {
    return this.insertAll.immediate(rows);
  }

  /**
   * Retention as a sequence of short transactions (each deletes at most `chunkRows`): rows older
   * than retentionDays, then the oldest beyond maxRows. Each call of the returned iterator's
   * next() runs one chunk and yields the rows it deleted, so the caller decides when to go on.
   */
  *prune(now: number, options: RetentionOptions): Generator<number, void, void> {
    const cutoff = now - options.retentionDays * DAY_MS;
    for (;;) {
      const { changes } = this.deleteOlder.run(cutoff, options.chunkRows);
      yield changes;
      if (changes < options.chunkRows) break;
    }
    const threshold = this.capThreshold.get(options.maxRows) as { id: number } | undefined;
    if (!threshold) return;
    for (;;) {
      const { changes } = this.deleteUpTo.run(threshold.id, options.chunkRows);
      yield changes;
      if (changes < options.chunkRows) break;
    }
  }
}
