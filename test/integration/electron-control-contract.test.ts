// The bindings generated from the method table (common/control/methods.ts), run side by side over one
// real engine (buildApp with a fixture backend): every method is called over HTTP (/api, as the
// renderer's HTTP bridge encodes it) and over IPC (electron/ipc.ts, with fake ipcMain/WebContents),
// with valid and invalid arguments, and both must give the same result: the same value, or the same
// status and message. This replaces the hand-kept checks that the IPC and HTTP validation agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequestFor } from '../../common/control/http.js';
import { CONTROL_METHOD_NAMES, CONTROL_METHODS, type ControlMethod } from '../../common/control/methods.js';
import type { WireResult } from '../../common/control/wire.js';
import { bindControl } from '../../electron/ipc.js';
import { controlChannel } from '../../electron/ipc-channels.js';
import { authHeaders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startFixture, waitFor, type RunningServer } from '../helpers/processes.js';
import { FakeIpcMain, FakeSender, eventFrom } from '../unit/electron/fakes.js';

type Outcome = { ok: true; value: unknown } | { ok: false; status: number | undefined; message: string };

interface Cases {
  /** Argument lists the schema accepts (the engine may still refuse them, e.g. 404). */
  valid: unknown[][];
  /** Argument lists the schema refuses: a 400 naming the method and the field. */
  invalid: unknown[][];
}

// Read-only methods first: the mutating ones change what a snapshot says.
const CASES = {
  snapshot: { valid: [[]], invalid: [] /* no argument can be sent over HTTP */ },
  connectInfo: { valid: [[]], invalid: [] },
  profiles: { valid: [[]], invalid: [] },
  backend: {
    valid: [['alpha'], ['ghost'], ['a/b c?d']],
    invalid: [[''], ['x'.repeat(600)]],
  },
  queryAudit: {
    valid: [
      [{}],
      [{ limit: 5, outcome: ['ok', 'timeout'], backend: ['alpha'] }],
      [{ text: 'echo', offset: 0 }],
    ],
    invalid: [
      [{ limit: 5000 }],
      [{ limit: 1.5 }],
      [{ offset: -1 }],
      [{ sql: 'drop table audit' }],
      [{ outcome: ['nope'] }],
      [{ from: 'yesterday' }],
    ],
  },
  auditStats: {
    valid: [[{ from: 0, to: 60_000, bucketMs: 10_000 }]],
    invalid: [
      [{ from: 10, to: 5, bucketMs: 1 }],
      [{ from: 0, to: 1e9, bucketMs: 1 }],
      [{ from: 0, to: 10 }],
      [{ from: 0, to: 10, bucketMs: 1, limit: 5 }],
    ],
  },
  setBackendEnabled: {
    valid: [
      ['ghost', false],
      ['alpha', true],
    ],
    invalid: [
      ['alpha', 'yes'],
      ['alpha', null],
      ['', true],
    ],
  },
  setBackendDisplayName: {
    valid: [
      ['alpha', 'Alpha'],
      ['alpha', null],
      ['alpha', 'x'.repeat(65)],
      ['ghost', 'G'],
    ],
    invalid: [
      ['alpha', 3],
      ['alpha', 'x'.repeat(2000)],
    ],
  },
  reconnectBackend: { valid: [['ghost'], ['alpha']], invalid: [['']] },
  backendLog: {
    valid: [
      ['alpha', {}],
      ['alpha', { after: 1, limit: 5 }],
      ['ghost', {}],
    ],
    invalid: [
      ['alpha', { after: -1 }],
      ['alpha', { limit: 5000 }],
      ['alpha', { since: 1 }],
      ['', {}],
    ],
  },
  resolveConflict: {
    valid: [
      ['tool:echo', { action: 'prefix' }],
      ['tool:echo', null],
      ['nonsense', null],
    ],
    invalid: [
      ['tool:echo', { action: 'winner' }],
      ['tool:echo', { action: 'rename', names: { alpha: 'bad name!' } }],
      ['tool:echo', { action: 'prefix', extra: 1 }],
      ['', null],
    ],
  },
  previewStrategy: { valid: [['prefix'], ['manual']], invalid: [['random'], [2]] },
  setToolEnabled: {
    valid: [
      ['alpha', 'echo', false],
      ['alpha', 'echo', true],
      ['alpha', 'nope', false],
      ['ghost', 'echo', true],
    ],
    invalid: [
      ['alpha', '', false],
      ['alpha', 'echo', 'off'],
    ],
  },
  // This engine has no config file (409) and no profiles (404); `default` is never editable (409).
  profileTools: { valid: [['cursor'], ['default']], invalid: [['Cursor'], ['a/b'], ['']] },
  setProfileTools: {
    valid: [
      ['cursor', ['alpha/echo'], ['alpha/echo', 'alpha/add']],
      ['default', [], []],
    ],
    invalid: [
      ['cursor', 'alpha/echo', []],
      ['cursor', [''], []],
      ['cursor', ['alpha/echo'], 'alpha/echo'],
      ['cursor', ['alpha/echo'], ['']],
      ['UPPER', [], []],
    ],
  },
  callTool: {
    valid: [
      ['echo', { message: 'hi' }],
      ['no-such-tool', {}],
    ],
    invalid: [
      ['bad name!', {}],
      ['echo', 'text'],
      ['echo', [1]],
    ],
  },
  setStrategy: { valid: [['prefix'], ['auto']], invalid: [['random'], [1]] },
  setGatewayRunning: { valid: [[false], [true]], invalid: [['yes'], [null]] },
  // This engine edits no user files (buildApp without `clients`): a 409 both ways, never a write.
  clients: { valid: [[]], invalid: [] },
  connectClient: { valid: [['cursor']], invalid: [['notepad'], [3], ['']] },
  disconnectClient: { valid: [['claude-desktop']], invalid: [['../etc'], [null]] },
  listChanges: { valid: [[]], invalid: [] },
  // Valid arguments for an unknown change: the same 404 over HTTP and IPC.
  decideChange: {
    valid: [
      ['0123456789ab', 'approve'],
      ['0123456789ab', 'reject'],
    ],
    invalid: [
      ['0123456789ab', 'maybe'],
      ['', 'approve'],
      ['x'.repeat(65), 'approve'],
    ],
  },
  // Backends from the dashboard: this engine has no config file (a 409 both ways) or the name is unknown.
  backendConfig: { valid: [['alpha'], ['ghost']], invalid: [['']] },
  addBackend: {
    valid: [[{ name: 'beta', url: 'http://127.0.0.1:9/mcp' }]],
    invalid: [
      [{ url: 'http://x' }],
      [{ name: 'b', url: 'http://x', extra: 1 }],
      [{ name: 'b', transport: 'ftp' }],
    ],
  },
  updateBackend: {
    valid: [['alpha', { url: 'http://127.0.0.1:9/mcp', headers: { A: '••••' } }]],
    invalid: [
      ['alpha', { name: 'x' }],
      ['alpha', { args: 'ls' }],
    ],
  },
  removeBackend: { valid: [['ghost'], ['alpha']], invalid: [['']] },
  testBackend: {
    valid: [[{ name: 'probe', command: '' }]],
    invalid: [[{ name: 'probe', timeout: true }], [{ name: '', url: 'http://x' }]],
  },
} satisfies Record<ControlMethod, Cases>;

let alpha: RunningServer;
let gateway: TestGateway;
const ipcMain = new FakeIpcMain();
const window = new FakeSender(1);
let binding: { close(): void };

beforeAll(async () => {
  alpha = await startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo'] });
  gateway = await startGateway({ backends: [{ name: 'alpha', url: alpha.url }] });
  await waitFor(() => gateway.app.aggregator.current.tools.length === 1, { what: 'tools' });
  binding = bindControl(ipcMain, gateway.app.control, { isTrusted: (e) => e.sender.id === window.id });
});

afterAll(async () => {
  binding?.close();
  await gateway?.stop();
  await alpha?.stop();
});

/** Values minus what changes from one moment to the next (health-ping latency, a call's duration). */
function stable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null), (key, v: unknown) =>
    key === 'latencyMs' || key === 'durationMs' ? undefined : v,
  );
}

async function overHttp(method: ControlMethod, args: unknown[]): Promise<Outcome> {
  const request = httpRequestFor(method, args);
  const response = await fetch(new URL(request.path, gateway.url), {
    method: request.verb,
    headers: {
      ...authHeaders(gateway.token),
      ...(request.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(request.body ? { body: JSON.stringify(request.body) } : {}),
  });
  const body = (await response.json()) as { error?: string };
  if (!response.ok) return { ok: false, status: response.status, message: body.error ?? '' };
  // A void method answers `{ ok: true }` over HTTP and undefined over IPC.
  return { ok: true, value: CONTROL_METHODS[method].result === 'void' ? null : stable(body) };
}

async function overIpc(method: ControlMethod, args: unknown[]): Promise<Outcome> {
  const result = (await ipcMain.invoke(controlChannel(method), eventFrom(window), ...args)) as WireResult;
  if (!result.ok) return { ok: false, status: result.error.status, message: result.error.message };
  return { ok: true, value: stable(result.value) };
}

describe('the method table', () => {
  it('has cases here for every method, and HTTP routes that do not collide', () => {
    expect(Object.keys(CASES).sort()).toEqual([...CONTROL_METHOD_NAMES].sort());
    const routes = CONTROL_METHOD_NAMES.map(
      (m) => `${CONTROL_METHODS[m].http.verb} ${CONTROL_METHODS[m].http.path}`,
    );
    expect(new Set(routes).size).toBe(routes.length);
    for (const method of CONTROL_METHOD_NAMES) {
      const spec = CONTROL_METHODS[method];
      for (const segment of spec.http.path.match(/:[A-Za-z]+/g) ?? [])
        expect(spec.params as readonly string[]).toContain(segment.slice(1));
    }
  });
});

describe.each(Object.entries(CASES) as [ControlMethod, Cases][])('%s over HTTP and IPC', (method, cases) => {
  it.each(cases.valid.map((args) => [JSON.stringify(args).slice(0, 80), args] as const))(
    'valid %s: the same result both ways',
    async (_label, args) => {
      const http = await overHttp(method, args);
      const ipc = await overIpc(method, args);
      expect(ipc).toEqual(http);
      // The schema let them through: a refusal is the engine's own (404, a display name too long).
      if (!http.ok) expect(http.message.startsWith(`${method}: `)).toBe(false);
    },
  );

  if (cases.invalid.length > 0)
    it.each(cases.invalid.map((args) => [JSON.stringify(args).slice(0, 80), args] as const))(
      'invalid %s: the same 400 both ways, naming the method and the argument',
      async (_label, args) => {
        const http = await overHttp(method, args);
        const ipc = await overIpc(method, args);
        expect(http).toMatchObject({ ok: false, status: 400 });
        expect(ipc).toEqual(http);
        const names = CONTROL_METHODS[method].params as readonly string[];
        expect((http as { message: string }).message).toMatch(
          new RegExp(`^${method}: (${names.join('|')}|arguments)[.:]`),
        );
      },
    );
});

describe('HTTP-only refusals', () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(new URL(path, gateway.url), {
      method: 'POST',
      headers: { ...authHeaders(gateway.token), 'content-type': 'application/json', ...headers },
      body,
    });
  const answer = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as { error: string },
  });

  it('a body over 64 KiB is 413', async () => {
    const big = JSON.stringify({ running: true, pad: 'x'.repeat(70 * 1024) });
    expect((await answer(await post('/api/gateway', big))).status).toBe(413);
  });

  it('a body that is not JSON, not an object, or has an unknown field is 400, named', async () => {
    expect(await answer(await post('/api/gateway', '{running:'))).toEqual({
      status: 400,
      body: { error: 'request body is not JSON' },
    });
    expect(await answer(await post('/api/gateway', '[true]'))).toEqual({
      status: 400,
      body: { error: 'setGatewayRunning: body: expected a JSON object' },
    });
    expect(await answer(await post('/api/gateway', '{"running":true,"force":1}'))).toEqual({
      status: 400,
      body: { error: 'setGatewayRunning: body: unknown field "force"' },
    });
    expect(await answer(await post('/api/gateway', ''))).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^setGatewayRunning: running: /) },
    });
  });

  it('a path that is not URL encoding is 400; an unknown route or verb is 404', async () => {
    const bad = await fetch(new URL('/api/backends/%E0%A4%A', gateway.url), {
      headers: authHeaders(gateway.token),
    });
    expect(await answer(bad)).toEqual({
      status: 400,
      body: { error: 'backend: the path is not valid URL encoding' },
    });
    expect((await post('/api/nothing-here', '{}')).status).toBe(404);
    expect((await post('/api/status', '{}')).status).toBe(404);
    const get = await fetch(new URL('/api/gateway', gateway.url), { headers: authHeaders(gateway.token) });
    expect(get.status).toBe(404);
  });
});
