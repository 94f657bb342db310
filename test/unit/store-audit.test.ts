// The audit trail: the batched writer (off the request path, flushed on close), redaction and
// payload caps, retention, and the query API's filters, paging and statistics.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/processes.js';
import { useStoreScratch } from '../helpers/store.js';
import type { AuditEvent, AuditOutcome } from '../../common/domain/audit.js';
import { isErrorOutcome, type AuditRow } from '../../common/domain/audit-query.js';
import {
  REDACTED,
  TRUNCATED,
  isSecretKey,
  serializePayload,
  truncateUtf8,
} from '../../core/store/sqlite/redact.js';
import { STORE_FILE, openStore, type Store, type StoreOptions } from '../../core/store/sqlite/store.js';

const scratch = useStoreScratch('store-audit');
const tempDir = scratch.tempDir;
const stores = scratch.stores;

/** Writing on this thread unless `thread: true` is given: only the writer tests need the thread. */
function open(dir = tempDir(), audit: StoreOptions['audit'] = {}): Store {
  const store = openStore(dir, { audit: { thread: false, pruneIntervalMs: 0, ...audit } });
  stores.push(store);
  return store;
}

const T = 1_700_000_000_000;
const DAY = 86_400_000;

function event(i: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    time: T + i,
    sessionId: `session-${i % 3}`,
    clientName: 'claude-code',
    clientVersion: '2.1.0',
    era: 'legacy',
    method: 'tools/call',
    name: 'echo',
    backend: 'everything',
    originalName: 'echo',
    durationMs: 1.25,
    outcome: 'ok',
    requestBytes: 120,
    responseBytes: 340,
    ...extra,
  };
}

function countRows(store: Store): number {
  const db = new Database(store.file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM audit').pluck().get() as number;
  } finally {
    db.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  ['on its thread', true],
  ['on the calling thread', false],
])('AuditWriter %s', (_, thread) => {
  const writers: Store[] = [];
  const openWriter = (dir = tempDir(), audit: StoreOptions['audit'] = {}) => {
    const store = open(dir, { thread, ...audit });
    writers.push(store);
    return store;
  };
  // The writer falls back to the calling thread if its thread dies: make sure none did unnoticed.
  afterEach(() => {
    for (const store of writers.splice(0)) expect(store.audit.stats.mode).toBe(thread ? 'thread' : 'inline');
  });

  it('writes where it was asked to', () => {
    expect(openWriter().audit.stats.mode).toBe(thread ? 'thread' : 'inline');
  });

  it('only buffers in record(); hands the batch over one flush interval later', async () => {
    const store = openWriter(tempDir(), { flushIntervalMs: 40 });
    for (let i = 0; i < 10; i++) store.audit.record(event(i));
    expect(countRows(store)).toBe(0);
    expect(store.audit.stats).toMatchObject({ buffered: 10, pending: 0 });
    await sleep(100);
    expect(store.audit.stats.buffered).toBe(0);
    await store.audit.flush();
    expect(countRows(store)).toBe(10);
    expect(store.audit.stats).toMatchObject({ buffered: 0, pending: 0, written: 10, dropped: 0 });
  });

  it('hands batches over at least minBatchGapMs apart; the first event after a quiet spell waits only flushIntervalMs', async () => {
    const store = openWriter(tempDir(), { flushIntervalMs: 20, minBatchGapMs: 800 });
    store.audit.record(event(0));
    const first = performance.now();
    await waitFor(() => store.audit.stats.buffered === 0, { intervalMs: 5, what: 'the hand-over' });
    expect(performance.now() - first).toBeLessThan(800); // the interval, not the gap
    store.audit.record(event(1));
    store.audit.record(event(2));
    await sleep(300); // well past the interval, well short of the gap
    expect(store.audit.stats.buffered).toBe(2);
    await waitFor(() => store.audit.stats.buffered === 0, { intervalMs: 5, what: 'the hand-over' });
    // The first batch went at least the interval after `first`, the second at least the gap after
    // it (seen here only once polled, so measured from `first`; timers round to whole ms).
    expect(performance.now() - first).toBeGreaterThanOrEqual(815);
    await store.audit.flush();
    expect(countRows(store)).toBe(3);
    // After a quiet spell longer than the gap, an event waits only the interval again.
    await sleep(850);
    store.audit.record(event(3));
    const quiet = performance.now();
    await waitFor(() => store.audit.stats.buffered === 0, { intervalMs: 5, what: 'the hand-over' });
    expect(performance.now() - quiet).toBeLessThan(800);
  });

  it('a full batch, flush() and close() do not wait for the gap', async () => {
    const dir = tempDir();
    const store = openWriter(dir, { flushIntervalMs: 60_000, minBatchGapMs: 60_000, maxBatchRows: 50 });
    store.audit.record(event(0));
    await store.audit.flush();
    for (let i = 1; i <= 50; i++) store.audit.record(event(i));
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.audit.stats.buffered).toBe(0);
    store.audit.record(event(51));
    await store.audit.flush();
    expect(countRows(store)).toBe(52);
    store.audit.record(event(52));
    await store.close();
    expect(store.audit.stats).toMatchObject({ written: 53, dropped: 0 });
  });

  it('hands a full batch over on the next turn of the event loop, without waiting for the interval', async () => {
    const store = openWriter(tempDir(), { flushIntervalMs: 60_000, maxBatchRows: 100 });
    for (let i = 0; i < 99; i++) store.audit.record(event(i));
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.audit.stats.buffered).toBe(99);
    store.audit.record(event(99));
    expect(store.audit.stats.buffered).toBe(100); // never on the caller's stack
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.audit.stats.buffered).toBe(0);
    await store.audit.flush();
    expect(countRows(store)).toBe(100);
  });

  it('keeps one batch in flight: what arrives meanwhile goes in the next batch, nothing is lost', async () => {
    const store = openWriter(tempDir(), { flushIntervalMs: 5, maxBatchRows: 50 });
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 60; i++) store.audit.record(event(round * 60 + i));
      await new Promise((resolve) => setImmediate(resolve));
      expect(store.audit.stats.pending).toBeLessThanOrEqual(thread ? 60 * 40 : 0);
    }
    await store.audit.flush();
    expect(store.audit.stats).toMatchObject({ written: 2400, dropped: 0, buffered: 0, pending: 0 });
    const ids = store.query.tail(0, {}, 5000).map((r) => r.time - T);
    expect(ids).toEqual(Array.from({ length: 2400 }, (_, i) => i)); // in the order recorded
  });

  it('writes what is buffered on close', async () => {
    const dir = tempDir();
    const store = openWriter(dir, { flushIntervalMs: 60_000 });
    for (let i = 0; i < 25; i++) store.audit.record(event(i));
    await store.close();
    expect(store.audit.stats).toMatchObject({ written: 25, dropped: 0 });
    const again = open(dir);
    expect(again.query.query({}).total).toBe(25);
  });

  it('stores every field of an event and reads it back unchanged', async () => {
    const store = openWriter();
    const full: AuditEvent = {
      time: T,
      sessionId: 's',
      clientName: 'cursor',
      clientVersion: '1.2',
      era: 'modern',
      method: 'resources/read',
      name: 'file:///tmp/ü.txt',
      backend: 'fs',
      originalName: 'file:///tmp/ü.txt',
      durationMs: 12.5,
      outcome: 'protocol_error',
      httpStatus: 200,
      errorCode: -32602,
      errorMessage: 'Invalid params',
      requestBytes: 99,
      responseBytes: 101,
    };
    const minimal: AuditEvent = {
      time: T + 1,
      method: 'http',
      durationMs: 0,
      outcome: 'denied',
      httpStatus: 401,
      requestBytes: 0,
      responseBytes: 50,
    };
    store.audit.record(full);
    store.audit.record(minimal);
    await store.audit.flush();
    expect(store.query.query({}).rows).toEqual([
      { id: 2, ...minimal },
      { id: 1, ...full },
    ]);
  });

  it('drops payloads unless recordPayloads is on', async () => {
    const store = openWriter(tempDir(), { recordPayloads: false });
    expect(store.audit.wantsPayloads).toBe(false);
    store.audit.record(event(0, { requestPayload: { a: 1 }, responsePayload: { b: 2 } }));
    await store.audit.flush();
    const row = store.query.query({}).rows[0]!;
    expect(row.requestPayload).toBeUndefined();
    expect(row.responsePayload).toBeUndefined();
  });

  it('stores payloads redacted and capped when recordPayloads is on', async () => {
    const store = openWriter(tempDir(), {
      recordPayloads: true,
      maxPayloadBytes: 200,
      redactKeys: ['X-Tenant'],
    });
    expect(store.audit.wantsPayloads).toBe(true);
    store.audit.record(
      event(0, {
        requestPayload: {
          name: 'login',
          arguments: { user: 'ann', password: 'hunter2', nested: [{ api_key: 'k' }], x_tenant: 't1' },
        },
        responsePayload: { content: [{ type: 'text', text: 'x'.repeat(10_000) }] },
      }),
    );
    await store.audit.flush();
    const row = store.query.query({}).rows[0]!;
    expect(JSON.parse(row.requestPayload!)).toEqual({
      name: 'login',
      arguments: { user: 'ann', password: REDACTED, nested: [{ api_key: REDACTED }], x_tenant: REDACTED },
    });
    expect(row.requestPayload).not.toContain('hunter2');
    expect(Buffer.byteLength(row.responsePayload!)).toBeLessThanOrEqual(200);
    expect(row.responsePayload!.endsWith(TRUNCATED)).toBe(true);
    expect(row.responsePayload!.startsWith('{"content":[{"type":"text","text":"xxx')).toBe(true);
  });

  it('turns odd values into what the columns hold, and drops only a row SQLite refuses', async () => {
    const store = openWriter();
    const db = new Database(store.file);
    db.exec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON audit WHEN NEW.method = 'poison'
             BEGIN SELECT RAISE(ABORT, 'poison row'); END`);
    db.close();
    store.audit.record(event(0));
    store.audit.record({
      ...event(1),
      method: 42 as unknown as string,
      durationMs: Number.NaN,
      time: T + 0.4,
      requestBytes: '12' as unknown as number,
      errorMessage: 'e'.repeat(10_000),
    });
    store.audit.record(event(2, { method: 'poison' }));
    store.audit.record(event(3));
    await store.audit.flush();
    expect(store.audit.stats).toMatchObject({ written: 3, dropped: 1, buffered: 0, pending: 0 });
    const rows = store.query.query({}).rows;
    expect(rows.map((r) => r.method).sort()).toEqual(['42', 'tools/call', 'tools/call']);
    const odd = rows.find((r) => r.method === '42')!;
    expect(odd).toMatchObject({ durationMs: 0, time: T, requestBytes: 12 });
    expect(odd.errorMessage).toHaveLength(4096);
  });

  it('keeps a batch the database refuses (busy) and writes it once it can, losing nothing', async () => {
    const dir = tempDir();
    const store = openWriter(dir, { flushIntervalMs: 60_000, retryMs: 30 });
    const blocker = new Database(path.join(dir, STORE_FILE));
    blocker.exec('BEGIN IMMEDIATE'); // another writer holds the lock (longer than busy_timeout)
    for (let i = 0; i < 5; i++) store.audit.record(event(i));
    // A writer on the locked file, with a short busy timeout.
    const locked = openStore(dir, { busyTimeoutMs: 10, audit: { thread, pruneIntervalMs: 0, retryMs: 30 } });
    stores.push(locked);
    writers.push(locked);
    locked.audit.record(event(100));
    await locked.audit.flush();
    expect(locked.audit.stats).toMatchObject({ pending: 1, failedFlushes: 1, written: 0 });
    blocker.exec('COMMIT');
    blocker.close();
    await sleep(150);
    expect(locked.audit.stats).toMatchObject({ pending: 0, written: 1, dropped: 0 });
    await store.audit.flush();
    expect(store.query.query({}).total).toBe(6);
  });

  it('drops (and counts) events beyond maxBufferRows and after close', async () => {
    const store = openWriter(tempDir(), { maxBufferRows: 3, maxBatchRows: 1000, flushIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) store.audit.record(event(i));
    expect(store.audit.stats).toMatchObject({ buffered: 3, dropped: 2 });
    await store.audit.close();
    store.audit.record(event(9));
    expect(store.audit.stats).toMatchObject({ buffered: 0, written: 3, dropped: 3 });
  });

  it('runs retention where it writes', async () => {
    const store = openWriter(tempDir(), { maxRows: 10, retentionDays: 10_000 });
    for (let i = 0; i < 50; i++) store.audit.record(event(i));
    await store.audit.flush();
    expect(await store.audit.prune(T)).toBe(40);
    expect(countRows(store)).toBe(10);
  });
});

describe('AuditWriter thread', () => {
  it('carries on on the calling thread if its thread dies, losing nothing handed over', async () => {
    const store = open(tempDir(), { thread: true, flushIntervalMs: 60_000 });
    for (let i = 0; i < 10; i++) store.audit.record(event(i));
    await store.audit.flush(); // written by the thread
    for (let i = 10; i < 20; i++) store.audit.record(event(i));
    const inFlight = store.audit.flush(); // handed over, not confirmed yet
    for (let i = 20; i < 30; i++) store.audit.record(event(i)); // still buffered
    // Reach in to end the thread, as a crash in it would.
    const sink = (store.audit as unknown as { sink: { worker: { terminate(): Promise<number> } } }).sink;
    await sink.worker.terminate();
    await inFlight;
    expect(store.audit.stats.mode).toBe('inline');
    await store.audit.flush();
    // Every event is there; one the thread wrote just before it ended may be there twice.
    const times = store.query.tail(0, {}, 100).map((r) => r.time - T);
    expect(new Set(times)).toEqual(new Set(Array.from({ length: 30 }, (_, i) => i)));
    expect(times.length).toBeLessThanOrEqual(40);
  });
});

describe('redaction and payload caps', () => {
  it('recognises secret keys in any spelling, and leaves look-alikes alone', () => {
    for (const key of [
      'token',
      'Token',
      'access_token',
      'refreshToken',
      'x-auth-token',
      'secret',
      'client_secret',
      'SECRET_KEY',
      'password',
      'Password',
      'db-password-file',
      'passwd',
      'authorization',
      'Authorization',
      'proxy-authorization',
      'api_key',
      'apiKey',
      'x-api-key',
      'API-KEY',
      'private_key',
      'credentials',
      'cookie',
      'Set-Cookie',
      'auth',
      'pwd',
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of [
      'name',
      'maxTokens',
      'max_tokens',
      'tokens',
      'tokenizer',
      'author',
      'key',
      'keyword',
      'path',
    ]) {
      expect(isSecretKey(key), key).toBe(false);
    }
    expect(isSecretKey('sessionId')).toBe(false);
    expect(isSecretKey('x-session-id', ['sessionid'])).toBe(true);
  });

  it('redacts at any depth, inside arrays, whatever the value is', () => {
    const payload = {
      method: 'tools/call',
      params: {
        name: 'deploy',
        arguments: {
          targets: [{ host: 'a', credentials: { user: 'u', pass: 'p' } }, [{ deeper: [{ API_KEY: 12345 }] }]],
          headers: { Authorization: 'Bearer abc.def.ghi', Accept: 'application/json' },
          token: null,
          settings: { password: ['p1', 'p2'], maxTokens: 100 },
          note: 'Bearer sk-live-0123456789abcdef',
          prose: 'Bearer tokens are described in RFC 6750',
        },
      },
    };
    const text = serializePayload(payload, 1_000_000)!;
    expect(JSON.parse(text)).toEqual({
      method: 'tools/call',
      params: {
        name: 'deploy',
        arguments: {
          targets: [{ host: 'a', credentials: REDACTED }, [{ deeper: [{ API_KEY: REDACTED }] }]],
          headers: { Authorization: REDACTED, Accept: 'application/json' },
          token: REDACTED,
          settings: { password: REDACTED, maxTokens: 100 },
          note: REDACTED,
          prose: 'Bearer tokens are described in RFC 6750',
        },
      },
    });
    for (const secret of ['12345', 'abc.def', 'p1', 'sk-live', '"pass"']) expect(text).not.toContain(secret);
  });

  it('serializes like JSON.stringify when there is nothing to redact or cut', () => {
    const value = {
      s: 'quote " backslash \\ newline \n unicode ü 😀',
      n: [0, -1.5, 1e21, Number.NaN, Number.POSITIVE_INFINITY],
      b: [true, false, null],
      skip: undefined,
      f: () => 1,
      arr: [undefined, () => 1],
      date: new Date(T),
      nested: { a: { b: { c: [] } }, e: {} },
    };
    expect(serializePayload(value, 1_000_000)).toBe(JSON.stringify(value));
    expect(serializePayload('plain', 100)).toBe('"plain"');
    expect(serializePayload(undefined, 100)).toBeUndefined();
    expect(serializePayload({ a: 1 }, 0)).toBeUndefined();
  });

  it('survives cycles, very deep values and bigints', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(JSON.parse(serializePayload(cyclic, 1000)!)).toEqual({ a: 1, self: '[circular]' });
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(serializePayload(deep, 100_000)).toContain('[too deep]');
    expect(serializePayload({ big: 10n }, 100)).toBe('{"big":"10"}');
    // The same object twice (not a cycle) is written twice.
    const shared = { x: 1 };
    expect(serializePayload([shared, shared], 100)).toBe('[{"x":1},{"x":1}]');
  });

  it('caps the stored text at maxPayloadBytes of UTF-8, marking the cut, never splitting a character', () => {
    for (const max of [20, 64, 100, 1000, 4096]) {
      for (const filler of ['a', 'ü', '😀', '€a']) {
        const text = serializePayload({ text: filler.repeat(5000) }, max)!;
        expect(Buffer.byteLength(text), `${max} ${filler}`).toBeLessThanOrEqual(max);
        expect(text.endsWith(TRUNCATED)).toBe(true);
        expect(text).not.toContain('\uFFFD');
        expect(Buffer.byteLength(text)).toBeGreaterThan(max - Buffer.byteLength(TRUNCATED) - 4);
      }
    }
    // Exactly at the cap: kept whole.
    const exact = JSON.stringify({ t: 'x'.repeat(50) });
    expect(serializePayload({ t: 'x'.repeat(50) }, Buffer.byteLength(exact))).toBe(exact);
    expect(serializePayload({ t: 'x'.repeat(51) }, Buffer.byteLength(exact))!.endsWith(TRUNCATED)).toBe(true);
    // A cap smaller than the marker still holds.
    expect(Buffer.byteLength(serializePayload('x'.repeat(100), 5)!)).toBeLessThanOrEqual(5);
  });

  it('does not walk a huge payload beyond the cap', () => {
    const huge = {
      items: Array.from({ length: 200_000 }, (_, i) => ({ i, text: 'lorem ipsum dolor sit amet' })),
    };
    const time = (f: () => unknown) => {
      const started = performance.now();
      f();
      return performance.now() - started;
    };
    const whole = time(() => JSON.stringify(huge));
    let text = '';
    const capped = time(() => (text = serializePayload(huge, 4096)!));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
    expect(capped).toBeLessThan(whole / 5);
  });

  it('truncateUtf8 cuts between characters', () => {
    expect(truncateUtf8('héllo', 2)).toBe('h');
    expect(truncateUtf8('héllo', 3)).toBe('hé');
    expect(truncateUtf8('😀😀', 5)).toBe('😀');
    expect(truncateUtf8('abc', 10)).toBe('abc');
    expect(truncateUtf8('abc', 0)).toBe('');
  });
});

describe('retention', () => {
  it('deletes rows older than retentionDays', async () => {
    const store = open(tempDir(), { retentionDays: 7 });
    const cutoff = T - 7 * DAY;
    for (let day = 0; day < 10; day++) store.audit.record(event(0, { time: T - day * DAY - 1 })); // days 7, 8, 9 are older
    store.audit.record(event(0, { time: cutoff })); // exactly 7 days old: kept
    store.audit.record(event(0, { time: cutoff - 1 })); // just older: deleted
    await store.audit.flush();
    expect(await store.audit.prune(T)).toBe(4);
    const times = store.query.query({}).rows.map((r) => r.time);
    expect(times).toHaveLength(8);
    expect(Math.min(...times)).toBe(cutoff);
  });

  it('keeps at most maxRows, deleting the oldest, in chunks', async () => {
    const store = open(tempDir(), { maxRows: 1000, pruneChunkRows: 128, retentionDays: 10_000 });
    for (let i = 0; i < 2500; i++) store.audit.record(event(i));
    await store.audit.flush();
    expect(await store.audit.prune(T)).toBe(1500);
    const page = store.query.query({ limit: 1000 });
    expect(page.total).toBe(1000);
    expect(Math.min(...page.rows.map((r) => r.id))).toBe(1501);
    expect(await store.audit.prune(T)).toBe(0);
  });

  it('runs by itself on its interval', async () => {
    const store = open(tempDir(), { maxRows: 10, pruneIntervalMs: 30, retentionDays: 10_000 });
    for (let i = 0; i < 50; i++) store.audit.record(event(i));
    await store.audit.flush();
    await sleep(200);
    expect(countRows(store)).toBe(10);
  });

  it('keeps row ids increasing after every row was deleted (so a follower never misses rows)', async () => {
    const store = open(tempDir(), { retentionDays: 1 });
    store.audit.record(event(0));
    await store.audit.flush();
    expect(await store.audit.prune(T + 10 * DAY)).toBe(1);
    store.audit.record(event(1));
    await store.audit.flush();
    expect(store.query.lastId()).toBe(2);
  });
});

describe('query API', () => {
  const backends = ['alpha', 'beta', 'gamma', undefined];
  const outcomes: AuditOutcome[] = ['ok', 'ok', 'ok', 'tool_error', 'timeout', 'cancelled', 'denied'];
  const clients = ['claude-code', 'cursor', 'vscode'];

  /** A varied trail, with times out of insertion order as batching makes them. */
  function trail(n: number): AuditEvent[] {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    return Array.from({ length: n }, (_, i) => ({
      time: T + i * 100 + Math.floor(next() * 300),
      sessionId: `session-${i % 7}`,
      clientName: clients[i % 3],
      clientVersion: '1.0',
      era: i % 2 ? 'legacy' : 'modern',
      method: i % 10 === 0 ? 'tools/list' : 'tools/call',
      name: i % 10 === 0 ? undefined : `tool_${i % 13}`,
      backend: i % 10 === 0 ? undefined : backends[i % 4],
      durationMs: Math.round(next() * 5000) / 10,
      outcome: outcomes[i % outcomes.length]!,
      errorMessage: i % 17 === 0 ? `Upstream said 100%_done at step ${i}` : undefined,
      requestBytes: i,
      responseBytes: 2 * i,
    }));
  }

  async function filled(n: number): Promise<{ store: Store; events: (AuditEvent & { id: number })[] }> {
    const store = open(tempDir(), { maxBatchRows: 5000 });
    const events = trail(n).map((e, i) => ({ ...e, id: i + 1 }));
    for (const e of events) {
      const { id: _id, ...plain } = e;
      store.audit.record(plain);
    }
    await store.audit.flush();
    return { store, events };
  }

  const newestFirst = (a: { time: number; id: number }, b: { time: number; id: number }) =>
    b.time - a.time || b.id - a.id;

  it('filters by time range, backend, name, outcome, method, session, client and text', async () => {
    const { store, events } = await filled(2000);
    const cases: [Parameters<Store['query']['query']>[0], (e: AuditEvent) => boolean][] = [
      [{}, () => true],
      [{ from: T + 50_000, to: T + 90_000 }, (e) => e.time >= T + 50_000 && e.time < T + 90_000],
      [{ backend: 'alpha' }, (e) => e.backend === 'alpha'],
      [{ backend: ['alpha', 'gamma'] }, (e) => e.backend === 'alpha' || e.backend === 'gamma'],
      [{ name: 'tool_5' }, (e) => e.name === 'tool_5'],
      [{ outcome: 'tool_error' }, (e) => e.outcome === 'tool_error'],
      [{ outcome: ['timeout', 'denied'] }, (e) => e.outcome === 'timeout' || e.outcome === 'denied'],
      [{ method: 'tools/list' }, (e) => e.method === 'tools/list'],
      [{ sessionId: 'session-3' }, (e) => e.sessionId === 'session-3'],
      [{ client: 'cursor' }, (e) => e.clientName === 'cursor'],
      // Substrings, any case (the dashboard's Tool and Client fields); % and _ are literal.
      [{ nameContains: 'OOL_1' }, (e) => (e.name ?? '').toLowerCase().includes('ool_1')],
      [{ nameContains: '_' }, (e) => (e.name ?? '').includes('_')],
      [{ clientContains: 'CUR' }, (e) => (e.clientName ?? '').toLowerCase().includes('cur')],
      [{ text: '100%_done' }, (e) => (e.errorMessage ?? '').includes('100%_done')],
      [{ text: 'TOOL_1' }, (e) => (e.name ?? '').toLowerCase().includes('tool_1')],
      [{ text: '%' }, (e) => (e.errorMessage ?? '').includes('%')],
      [
        { backend: 'beta', outcome: 'ok', client: 'vscode', from: T + 10_000 },
        (e) =>
          e.backend === 'beta' && e.outcome === 'ok' && e.clientName === 'vscode' && e.time >= T + 10_000,
      ],
    ];
    for (const [filter, predicate] of cases) {
      const expected = events.filter(predicate).sort(newestFirst);
      const page = store.query.query({ ...filter, limit: 1000 });
      expect(page.total, JSON.stringify(filter)).toBe(expected.length);
      expect(
        page.rows.map((r) => r.id),
        JSON.stringify(filter),
      ).toEqual(expected.slice(0, 1000).map((e) => e.id));
    }
  });

  it('pages through everything with the cursor, newest first, with no row twice or missed', async () => {
    const { store, events } = await filled(1234);
    const seen: AuditRow[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = store.query.query({ limit: 100, ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(1234);
      seen.push(...page.rows);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(13);
    expect(seen.map((r) => r.id)).toEqual([...events].sort(newestFirst).map((e) => e.id));
    // Paging with a filter, and rows arriving meanwhile do not disturb older pages.
    const first = store.query.query({ backend: 'beta', limit: 50 });
    store.audit.record({ ...trail(1)[0]!, backend: 'beta', time: T + 10_000_000 });
    await store.audit.flush();
    const second = store.query.query({ backend: 'beta', limit: 50, cursor: first.nextCursor! });
    const expected = events.filter((e) => e.backend === 'beta').sort(newestFirst);
    expect([...first.rows, ...second.rows].map((r) => r.id)).toEqual(expected.slice(0, 100).map((e) => e.id));
  });

  it('supports offset paging, caps the page size, and rejects a malformed cursor', async () => {
    const { store, events } = await filled(300);
    const sorted = [...events].sort(newestFirst);
    expect(store.query.query({ offset: 250, limit: 100 }).rows.map((r) => r.id)).toEqual(
      sorted.slice(250).map((e) => e.id),
    );
    expect(store.query.query({ limit: 5000 }).rows).toHaveLength(300);
    expect(store.query.query({}).rows).toHaveLength(100);
    expect(() => store.query.query({ cursor: 'nonsense' })).toThrow(/invalid audit cursor/);
  });

  it('tails rows after an id, oldest first, with filters', async () => {
    const { store, events } = await filled(200);
    expect(store.query.lastId()).toBe(200);
    expect(store.query.tail(190).map((r) => r.id)).toEqual([
      191, 192, 193, 194, 195, 196, 197, 198, 199, 200,
    ]);
    expect(store.query.tail(100, { backend: 'alpha' }, 5).map((r) => r.id)).toEqual(
      events
        .filter((e) => e.id > 100 && e.backend === 'alpha')
        .slice(0, 5)
        .map((e) => e.id),
    );
  });

  it('computes per-bucket, per-backend and overall counts, error rates and percentiles exactly', async () => {
    const { store, events } = await filled(3000);
    const from = T + 20_000;
    const to = T + 250_000;
    const bucketMs = 30_000;
    const stats = store.query.stats({ from, to, bucketMs });
    const inRange = events.filter((e) => e.time >= from && e.time < to);

    const nearestRank = (values: number[], p: number) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted.length ? sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]! : 0;
    };
    const summary = (group: AuditEvent[]) => {
      const errors = group.filter((e) => isErrorOutcome(e.outcome)).length;
      const d = group.map((e) => e.durationMs);
      return {
        calls: group.length,
        errors,
        errorRate: errors / group.length,
        p50: nearestRank(d, 50),
        p95: nearestRank(d, 95),
        p99: nearestRank(d, 99),
      };
    };
    const key = (b: string | null | undefined) => b ?? null;
    const expectedBuckets = new Map<string, AuditEvent[]>();
    for (const e of inRange) {
      const start = from + Math.floor((e.time - from) / bucketMs) * bucketMs;
      const k = `${start}|${key(e.backend)}`;
      expectedBuckets.set(k, [...(expectedBuckets.get(k) ?? []), e]);
    }
    expect(stats.buckets).toHaveLength(expectedBuckets.size);
    for (const b of stats.buckets) {
      const group = expectedBuckets.get(`${b.start}|${b.backend}`);
      expect(group, `${b.start} ${b.backend}`).toBeDefined();
      expect(b).toEqual({ start: b.start, backend: b.backend, ...summary(group!) });
    }
    // Buckets in time order, backends sorted within a bucket (null first).
    const order = stats.buckets.map((b) => [b.start, b.backend ?? ''] as const);
    expect(order).toEqual([...order].sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1])));
    for (const b of stats.backends) {
      expect(b).toEqual({
        backend: b.backend,
        ...summary(inRange.filter((e) => key(e.backend) === b.backend)),
      });
    }
    expect(stats.backends.map((b) => b.backend)).toEqual([null, 'alpha', 'beta', 'gamma']);
    expect(stats.total).toEqual(summary(inRange));
    // The headline figures: calls a backend served, and how many requests were refused.
    expect(stats.served).toEqual(summary(inRange.filter((e) => e.backend)));
    expect(stats.served.calls).toBeLessThan(stats.total.calls);
    expect(stats.denied).toBe(inRange.filter((e) => e.outcome === 'denied').length);
    expect(stats.denied).toBeGreaterThan(0);
    // Per bucket, every backend together: only calls a backend served.
    const servedByBucket = new Map<number, AuditEvent[]>();
    for (const e of inRange) {
      if (!e.backend) continue;
      const start = from + Math.floor((e.time - from) / bucketMs) * bucketMs;
      servedByBucket.set(start, [...(servedByBucket.get(start) ?? []), e]);
    }
    expect(stats.totals?.map((t) => t.start)).toEqual([...servedByBucket.keys()].sort((a, b) => a - b));
    for (const t of stats.totals ?? [])
      expect(t).toEqual({ start: t.start, ...summary(servedByBucket.get(t.start)!) });
    expect(stats).toMatchObject({ from, to, bucketMs });
  });

  it('computes stats with filters, for an empty range, and refuses too many buckets', async () => {
    const { store, events } = await filled(500);
    const only = store.query.stats({
      from: T,
      to: T + 100_000,
      bucketMs: 10_000,
      backend: 'beta',
      method: 'tools/call',
    });
    expect(only.backends.map((b) => b.backend)).toEqual(['beta']);
    expect(only.total.calls).toBe(
      events.filter((e) => e.backend === 'beta' && e.method === 'tools/call' && e.time < T + 100_000).length,
    );
    const empty = store.query.stats({ from: T - 10_000, to: T - 1, bucketMs: 1000 });
    expect(empty).toMatchObject({
      buckets: [],
      backends: [],
      total: { calls: 0, errors: 0, errorRate: 0, p50: 0 },
      served: { calls: 0, errors: 0, errorRate: 0, p50: 0 },
      denied: 0,
    });
    expect(() => store.query.stats({ from: T, to: T + 1e9, bucketMs: 1 })).toThrow(/at most/);
    expect(() => store.query.stats({ from: T, to: T, bucketMs: 1000 })).toThrow(RangeError);
  });

  it('answers a page quickly on 100,000 rows', async () => {
    const store = open(tempDir(), { maxBatchRows: 10_000 });
    const db = new Database(store.file);
    const insert = db.prepare(
      `INSERT INTO audit (time, session_id, client_name, method, name, backend, duration_ms, outcome, request_bytes, response_bytes)
       VALUES (?, ?, ?, 'tools/call', ?, ?, ?, ?, 10, 10)`,
    );
    db.transaction(() => {
      for (let i = 0; i < 100_000; i++) {
        insert.run(
          T + i * 10,
          `s${i % 50}`,
          clients[i % 3]!,
          `tool_${i % 40}`,
          backends[i % 4] ?? null,
          i % 100,
          outcomes[i % 7]!,
        );
      }
    })();
    db.close();
    const time = (f: () => unknown) => {
      const started = performance.now();
      f();
      return performance.now() - started;
    };
    // Generous bounds that only catch a query gone pathological (a full scan, a sort of every
    // row): the machine may be busy. Typical figures are a few milliseconds (see the bench).
    const first = store.query.query({ limit: 100 });
    expect(first.total).toBe(100_000);
    expect(time(() => store.query.query({ limit: 100, cursor: first.nextCursor! }))).toBeLessThan(400);
    expect(time(() => store.query.query({ backend: 'beta', limit: 100 }))).toBeLessThan(400);
    expect(time(() => store.query.query({ outcome: 'timeout', client: 'cursor', limit: 100 }))).toBeLessThan(
      400,
    );
    expect(time(() => store.query.query({ sessionId: 's7', from: T + 500_000, limit: 100 }))).toBeLessThan(
      400,
    );
    expect(time(() => store.query.query({ offset: 90_000, limit: 100 }))).toBeLessThan(400);
    expect(time(() => store.query.stats({ from: T, to: T + 1_000_000, bucketMs: 60_000 }))).toBeLessThan(
      3000,
    );
  });
});
