// The schema's numbered migrations on real SQLite files: from no file, from an empty file and
// from every earlier version (with data written at that version), and the refusals: a file from
// a newer Switchyard, or one that is not Switchyard's, is left exactly as it was.
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useStoreScratch } from '../helpers/store.js';
import { StoreError, StoreVersionError, openReader } from '../../core/store/sqlite/database.js';
import {
  APPLICATION_ID,
  MIGRATIONS,
  SCHEMA_VERSION,
  migrate,
  schemaVersion,
  type Migration,
} from '../../core/store/sqlite/migrations.js';
import { STORE_FILE, openAuditReader, openStore } from '../../core/store/sqlite/store.js';

const scratch = useStoreScratch('store-migrations');
const tempDir = scratch.tempDir;

const T = 1_700_000_000_000;

/** These tests are about the file, not the audit writer: write audit rows on this thread. */
const open = (dir: string) => openStore(dir, { audit: { thread: false, pruneIntervalMs: 0 } });

/** A file at `version`, made by running only the migrations up to it, as that release would have. */
function fileAtVersion(version: number): { dir: string; file: string } {
  const dir = tempDir();
  const file = path.join(dir, STORE_FILE);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  migrate(db, version);
  expect(schemaVersion(db)).toBe(version);
  if (version >= 1) seedVersion1(db);
  db.close();
  return { dir, file };
}

/** Rows as a version-1 Switchyard wrote them (plain SQL against the v1 tables). */
function seedVersion1(db: Database.Database): void {
  db.exec(`
    INSERT INTO pins VALUES ('tool', 'github', 'search', 'search', ${T});
    INSERT INTO pins VALUES ('tool', 'gitlab', 'search', 'gitlab__search', ${T + 1});
    INSERT INTO decisions VALUES ('tool', 'search', '{"action":"winner","backend":"github"}', ${T + 2});
    INSERT INTO sessions VALUES ('session-1', 'claude-ai', '0.1.0', '{"name":"claude-ai","version":"0.1.0","title":"Claude"}',
      '{"roots":{"listChanged":true}}', '2025-06-18', ${T}, ${T + 5000}, '{"github":"upstream-abc"}');
  `);
  const insert = db.prepare(
    `INSERT INTO audit (time, session_id, client_name, client_version, era, method, name, backend, original_name,
       duration_ms, outcome, request_bytes, response_bytes) VALUES (?, 'session-1', 'claude-ai', '0.1.0', 'legacy',
       'tools/call', 'search', 'github', 'search', ?, ?, 100, 2000)`,
  );
  for (let i = 0; i < 50; i++) insert.run(T + i * 1000, i, i % 10 === 0 ? 'tool_error' : 'ok');
}

function fingerprint(file: string): { bytes: Buffer; mtimeMs: number } {
  return { bytes: readFileSync(file), mtimeMs: statSync(file).mtimeMs };
}

describe('migrations', () => {
  it('are numbered 1, 2, … with no gaps, and SCHEMA_VERSION is the last', async () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
  });

  it('create the latest schema when there is no file yet', async () => {
    const dir = tempDir();
    const store = open(dir);
    expect(store.migratedFrom).toBe(0);
    await store.close();
    const db = new Database(path.join(dir, STORE_FILE), { readonly: true });
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining(['audit', 'backend_settings', 'decisions', 'pins', 'sessions']),
    );
    db.close();
  });

  it('create the latest schema in an existing empty file', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, STORE_FILE), '');
    const store = open(dir);
    expect(store.migratedFrom).toBe(0);
    store.settings.set('github', { enabled: false });
    await store.close();
    const again = open(dir);
    expect(again.settings.get('github')?.enabled).toBe(false);
    await again.close();
  });

  for (let version = 1; version < SCHEMA_VERSION; version++) {
    it(`upgrade a version ${version} file to ${SCHEMA_VERSION}, keeping its data`, async () => {
      const { dir, file } = fileAtVersion(version);
      const store = open(dir);
      try {
        expect(store.migratedFrom).toBe(version);
        expect(
          store.pins
            .all()
            .map((p) => p.advertisedName)
            .sort(),
        ).toEqual(['gitlab__search', 'search']);
        expect(store.decisions.all()).toEqual([
          {
            kind: 'tool',
            name: 'search',
            decision: { action: 'winner', backend: 'github' },
            decidedAt: T + 2,
          },
        ]);
        expect(store.sessions.get('session-1')).toEqual({
          id: 'session-1',
          clientInfo: { name: 'claude-ai', version: '0.1.0', title: 'Claude' },
          capabilities: { roots: { listChanged: true } },
          protocolVersion: '2025-06-18',
          createdAt: T,
          lastSeen: T + 5000,
          backendSessions: { github: 'upstream-abc' },
        });
        const page = store.query.query({ backend: 'github', outcome: 'tool_error' });
        expect(page.total).toBe(5);
        expect(page.rows[0]).toMatchObject({ method: 'tools/call', name: 'search', durationMs: 40 });
        // What later versions added works on the upgraded file.
        expect(store.settings.set('github', { displayName: 'GitHub' }).displayName).toBe('GitHub');
        store.appSettings.set('strategy', { strategy: 'prefix', configured: 'auto' });
        expect(store.appSettings.get('strategy')).toEqual({ strategy: 'prefix', configured: 'auto' });
        store.audit.record({
          time: T + 99_000,
          method: 'tools/list',
          durationMs: 1,
          outcome: 'ok',
          requestBytes: 1,
          responseBytes: 2,
        });
      } finally {
        await store.close();
      }
      const db = new Database(file, { readonly: true });
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      expect(db.prepare('SELECT count(*) FROM audit').pluck().get()).toBe(51);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    });
  }

  it('have the same schema whether applied at once or one release at a time', async () => {
    const schemaOf = (file: string) => {
      const db = new Database(file, { readonly: true });
      const rows = db
        .prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        .all();
      db.close();
      return rows;
    };
    const fresh = tempDir();
    await open(fresh).close();
    for (let version = 1; version < SCHEMA_VERSION; version++) {
      const { dir, file } = fileAtVersion(version);
      await open(dir).close();
      expect(schemaOf(file)).toEqual(schemaOf(path.join(fresh, STORE_FILE)));
    }
  });

  it('are not applied again when the file is opened again', async () => {
    const dir = tempDir();
    await open(dir).close();
    const store = open(dir);
    expect(store.migratedFrom).toBe(SCHEMA_VERSION);
    await store.close();
  });

  it('leave the file at the previous version when one fails midway', async () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, STORE_FILE));
    const failing: Migration[] = [
      MIGRATIONS[0]!,
      {
        version: 2,
        description: 'fails after creating a table',
        up(d) {
          d.exec('CREATE TABLE half_done (x INTEGER)');
          throw new Error('disk on fire');
        },
      },
    ];
    expect(() => migrate(db, 2, failing)).toThrow('disk on fire');
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'").pluck().get()).toBe(0);
    db.close();
    // The real migrations then carry it on from version 1.
    const store = open(dir);
    expect(store.migratedFrom).toBe(1);
    await store.close();
  });

  it('are safe when another connection migrated the file meanwhile', async () => {
    const dir = tempDir();
    const file = path.join(dir, STORE_FILE);
    const a = new Database(file);
    const b = new Database(file);
    a.pragma('journal_mode = WAL');
    expect(migrate(a)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(migrate(b)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    a.close();
    b.close();
  });
});

describe('refusing a database file', () => {
  it.each(['DELETE', 'WAL'])(
    'from a newer Switchyard (journal mode %s), with a clear error and without changing the file',
    async (journalMode) => {
      const dir = tempDir();
      const file = path.join(dir, STORE_FILE);
      const store = open(dir);
      store.decisions.set({ kind: 'tool', name: 'x', decision: { action: 'prefix' }, decidedAt: T });
      await store.close();
      const db = new Database(file);
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.pragma(`journal_mode = ${journalMode}`);
      db.close();
      utimesSync(file, new Date(T), new Date(T));
      const before = fingerprint(file);

      let error: unknown;
      try {
        open(dir);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StoreVersionError);
      expect((error as StoreVersionError).found).toBe(SCHEMA_VERSION + 1);
      expect((error as StoreVersionError).supported).toBe(SCHEMA_VERSION);
      expect((error as Error).message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
      expect((error as Error).message).toContain('newer Switchyard');
      expect((error as Error).message).toContain(file);
      expect(() => openAuditReader(dir)).toThrow(StoreVersionError);
      expect(() => openReader(file)).toThrow(StoreVersionError);

      const after = fingerprint(file);
      expect(after.mtimeMs).toBe(before.mtimeMs);
      expect(after.bytes.equals(before.bytes)).toBe(true);
      // Still the newer file's data and version.
      const check = new Database(file, { readonly: true });
      expect(schemaVersion(check)).toBe(SCHEMA_VERSION + 1);
      expect(check.prepare('SELECT count(*) FROM decisions').pluck().get()).toBe(1);
      check.close();
    },
  );

  it('that is not a SQLite database', async () => {
    const dir = tempDir();
    const file = path.join(dir, STORE_FILE);
    writeFileSync(file, 'name: not a database\n'.repeat(100));
    const before = fingerprint(file);
    expect(() => open(dir)).toThrow(StoreError);
    expect(() => open(dir)).toThrow(/not a SQLite database/);
    expect(fingerprint(file).bytes.equals(before.bytes)).toBe(true);
  });

  it("that is another program's SQLite database", async () => {
    const dir = tempDir();
    const file = path.join(dir, STORE_FILE);
    const db = new Database(file);
    db.exec('CREATE TABLE bookmarks (url TEXT)');
    db.close();
    const before = fingerprint(file);
    expect(() => open(dir)).toThrow(/not Switchyard's/);
    expect(fingerprint(file).bytes.equals(before.bytes)).toBe(true);
  });

  it('for reading when it is older than this code (serve upgrades it, not the audit command)', async () => {
    const { dir } = fileAtVersion(1);
    expect(() => openAuditReader(dir)).toThrow(/start `switchyard serve` once to upgrade/);
    expect(() => openAuditReader(tempDir())).toThrow(/does not exist yet/);
  });
});
