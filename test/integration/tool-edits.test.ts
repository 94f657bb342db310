// Which tools are advertised, edited from the dashboard into the config file: the Tools view's
// switch (`aggregation.backends.<b>.tools`) and a profile's pick (`profiles.<p>.tools`), over the
// real /api of a real engine started as `serve` starts it (startEngine: file watcher and reload),
// with SDK fixture backends and SDK clients on /mcp and /mcp/cursor following list_changed. The
// file is compared byte for byte outside each edit; the engine is restarted to show the edits
// hold; an invalid file is refused and left alone; the legacy SQLite setting is folded in once.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileTools } from '../../common/domain/profile-tools.js';
import { startEngine, type RunningEngine } from '../../core/engine/start.js';
import { openStore } from '../../core/store/sqlite/store.js';
import { createLogger, silentLogger } from '../../core/support/logger.js';
import type { DiscoverySource } from '../../core/discovery/source.js';
import { authHeaders, connectV1, startGateway, toolNames } from '../helpers/gateway.js';
import { startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

let alpha: RunningServer;
let beta: RunningServer;
let dir: string;
let file: string;
let dataDir: string;
let engine: RunningEngine;
let original: string;

const config = () => `# Hand-written config: comments and spacing must survive the dashboard
backends:
  - name: alpha     # first
    url: ${alpha.url}
  - name: beta
    url: ${beta.url}

profiles:
  cursor:
    client: cursor   # Cursor's rules
    backends: [alpha, beta]

# the end
audit: { recordPayloads: false }
`;

async function start(tools = 4): Promise<RunningEngine> {
  const running = await startEngine({
    dataDir,
    configFile: file,
    env: { ...process.env, SWITCHYARD_TOKEN: undefined, SWITCHYARD_CONFIG: undefined },
    logger: process.env.SWITCHYARD_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger,
    overrides: { port: 0, docker: false },
    dashboard: false,
    app: { backoff: { initialMs: 100, maxMs: 1000 }, coalesceMs: 5 },
  });
  await waitFor(() => running.app.aggregator.current.tools.length >= tools, { what: 'both backends listed' });
  return running;
}

async function api(verb: 'GET' | 'POST', route: string, body?: unknown) {
  const response = await fetch(new URL(`/api${route}`, engine.url), {
    method: verb,
    headers: {
      ...authHeaders(engine.token.token),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function client(profile?: string): Promise<{ client: ClientV1; changes: () => number }> {
  const url = profile ? engine.url.replace(/\/mcp$/, `/mcp/${profile}`) : engine.url;
  const c = await connectV1({ url, token: engine.token.token } as never);
  let changed = 0;
  c.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
  return { client: c, changes: () => changed };
}

beforeAll(async () => {
  [alpha, beta] = await Promise.all([
    startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo', 'add'] }),
    startFixture({ name: 'beta', transport: 'legacy-http', tools: ['whoami', 'multiply'] }),
  ]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-tool-edits-'));
  file = path.join(dir, 'config.yaml');
  dataDir = path.join(dir, 'data');
  original = config();
  await writeFile(file, original, { mode: 0o600 });
  engine = await start();
}, 60_000);

afterAll(async () => {
  await engine?.stop();
  await Promise.all([alpha?.stop(), beta?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the Tools view's switch writes the backend's include/exclude", () => {
  it('turns a tool off: one exclude added, every other byte kept, applied live with one rebuild', async () => {
    const { client: c, changes } = await client();
    expect(await toolNames(c)).toContain('whoami');
    let rebuilds = 0;
    const off = engine.app.aggregator.changed.on(() => void rebuilds++);
    try {
      const answer = await api('POST', '/backends/beta/tools/whoami/enabled', { enabled: false });
      expect(answer).toEqual({ status: 200, body: { ok: true } });
      // Applied before the answer: the list has changed already.
      expect(await toolNames(c)).not.toContain('whoami');
      await waitFor(() => changes() > 0, { what: 'list_changed' });
      expect(await readFile(file, 'utf8')).toBe(
        `${original}aggregation:\n  backends:\n    beta:\n      tools:\n        exclude: [whoami]\n`,
      );
      // The watcher sees the same text and applies nothing again (one rebuild, no flicker).
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(rebuilds).toBe(1);
    } finally {
      off();
      await c.close();
    }
    const detail = await api('GET', '/backends/beta');
    const tools = detail.body.tools as { originalName: string; disabled?: boolean }[];
    expect(tools.find((t) => t.originalName === 'whoami')).toMatchObject({ disabled: true });
  });

  it('turns it on again: the file is given back byte for byte', async () => {
    const { client: c, changes } = await client();
    try {
      expect((await api('POST', '/backends/beta/tools/whoami/enabled', { enabled: true })).status).toBe(200);
      await waitFor(() => changes() > 0, { what: 'list_changed' });
      expect(await toolNames(c)).toContain('whoami');
      expect(await readFile(file, 'utf8')).toBe(original);
    } finally {
      await c.close();
    }
  });

  it('two switches flipped at once both land (edits of the file run one at a time)', async () => {
    const answers = await Promise.all([
      api('POST', '/backends/alpha/tools/echo/enabled', { enabled: false }),
      api('POST', '/backends/alpha/tools/add/enabled', { enabled: false }),
      api('POST', '/backends/beta/tools/multiply/enabled', { enabled: false }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/alpha:\n {6}tools:\n {8}exclude: \[(echo, add|add, echo)\]\n/);
    expect(text).toContain('beta:\n      tools:\n        exclude: [multiply]\n');
    const routes = engine.app.aggregator.current.toolRoutes;
    expect(['echo', 'add', 'multiply'].filter((t) => routes.has(t))).toEqual([]);
    await Promise.all(
      ['alpha/echo', 'alpha/add', 'beta/multiply'].map((key) =>
        api('POST', `/backends/${key.replace('/', '/tools/')}/enabled`, { enabled: true }),
      ),
    );
    expect(await readFile(file, 'utf8')).toBe(original);
  });

  it('adds to an include the user wrote when a tool it leaves out is turned on, and refuses a glob', async () => {
    const withInclude = original.replace(
      '# the end\n',
      `# the end\naggregation:\n  backends:\n    alpha:\n      tools:\n        include: [echo]   # only echo\n    beta:\n      tools: { exclude: ["who*"] }\n`,
    );
    await writeFile(file, withInclude);
    await engine.reload();
    await waitFor(() => !engine.app.aggregator.current.toolRoutes.has('add'), { what: 'include applied' });
    expect((await api('POST', '/backends/alpha/tools/add/enabled', { enabled: true })).status).toBe(200);
    expect(await readFile(file, 'utf8')).toBe(withInclude.replace('include: [echo]', 'include: [echo, add]'));
    expect(engine.app.aggregator.current.toolRoutes.has('add')).toBe(true);
    const glob = await api('POST', '/backends/beta/tools/whoami/enabled', { enabled: true });
    expect(glob.status).toBe(409);
    expect(glob.body.error).toMatch(/pattern "who\*" in aggregation\.backends\.beta\.tools\.exclude/);
    await writeFile(file, original);
    await engine.reload();
  });

  it('refuses while the file is invalid, naming line and key path, and leaves it untouched', async () => {
    const invalid = original.replace('client: cursor', 'client: netscape');
    await writeFile(file, invalid);
    await engine.reload();
    const answer = await api('POST', '/backends/alpha/tools/echo/enabled', { enabled: false });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toContain(`${file}:10:13  profiles.cursor.client:`);
    expect(answer.body.error).toMatch(/not changed/);
    expect(await readFile(file, 'utf8')).toBe(invalid);
    const pick = await api('POST', '/profiles/cursor/tools', { tools: [], shown: [] });
    expect(pick.status).toBe(409);
    expect(await readFile(file, 'utf8')).toBe(invalid);
    await writeFile(file, original);
    await engine.reload();
    expect(engine.app.control.snapshotNow().config?.error).toBeUndefined();
  });
});

describe("a profile's pick writes profiles.<name>.tools", () => {
  /** Every tool of the profile: what a pick opened now shows. */
  const ALL_KEYS = ['alpha/echo', 'alpha/add', 'beta/whoami', 'beta/multiply'];

  it('lists the tools the profile could show, all picked at first', async () => {
    const { status, body } = await api('GET', '/profiles/cursor/tools');
    expect(status).toBe(200);
    const tools = body as unknown as ProfileTools;
    expect(tools).toMatchObject({
      profile: 'cursor',
      newTools: 'shown',
      clientLimit: 80,
      backends: ['alpha', 'beta'],
    });
    expect(tools.tools.map((t) => [t.key, t.selected])).toEqual([
      ['alpha/echo', true],
      ['alpha/add', true],
      ['beta/whoami', true],
      ['beta/multiply', true],
    ]);
    expect((await api('GET', '/profiles/default/tools')).status).toBe(409);
    expect((await api('GET', '/profiles/ghost/tools')).status).toBe(404);
  });

  it('picks tools: the profile endpoint changes live (list_changed), /mcp does not, and the file says so', async () => {
    const profile = await client('cursor');
    const whole = await client();
    try {
      expect((await toolNames(profile.client)).sort()).toEqual(['add', 'echo', 'multiply', 'whoami']);
      const answer = await api('POST', '/profiles/cursor/tools', {
        tools: ['alpha/echo', 'beta/whoami'],
        shown: ALL_KEYS,
      });
      expect(answer.status).toBe(200);
      await waitFor(() => profile.changes() > 0, { what: 'list_changed on /mcp/cursor' });
      expect((await toolNames(profile.client)).sort()).toEqual(['echo', 'whoami']);
      expect((await toolNames(whole.client)).length).toBe(4);
      expect(whole.changes()).toBe(0);
      expect(await readFile(file, 'utf8')).toBe(
        original.replace(
          '    backends: [alpha, beta]\n',
          '    backends: [alpha, beta]\n    tools:\n      exclude: [alpha/add, beta/multiply]\n',
        ),
      );
      const report = (await api('GET', '/profiles')).body as unknown as {
        profile: string;
        selected: number;
      }[];
      expect(report.find((r) => r.profile === 'cursor')?.selected).toBe(2);
    } finally {
      await profile.client.close();
      await whole.client.close();
    }
  });

  it('survives a restart', async () => {
    await engine.stop();
    engine = await start();
    const profile = await client('cursor');
    try {
      await waitFor(async () => (await toolNames(profile.client)).length === 2, {
        what: 'the pick after restart',
      });
      expect((await toolNames(profile.client)).sort()).toEqual(['echo', 'whoami']);
    } finally {
      await profile.client.close();
    }
  });

  it('picking everything again gives the file back', async () => {
    expect((await api('POST', '/profiles/cursor/tools', { tools: ALL_KEYS, shown: ALL_KEYS })).status).toBe(
      200,
    );
    expect(await readFile(file, 'utf8')).toBe(original);
  });
});

describe('the legacy disabledTools setting', () => {
  it('is folded into the config file once at start, and the setting removed', async () => {
    await engine.stop();
    const store = openStore(dataDir, { logger: silentLogger });
    store.appSettings.set('disabledTools', { alpha: ['add'] });
    await store.close();
    engine = await start(3);
    expect(await readFile(file, 'utf8')).toBe(
      `${original}aggregation:\n  backends:\n    alpha:\n      tools:\n        exclude: [add]\n`,
    );
    expect(engine.app.aggregator.current.toolRoutes.has('add')).toBe(false);
    expect(engine.app.aggregator.disabledToolList).toEqual({});
    expect(engine.app.store?.appSettings.get('disabledTools')).toBeUndefined();
    // The switch now edits the same source.
    expect((await api('POST', '/backends/alpha/tools/add/enabled', { enabled: true })).status).toBe(200);
    expect(await readFile(file, 'utf8')).toBe(original);
  });
});

describe('a container backend (not in `backends:`), on an engine built without serve', () => {
  it('is switched under aggregation.backends.<name> all the same, in a file created for it', async () => {
    const boxedDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-tool-edits-box-'));
    const boxedFile = path.join(boxedDir, 'config.yaml'); // does not exist yet
    const box = await startFixture({ name: 'boxed', transport: 'legacy-http', tools: ['ping', 'pong'] });
    // A source like the container engine's: the backend's spec comes from labels, not the file.
    const containers: DiscoverySource = {
      async start(registry) {
        registry.upsert({
          name: 'boxed',
          endpoint: { transport: 'streamable-http', url: box.url, headers: {} },
          timeoutMs: 5000,
          source: {
            kind: 'container',
            engine: 'podman',
            containerId: 'abc',
            containerName: 'boxed',
            image: 'x',
            convention: 'mcp',
          },
        });
      },
      async stop() {},
      status: () => ({ kind: 'test', ok: true, summary: 'test' }),
    };
    const gateway = await startGateway({}, { configFile: boxedFile, sources: [containers] });
    try {
      await waitFor(() => gateway.app.aggregator.current.tools.length === 2, { what: 'the container tools' });
      await gateway.app.control.setToolEnabled('boxed', 'pong', false);
      // buildApp's own reload (no watcher) read the new file and applied it before answering.
      expect(gateway.app.aggregator.current.toolRoutes.has('pong')).toBe(false);
      const text = await readFile(boxedFile, 'utf8');
      expect(
        text.endsWith('aggregation:\n  backends:\n    boxed:\n      tools:\n        exclude: [pong]\n'),
      ).toBe(true);
      expect((await stat(boxedFile)).mode & 0o777).toBe(0o600);
    } finally {
      await gateway.stop();
      await box.stop();
      await rm(boxedDir, { recursive: true, force: true });
    }
  });
});

describe('a pick saved after a backend added a tool', () => {
  it('leaves the new tool as the profile shows it (it was never shown, so never decided on)', async () => {
    const grow = await startFixture({ name: 'grow', transport: 'legacy-http', tools: ['echo', 'add-tool'] });
    const growDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-tool-edits-grow-'));
    const growFile = path.join(growDir, 'config.yaml');
    const text = `backends:\n  - name: grow\n    url: ${grow.url}\n\nprofiles:\n  cursor:\n    client: cursor\n    backends: [grow]\n`;
    await writeFile(growFile, text, { mode: 0o600 });
    const running = await startEngine({
      dataDir: path.join(growDir, 'data'),
      configFile: growFile,
      env: { ...process.env, SWITCHYARD_TOKEN: undefined, SWITCHYARD_CONFIG: undefined },
      logger: silentLogger,
      overrides: { port: 0, docker: false },
      dashboard: false,
      app: { backoff: { initialMs: 100, maxMs: 1000 }, coalesceMs: 5 },
    });
    const routes = () => running.app.aggregator.current.toolRoutes;
    const profileUrl = running.url.replace(/\/mcp$/, '/mcp/cursor');
    const whole = await connectV1({ url: running.url, token: running.token.token } as never);
    const profile = await connectV1({ url: profileUrl, token: running.token.token } as never);
    try {
      await waitFor(() => routes().has('add-tool'), { what: 'the grow backend listed' });
      const control = running.app.control;
      // The pick opens: two tools, both shown.
      const opened = await control.profileTools('cursor');
      expect(opened.tools.map((t) => [t.key, t.selected])).toEqual([
        ['grow/echo', true],
        ['grow/add-tool', true],
      ]);
      // While it is open, the backend adds a tool, and /mcp/cursor shows it (new tools show).
      await whole.callTool({ name: 'add-tool', arguments: {} });
      await waitFor(() => routes().has('dynamic-1'), { what: 'dynamic-1 on /mcp' });
      await waitFor(async () => (await toolNames(profile)).includes('dynamic-1'), {
        what: 'dynamic-1 on /mcp/cursor',
      });
      // The user unticks add-tool and saves, over the real /api, with the keys the pick showed.
      const response = await fetch(new URL('/api/profiles/cursor/tools', running.url), {
        method: 'POST',
        headers: { ...authHeaders(running.token.token), 'content-type': 'application/json' },
        body: JSON.stringify({ tools: ['grow/echo'], shown: opened.tools.map((t) => t.key) }),
      });
      expect(response.status).toBe(200);
      // Only what the user decided changed: add-tool is hidden, dynamic-1 still shows.
      expect(await readFile(growFile, 'utf8')).toBe(
        text.replace('[grow]\n', '[grow]\n    tools:\n      exclude: [grow/add-tool]\n'),
      );
      await waitFor(async () => !(await toolNames(profile)).includes('add-tool'), {
        what: 'add-tool hidden on /mcp/cursor',
      });
      expect(await toolNames(profile)).toEqual(['dynamic-1', 'echo']);
      expect((await control.profileTools('cursor')).tools.map((t) => [t.key, t.selected])).toEqual([
        ['grow/echo', true],
        ['grow/add-tool', false],
        ['grow/dynamic-1', true],
      ]);
    } finally {
      await Promise.all([whole.close(), profile.close()]);
      await running.stop();
      await grow.stop();
      await rm(growDir, { recursive: true, force: true });
    }
  });
});
