// The database schema as numbered, forward-only migrations. `PRAGMA user_version` holds the number
// of the last one applied; each runs in its own transaction together with the version bump, so a
// crash leaves the file at the previous version or the next, never in between. A released
// migration is never edited: change the schema by appending one.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

/** 'SYD1': marks the file as Switchyard's (PRAGMA application_id). */
export const APPLICATION_ID = 0x53594431;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'pins, conflict decisions, legacy sessions, audit trail',
    up(db) {
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.exec(`
        CREATE TABLE pins (
          kind TEXT NOT NULL,
          backend TEXT NOT NULL,
          original_name TEXT NOT NULL,
          advertised_name TEXT NOT NULL,
          pinned_at INTEGER NOT NULL,
          PRIMARY KEY (kind, backend, original_name)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE decisions (
          kind TEXT NOT NULL,
          name TEXT NOT NULL,
          decision TEXT NOT NULL,
          decided_at INTEGER NOT NULL,
          PRIMARY KEY (kind, name)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE sessions (
          id TEXT PRIMARY KEY,
          client_name TEXT NOT NULL,
          client_version TEXT NOT NULL,
          client_info TEXT NOT NULL,
          capabilities TEXT NOT NULL,
          protocol_version TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          last_seen INTEGER NOT NULL,
          backend_sessions TEXT NOT NULL
        ) STRICT;
        CREATE INDEX sessions_last_seen ON sessions (last_seen);

        CREATE TABLE audit (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          time INTEGER NOT NULL,
          session_id TEXT,
          client_name TEXT,
          client_version TEXT,
          era TEXT,
          method TEXT NOT NULL,
          name TEXT,
          backend TEXT,
          original_name TEXT,
          duration_ms REAL NOT NULL,
          outcome TEXT NOT NULL,
          http_status INTEGER,
          error_code INTEGER,
          error_message TEXT,
          request_bytes INTEGER NOT NULL,
          response_bytes INTEGER NOT NULL,
          request_payload TEXT,
          response_payload TEXT
        ) STRICT;
        CREATE INDEX audit_time ON audit (time);
      `);
    },
  },
  {
    version: 2,
    description: 'backend settings; audit indexes for the dashboard filters',
    up(db) {
      db.exec(`
        CREATE TABLE backend_settings (
          backend TEXT PRIMARY KEY,
          enabled INTEGER NOT NULL DEFAULT 1,
          display_name TEXT,
          updated_at INTEGER NOT NULL
        ) STRICT;

        CREATE INDEX audit_backend_time ON audit (backend, time);
        CREATE INDEX audit_outcome_time ON audit (outcome, time);
        CREATE INDEX audit_session_time ON audit (session_id, time);
        CREATE INDEX audit_client_time ON audit (client_name, time);
        CREATE INDEX audit_name_time ON audit (name, time);
      `);
    },
  },
  {
    version: 3,
    description: 'app settings (choices made in the dashboard, such as the conflict strategy)',
    up(db) {
      db.exec(`
        CREATE TABLE app_settings (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
  {
    version: 4,
    description: 'fewer audit indexes: every index is written on every recorded call',
    up(db) {
      // Six indexes made each audit insert update seven b-trees. Kept: time (paging, retention,
      // stats), backend+time, outcome+time and session+time (the dashboard's main filters and
      // their combinations). Dropped: client+time and name+time, long text keys that cost the most
      // per insert; those filters walk the time index newest first (a page stops after `limit`
      // rows; counting scans the table, which retention bounds).
      db.exec(`
        DROP INDEX IF EXISTS audit_client_time;
        DROP INDEX IF EXISTS audit_name_time;
        `);
    },
  },
  // 5 is numbered by another branch of this round (the lead renumbers on merge); empty here so
  // the numbering stays contiguous on this branch.
  { version: 5, description: 'reserved', up() {} },
  {
    version: 6,
    description: 'tool integrity: approved definitions beside the name pins, and changes awaiting review',
    up(db) {
      db.exec(`
        CREATE TABLE definition_pins (
          kind TEXT NOT NULL,
          backend TEXT NOT NULL,
          original_name TEXT NOT NULL,
          hash TEXT NOT NULL,
          definition TEXT NOT NULL,
          approved_at INTEGER NOT NULL,
          PRIMARY KEY (kind, backend, original_name)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE integrity_changes (
          id TEXT PRIMARY KEY,
          backend TEXT NOT NULL,
          capability TEXT NOT NULL,
          tool TEXT NOT NULL,
          kind TEXT NOT NULL,
          before TEXT,
          after TEXT NOT NULL,
          hash TEXT NOT NULL,
          findings TEXT NOT NULL,
          held INTEGER NOT NULL,
          seen_at INTEGER NOT NULL,
          decision TEXT,
          decided_at INTEGER
        ) STRICT;
        CREATE INDEX integrity_changes_backend ON integrity_changes (backend, capability, tool);
      `);
    },
  },
  {
    version: 7,
    description: "profile name pins (names fitted to a client's rule, per profile)",
    up(db) {
      db.exec(`
        CREATE TABLE profile_pins (
          profile TEXT NOT NULL,
          kind TEXT NOT NULL,
          backend TEXT NOT NULL,
          original_name TEXT NOT NULL,
          advertised_name TEXT NOT NULL,
          pinned_at INTEGER NOT NULL,
          PRIMARY KEY (profile, kind, backend, original_name)
        ) STRICT, WITHOUT ROWID;
      `);
    },
  },
];

/** The version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database up to `target` (default: the latest), one transaction per migration.
 * BEGIN IMMEDIATE plus a re-read of the version makes two processes opening the same new file safe.
 */
export function migrate(
  db: Database.Database,
  target = SCHEMA_VERSION,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  const from = schemaVersion(db);
  for (const migration of migrations) {
    if (migration.version > target) break;
    if (migration.version <= schemaVersion(db)) continue; // no write lock needed for what is done
    db.transaction(() => {
      const current = schemaVersion(db);
      if (current >= migration.version) return;
      if (current !== migration.version - 1) {
        throw new Error(`cannot apply migration ${migration.version} to a database at version ${current}`);
      }
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: schemaVersion(db) };
}
