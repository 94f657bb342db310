// Everything Switchyard persists, opened together from one SQLite file in the data dir.
//
// Two connections to the file (see database.ts for why): `state` (synchronous=FULL) for pins,
// decisions, settings and sessions; `audit` (synchronous=NORMAL) for the audit writer and queries.
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Clock, Logger } from '../../domain/runtime.js';
import { silentLogger } from '../../support/logger.js';
import { openConnection, openMigrated, openReader, StoreError } from './database.js';
import { ownerOnlyFile, prepareDataDir } from '../data-dir.js';
import { SCHEMA_VERSION } from './migrations.js';
import { AuditWriter, type AuditWriterOptions } from './audit-writer.js';
import { SqliteAuditQuery } from './audit-query.js';
import { SqliteIntegrityStore } from './integrity.js';
import { SqliteDecisionStore, SqlitePinStore, SqliteProfilePinStore } from './pins.js';
import { SqliteSessionStore, type SqliteSessionStoreOptions } from './sessions.js';
import { SqliteAppSettings, SqliteBackendSettings } from './settings.js';

export const STORE_FILE = 'switchyard.db';

export interface StoreOptions {
  /** File name inside the data dir (default switchyard.db). */
  file?: string;
  audit?: Omit<AuditWriterOptions, 'clock' | 'logger' | 'busyTimeoutMs'>;
  sessions?: Omit<SqliteSessionStoreOptions, 'logger'>;
  busyTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface Store {
  readonly file: string;
  /** Schema version the file had before this open (0: it was created now). */
  readonly migratedFrom: number;
  readonly pins: SqlitePinStore;
  readonly profilePins: SqliteProfilePinStore;
  readonly decisions: SqliteDecisionStore;
  /** Tool integrity: approved definitions and changes awaiting review. */
  readonly integrity: SqliteIntegrityStore;
  readonly settings: SqliteBackendSettings;
  readonly appSettings: SqliteAppSettings;
  readonly sessions: SqliteSessionStore;
  readonly audit: AuditWriter;
  readonly query: SqliteAuditQuery;
  /**
   * Writes the audit buffer and pending session touches, stops the audit writer thread, then
   * closes the file. Idempotent.
   */
  close(): Promise<void>;
}

export function storeFile(dataDir: string, file = STORE_FILE): string {
  return path.join(dataDir, file);
}

/**
 * Opens (creating or migrating) the data dir's database. Throws StoreVersionError, before
 * touching the file, when it was written by a newer Switchyard.
 */
export function openStore(dataDir: string, options: StoreOptions = {}): Store {
  prepareDataDir(dataDir);
  const file = storeFile(dataDir, options.file);
  // The file and its -wal/-shm are the user's only (SQLite copies the file's mode to its companions).
  ownerOnlyFile(file, true);
  for (const companion of ['-wal', '-shm', '-journal']) ownerOnlyFile(`${file}${companion}`);
  const logger = options.logger ?? silentLogger;
  const busyTimeoutMs = options.busyTimeoutMs;
  const { db: state, from } = openMigrated(file, { synchronous: 'FULL', busyTimeoutMs });
  let audit: Database.Database;
  try {
    probeWrite(state, file);
    audit = openConnection(file, { synchronous: 'NORMAL', busyTimeoutMs });
  } catch (error) {
    state.close();
    throw error;
  }
  if (from === 0) logger.info('database created', { file, schemaVersion: SCHEMA_VERSION });
  else if (from < SCHEMA_VERSION) logger.info('database upgraded', { file, from, to: SCHEMA_VERSION });

  try {
    const sessions = new SqliteSessionStore(state, { ...options.sessions, logger });
    const writer = new AuditWriter(audit, {
      ...options.audit,
      logger,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(busyTimeoutMs !== undefined ? { busyTimeoutMs } : {}),
    });
    let closing: Promise<void> | undefined;
    return {
      file,
      migratedFrom: from,
      pins: new SqlitePinStore(state),
      profilePins: new SqliteProfilePinStore(state),
      decisions: new SqliteDecisionStore(state),
      integrity: new SqliteIntegrityStore(state),
      settings: new SqliteBackendSettings(state),
      appSettings: new SqliteAppSettings(state),
      sessions,
      audit: writer,
      query: new SqliteAuditQuery(audit),
      close() {
        closing ??= (async () => {
          try {
            await writer.close();
            sessions.close();
          } finally {
            audit.pragma('optimize');
            audit.close();
            state.close();
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    audit.close();
    state.close();
    throw error;
  }
}

/**
 * One real write at open: a file (or its -wal/-shm) that cannot be written would otherwise open
 * fine and fail every session and decision later.
 */
function probeWrite(db: Database.Database, file: string): void {
  try {
    db.prepare(
      `INSERT INTO app_settings (key, value, updated_at) VALUES ('store.openedAt', ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ).run(JSON.stringify(Date.now()), Date.now());
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY')) return; // another connection writes right now: so can we, later
    if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_IOERR') {
      throw new StoreError(
        `${file} cannot be written (${(error as Error).message}): check the permissions of the file, its -wal and -shm, and the data dir`,
        file,
      );
    }
    throw error;
  }
}

/** Read-only access to the audit trail for another process (`switchyard audit`) while `serve` runs. */
export function openAuditReader(
  dataDir: string,
  file = STORE_FILE,
): { query: SqliteAuditQuery; close(): void } {
  const db = openReader(storeFile(dataDir, file));
  return { query: new SqliteAuditQuery(db), close: () => db.close() };
}
