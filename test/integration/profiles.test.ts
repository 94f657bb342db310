// Profiles end to end: /mcp/<profile> endpoints over real backends (the SDK fixture and
// server-everything), real SDK clients of both eras, a real SQLite file. Each profile is a view of
// the advertised set: its backends, its client's name rule (mapped back on calls), its budget, and
// search mode (find_tools + call_tool, reaching tools added after the client listed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { authHeaders, connectV1, startGateway, textOf, type TestGateway } from '../helpers/gateway.js';
import { startEverything, startFixture, waitFor, type RunningServer } from '../helpers/processes.js';
import type { ConfigInput } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/load.js';
import { initializeRequest } from '../helpers/http.js';

/** A 60-character tool name: with `mcp__switchyard__` in front, Claude Code's API refuses it. */
const LONG = 'summarize_every_pull_request_merged_since_the_last_release_x';

let fixture: RunningServer;
let everything: RunningServer;
let gateway: TestGateway;

const profiles = {
  code: { client: 'claude-code', backends: ['fx'] },
  small: { backends: ['everything', 'fx'], maxTools: 2, search: 'off' },
  cursor: { client: 'cursor', maxTools: 3 },
} as const;

function config(): ConfigInput {
  return {
    backends: [
      { name: 'fx', url: fixture.url },
      { name: 'everything', url: everything.url },
    ],
    profiles: profiles as unknown as ConfigInput['profiles'],
  };
}

beforeAll(async () => {
  [fixture, everything] = await Promise.all([
    startFixture({
      name: 'fx',
      transport: 'legacy-http',
      tools: ['echo', 'whoami', 'add-tool', LONG],
      resources: ['fx://readme'],
    }),
    startEverything('streamableHttp'),
  ]);
  gateway = await startGateway(config());
  await waitFor(() => gateway.app.control.snapshotNow().backends.every((b) => b.state === 'ready'), {
    what: 'backends ready',
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.allSettled([fixture?.stop(), everything?.stop()]);
});

function profileUrl(profile: string): string {
  return `${gateway.url}/${profile}`;
}

async function connect(profile: string, era: 'legacy' | 'modern' = 'legacy'): Promise<Client> {
  const client = new Client(
    { name: `test-${profile}`, version: '1.0.0' },
    era === 'modern' ? { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(profileUrl(profile)), {
      requestInit: { headers: authHeaders(gateway.token) },
    }),
  );
  return client;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: {
      ...authHeaders(gateway.token),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

const INITIALIZE = initializeRequest('raw');

describe('profile endpoints', () => {
  it("serve a profile under its client's name rule, with calls mapped back to the original name", async () => {
    const client = await connect('code');
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toHaveLength(4); // fx only
    for (const name of names) expect(`mcp__switchyard__${name}`.length).toBeLessThanOrEqual(64);
    const short = names.find((n) => n.startsWith('summarize_'))!;
    expect(short).not.toBe(LONG);
    expect(short).toHaveLength(64 - 'mcp__switchyard__'.length);
    expect(textOf(await client.callTool({ name: short, arguments: {} }))).toBe(`fx/${LONG}`);
    // The everything backend is not in this profile: its tools cannot be called here.
    const [elsewhere] = [...gateway.app.aggregator.current.toolRoutes].find(
      ([, r]) => r.backend === 'everything',
    )!;
    await expect(client.callTool({ name: elsewhere, arguments: {} })).rejects.toThrow(/Unknown tool/);
    await client.close();
  });

  it('keep /mcp as everything, with /mcp/default its alias', async () => {
    const whole = await connectV1(gateway);
    const everythingNames = (await whole.listTools()).tools.map((t) => t.name);
    await whole.close();
    expect(everythingNames).toContain(LONG); // the plain rule allows 60 characters
    expect(everythingNames).toHaveLength(gateway.app.aggregator.current.tools.length);
    expect(new Set([...gateway.app.aggregator.current.toolRoutes.values()].map((r) => r.backend))).toEqual(
      new Set(['fx', 'everything']),
    );
    const alias = await connect('default');
    expect((await alias.listTools()).tools.map((t) => t.name)).toEqual(everythingNames);
    await alias.close();
  });

  it('cut to the budget in config order of backends, and report what was cut', async () => {
    const client = await connect('small');
    const { tools } = await client.listTools();
    const everythingFirst = gateway.app.aggregator.current.tools
      .filter((t) => gateway.app.aggregator.current.toolRoutes.get(t.name)?.backend === 'everything')
      .slice(0, 2)
      .map((t) => t.name);
    expect(tools.map((t) => t.name)).toEqual(everythingFirst);
    const report = (await gateway.app.control.profiles()).find((p) => p.profile === 'small')!;
    expect(report).toMatchObject({ advertised: 2, budget: 2, search: false });
    expect(report.cut).toContain('fx/echo');
    expect(report.cut).toHaveLength(report.selected - 2);
    await client.close();
  });

  it('answer an unknown profile with a JSON 404, and keep sessions to the endpoint they opened on', async () => {
    const unknown = await post('/nope', INITIALIZE);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.message).toMatch(/No profile "nope"/);
    expect((await post('/Bad_Name', INITIALIZE)).status).toBe(404);

    const opened = await post('/code', INITIALIZE);
    expect(opened.status).toBe(200);
    const session = opened.headers.get('mcp-session-id')!;
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
    expect((await post('/code', list, headers)).status).toBe(200);
    expect((await post('', list, headers)).status).toBe(404);
    expect((await post('/small', list, headers)).status).toBe(404);
  });
});

describe('search mode', () => {
  it('advertises find_tools and call_tool; finds a tool with its schema and calls it', async () => {
    const client = await connect('cursor');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['find_tools', 'call_tool']);
    for (const t of tools)
      expect(t.inputSchema).toMatchObject({ type: 'object', required: expect.any(Array) });

    const found = await client.callTool({
      name: 'find_tools',
      arguments: { query: 'echo message', limit: 5 },
    });
    const matches = (found.structuredContent as { tools: { name: string; inputSchema: unknown }[] }).tools;
    const echo = matches.find((m) => m.name === 'echo')!;
    expect(echo).toBeDefined();
    expect(echo.inputSchema).toMatchObject({ type: 'object', properties: { message: expect.anything() } });

    const called = await client.callTool({
      name: 'call_tool',
      arguments: { name: 'echo', arguments: { message: 'hi' } },
    });
    expect(textOf(called)).toBe('fx: hi');
    // Audited under the real tool, with the backend that served it.
    const row = await waitFor(
      async () =>
        (await gateway.app.control.queryAudit({ name: 'echo', method: 'tools/call', client: 'test-cursor' }))
          .rows[0],
      { what: 'audit row for echo' },
    );
    expect(row).toMatchObject({ backend: 'fx', originalName: 'echo', outcome: 'ok' });

    const unknown = await client.callTool({ name: 'call_tool', arguments: { name: 'no_such_tool' } });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/Unknown tool: no_such_tool.*find_tools/);
    await client.close();
  });

  it('reaches through call_tool a tool added after the client listed', async () => {
    const client = await connect('cursor');
    await client.listTools();
    const code = await connect('code');
    const before = (await code.listTools()).tools.length;
    let codeNotified = 0;
    code.setNotificationHandler('notifications/tools/list_changed', () => {
      codeNotified++;
    });

    const added = await client.callTool({ name: 'call_tool', arguments: { name: 'add-tool' } });
    const name = textOf(added).replace('added ', '');
    expect(name).toMatch(/^dynamic-\d+$/);
    await waitFor(() => gateway.app.profiles.view('cursor')?.toolRoutes.has(name), {
      what: `${name} in view`,
    });
    const found = await client.callTool({ name: 'find_tools', arguments: { query: name } });
    expect((found.structuredContent as { tools: { name: string }[] }).tools[0]?.name).toBe(name);
    expect(textOf(await client.callTool({ name: 'call_tool', arguments: { name } }))).toBe(`fx/${name}`);
    // The search profile's own list did not change; the listing profile's did, and it was told.
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['find_tools', 'call_tool']);
    await waitFor(() => codeNotified > 0, { what: 'list_changed on /mcp/code' });
    expect((await code.listTools()).tools.length).toBe(before + 1);
    await Promise.all([client.close(), code.close()]);
  });

  it('serves a 2026-07-28 client the same way', async () => {
    const client = await connect('cursor', 'modern');
    expect(client.getProtocolEra()).toBe('modern');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['find_tools', 'call_tool']);
    const found = await client.callTool({ name: 'find_tools', arguments: { query: 'whoami' } });
    expect((found.structuredContent as { tools: { name: string }[] }).tools[0]?.name).toBe('whoami');
    expect(
      textOf(
        await client.callTool({
          name: 'call_tool',
          arguments: { name: 'echo', arguments: { message: 'm' } },
        }),
      ),
    ).toBe('fx: m');
    await client.close();
  });
});

describe('a config edit', () => {
  it('rebuilds a changed profile live (its sessions hear list_changed) and retires a removed one', async () => {
    const client = await connect('small');
    expect((await client.listTools()).tools).toHaveLength(2);
    let notified = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      notified++;
    });
    const edited = validateConfig({
      ...config(),
      server: { port: 0 },
      discovery: { docker: { enabled: false } },
      profiles: { ...profiles, small: { ...profiles.small, maxTools: 3 } },
    });
    if (!edited.ok) throw new Error(JSON.stringify(edited.errors));
    await gateway.app.applyConfig(edited.config);
    await waitFor(() => notified > 0, { what: 'list_changed on /mcp/small' });
    expect((await client.listTools()).tools).toHaveLength(3);

    const { small: _removed, ...rest } = profiles;
    const without = validateConfig({
      ...config(),
      server: { port: 0 },
      discovery: { docker: { enabled: false } },
      profiles: rest,
    });
    if (!without.ok) throw new Error(JSON.stringify(without.errors));
    await gateway.app.applyConfig(without.config);
    await expect(client.listTools()).rejects.toThrow(/No profile \\"small\\"/);
    expect((await post('/small', INITIALIZE)).status).toBe(404);
    await client.close().catch(() => undefined);
    // Back as it was for the tests that follow.
    const restored = validateConfig({
      ...config(),
      server: { port: 0 },
      discovery: { docker: { enabled: false } },
    });
    if (restored.ok) await gateway.app.applyConfig(restored.config);
  });
});

describe('the profiles control method', () => {
  it('reports per profile what the client sees against what it accepts', async () => {
    const reports = await gateway.app.control.profiles();
    expect(reports.map((r) => r.profile)).toEqual(['default', 'code', 'small', 'cursor']);
    const cursor = reports.find((r) => r.profile === 'cursor')!;
    expect(cursor).toMatchObject({
      client: 'cursor',
      clientLabel: 'Cursor',
      endpointPath: '/mcp/cursor',
      clientLimit: 80,
      limitKind: 'soft',
      budget: 3,
      search: true,
      advertised: 2,
    });
    expect(cursor.selected).toBeGreaterThan(3);
    const code = reports.find((r) => r.profile === 'code')!;
    expect(code.shortened).toEqual([{ from: LONG, to: expect.stringMatching(/^summarize_/), backend: 'fx' }]);
    expect(code.maxNameLength).toBe(47);
  });
});

describe('profile name pins', () => {
  it('survive a restart: a newcomer never takes a name a profile already gave', async () => {
    const client = await connect('code');
    const short = (await client.listTools()).tools
      .map((t) => t.name)
      .find((n) => n.startsWith('summarize_'))!;
    await client.close();
    await waitFor(() => gateway.app.store!.profilePins.forProfile('code').length === 1, {
      what: 'pin stored',
    });
    const dataDir = gateway.dataDir;
    await gateway.app.stop();

    // After the restart a backend listed first offers a tool whose own name is the shortened one.
    const rival = await startFixture({ name: 'rival', transport: 'legacy-http', tools: [short] });
    const restarted = await startGateway(
      {
        backends: [
          { name: 'rival', url: rival.url },
          { name: 'fx', url: fixture.url },
        ],
        profiles: { code: { client: 'claude-code', backends: ['rival', 'fx'] } },
      },
      { dataDir },
    );
    try {
      await waitFor(() => restarted.app.control.snapshotNow().backends.every((b) => b.state === 'ready'));
      const view = await waitFor(() => {
        const v = restarted.app.profiles.view('code');
        return v && v.toolRoutes.size === 5 ? v : undefined;
      });
      expect(view.toolRoutes.get(short)).toMatchObject({ backend: 'fx', originalName: LONG });
      const rivalName = [...view.toolRoutes].find(([, r]) => r.backend === 'rival')![0];
      expect(rivalName).not.toBe(short);
    } finally {
      await restarted.stop();
      await rival.stop();
    }
  });
});
