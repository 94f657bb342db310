// Legacy client sessions in SQLite: saves batched per turn, restored after reopen, touches coalesced,
// and evicted by idle TTL and by count (least recently used first).
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { useStoreScratch } from '../helpers/store.js';
import { sessionExpired, type SessionRecord } from '../../core/domain/session.js';
import { openMigrated } from '../../core/store/sqlite/database.js';
import { SqliteSessionStore } from '../../core/store/sqlite/sessions.js';
import { STORE_FILE, openStore, type Store, type StoreOptions } from '../../core/store/sqlite/store.js';

const scratch = useStoreScratch('store-sessions');
const tempDir = scratch.tempDir;
const stores = scratch.stores;

function open(dir: string, options: StoreOptions = {}): Store {
  const store = openStore(dir, { audit: { thread: false, pruneIntervalMs: 0 }, ...options });
  stores.push(store);
  return store;
}

const T = 1_700_000_000_000;

function session(id: string, lastSeen = T, extra: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    clientInfo: { name: 'claude-code', version: '2.1.0', title: 'Claude Code', icons: [{ src: 'x.png' }] },
    capabilities: { roots: { listChanged: true }, sampling: {}, elicitation: { form: {} } },
    protocolVersion: '2025-11-25',
    createdAt: T - 1000,
    lastSeen,
    backendSessions: { everything: 'b1c2d3', memory: 'f00' },
    ...extra,
  };
}

/** last_seen as stored on disk, read through another connection. */
function storedLastSeen(dir: string, id: string): number | undefined {
  const db = new Database(path.join(dir, STORE_FILE), { readonly: true });
  try {
    return db.prepare('SELECT last_seen FROM sessions WHERE id = ?').pluck().get(id) as number | undefined;
  } finally {
    db.close();
  }
}

describe('SqliteSessionStore', () => {
  it('restores exactly what was saved after the file is closed and opened again', async () => {
    const dir = tempDir();
    const store = open(dir);
    const record = session('5b0c1f5e-0000-4000-8000-000000000001');
    store.sessions.save(record);
    await store.close();
    const again = open(dir);
    expect(again.sessions.get(record.id)).toEqual(record);
    expect(again.sessions.get('unknown')).toBeUndefined();
  });

  it('batches saves: a burst is committed in one transaction on the next setImmediate', async () => {
    const dir = tempDir();
    const store = open(dir);
    let commits: number | undefined;
    // Count commits on the store's own connection through the state file's data version, seen by
    // another connection: one transaction → one version bump.
    const other = new Database(path.join(dir, STORE_FILE), { readonly: true });
    try {
      const version = () => other.pragma('data_version', { simple: true }) as number;
      const before = version();
      for (let i = 0; i < 50; i++) store.sessions.save(session(`s${i}`, T + i));
      // Off the caller's path: nothing is on disk yet when save() returns.
      expect(storedLastSeen(dir, 's0')).toBeUndefined();
      await new Promise((resolve) => setImmediate(resolve));
      commits = version() - before;
      expect(storedLastSeen(dir, 's0')).toBe(T);
      expect(storedLastSeen(dir, 's49')).toBe(T + 49);
    } finally {
      other.close();
    }
    expect(commits).toBe(1);
  });

  it('reads, flush() and close() see and write queued saves at once; delete() drops one', async () => {
    const dir = tempDir();
    const store = open(dir);
    store.sessions.save(session('a'));
    expect(store.sessions.get('a')).toEqual(session('a')); // read writes the batch first
    expect(storedLastSeen(dir, 'a')).toBe(T);
    store.sessions.save(session('b', T + 1));
    expect(store.sessions.list().map((s) => s.id)).toEqual(['b', 'a']);
    store.sessions.save(session('c'));
    store.sessions.flush();
    expect(storedLastSeen(dir, 'c')).toBe(T);
    store.sessions.save(session('d'));
    store.sessions.delete('d');
    store.sessions.save(session('e'));
    await store.close(); // the stop path (also on SIGTERM) writes the queue before closing
    expect(storedLastSeen(dir, 'd')).toBeUndefined();
    expect(storedLastSeen(dir, 'e')).toBe(T);
  });

  it('replaces a saved session (new backend session ids) without moving its last-seen time back', async () => {
    const store = open(tempDir());
    store.sessions.save(session('s1', T + 500));
    store.sessions.save(session('s1', T, { backendSessions: { everything: 'new-id' } }));
    expect(store.sessions.get('s1')).toMatchObject({
      lastSeen: T + 500,
      backendSessions: { everything: 'new-id' },
    });
  });

  it('coalesces touches: nothing is written until the flush, yet get() and list() see them', async () => {
    const dir = tempDir();
    const store = open(dir, { sessions: { touchFlushMs: 50 } });
    store.sessions.save(session('s1', T));
    store.sessions.save(session('s2', T + 10));
    store.sessions.flush();
    for (let i = 1; i <= 100; i++) store.sessions.touch('s1', T + i);
    store.sessions.touch('s1', T + 5); // older than what is pending: ignored
    expect(storedLastSeen(dir, 's1')).toBe(T);
    expect(store.sessions.get('s1')?.lastSeen).toBe(T + 100);
    expect(store.sessions.list().map((s) => s.id)).toEqual(['s1', 's2']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(storedLastSeen(dir, 's1')).toBe(T + 100);
  });

  it('commits a batch of touches alone without an fsync (synchronous=NORMAL), saves with FULL', () => {
    // The fsync of a FULL commit stalled the event loop once a second (every call in flight waited):
    // last-seen times need only survive a crash of the process, which WAL + NORMAL gives.
    const { db } = openMigrated(path.join(tempDir(), STORE_FILE), { synchronous: 'FULL' });
    try {
      const sessions = new SqliteSessionStore(db, { touchFlushMs: 60_000 });
      const spy = vi.spyOn(db, 'pragma');
      const levelChanges = () => spy.mock.calls.map((c) => c[0]).filter((c) => c.startsWith('synchronous ='));
      sessions.save(session('s1', T));
      sessions.touch('s1', T + 1);
      sessions.flush();
      expect(levelChanges()).toEqual([]); // a save (with touches) goes out under the connection's FULL
      sessions.touch('s1', T + 2);
      sessions.flush();
      expect(levelChanges()).toEqual(['synchronous = NORMAL', 'synchronous = 2']);
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL again
      expect(storedLastSeen(path.dirname(db.name), 's1')).toBe(T + 2);
    } finally {
      db.close();
    }
  });

  it('writes pending touches on close', async () => {
    const dir = tempDir();
    const store = open(dir, { sessions: { touchFlushMs: 60_000 } });
    store.sessions.save(session('s1', T));
    store.sessions.touch('s1', T + 42);
    await store.close();
    expect(storedLastSeen(dir, 's1')).toBe(T + 42);
  });

  it('deletes a session (and forgets its pending touch)', async () => {
    const dir = tempDir();
    const store = open(dir);
    store.sessions.save(session('s1'));
    store.sessions.touch('s1', T + 1);
    store.sessions.delete('s1');
    store.sessions.flush();
    expect(store.sessions.get('s1')).toBeUndefined();
    expect(storedLastSeen(dir, 's1')).toBeUndefined();
    store.sessions.delete('never-existed');
  });

  it('lists sessions most recently seen first', async () => {
    const store = open(tempDir());
    store.sessions.save(session('old', T));
    store.sessions.save(session('new', T + 2));
    store.sessions.save(session('mid', T + 1));
    expect(store.sessions.list().map((s) => s.id)).toEqual(['new', 'mid', 'old']);
  });

  describe('evict', () => {
    const HOUR = 3_600_000;

    it('removes sessions idle longer than the TTL and returns their ids', async () => {
      const store = open(tempDir());
      store.sessions.save(session('idle', T - 2 * HOUR));
      store.sessions.save(session('edge', T - HOUR)); // exactly at the TTL: still valid
      store.sessions.save(session('fresh', T - 1));
      const evicted = store.sessions.evict({ idleTtlMs: HOUR, max: 100, now: T });
      expect(evicted).toEqual(['idle']);
      expect(store.sessions.list().map((s) => s.id)).toEqual(['fresh', 'edge']);
      expect(sessionExpired({ lastSeen: T - HOUR }, HOUR, T)).toBe(false);
      expect(sessionExpired({ lastSeen: T - HOUR - 1 }, HOUR, T)).toBe(true);
    });

    it('keeps at most `max`, evicting the least recently used, counting pending touches', async () => {
      const store = open(tempDir(), { sessions: { touchFlushMs: 60_000 } });
      for (let i = 0; i < 10; i++) store.sessions.save(session(`s${i}`, T + i));
      store.sessions.touch('s0', T + 100); // s0 was used last, so it stays
      const evicted = store.sessions.evict({ idleTtlMs: HOUR, max: 4, now: T + 100 });
      expect(evicted.sort()).toEqual(['s1', 's2', 's3', 's4', 's5', 's6']);
      expect(store.sessions.list().map((s) => s.id)).toEqual(['s0', 's9', 's8', 's7']);
    });

    it('never evicts the ids it is told to keep (they still count towards max)', async () => {
      const store = open(tempDir());
      for (let i = 0; i < 5; i++) store.sessions.save(session(`s${i}`, T + i));
      store.sessions.save(session('streaming', T - 10 * HOUR));
      const evicted = store.sessions.evict({
        idleTtlMs: HOUR,
        max: 3,
        now: T + 10,
        keep: new Set(['streaming', 's0']),
      });
      expect(evicted.sort()).toEqual(['s1', 's2', 's3']);
      expect(store.sessions.list().map((s) => s.id)).toEqual(['s4', 's0', 'streaming']);
    });

    it('handles a thousand sessions (config default max) in one call', async () => {
      const store = open(tempDir());
      for (let i = 0; i < 1200; i++) store.sessions.save(session(`s${i}`, T + i));
      const evicted = store.sessions.evict({ idleTtlMs: 24 * HOUR, max: 1000, now: T + 1200 });
      expect(evicted).toHaveLength(200);
      expect(store.sessions.get('s199')).toBeUndefined();
      expect(store.sessions.get('s200')).toBeDefined();
    });
  });
});
