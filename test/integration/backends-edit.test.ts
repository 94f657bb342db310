// Backends added, edited, removed and tested from the dashboard, over the real HTTP /api of a real
// engine (buildApp) built from a real commented YAML file, with real fixture backends and an SDK
// client following list_changed. The file is byte-compared where an edit must not touch it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { BackendSpecView, BackendTestResult } from '../../common/control/backend-edit.js';
import type { BackendSpec } from '../../core/domain/backend-spec.js';
import type { DiscoverySource } from '../../core/discovery/source.js';
import { authHeaders, connectV1, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

const HEAD = `# My Switchyard config — hand-written, keep these comments
server:
  port: 0   # any port
`;
const ALPHA = `backends:
  # alpha: the first one
  - name: alpha
    url: ALPHA_URL   # where alpha lives
    headers:
      Authorization: Bearer alpha-secret-1234  # never shown
      X-Team: \${env:SWITCHYARD_TEST_TEAM}
`;
const TAIL = `# trailing note
`;

let alpha: RunningServer;
let beta: RunningServer;
let gateway: TestGateway;
let dir: string;
let file: string;
let original: string;

// A backend found in a container (a source like the container engine's), to show it is not editable.
const containerSource: DiscoverySource = {
  async start(registry) {
    const spec: BackendSpec = {
      name: 'boxed',
      endpoint: { transport: 'streamable-http', url: 'http://127.0.0.1:9/mcp', headers: {} },
      timeoutMs: 1000,
      source: {
        kind: 'container',
        engine: 'podman',
        containerId: 'abc',
        containerName: 'boxed',
        image: 'x',
        convention: 'mcp',
      },
    };
    registry.upsert(spec);
  },
  async stop() {},
  status: () => ({ kind: 'test', ok: true, summary: 'test' }),
};

async function api(verb: 'GET' | 'POST', route: string, body?: unknown) {
  const response = await fetch(new URL(`/api${route}`, gateway.url), {
    method: verb,
    headers: { ...authHeaders(gateway.token), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  process.env.SWITCHYARD_TEST_TEAM = 'platform';
  [alpha, beta] = await Promise.all([
    startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo'] }),
    startFixture({ name: 'beta', transport: 'legacy-http', tools: ['add', 'multiply'] }),
  ]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-edit-'));
  file = path.join(dir, 'config.yaml');
  original = HEAD + ALPHA.replace('ALPHA_URL', alpha.url) + TAIL;
  await writeFile(file, original, { mode: 0o600 });
  gateway = await startGateway(parse(original) as never, { configFile: file, sources: [containerSource] });
  await waitFor(() => gateway.app.aggregator.current.tools.length === 1, { what: 'alpha listed' });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([alpha?.stop(), beta?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('backends from the dashboard, over /api', () => {
  it('shows a stored backend with its secrets masked and ${env:} references as written', async () => {
    const { status, body } = await api('GET', '/backends/alpha/config');
    expect(status).toBe(200);
    const view = body as unknown as BackendSpecView;
    expect(view).toMatchObject({ name: 'alpha', url: alpha.url, transport: 'streamable-http' });
    expect(view.headers).toEqual({ Authorization: '••••34', 'X-Team': '${env:SWITCHYARD_TEST_TEAM}' });
    expect(JSON.stringify(body)).not.toContain('alpha-secret');
  });

  it('tests a connection without registering it, and reports a failure', async () => {
    const ok = await api('POST', '/backends/test', { spec: { name: 'beta', url: beta.url, timeout: '5s' } });
    expect(ok.status).toBe(200);
    const result = ok.body as unknown as BackendTestResult;
    expect(result).toMatchObject({ ok: true, era: 'legacy', serverInfo: { name: 'beta' } });
    expect(result.tools.sort()).toEqual(['add', 'multiply']);
    expect(gateway.app.registry.get('beta')).toBeUndefined();

    const dead = await api('POST', '/backends/test', {
      spec: { name: 'nobody', url: 'http://127.0.0.1:9/mcp', timeout: '3s' },
    });
    expect(dead.status).toBe(200);
    expect(dead.body).toMatchObject({ ok: false, tools: [] });
    expect(String(dead.body.error)).toMatch(/ECONNREFUSED|refused|connect/i);
    expect(await readFile(file, 'utf8')).toBe(original);
  });

  it('adds a backend: the file keeps every byte it had, and a client gets list_changed and the new tools', async () => {
    const client = await connectV1(gateway);
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);

    const added = await api('POST', '/backends', {
      spec: { name: 'beta', url: beta.url, headers: { 'X-Key': 'beta-key-abcdef' }, timeout: '10s' },
    });
    expect(added).toEqual({ status: 200, body: { ok: true } });
    const text = await readFile(file, 'utf8');
    const alphaPart = HEAD + ALPHA.replace('ALPHA_URL', alpha.url);
    expect(text.startsWith(alphaPart)).toBe(true);
    expect(text.endsWith(TAIL)).toBe(true);
    expect(text).toContain('  - name: beta\n');
    expect(text).toContain('beta-key-abcdef');

    await waitFor(() => changed > 0, { what: 'list_changed' });
    await waitFor(async () => (await client.listTools()).tools.length === 3, { what: 'beta tools' });
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(['add', 'echo', 'multiply']);
    await client.close();
  });

  it('refuses a duplicate (409), an unknown name (404), a container backend (409) and a bad field (400)', async () => {
    const before = await readFile(file, 'utf8');
    expect((await api('POST', '/backends', { spec: { name: 'beta', url: beta.url } })).status).toBe(409);
    expect((await api('POST', '/backends/ghost/config', { spec: { url: beta.url } })).status).toBe(404);
    expect((await api('POST', '/backends/ghost/remove')).status).toBe(404);
    const boxed = await api('POST', '/backends/boxed/remove');
    expect(boxed.status).toBe(409);
    expect(boxed.body.error).toMatch(/Found in a container — its labels are its config/);
    expect((await api('GET', '/backends/boxed/config')).status).toBe(409);
    const badUrl = await api('POST', '/backends', { spec: { name: 'gamma', url: 'ftp://x' } });
    expect(badUrl).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^url: /) } });
    const badTimeout = await api('POST', '/backends', {
      spec: { name: 'gamma', url: beta.url, timeout: 'soon' },
    });
    expect(badTimeout).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^timeout: /) } });
    const badName = await api('POST', '/backends', { spec: { name: '-bad', url: beta.url } });
    expect(badName).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^name: /) } });
    const noValue = await api('POST', '/backends/beta/config', {
      spec: { url: beta.url, headers: { New: '••••' } },
    });
    expect(noValue).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^headers\.New: /) } });
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('edits a backend: a masked value left as it was keeps the stored secret; a URL change reconnects', async () => {
    const view = (await api('GET', '/backends/alpha/config')).body as unknown as BackendSpecView;
    // The form sends back what it showed, with the URL changed to beta's server.
    const edited = await api('POST', '/backends/alpha/config', {
      spec: { url: beta.url, transport: view.transport, headers: view.headers, timeout: '20s' },
    });
    expect(edited).toEqual({ status: 200, body: { ok: true } });
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('••••');
    // Inside the edited entry the Document API writes the comments (one space before the #).
    expect(text).toMatch(/Authorization: Bearer alpha-secret-1234 +# never shown/);
    expect(text).toContain('X-Team: ${env:SWITCHYARD_TEST_TEAM}');
    expect(text).toMatch(new RegExp(`url: ${beta.url} +# where alpha lives`));
    expect(text).toContain('timeout: 20s');
    expect(text.startsWith(HEAD + 'backends:\n  # alpha: the first one\n  - name: alpha\n')).toBe(true);
    expect(text.endsWith(TAIL)).toBe(true);
    await waitFor(() => gateway.app.registry.get('alpha')?.status.serverInfo?.name === 'beta', {
      what: 'alpha reconnected to the new URL',
    });
  });

  it('removes a backend: its entry goes, the rest of the file stays byte for byte', async () => {
    const before = await readFile(file, 'utf8');
    expect(await api('POST', '/backends/beta/remove')).toEqual({ status: 200, body: { ok: true } });
    const after = await readFile(file, 'utf8');
    const start = before.indexOf('  - name: beta');
    const end = before.indexOf(TAIL);
    expect(after).toBe(before.slice(0, start) + before.slice(end));
    await waitFor(() => gateway.app.registry.get('beta') === undefined, { what: 'beta gone' });
  });
});

describe('an engine without a config file', () => {
  it('says so instead of editing', async () => {
    const bare = await startGateway({ backends: [] });
    try {
      const response = await fetch(new URL('/api/backends', bare.url), {
        method: 'POST',
        headers: { ...authHeaders(bare.token), 'content-type': 'application/json' },
        body: JSON.stringify({ spec: { name: 'x', url: 'http://127.0.0.1:9/mcp' } }),
      });
      expect(response.status).toBe(409);
      expect(((await response.json()) as { error: string }).error).toMatch(/without a config file/);
    } finally {
      await bare.stop();
    }
  });
});
