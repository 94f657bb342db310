// `switchyard audit`: reads the data dir's database (read-only, while a writer has it open),
// as a table or JSON lines, with filters, and follows new rows.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { useStoreScratch } from '../helpers/store.js';
import { AUDIT_HEADER, auditCommand, formatAuditRow, parseSince } from '../../core/cli/audit.js';
import { UsageError, type Io } from '../../core/cli/common.js';
import type { AuditEvent } from '../../common/domain/audit.js';
import type { AuditRow } from '../../common/domain/audit-query.js';
import { openStore, type Store } from '../../core/store/sqlite/store.js';

const scratch = useStoreScratch('store-cli');
const tempDir = scratch.tempDir;
const stores = scratch.stores;

function capture(env: NodeJS.ProcessEnv = {}): Io & { out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, env, out: () => out, err: () => err };
}

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const MINUTE = 60_000;

function event(minutesAgo: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    time: NOW - minutesAgo * MINUTE,
    sessionId: 'sess-1',
    clientName: 'claude-code',
    clientVersion: '2.1.0',
    era: 'legacy',
    method: 'tools/call',
    name: 'echo',
    backend: 'everything',
    originalName: 'echo',
    durationMs: 3.25,
    outcome: 'ok',
    requestBytes: 10,
    responseBytes: 20,
    ...extra,
  };
}

/** A data dir whose database a running writer (like `serve`) keeps open. */
async function serving(events: AuditEvent[]): Promise<{ dir: string; store: Store }> {
  const dir = tempDir();
  const store = openStore(dir, {
    audit: { thread: false, pruneIntervalMs: 0, flushIntervalMs: 10, minBatchGapMs: 0 },
  });
  stores.push(store);
  for (const e of events) store.audit.record(e);
  await store.audit.flush();
  return { dir, store };
}

const trail = [
  event(180, { name: 'old' }),
  event(50, { backend: 'memory', name: 'create_entities', outcome: 'tool_error', durationMs: 1500 }),
  event(40, { method: 'initialize', name: undefined, backend: undefined, durationMs: 0.4 }),
  event(30, {
    method: 'http',
    name: undefined,
    backend: undefined,
    clientName: undefined,
    outcome: 'denied',
    httpStatus: 401,
  }),
  event(10, { name: 'add', outcome: 'timeout', durationMs: 30_000, errorCode: -32001 }),
];

describe('switchyard audit', () => {
  it('prints a table of the matching rows, oldest first, reading while the writer has the file open', async () => {
    const { dir } = await serving(trail);
    const io = capture();
    expect(await auditCommand(['--data-dir', dir, '--since', '1h'], io, { now: () => NOW })).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toBe(AUDIT_HEADER);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(
      /claude-code 2\.1\.0\s+tools\/call\s+create_entities\s+memory\s+tool_error\s+1\.5 s$/,
    );
    expect(lines[2]).toMatch(/initialize\s+-\s+-\s+ok\s+0\.4 ms$/);
    expect(lines[3]).toMatch(/^\S+ \S+\s+-\s+http\s+-\s+-\s+denied 401\s+3\.3 ms$/);
    expect(lines[4]).toMatch(/add\s+everything\s+timeout -32001\s+30 s$/);
    expect(io.err()).toBe('');
  });

  it('filters by backend, tool and outcome (repeatable or comma-separated)', async () => {
    const { dir } = await serving(trail);
    const run = async (...args: string[]) => {
      const io = capture();
      expect(await auditCommand(['--data-dir', dir, '--json', ...args], io, { now: () => NOW })).toBe(0);
      return io
        .out()
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as AuditRow);
    };
    expect((await run('--backend', 'memory')).map((r) => r.name)).toEqual(['create_entities']);
    expect((await run('--tool', 'add', '--tool', 'old')).map((r) => r.name)).toEqual(['old', 'add']);
    expect((await run('--outcome', 'timeout,denied')).map((r) => r.outcome)).toEqual(['denied', 'timeout']);
    expect((await run('--outcome', 'ok', '--since', '2h')).map((r) => r.method)).toEqual(['initialize']);
    expect(await run('--client', 'nobody')).toEqual([]);
  });

  it('--json prints one complete object per line', async () => {
    const { dir } = await serving(trail);
    const io = capture();
    await auditCommand(['--data-dir', dir, '--json', '--limit', '2'], io, { now: () => NOW });
    const rows = io
      .out()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRow);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toEqual({ id: 5, ...trail[4] });
    expect(io.err()).toBe('');
  });

  it('says when nothing matches, and when only the newest rows are shown', async () => {
    const { dir } = await serving(trail);
    let io = capture();
    await auditCommand(['--data-dir', dir, '--backend', 'nope'], io);
    expect(io.out()).toBe('');
    expect(io.err()).toBe('No audit rows match.\n');
    io = capture();
    await auditCommand(['--data-dir', dir, '--limit', '2'], io);
    expect(io.err()).toContain('the last 2 of 5 matching rows');
  });

  it('reads the data dir from SWITCHYARD_DATA_DIR', async () => {
    const { dir } = await serving(trail);
    const io = capture({ SWITCHYARD_DATA_DIR: dir });
    expect(await auditCommand(['--json'], io)).toBe(0);
    expect(io.out().trim().split('\n')).toHaveLength(5);
  });

  it('fails clearly when there is no database yet', async () => {
    const io = capture();
    expect(await auditCommand(['--data-dir', tempDir()], io)).toBe(1);
    expect(io.err()).toMatch(/does not exist yet: start `switchyard serve` first/);
  });

  it('rejects bad flags', async () => {
    const dir = tempDir();
    await expect(auditCommand(['--data-dir', dir, '--outcome', 'bad'], capture())).rejects.toThrow(
      UsageError,
    );
    await expect(auditCommand(['--data-dir', dir, '--since', 'yesterday-ish'], capture())).rejects.toThrow(
      UsageError,
    );
    await expect(auditCommand(['--data-dir', dir, '--limit', '0'], capture())).rejects.toThrow(UsageError);
    await expect(auditCommand(['--data-dir', dir, '--bogus'], capture())).rejects.toThrow(/bogus/);
  });

  it('--follow prints rows as the writer adds them, each once, until stopped', async () => {
    const { dir, store } = await serving(trail.slice(0, 2));
    const io = capture();
    const controller = new AbortController();
    const running = auditCommand(['--data-dir', dir, '--follow', '--json'], io, {
      signal: controller.signal,
      pollMs: 20,
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    store.audit.record(event(1, { name: 'late-1' }));
    store.audit.record(event(1, { name: 'filtered', backend: 'other' }));
    await new Promise((resolve) => setTimeout(resolve, 120));
    for (let i = 0; i < 1500; i++) store.audit.record(event(0, { name: `burst-${i}` }));
    await store.audit.flush();
    await new Promise((resolve) => setTimeout(resolve, 120));
    controller.abort();
    expect(await running).toBe(0);
    const names = io
      .out()
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as AuditRow).name);
    expect(names.slice(0, 4)).toEqual(['old', 'create_entities', 'late-1', 'filtered']);
    expect(names.slice(4)).toEqual(Array.from({ length: 1500 }, (_, i) => `burst-${i}`));
  });

  it('--follow keeps the filters', async () => {
    const { dir, store } = await serving([]);
    const io = capture();
    const controller = new AbortController();
    const running = auditCommand(['--data-dir', dir, '--follow', '--backend', 'memory'], io, {
      signal: controller.signal,
      pollMs: 20,
    });
    await new Promise((resolve) => setTimeout(resolve, 40));
    store.audit.record(event(0, { backend: 'memory', name: 'read_graph' }));
    store.audit.record(event(0, { backend: 'everything', name: 'echo' }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    controller.abort();
    await running;
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toBe(AUDIT_HEADER);
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toContain('read_graph');
  });
});

describe('audit helpers', () => {
  it('parses --since as a duration before now or as a date', () => {
    expect(parseSince('1h', NOW)).toBe(NOW - 3_600_000);
    expect(parseSince('30m', NOW)).toBe(NOW - 30 * MINUTE);
    expect(parseSince('2d', NOW)).toBe(NOW - 2 * 86_400_000);
    expect(parseSince('2026-11-01T00:00:00Z', NOW)).toBe(Date.UTC(2026, 10, 1));
    expect(() => parseSince('soon', NOW)).toThrow(UsageError);
  });

  it('formats a row on one line with fixed columns', () => {
    const row = { id: 1, ...event(0, { name: 'a'.repeat(60) }) } as AuditRow;
    const line = formatAuditRow(row);
    expect(line.length).toBe(AUDIT_HEADER.length);
    expect(line).toContain('a'.repeat(27) + '…');
  });
});
