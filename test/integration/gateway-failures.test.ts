// Failure handling with real processes: timeouts that are really applied, a backend killed while
// others serve, a backend that restarts and comes back by itself, a backend that forgets its
// sessions (404 → re-initialize and retry once), and a crashing stdio server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { connectV2, startGateway, textOf, toolNames, type TestGateway } from '../helpers/gateway.js';
import { fixtureCommand, startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

let steady: RunningServer;
let flaky: RunningServer;
let gateway: TestGateway;
let client: Client;
let listChanged = 0;

const ready = (name: string) =>
  gateway.app.control.snapshotNow().backends.find((b) => b.name === name)?.state === 'ready';

beforeAll(async () => {
  [steady, flaky] = await Promise.all([
    startFixture({ name: 'steady', transport: 'legacy-http', tools: ['echo', 'slow'] }),
    startFixture({ name: 'flaky', transport: 'legacy-http', tools: ['ping-flaky', 'slow-flaky', 'slow'] }),
  ]);
  gateway = await startGateway({
    aggregation: { conflicts: 'prefix' },
    backends: [
      { name: 'steady', url: steady.url, timeout: '800ms' },
      { name: 'flaky', url: flaky.url, timeout: '5s' },
      { name: 'local', ...fixtureCommand({ name: 'local', transport: 'stdio', tools: ['echo', 'crash'] }) },
    ],
  });
  await waitFor(() => ['steady', 'flaky', 'local'].every(ready), { what: 'backends ready' });
  client = await connectV2(gateway);
  client.setNotificationHandler('notifications/tools/list_changed', () => {
    listChanged++;
  });
  await client.listTools();
});

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
  await Promise.allSettled([steady?.stop(), flaky?.stop()]);
});

describe('timeouts', () => {
  it('a hung call fails with a clear tool error after the backend’s configured timeout', async () => {
    const started = Date.now();
    const result = await client.callTool({ name: 'steady__slow', arguments: { ms: 5000 } });
    const elapsed = Date.now() - started;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/backend "steady" did not answer within 800 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(elapsed).toBeLessThan(3000);
    // The session and the backend are still usable.
    expect(textOf(await client.callTool({ name: 'steady__echo', arguments: { message: 'after' } }))).toBe(
      'steady: after',
    );
  });
});

describe('a backend that dies and comes back', () => {
  it('fails in-flight calls fast, keeps the others serving, drops and restores its tools', async () => {
    const inFlight = client.callTool({ name: 'flaky__slow', arguments: { ms: 4000 } });
    await new Promise((r) => setTimeout(r, 300));
    const killedAt = Date.now();
    const changesBefore = listChanged;
    await flaky.process.kill('SIGKILL');
    const result = await inFlight;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/backend "flaky" is unavailable/);
    expect(Date.now() - killedAt).toBeLessThan(2000);

    // The dead backend's tools disappear and the client is told.
    await waitFor(() => listChanged > changesBefore, { what: 'list_changed after the backend died' });
    await waitFor(async () => !(await toolNames(client)).includes('flaky__ping-flaky'), {
      what: 'tools removed',
    });
    const flakyStatus = gateway.app.control.snapshotNow().backends.find((b) => b.name === 'flaky');
    expect(['down', 'connecting']).toContain(flakyStatus?.state); // down, and retrying with backoff
    expect(flakyStatus?.lastError?.message).toBeTruthy();
    expect(textOf(await client.callTool({ name: 'steady__echo', arguments: { message: 'alive' } }))).toBe(
      'steady: alive',
    );
    // Its names stay routed to an answer saying so (issue 10 item 15), not "Unknown tool".
    const gone = await client.callTool({ name: 'flaky__ping-flaky', arguments: {} });
    expect(gone.isError).toBe(true);
    expect(textOf(gone)).toMatch(/backend "flaky" is down( \(reconnecting\))? since /);

    // It restarts on the same port: it is reconnected by itself, and its tools come back.
    const changesBeforeRestart = listChanged;
    await flaky.restart();
    await waitFor(() => ready('flaky'), { what: 'flaky ready again' });
    await waitFor(() => listChanged > changesBeforeRestart, { what: 'list_changed after the restart' });
    expect(await toolNames(client)).toContain('flaky__ping-flaky');
    // The session's old backend session died with the process: the link re-initializes by itself.
    expect(textOf(await client.callTool({ name: 'flaky__ping-flaky', arguments: {} }))).toBe(
      'flaky/ping-flaky',
    );
  });
});

describe('a backend that forgets its sessions', () => {
  it('re-initializes on 404 and retries the call once, invisibly to the client', async () => {
    const forgetful = await startFixture({
      name: 'forgetful',
      transport: 'legacy-http',
      tools: ['echo'],
      forgetSessionsAfter: 6,
    });
    const g = await startGateway({ backends: [{ name: 'forgetful', url: forgetful.url }] });
    try {
      await waitFor(() => g.app.aggregator.current.tools.length === 1, { what: 'forgetful tools' });
      const c = await connectV2(g);
      for (let i = 0; i < 6; i++) {
        expect(textOf(await c.callTool({ name: 'echo', arguments: { message: `m${i}` } }))).toBe(
          `forgetful: m${i}`,
        );
      }
      await c.close();
    } finally {
      await g.stop();
      await forgetful.stop();
    }
  });
});

describe('a crashing stdio server', () => {
  it('is started again for the session on its next call', async () => {
    expect(textOf(await client.callTool({ name: 'local__echo', arguments: { message: 'one' } }))).toBe(
      'local: one',
    );
    expect(textOf(await client.callTool({ name: 'local__crash', arguments: {} }))).toBe('crashing');
    await new Promise((r) => setTimeout(r, 200));
    const after = await client.callTool({ name: 'local__echo', arguments: { message: 'two' } });
    expect(textOf(after)).toBe('local: two');
  });
});
