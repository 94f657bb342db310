// What the dashboard says about a backend's health, and the other pure helpers of this round:
// timestamps with milliseconds, routes, conflict grouping and bulk decisions, the first-run steps.
import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../../renderer/src/lib/format.js';
import {
  backendPairs,
  groupConflicts,
  matchesConflict,
  nextOpen,
  prefixAll,
  sortConflicts,
  winsAll,
} from '../../../renderer/src/lib/conflict-groups.js';
import { formatRoute, parseRoute } from '../../../renderer/src/lib/route.js';
import { describeStatus, emptyReason, formatIn } from '../../../renderer/src/lib/status.js';
import { firstRunSteps } from '../../../renderer/src/stores/first-run.js';
import { toolRows, matchesTool } from '../../../renderer/src/stores/tools.js';
import type { Conflict } from '../../../renderer/src/contract.js';
import { echoConflict, MemoryBridge } from './memory-bridge.js';

const NOW = Date.UTC(2026, 11, 7, 16, 35, 57, 14);
const error = { message: 'connect ECONNREFUSED 127.0.0.1:3002', at: NOW - 5000 };

describe('backend status words', () => {
  it('a ready backend shows no error, even with an old lastError', () => {
    const view = describeStatus({ state: 'ready', since: NOW - 60_000, lastError: error }, 'running', NOW);
    expect(view).toEqual({ label: 'Ready', tone: 'ok', detail: 'since 1 min ago', error: null });
  });

  it('every backend is Paused (not Down, no error) while the endpoint is off', () => {
    for (const state of ['down', 'ready', 'connecting'] as const) {
      const view = describeStatus({ state, since: NOW, lastError: error }, 'stopped', NOW);
      expect(view).toMatchObject({ label: 'Paused', tone: 'muted', error: null });
    }
  });

  it('a failing backend says since when it fails (not the last retry), its attempts and the next retry', () => {
    const view = describeStatus(
      {
        state: 'down',
        since: NOW - 2000, // the last retry changed the state just now
        failingSince: NOW - 5 * 60_000,
        attempts: 7,
        nextRetryAt: NOW + 12_000,
        lastError: error,
      },
      'running',
      NOW,
    );
    expect(view).toEqual({
      label: 'Down',
      tone: 'bad',
      detail: 'failing for 5 min · 7 attempts · next retry in 12 s',
      error: error.message,
    });
  });

  it('without retry data (an older engine), falls back to the state change', () => {
    const view = describeStatus({ state: 'down', since: NOW - 90_000, lastError: error }, 'running', NOW);
    expect(view.detail).toBe('failing for 2 min');
    expect(view.error).toBe(error.message);
  });

  it('a disabled backend is Disabled whatever the endpoint does', () => {
    expect(describeStatus({ state: 'down', since: NOW, enabled: false }, 'stopped', NOW).label).toBe(
      'Disabled',
    );
  });

  it('says why a capability list is empty', () => {
    expect(emptyReason({ state: 'ready', since: NOW }, 'running', 'tools')).toBeNull();
    expect(emptyReason({ state: 'down', since: NOW }, 'running', 'tools')).toMatch(/down/);
    expect(emptyReason({ state: 'ready', since: NOW, enabled: false }, 'running', 'tools')).toMatch(
      /disabled/,
    );
    expect(emptyReason({ state: 'ready', since: NOW }, 'stopped', 'tools')).toMatch(/endpoint is off/);
    expect(emptyReason({ state: 'connecting', since: NOW }, 'running', 'prompts')).toMatch(/Connecting/);
  });

  it('formats the time to the next retry', () => {
    expect(formatIn(NOW - 1, NOW)).toBe('now');
    expect(formatIn(NOW + 4_000, NOW)).toBe('in 4 s');
    expect(formatIn(NOW + 125_000, NOW)).toBe('in 2 min');
  });
});

describe('timestamps', () => {
  it('put the milliseconds right after the seconds, never after AM/PM', () => {
    const text = formatTimestamp(NOW);
    expect(text).toMatch(/\d:\d\d:\d\d[.,]014/);
    expect(text).not.toMatch(/[AP]M\.\d/);
  });
});

describe('routes', () => {
  it('round-trips a view and its filters, leaving defaults out', () => {
    const hash = formatRoute({
      view: 'audit',
      audit: {
        range: '1h',
        backends: ['alpha'],
        outcomes: ['ok', 'timeout'],
        name: 'ech',
        client: 'cla',
        text: '',
      },
    });
    expect(hash).toBe('#/audit?range=1h&backend=alpha&tool=ech&client=cla&outcome=ok%2Ctimeout');
    expect(parseRoute(hash)).toEqual({
      view: 'audit',
      audit: { range: '1h', backends: ['alpha'], outcomes: ['ok', 'timeout'], name: 'ech', client: 'cla' },
    });
    expect(formatRoute({ view: 'conflicts', query: 'diff', show: 'open' })).toBe(
      '#/conflicts?q=diff&show=open',
    );
    expect(formatRoute({ view: 'backends', backend: 'be ta' })).toBe('#/backends?backend=be+ta');
    expect(parseRoute('#/backends?backend=be+ta')).toEqual({ view: 'backends', backend: 'be ta' });
  });

  it('ignores what it does not know, and bounds what it keeps', () => {
    expect(parseRoute('')).toEqual({ view: 'backends' });
    expect(parseRoute('#token=abc')).toEqual({ view: 'backends' });
    expect(parseRoute('#/nope?x=1')).toEqual({ view: 'backends' });
    expect(parseRoute('#/audit?range=forever&outcome=ok,boom')).toEqual({
      view: 'audit',
      audit: { outcomes: ['ok'] },
    });
    expect(parseRoute(`#/tools?q=${'x'.repeat(5000)}`).query).toHaveLength(500);
  });
});

function conflict(
  name: string,
  backends: string[],
  description: (b: string) => string,
  open = true,
): Conflict {
  return {
    id: `tool:${name}`,
    kind: 'tool',
    name,
    candidates: backends.map((backend, i) => ({
      backend,
      originalName: name,
      advertisedAs: i === 0 ? name : `${backend}__${name}`,
      definition: { name, description: description(backend), inputSchema: { type: 'object' } },
    })),
    resolvedBy: 'strategy',
    strategy: 'auto',
    open,
  };
}

describe('conflicts at scale', () => {
  const same = (n: string) => conflict(n, ['alpha', 'beta'], () => 'Same everywhere');
  const diff = (n: string, backends = ['alpha', 'beta']) => conflict(n, backends, (b) => `from ${b}`);
  const list = sortConflicts([
    same('s2'),
    diff('d1', ['alpha', 'beta', 'gamma']),
    same('s1'),
    diff('d2'),
    same('s3'),
  ]);

  it('orders by kind then name, so a decided card never moves', () => {
    expect(list.map((c) => c.name)).toEqual(['d1', 'd2', 's1', 's2', 's3']);
  });

  it('groups identical definitions across the same backends into one entry', () => {
    const entries = groupConflicts(list);
    expect(
      entries.map((e) =>
        e.type === 'group' ? `group ${e.backends.join('+')} ${e.conflicts.length}` : e.conflict.name,
      ),
    ).toEqual(['d1', 'd2', 'group alpha+beta 3']);
    // A lone identical conflict stays a card of its own.
    expect(groupConflicts([same('x')]).map((e) => e.type)).toEqual(['single']);
  });

  it('searches names and backends', () => {
    expect(list.filter((c) => matchesConflict(c, 'GAM')).map((c) => c.name)).toEqual(['d1']);
    expect(list.filter((c) => matchesConflict(c, 's')).map((c) => c.name)).toEqual(['s1', 's2', 's3']);
  });

  it('turns bulk actions into the decisions they stand for, skipping ones already in force', () => {
    expect(winsAll(list, 'gamma', 'beta').map((x) => [x.conflict.name, x.decision])).toEqual([
      ['d1', { action: 'winner', backend: 'gamma' }],
    ]);
    expect(winsAll(list, 'alpha', 'beta')).toHaveLength(5);
    const decided = {
      ...list[0]!,
      resolvedBy: 'decision' as const,
      decision: { action: 'prefix' as const },
      open: false,
    };
    expect(prefixAll([decided, ...list.slice(1)])).toHaveLength(4);
    expect(backendPairs(list)).toEqual([
      { a: 'alpha', b: 'beta', count: 5 },
      { a: 'alpha', b: 'gamma', count: 1 },
      { a: 'beta', b: 'gamma', count: 1 },
    ]);
  });

  it('finds the next open conflict after a decision, wrapping around', () => {
    const closed = list.map((c) => (c.name === 'd2' || c.name === 's1' ? { ...c, open: false } : c));
    expect(nextOpen(closed, 'tool:d2')?.name).toBe('s2');
    expect(nextOpen(closed, 'tool:s3')?.name).toBe('d1');
    expect(
      nextOpen(
        closed.map((c) => ({ ...c, open: false })),
        'tool:d1',
      ),
    ).toBeNull();
  });
});

describe('first-run steps and the tools list', () => {
  it('ticks each step from the snapshot or the audit trail', () => {
    const bridge = new MemoryBridge();
    const snapshot = bridge.buildSnapshot();
    expect(
      firstRunSteps({ ...snapshot, backends: [], sessions: [] }, { clientSeen: false, callSeen: false }),
    ).toEqual({
      server: false,
      client: false,
      call: false,
    });
    // The snapshot's session made 12 calls: a client is connected and it has called.
    expect(firstRunSteps(snapshot, { clientSeen: false, callSeen: false })).toEqual({
      server: true,
      client: true,
      call: true,
    });
    expect(firstRunSteps({ ...snapshot, sessions: [] }, { clientSeen: true, callSeen: false })).toEqual({
      server: true,
      client: true,
      call: false,
    });
  });

  it('marks each tool advertised, hidden or in an open conflict, and searches them', () => {
    const rows = toolRows(
      'beta',
      [
        {
          kind: 'tool',
          originalName: 'echo',
          advertisedAs: 'beta__echo',
          description: 'Echo',
          definition: {},
        },
        { kind: 'tool', originalName: 'secret', advertisedAs: null, definition: {} },
        { kind: 'tool', originalName: 'whoami', advertisedAs: 'whoami', definition: {} },
      ],
      [echoConflict()],
    );
    expect(rows.map((r) => [r.key, r.state, r.conflictId ?? null])).toEqual([
      ['beta/echo', 'conflict', 'tool:echo'],
      ['beta/secret', 'hidden', null],
      ['beta/whoami', 'advertised', null],
    ]);
    expect(rows.filter((r) => matchesTool(r, 'ECHO')).map((r) => r.key)).toEqual(['beta/echo']);
    expect(rows.filter((r) => matchesTool(r, 'beta')).length).toBe(3);
  });
});

describe('forms from input schemas', () => {
  it('makes a field per property, and the arguments back, with clear errors', async () => {
    const { buildArguments, formFields, valuesFrom } =
      await import('../../../renderer/src/lib/schema-form.js');
    const fields = formFields({
      type: 'object',
      properties: {
        message: { type: 'string', default: 'hi' },
        count: { type: 'integer' },
        ratio: { type: ['number', 'null'] },
        nested: { type: 'object' },
        pick: { enum: [1, 'two'] },
      },
      required: ['count'],
    })!;
    expect(fields.map((f) => [f.name, f.kind, f.required, f.initial])).toEqual([
      ['message', 'string', false, 'hi'],
      ['count', 'integer', true, ''],
      ['ratio', 'number', false, ''],
      ['nested', 'json', false, ''],
      ['pick', 'enum', false, ''],
    ]);
    expect(buildArguments(fields, {})).toEqual({ ok: false, field: 'count', error: 'count is required' });
    expect(buildArguments(fields, { count: '1.5' })).toMatchObject({
      ok: false,
      error: 'count must be a whole number',
    });
    expect(buildArguments(fields, { count: '3', nested: '{bad' })).toMatchObject({
      ok: false,
      field: 'nested',
    });
    const built = buildArguments(fields, { count: '3', nested: '{"k":1}', pick: '1' });
    expect(built).toEqual({ ok: true, arguments: { message: 'hi', count: 3, nested: { k: 1 }, pick: 1 } });
    // Run again: the recorded arguments fill the same fields.
    expect(valuesFrom(fields, { message: 'yo', count: 3, nested: { k: 1 } })).toEqual({
      message: 'yo',
      count: '3',
      nested: '{"k":1}',
    });
    expect(formFields({ type: 'string' })).toBeNull(); // edited as raw JSON instead
  });
});
