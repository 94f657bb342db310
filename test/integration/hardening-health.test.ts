// Issue 10 item 15 (backend side): health follows the truth, not the ping interval. Health pings
// are made rare here (10 min) so only the immediate mechanisms can pass these tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectV2, startGateway, textOf, type TestGateway } from '../helpers/gateway.js';
import { startFixture, startHostile, waitFor, type RunningServer } from '../helpers/processes.js';

let streaming: RunningServer;
let postOnly: RunningServer;
let gateway: TestGateway;

const state = (name: string) => gateway.app.control.snapshotNow().backends.find((b) => b.name === name);

beforeAll(async () => {
  [streaming, postOnly] = await Promise.all([
    startFixture({ name: 'streaming', transport: 'legacy-http', tools: ['echo'] }),
    startHostile({ noGetStream: true }),
  ]);
  gateway = await startGateway(
    {
      aggregation: { conflicts: 'prefix' },
      backends: [
        { name: 'streaming', url: streaming.url },
        { name: 'postonly', url: postOnly.url },
      ],
    },
    { healthIntervalMs: 600_000 },
  );
  await waitFor(() => state('streaming')?.state === 'ready' && state('postonly')?.state === 'ready', {
    what: 'backends ready',
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([streaming?.stop(), postOnly?.stop()]);
});

describe('health truth', () => {
  it('marks a killed backend down as soon as its stream drops, not at the next ping', async () => {
    await streaming.stop();
    await waitFor(() => state('streaming')?.state === 'down', { timeoutMs: 10_000, what: 'streaming down' });
    expect(state('streaming')?.lastError?.message).toMatch(/refused|closed|reset/i);
  });

  it('reconnects when a refresh finds the backend restarted (not degraded)', async () => {
    const seen: string[] = [];
    const off = gateway.app.registry.statusChanged.on((s) => {
      if (s.name === 'postonly') seen.push(s.state);
    });
    await postOnly.restart();
    gateway.app.registry.get('postonly')!.refresh(); // as a list_changed would
    await waitFor(() => seen.at(-1) === 'ready' && seen.length > 1, {
      timeoutMs: 10_000,
      what: `postonly ready again (states: ${seen.join(', ')})`,
    });
    off();
    expect(seen).not.toContain('degraded');
    // Its catalog is there again (the reconnect listed it).
    await waitFor(() => state('postonly')?.counts.tools === 1, { what: 'postonly tools' });
  });
});

describe('calls to a down backend', () => {
  it('say which backend is down and since when, instead of "unknown tool"', async () => {
    const fixture = await startFixture({ name: 'gone', transport: 'legacy-http', tools: ['echo'] });
    const local = await startGateway(
      { aggregation: { conflicts: 'prefix' }, backends: [{ name: 'gone', url: fixture.url }] },
      { healthIntervalMs: 600_000 },
    );
    try {
      const client = await connectV2(local);
      await waitFor(async () => (await client.listTools()).tools.some((t) => t.name === 'gone__echo'), {
        what: 'gone__echo listed',
      });
      await fixture.stop();
      await waitFor(
        () => local.app.control.snapshotNow().backends.find((b) => b.name === 'gone')?.state === 'down',
        { what: 'gone down' },
      );
      await waitFor(() => !local.app.aggregator.current.toolRoutes.has('gone__echo'), {
        what: 'gone__echo withdrawn',
      });
      const result = await client.callTool({ name: 'gone__echo', arguments: { message: 'x' } });
      expect(result.isError).toBe(true);
      // "(reconnecting)" when the backend's next attempt is already under way as the call comes.
      expect(textOf(result)).toMatch(/backend "gone" is down( \(reconnecting\))? since \d{4}-\d\d-\d\dT.*Z/);
      await client.close();
    } finally {
      await local.stop();
      await fixture.stop();
    }
  });
});
