// Conflict strategies, filters, overrides and pins, end to end: two SDK fixture servers whose tool
// and prompt names collide, seen through a real client connected to the gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { ConfigInput } from '../../core/config/schema.js';
import { specFromConfig } from '../../core/discovery/config-source.js';
import { connectV2, startGateway, textOf, toolNames, type TestGateway } from '../helpers/gateway.js';
import { freePort, startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

let alpha: RunningServer;
let beta: RunningServer;

beforeAll(async () => {
  [alpha, beta] = await Promise.all([
    startFixture({
      name: 'alpha',
      transport: 'legacy-http',
      tools: ['echo', 'add', 'alpha-only', 'get.data'],
      prompts: ['greet'],
    }),
    startFixture({
      name: 'beta',
      transport: 'legacy-http',
      tools: ['echo', 'add', 'beta-only'],
      prompts: ['greet'],
      descriptions: { echo: 'Beta’s echo, which differs' },
    }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([alpha?.stop(), beta?.stop()]);
});

async function withGateway(
  input: Partial<ConfigInput>,
  body: (g: TestGateway, c: Client) => Promise<void>,
): Promise<void> {
  const gateway = await startGateway({
    backends: [
      { name: 'alpha', url: alpha.url },
      { name: 'beta', url: beta.url },
    ],
    ...input,
  });
  try {
    await waitFor(() => gateway.app.control.snapshotNow().backends.every((b) => b.state === 'ready'), {
      what: 'backends ready',
    });
    await waitFor(() => gateway.app.aggregator.current.tools.length > 0, { what: 'tools advertised' });
    const client = await connectV2(gateway);
    try {
      await body(gateway, client);
    } finally {
      await client.close();
    }
  } finally {
    await gateway.stop();
  }
}

describe('conflict strategies', () => {
  it('auto: unique names kept, the later backend’s collisions prefixed and reported', async () => {
    await withGateway({}, async (gateway, client) => {
      expect(await toolNames(client)).toEqual(
        ['add', 'alpha-only', 'beta-only', 'beta__add', 'beta__echo', 'echo', 'get_data'].sort(),
      );
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'x' } }))).toBe('alpha: x');
      expect(textOf(await client.callTool({ name: 'beta__echo', arguments: { message: 'y' } }))).toBe(
        'beta: y',
      );
      // A name with a dot is made valid; the call still reaches the original name.
      expect(textOf(await client.callTool({ name: 'get_data', arguments: {} }))).toBe('alpha/get.data');
      const prompts = (await client.listPrompts()).prompts.map((p) => p.name).sort();
      expect(prompts).toEqual(['beta__greet', 'greet']);
      const got = await client.getPrompt({ name: 'beta__greet', arguments: { topic: 't' } });
      expect(JSON.stringify(got.messages)).toContain('beta/greet: t');
      const open = gateway.app.control
        .snapshotNow()
        .conflicts.filter((c) => c.open)
        .map((c) => c.id)
        .sort();
      expect(open).toEqual(['prompt:greet', 'tool:add', 'tool:echo']);
    });
  });

  it('prefix: every tool carries its backend prefix, in the configured format', async () => {
    await withGateway(
      { aggregation: { conflicts: 'prefix', prefixFormat: '{backend}_' } },
      async (gateway, client) => {
        expect(await toolNames(client)).toEqual(
          [
            'alpha_add',
            'alpha_alpha-only',
            'alpha_echo',
            'alpha_get_data',
            'beta_add',
            'beta_beta-only',
            'beta_echo',
          ].sort(),
        );
        expect(textOf(await client.callTool({ name: 'beta_echo', arguments: { message: 'p' } }))).toBe(
          'beta: p',
        );
        expect(gateway.app.control.snapshotNow().conflicts).toEqual([]);
      },
    );
  });

  it('priority: the first listed backend wins, the others are hidden', async () => {
    await withGateway(
      { aggregation: { conflicts: 'priority', priority: ['beta', 'alpha'] } },
      async (gateway, client) => {
        expect(await toolNames(client)).toEqual(
          ['add', 'alpha-only', 'beta-only', 'echo', 'get_data'].sort(),
        );
        expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'w' } }))).toBe('beta: w');
        const conflict = gateway.app.control.snapshotNow().conflicts.find((c) => c.id === 'tool:echo');
        expect(conflict?.open).toBe(false);
      },
    );
  });

  it('manual: collisions wait for a decision; a decision applies live and clients get list_changed', async () => {
    await withGateway({ aggregation: { conflicts: 'manual' } }, async (gateway, client) => {
      expect(await toolNames(client)).toEqual(['alpha-only', 'beta-only', 'get_data']);
      let changed = 0;
      client.setNotificationHandler('notifications/tools/list_changed', () => {
        changed++;
      });
      gateway.app.aggregator.decide('tool', 'echo', { action: 'winner', backend: 'beta' });
      gateway.app.aggregator.decide('tool', 'add', {
        action: 'rename',
        names: { alpha: 'alpha_sum', beta: 'beta_sum' },
      });
      await waitFor(() => changed >= 1, { what: 'tools/list_changed' });
      expect(await toolNames(client)).toEqual([
        'alpha-only',
        'alpha_sum',
        'beta-only',
        'beta_sum',
        'echo',
        'get_data',
      ]);
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'd' } }))).toBe('beta: d');
      expect(textOf(await client.callTool({ name: 'alpha_sum', arguments: { a: 1, b: 2 } }))).toBe('3');
      const echo = gateway.app.control.snapshotNow().conflicts.find((c) => c.id === 'tool:echo');
      expect(echo).toMatchObject({ open: false, resolvedBy: 'decision' });
    });
  });
});

describe('filters and overrides', () => {
  it('applies include/exclude and renames/re-describes a tool', async () => {
    await withGateway(
      {
        aggregation: {
          backends: {
            alpha: {
              tools: {
                exclude: ['add', 'get*'],
                overrides: { echo: { name: 'say', description: 'Repeat a message' } },
              },
            },
            beta: { tools: { include: ['echo', 'beta-*'] } },
          },
        },
      },
      async (_gateway, client) => {
        const tools = (await client.listTools()).tools;
        expect(tools.map((t) => t.name).sort()).toEqual(['alpha-only', 'beta-only', 'echo', 'say']);
        expect(tools.find((t) => t.name === 'say')?.description).toBe('Repeat a message');
        // The schema is relayed as the backend sent it.
        expect(tools.find((t) => t.name === 'say')?.inputSchema).toMatchObject({
          type: 'object',
          properties: { message: { type: 'string' } },
        });
        expect(textOf(await client.callTool({ name: 'say', arguments: { message: 'o' } }))).toBe('alpha: o');
        expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'b' } }))).toBe('beta: b');
      },
    );
  });
});

describe('name pins', () => {
  it('a newcomer never renames an advertised tool, and names stay after the first owner leaves', async () => {
    const gateway = await startGateway({ backends: [{ name: 'beta', url: beta.url }] });
    try {
      await waitFor(() => gateway.app.aggregator.current.tools.length === 3, { what: 'beta tools' });
      const client = await connectV2(gateway);
      expect(await toolNames(client)).toEqual(['add', 'beta-only', 'echo']);
      let changes = 0;
      client.setNotificationHandler('notifications/tools/list_changed', () => {
        changes++;
      });
      // alpha arrives later (as a container would): its colliding tools are the ones prefixed.
      gateway.app.registry.upsert(
        specFromConfig({
          name: 'alpha',
          url: alpha.url,
          transport: 'streamable-http',
          headers: {},
          timeout: 30_000,
          enabled: true,
        }),
      );
      await waitFor(() => changes > 0 && gateway.app.aggregator.current.tools.length === 7, {
        what: 'alpha merged',
      });
      expect(await toolNames(client)).toEqual(
        ['add', 'alpha-only', 'alpha__add', 'alpha__echo', 'beta-only', 'echo', 'get_data'].sort(),
      );
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'still' } }))).toBe(
        'beta: still',
      );
      // beta goes away: alpha's tools keep the names the client learned (no silent renaming).
      await gateway.app.registry.remove('beta');
      await waitFor(() => gateway.app.aggregator.current.tools.length === 4, { what: 'beta removed' });
      expect(await toolNames(client)).toEqual(['alpha-only', 'alpha__add', 'alpha__echo', 'get_data']);
      expect(textOf(await client.callTool({ name: 'alpha__echo', arguments: { message: 'kept' } }))).toBe(
        'alpha: kept',
      );
      await client.close();
    } finally {
      await gateway.stop();
    }
  });
});

describe('startup hold', () => {
  // A client that connects the moment the gateway listens (Claude Desktop launched at login with
  // the app) must get every backend's tools, and names must follow config order, not whichever
  // backend happened to answer first. alpha is listed first but slow to start.
  const slowAlpha = () =>
    startFixture({
      name: 'alpha',
      transport: 'legacy-http',
      tools: ['echo', 'alpha-only'],
      startupDelayMs: 1500,
    });

  it('the first list waits for backends still on their first connection: complete, in config order', async () => {
    const slow = (await slowAlpha())!;
    const gateway = await startGateway({
      backends: [
        { name: 'alpha', url: slow.url },
        { name: 'beta', url: beta.url },
      ],
    });
    try {
      expect(gateway.app.registry.get('alpha')!.status.state).toBe('connecting');
      const client = await connectV2(gateway);
      expect(await toolNames(client)).toEqual(['add', 'alpha-only', 'beta-only', 'beta__echo', 'echo']);
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'first' } }))).toBe(
        'alpha: first',
      );
      await client.close();
    } finally {
      await gateway.stop();
      await slow.stop();
    }
  });

  it('a call to a name not known yet waits for the backend that will bring it', async () => {
    const slow = (await slowAlpha())!;
    const gateway = await startGateway({ backends: [{ name: 'alpha', url: slow.url }] });
    try {
      const client = await connectV2(gateway);
      expect(gateway.app.registry.get('alpha')!.status.state).toBe('connecting');
      // No list first: a client that kept its session across a restart calls straight away.
      expect(textOf(await client.callTool({ name: 'alpha-only', arguments: {} }))).toBe('alpha/alpha-only');
      await client.close();
    } finally {
      await gateway.stop();
      await slow.stop();
    }
  });

  it('is bounded: a backend that never answers does not hold lists past the hold', async () => {
    const stuck = (await startFixture({
      name: 'stuck',
      transport: 'legacy-http',
      tools: ['echo'],
      startupDelayMs: 600_000,
    }))!;
    const gateway = await startGateway(
      {
        backends: [
          { name: 'stuck', url: stuck.url },
          { name: 'beta', url: beta.url },
        ],
      },
      { startupHoldMs: 300 },
    );
    try {
      const client = await connectV2(gateway);
      expect(await toolNames(client)).toEqual(['add', 'beta-only', 'echo']);
      expect(gateway.app.registry.get('stuck')!.status.state).toBe('connecting');
      // After the hold an unknown name is refused at once.
      const refused = await client.callTool({ name: 'nope', arguments: {} }).catch((e: Error) => e);
      expect(String(refused)).toMatch(/Unknown tool: nope/);
      await client.close();
    } finally {
      await gateway.stop();
      await stuck.stop();
    }
  });

  it('ends as soon as every backend has made its first attempt, even when all of them failed', async () => {
    const closed = await freePort();
    // A hold far longer than the test's timeout: only settling can end it.
    const gateway = await startGateway(
      { backends: [{ name: 'gone', url: `http://127.0.0.1:${closed}/mcp` }] },
      { startupHoldMs: 600_000 },
    );
    try {
      const client = await connectV2(gateway);
      expect(await toolNames(client)).toEqual([]);
      // Its first attempt failed (the next may already be under way: "connecting" again).
      const status = gateway.app.registry.get('gone')!.status;
      expect(status.state).not.toBe('ready');
      expect(status.attempts).toBeGreaterThanOrEqual(1);
      expect(status.failingSince).toBeTypeOf('number');
      await client.close();
    } finally {
      await gateway.stop();
    }
  });

  it('turning the gateway off and on (a pause) keeps backends connected: the same session gets every tool at once', async () => {
    // alpha's handshakes are slow every time: were it reconnected after "on", a list would miss it.
    const slow = (await startFixture({
      name: 'alpha',
      transport: 'legacy-http',
      tools: ['echo', 'alpha-only'],
      handshakeDelayMs: 700,
    }))!;
    const gateway = await startGateway({
      backends: [
        { name: 'alpha', url: slow.url },
        { name: 'beta', url: beta.url },
      ],
    });
    try {
      const client = await connectV2(gateway);
      const names = await toolNames(client);
      expect(names).toEqual(['add', 'alpha-only', 'beta-only', 'beta__echo', 'echo']);
      await gateway.app.setRunning(false);
      expect(await toolNames(client)).toEqual([]);
      await gateway.app.setRunning(true);
      expect(gateway.app.registry.get('alpha')!.status.state).toBe('ready');
      expect(await toolNames(client)).toEqual(names);
      await client.close();
    } finally {
      await gateway.stop();
      await slow.stop();
    }
  });

  it('a call the client cancels while it waits is dropped, never forwarded', async () => {
    const slow = (await slowAlpha())!;
    const gateway = await startGateway({ backends: [{ name: 'alpha', url: slow.url }] });
    try {
      const client = await connectV2(gateway);
      const controller = new AbortController();
      const call = client.callTool({ name: 'alpha-only', arguments: {} }, { signal: controller.signal });
      await new Promise((r) => setTimeout(r, 100));
      controller.abort('changed my mind');
      await expect(call).rejects.toThrow();
      await waitFor(() => gateway.app.registry.get('alpha')!.status.state === 'ready', {
        what: 'alpha ready',
      });
      const rows = await waitFor(
        () => {
          const page = gateway.app.store!.query.query({ method: 'tools/call' });
          return page.rows.length > 0 ? page.rows : false;
        },
        { what: 'the audit row of the call' },
      );
      expect(rows.map((r) => [r.name, r.outcome, r.backend ?? null])).toEqual([
        ['alpha-only', 'cancelled', null],
      ]);
      await client.close();
    } finally {
      await gateway.stop();
      await slow.stop();
    }
  });
});
