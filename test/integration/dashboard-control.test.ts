// The control methods the dashboard's new views use, over a real engine with two real backends
// whose `echo` collides: a strategy preview (computed, not applied) and "Try it" (a call through
// the gateway's own endpoint as the client "switchyard-dashboard", audited as such).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CLIENT_NAME } from '../../core/control/dashboard-client.js';
import { connectV2, startGateway, type TestGateway } from '../helpers/gateway.js';
import { fixtureCommand, startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

let alpha: RunningServer;
let beta: RunningServer;
let gateway: TestGateway;

beforeAll(async () => {
  [alpha, beta] = await Promise.all([
    startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo', 'add'] }),
    startFixture({ name: 'beta', transport: 'legacy-http', tools: ['echo', 'whoami'] }),
  ]);
  gateway = await startGateway({
    backends: [
      { name: 'alpha', url: alpha.url },
      { name: 'beta', url: beta.url },
      { name: 'local', ...fixtureCommand({ name: 'local', transport: 'stdio', tools: ['local-echo'] }) },
    ],
    // Two profiles whose tools differ: one sees only alpha, the other beta and local.
    profiles: {
      narrow: { backends: ['alpha'] },
      betas: { client: 'claude-code', backends: ['beta', 'local'] },
    },
  } as Parameters<typeof startGateway>[0]);
  await waitFor(() => gateway.app.aggregator.current.tools.length === 5, { what: 'five tools' });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.allSettled([alpha?.stop(), beta?.stop()]);
});

describe('strategy preview', () => {
  it('tells the tools gained and lost under another strategy without applying it', async () => {
    const control = gateway.app.control;
    const version = gateway.app.aggregator.current.version;
    const priority = await control.previewStrategy('priority');
    expect(priority).toMatchObject({
      strategy: 'priority',
      current: 'auto',
      tools: {
        before: 5,
        after: 4,
        gained: [],
        lost: [{ name: 'beta__echo', backend: 'beta', originalName: 'echo' }],
      },
      openConflicts: { before: 1, after: 0 },
    });
    const prefix = await control.previewStrategy('prefix');
    expect(prefix.tools.gained.map((c) => c.name)).toEqual([
      'alpha__add',
      'alpha__echo',
      'beta__whoami',
      'local__local-echo',
    ]);
    expect(prefix.tools.lost.map((c) => c.name)).toEqual(['add', 'echo', 'local-echo', 'whoami']);
    // Nothing was applied: same set, same strategy.
    expect(gateway.app.aggregator.current.version).toBe(version);
    expect(control.snapshotNow().strategy).toBe('auto');
  });
});

describe('strategy preview per profile', () => {
  const names = (profile: string) =>
    [...(gateway.app.profiles.view(profile)?.toolRoutes.keys() ?? [])].sort();

  it('gives each profile its own counts and names, as its real view would have them', async () => {
    const control = gateway.app.control;
    const priority = await control.previewStrategy('priority');
    expect(priority.profiles.map((p) => p.profile)).toEqual(['narrow', 'betas']);
    const [narrow, betas] = priority.profiles;
    // alpha's tools keep their names under priority: nothing changes for `narrow`.
    expect(narrow).toMatchObject({
      clientLabel: 'Any client',
      tools: { before: 2, after: 2, gained: [], lost: [] },
    });
    // beta's echo loses to alpha's: `betas` goes from 3 tools to 2.
    expect(betas).toMatchObject({
      clientLabel: 'Claude Code',
      tools: { before: 3, after: 2, gained: [], lost: [{ name: 'beta__echo', backend: 'beta' }] },
      search: false,
    });

    const prefix = await control.previewStrategy('prefix');
    const [narrowP, betasP] = prefix.profiles;
    expect(narrowP!.tools.gained.map((c) => c.name)).toEqual(['alpha__add', 'alpha__echo']);
    expect(betasP!.tools.lost.map((c) => c.name)).toEqual(['local-echo', 'whoami']);

    // Applied for real, each profile's view has exactly the previewed names (same builder).
    const expected = (impact: typeof betas) => {
      const lost = new Set(impact!.tools.lost.map((c) => c.name));
      return [
        ...names(impact!.profile).filter((n) => !lost.has(n)),
        ...impact!.tools.gained.map((c) => c.name),
      ].sort();
    };
    const want = { narrow: expected(narrowP), betas: expected(betasP) };
    await control.setStrategy('prefix');
    try {
      await waitFor(() => names('betas').join() === want.betas.join(), { what: 'betas rebuilt' });
      expect(names('narrow')).toEqual(want.narrow);
      expect(names('betas')).toEqual(want.betas);
      const after = await control.previewStrategy('prefix');
      expect(after.profiles.every((p) => p.tools.gained.length + p.tools.lost.length === 0)).toBe(true);
    } finally {
      await control.setStrategy('auto');
      await waitFor(() => names('betas').includes('whoami'), { what: 'back to auto' });
    }
  });
});

describe('Try it', () => {
  it('calls a tool through the gateway as the dashboard client, and the call is audited as such', async () => {
    const control = gateway.app.control;
    const outcome = await control.callTool('beta__echo', { message: 'hello' });
    expect(outcome.ok).toBe(true);
    expect(JSON.stringify(outcome.result)).toContain('beta: hello');
    const failed = await control.callTool('no-such-tool', {});
    expect(failed.ok).toBe(false);
    expect(failed.error?.message).toBeTruthy();

    const rows = await waitFor(
      async () => {
        const page = await control.queryAudit({ client: DASHBOARD_CLIENT_NAME, method: 'tools/call' });
        return page.rows.length >= 2 && page.rows;
      },
      { what: 'the audit rows of the dashboard calls' },
    );
    expect(rows.map((r) => r.name).sort()).toEqual(['beta__echo', 'no-such-tool']);
    expect(rows.find((r) => r.name === 'beta__echo')).toMatchObject({ backend: 'beta', outcome: 'ok' });
  });

  it('says the endpoint is off instead of calling while it is paused', async () => {
    const control = gateway.app.control;
    await control.setGatewayRunning(false);
    const outcome = await control.callTool('add', { a: 1, b: 2 });
    expect(outcome).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/endpoint is off/) },
    });
    await control.setGatewayRunning(true);
    await waitFor(() => gateway.app.aggregator.current.tools.length === 5, { what: 'tools back' });
    // The gateway forgot the dashboard's session over off/on: the next call opens a new one.
    const again = await control.callTool('add', { a: 1, b: 2 });
    expect(again.ok).toBe(true);
  });
});

describe('sessions', () => {
  it('list every backend a session has a link to, stdio (no HTTP session id) included', async () => {
    const client = await connectV2(gateway);
    try {
      await client.callTool({ name: 'local-echo', arguments: {} });
      await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
      const session = gateway.app.control
        .snapshotNow()
        .sessions.find((s) => s.clientName !== DASHBOARD_CLIENT_NAME && s.calls >= 2);
      expect(session?.backends).toEqual(['alpha', 'local']);
    } finally {
      await client.close();
    }
  });
});

// The switch writes the config file (test/integration/tool-edits.test.ts); an engine built without
// one has nothing to write to, and says so instead of keeping the choice somewhere else.
describe('a tool turned off in the dashboard', () => {
  it('is refused (409) by an engine without a config file, and nothing changes', async () => {
    const control = gateway.app.control;
    await expect(control.setToolEnabled('beta', 'no-such-tool', false)).rejects.toThrow(/no tool named/);
    await expect(control.setToolEnabled('beta', 'whoami', false)).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/without a config file/),
    });
    expect(gateway.app.aggregator.current.toolRoutes.has('whoami')).toBe(true);
    expect((await control.backend('beta')).tools.find((t) => t.originalName === 'whoami')).not.toHaveProperty(
      'disabled',
    );
  });
});
