// Opening the one SQLite file in the data dir.
//
// Durability choices (deliberate, per connection; see also audit-writer.ts and sessions.ts):
// - journal_mode=WAL everywhere: readers (the dashboard, `switchyard audit` in another process)
//   never block the writer and the writer never blocks them; a crash (SIGKILL) at any moment
//   leaves a consistent file, rolled forward from the WAL on the next open.
// - The *state* connection (pins, decisions, sessions, backend settings) uses synchronous=FULL:
//   each commit is fsynced before the call returns, so an acknowledged decision or a session id
//   handed to a client survives even a power loss. These writes are rare (a decision, an
//   initialize, a coalesced batch of session touches), so the fsync is affordable.
// - The *audit* connection uses synchronous=NORMAL: commits reach the OS (so a process crash loses
//   nothing committed) but are fsynced only at checkpoints, so the batched writer never waits on
//   the disk. A power loss can lose the last audit batches; it cannot corrupt the file.
// - busy_timeout: waits (default 5 s) instead of failing when another connection holds the write
//   lock. Within one process the connections never contend (better-sqlite3 runs each
//   transaction to completion synchronously); across processes only a second writer could.
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { APPLICATION_ID, migrate, SCHEMA_VERSION, schemaVersion } from './migrations.js';

export class StoreError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** The file was written by a newer Switchyard; it is left exactly as it was. */
export class StoreVersionError extends StoreError {
  constructor(
    file: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `${file} has schema version ${found}, but this Switchyard understands versions up to ${supported}: ` +
        `it was written by a newer Switchyard. Upgrade Switchyard, or use another --data-dir ` +
        `(the file was not changed).`,
      file,
    );
    this.name = 'StoreVersionError';
  }
}

export interface ConnectionOptions {
  /** FULL: fsync every commit. NORMAL: fsync at checkpoints (WAL keeps it crash-safe). */
  synchronous?: 'FULL' | 'NORMAL';
  busyTimeoutMs?: number;
  readonly?: boolean;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface FileInfo {
  exists: boolean;
  version: number;
}

/**
 * Reads the schema version through a read-only connection, so a file this code must refuse is
 * never written to. Throws StoreError when the file is not a Switchyard database.
 */
export function inspectDatabase(file: string): FileInfo {
  if (!existsSync(file) || statSync(file).size === 0) return { exists: false, version: 0 };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: DEFAULT_BUSY_TIMEOUT_MS });
    const version = schemaVersion(db);
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const tables = (
      db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }
    ).n;
    if (applicationId !== APPLICATION_ID && (applicationId !== 0 || version !== 0 || tables > 0)) {
      throw new StoreError(`${file} is a SQLite database, but not Switchyard's: refusing to use it`, file);
    }
    return { exists: true, version };
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreError(`${file} is not a SQLite database (or is damaged): refusing to use it`, file);
    }
    throw error;
  } finally {
    db?.close();
  }
}

/** One connection with the project's pragmas. Does not migrate. */
export function openConnection(file: string, options: ConnectionOptions = {}): Database.Database {
  const db = new Database(file, {
    readonly: options.readonly ?? false,
    fileMustExist: options.readonly ?? false,
    timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
  });
  try {
    if (!options.readonly) {
      const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
      if (mode.toLowerCase() !== 'wal')
        throw new StoreError(`${file}: could not switch to WAL (got ${mode})`, file);
      db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      // Keep the WAL file from staying large after a burst of audit rows.
      db.pragma('journal_size_limit = 16777216');
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Below this size the whole file is checked at open; above it only the state tables (a full check reads every page). */
const FULL_CHECK_BYTES = 64 * 1024 * 1024;
const STATE_TABLES = ['pins', 'decisions', 'sessions', 'backend_settings', 'app_settings'];

/**
 * Refuses a damaged file at open (a valid header over damaged pages otherwise fails later, on
 * whatever query first touches them), naming the file and what to do.
 */
export function checkIntegrity(db: Database.Database, file: string): void {
  const damaged = (detail: string) =>
    new StoreError(
      `${file} is damaged (${detail}): move it aside to start with an empty database, or restore a backup`,
      file,
    );
  try {
    const size = existsSync(file) ? statSync(file).size : 0;
    const tables =
      size <= FULL_CHECK_BYTES
        ? [undefined]
        : (
            db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]
          ).filter((t) => STATE_TABLES.includes(t));
    for (const table of tables) {
      const rows = db.pragma(table === undefined ? 'quick_check' : `quick_check(${table})`, {
        simple: false,
      }) as { quick_check: string }[];
      const problem = rows.find((r) => r.quick_check !== 'ok');
      if (problem) throw damaged(problem.quick_check.slice(0, 200));
    }
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') throw damaged((error as Error).message);
    throw error;
  }
}

/**
 * Opens the file for writing, creating it or migrating it to SCHEMA_VERSION first. A file from a
 * newer version is refused before anything is written (StoreVersionError).
 */
export function openMigrated(
  file: string,
  options: Omit<ConnectionOptions, 'readonly'> = {},
): { db: Database.Database; from: number; to: number } {
  const info = inspectDatabase(file);
  if (info.version > SCHEMA_VERSION) throw new StoreVersionError(file, info.version, SCHEMA_VERSION);
  const db = openConnection(file, options);
  try {
    if (info.exists) checkIntegrity(db, file);
    const { from, to } = migrate(db);
    if (to !== SCHEMA_VERSION) throw new StoreVersionError(file, to, SCHEMA_VERSION);
    return { db, from, to };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A read-only connection for another process (the `audit` command) reading while `serve` writes.
 * The file must exist and be at exactly this code's version.
 */
export function openReader(file: string): Database.Database {
  const info = inspectDatabase(file);
  if (!info.exists)
    throw new StoreError(`${file} does not exist yet: start \`switchyard serve\` first`, file);
  if (info.version > SCHEMA_VERSION) throw new StoreVersionError(file, info.version, SCHEMA_VERSION);
  if (info.version < SCHEMA_VERSION) {
    throw new StoreError(
      `${file} has schema version ${info.version}; start \`switchyard serve\` once to upgrade it to ${SCHEMA_VERSION}`,
      file,
    );
  }
  return openConnection(file, { readonly: true });
}
