// The control API over HTTP (/api), as the dashboard uses it, against a real gateway and backends:
// snapshot and detail, conflict decisions applied live, enable/disable, strategy, turning the
// gateway off and on under a connected client, the event stream, and input validation.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { createParser } from 'eventsource-parser';
import type { BackendDetail, ConnectInfo, ControlEvent } from '../../common/control/api.js';
import type { Snapshot } from '../../common/control/snapshot.js';
import {
  authHeaders,
  connectV2,
  startGateway,
  textOf,
  toolNames,
  type TestGateway,
} from '../helpers/gateway.js';
import { startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

let alpha: RunningServer;
let beta: RunningServer;
let gateway: TestGateway;
let client: Client;
let listChanged = 0;

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(new URL(path, gateway.url), {
    method,
    headers: {
      ...authHeaders(gateway.token),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  [alpha, beta] = await Promise.all([
    startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo', 'alpha-only'] }),
    startFixture({ name: 'beta', transport: 'legacy-http', tools: ['echo', 'beta-only'] }),
  ]);
  gateway = await startGateway({
    backends: [
      { name: 'alpha', url: alpha.url },
      { name: 'beta', url: beta.url },
    ],
  });
  await waitFor(() => gateway.app.aggregator.current.tools.length === 4, { what: 'tools' });
  client = await connectV2(gateway);
  client.setNotificationHandler('notifications/tools/list_changed', () => {
    listChanged++;
  });
  expect(await toolNames(client)).toEqual(['alpha-only', 'beta-only', 'beta__echo', 'echo']);
});

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
  await Promise.allSettled([alpha?.stop(), beta?.stop()]);
});

describe('reading', () => {
  it('GET /api/status is the snapshot; the token is required', async () => {
    const { status, body } = await api<Snapshot>('GET', '/api/status');
    expect(status).toBe(200);
    expect(body.gateway.state).toBe('running');
    expect(body.backends.map((b) => [b.name, b.state, b.enabled])).toEqual([
      ['alpha', 'ready', true],
      ['beta', 'ready', true],
    ]);
    expect(body.counts).toMatchObject({ tools: 4, openConflicts: 1, sessions: 1 });
    expect(body.conflicts[0]?.id).toBe('tool:echo');
    const anonymous = await fetch(new URL('/api/status', gateway.url));
    expect(anonymous.status).toBe(401);
  });

  it('GET /api/backends/:name shows advertised ↔ original names', async () => {
    const { body } = await api<BackendDetail>('GET', '/api/backends/beta');
    expect(body.status.name).toBe('beta');
    expect(body.tools.map((t) => [t.originalName, t.advertisedAs])).toEqual([
      ['echo', 'beta__echo'],
      ['beta-only', 'beta-only'],
    ]);
    expect((await api('GET', '/api/backends/nope')).status).toBe(404);
  });

  it('GET /api/connect gives the endpoint, the token and the bridge command', async () => {
    const { body } = await api<ConnectInfo>('GET', '/api/connect');
    expect(body.url).toBe(gateway.url);
    expect(body.token).toBe(gateway.token);
    expect(body.bridgeCommand.args).toContain('bridge');
  });
});

describe('acting', () => {
  it('a conflict decision applies live, clients are told, and it can be undone', async () => {
    const before = listChanged;
    const r = await api('POST', `/api/conflicts/${encodeURIComponent('tool:echo')}/decision`, {
      decision: { action: 'winner', backend: 'beta' },
    });
    expect(r.status).toBe(200);
    await waitFor(() => listChanged > before, { what: 'list_changed after the decision' });
    expect(await toolNames(client)).toEqual(['alpha-only', 'beta-only', 'echo']);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'w' } }))).toBe('beta: w');

    const undo = await api('POST', `/api/conflicts/${encodeURIComponent('tool:echo')}/decision`, {
      decision: null,
    });
    expect(undo.status).toBe(200);
    await waitFor(async () => (await toolNames(client)).includes('beta__echo'), { what: 'undo applied' });
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'u' } }))).toBe('alpha: u');
  });

  it('disabling a backend removes its tools; enabling brings them back', async () => {
    expect((await api('POST', '/api/backends/alpha/enabled', { enabled: false })).status).toBe(200);
    await waitFor(async () => !(await toolNames(client)).includes('alpha-only'), {
      what: 'alpha tools gone',
    });
    const { body } = await api<Snapshot>('GET', '/api/status');
    expect(body.backends.find((b) => b.name === 'alpha')).toMatchObject({
      enabled: false,
      state: 'disabled',
    });
    expect((await api('POST', '/api/backends/alpha/enabled', { enabled: true })).status).toBe(200);
    await waitFor(async () => (await toolNames(client)).includes('alpha-only'), { what: 'alpha tools back' });
  });

  it('changing the strategy re-advertises every name', async () => {
    expect((await api('POST', '/api/strategy', { strategy: 'prefix' })).status).toBe(200);
    await waitFor(async () => (await toolNames(client)).includes('alpha__alpha-only'), {
      what: 'prefixed names',
    });
    expect((await api('POST', '/api/strategy', { strategy: 'auto' })).status).toBe(200);
    await waitFor(async () => (await toolNames(client)).includes('alpha-only'), { what: 'auto again' });
  });

  it('turning the gateway off pauses it: the session stays, lists are empty, calls are refused as paused; on again it is all back', async () => {
    expect((await api('POST', '/api/gateway', { running: false })).status).toBe(200);
    const paused = (await api<Snapshot>('GET', '/api/status')).body;
    expect(paused.gateway).toMatchObject({ state: 'stopped', paused: true });
    // Backends keep their own status while paused.
    expect(paused.backends.every((b) => b.state === 'ready')).toBe(true);
    await client.ping();
    expect(await toolNames(client)).toEqual([]);
    await expect(client.callTool({ name: 'alpha-only', arguments: {} })).rejects.toThrow(/paused/);
    expect((await api('POST', '/api/gateway', { running: true })).status).toBe(200);
    expect((await api<Snapshot>('GET', '/api/status')).body.gateway.paused).toBeUndefined();
    expect(textOf(await client.callTool({ name: 'alpha-only', arguments: {} }))).toBe('alpha/alpha-only');
    expect(await toolNames(client)).toContain('alpha-only');
  });

  it('a display name shows in the snapshot and the detail, leaves client names alone, and can be cleared', async () => {
    const before = await toolNames(client);
    const set = await api('POST', '/api/backends/alpha/display-name', { displayName: '  Alpha tools  ' });
    expect(set.status).toBe(200);
    const { body } = await api<Snapshot>('GET', '/api/status');
    expect(body.backends.map((b) => [b.name, b.displayName])).toEqual([
      ['alpha', 'Alpha tools'],
      ['beta', undefined],
    ]);
    expect((await api<BackendDetail>('GET', '/api/backends/alpha')).body.status.displayName).toBe(
      'Alpha tools',
    );
    expect(await toolNames(client)).toEqual(before);

    for (const cleared of [null, '   ', 'alpha']) {
      await api('POST', '/api/backends/alpha/display-name', { displayName: 'Temporary' });
      expect((await api('POST', '/api/backends/alpha/display-name', { displayName: cleared })).status).toBe(
        200,
      );
      const after = await api<Snapshot>('GET', '/api/status');
      expect(after.body.backends.find((b) => b.name === 'alpha')).not.toHaveProperty('displayName');
    }
  });

  it('refuses a display name that is too long, has control characters, or names no backend', async () => {
    const long = await api<{ error: string }>('POST', '/api/backends/alpha/display-name', {
      displayName: 'x'.repeat(65),
    });
    expect(long).toMatchObject({ status: 400, body: { error: expect.stringMatching(/at most 64/) } });
    for (const unsafe of ['bell\u0007', 'next\u0085line', 'evil\u202eexe.txt', 'a\u2028b']) {
      const refused = await api<{ error: string }>('POST', '/api/backends/alpha/display-name', {
        displayName: unsafe,
      });
      expect(refused).toMatchObject({ status: 400, body: { error: expect.stringMatching(/control/) } });
    }
    const taken = await api<{ error: string }>('POST', '/api/backends/alpha/display-name', {
      displayName: 'beta',
    });
    expect(taken).toMatchObject({ status: 409, body: { error: '"beta" already names backend "beta"' } });
    await api('POST', '/api/backends/beta/display-name', { displayName: 'Shared' });
    const shared = await api<{ error: string }>('POST', '/api/backends/alpha/display-name', {
      displayName: 'Shared',
    });
    expect(shared.status).toBe(409);
    await api('POST', '/api/backends/beta/display-name', { displayName: null });
    const wrongType = await api<{ error: string }>('POST', '/api/backends/alpha/display-name', {
      displayName: 3,
    });
    expect(wrongType.status).toBe(400);
    const ghost = await api<{ error: string }>('POST', '/api/backends/ghost/display-name', {
      displayName: 'G',
    });
    expect(ghost).toMatchObject({ status: 404, body: { error: expect.stringMatching(/ghost/) } });
    const { body } = await api<Snapshot>('GET', '/api/status');
    expect(body.backends.every((b) => b.displayName === undefined)).toBe(true);
  });

  it('a display name is kept across a restart (SQLite)', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-display-name-'));
    try {
      const config = { backends: [{ name: 'beta', url: beta.url }] };
      const first = await startGateway(config, { dataDir });
      const set = await fetch(new URL('/api/backends/beta/display-name', first.url), {
        method: 'POST',
        headers: { ...authHeaders(first.token), 'content-type': 'application/json' },
        body: JSON.stringify({ displayName: 'Beta (staging)' }),
      });
      expect(set.status).toBe(200);
      await first.stop();
      const second = await startGateway(config, { dataDir });
      try {
        expect(second.app.control.snapshotNow().backends[0]).toMatchObject({
          name: 'beta',
          displayName: 'Beta (staging)',
        });
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses malformed input with 400 and names the problem', async () => {
    const bad = await api<{ error: string }>('POST', '/api/strategy', { strategy: 'random' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/strategy/);
    const rename = await api<{ error: string }>(
      'POST',
      `/api/conflicts/${encodeURIComponent('tool:echo')}/decision`,
      {
        decision: { action: 'rename', names: { alpha: 'has space' } },
      },
    );
    expect(rename.status).toBe(400);
    const notCandidate = await api<{ error: string }>(
      'POST',
      `/api/conflicts/${encodeURIComponent('tool:echo')}/decision`,
      {
        decision: { action: 'winner', backend: 'gamma' },
      },
    );
    expect(notCandidate.status).toBe(400);
    expect((await api('POST', '/api/nothing-here', {})).status).toBe(404);
  });
});

describe('the event stream', () => {
  it('sends the snapshot at once, then again after a change', async () => {
    const controller = new AbortController();
    const response = await fetch(new URL('/api/events', gateway.url), {
      headers: authHeaders(gateway.token),
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events: ControlEvent[] = [];
    const parser = createParser({ onEvent: (e) => events.push(JSON.parse(e.data) as ControlEvent) });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    })();
    await waitFor(() => events.length >= 1, { what: 'first snapshot' });
    expect(events[0]!.type).toBe('snapshot');
    await api('POST', '/api/backends/beta/reconnect');
    await waitFor(() => events.length >= 2, { what: 'a snapshot after the reconnect' });
    controller.abort();
    await pump;
  });

  it('pushes a change only the control layer knows of: a display name', async () => {
    // No health pings while it runs, so nothing else in the engine would cause a push.
    const quiet = await startGateway(
      { backends: [{ name: 'beta', url: beta.url }] },
      { healthIntervalMs: 600_000 },
    );
    try {
      await waitFor(() => quiet.app.control.snapshotNow().backends[0]?.state === 'ready', {
        what: 'beta ready',
      });
      const events: ControlEvent[] = [];
      const off = quiet.app.control.subscribe((event) => events.push(event));
      await quiet.app.control.setBackendDisplayName('beta', 'Pushed');
      await waitFor(
        () => events.some((e) => e.type === 'snapshot' && e.snapshot.backends[0]?.displayName === 'Pushed'),
        { what: 'a snapshot with the display name', timeoutMs: 5000 },
      );
      off();
    } finally {
      await quiet.stop();
    }
  });
});
