// Issue 10 item 6: a backend whose address leads back to this gateway is refused with a clear,
// short error instead of being aggregated without end; another Switchyard is a fine backend.
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { freePort, startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

const started: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const s of started.reverse()) await s.stop();
});

const backendState = (gateway: TestGateway, name: string) =>
  gateway.app.control.snapshotNow().backends.find((b) => b.name === name);

describe('self-connection', () => {
  it('refuses a config backend pointing at the gateway itself, and accepts another Switchyard', async () => {
    const fixture: RunningServer = await startFixture({
      name: 'real',
      transport: 'legacy-http',
      tools: ['echo'],
    });
    started.push(fixture);
    const port = await freePort();
    const token = 'sy_self_test_token_0123456789';
    const gateway = await startGateway({
      server: { port },
      auth: { token },
      aggregation: { conflicts: 'prefix' },
      backends: [
        { name: 'real', url: fixture.url },
        { name: 'loop', url: `http://127.0.0.1:${port}/mcp`, headers: { Authorization: `Bearer ${token}` } },
      ],
    });
    started.push(gateway);
    await waitFor(
      () => backendState(gateway, 'loop')?.lastError && backendState(gateway, 'real')?.state === 'ready',
      {
        what: 'loop refused, real ready',
      },
    );
    const loop = backendState(gateway, 'loop')!;
    // Refused and never served; its next attempt may already be under way ("connecting" again,
    // the refusal kept as its last error).
    expect(loop.state).not.toBe('ready');
    expect(loop.failingSince).toBeTypeOf('number');
    expect(loop.lastError!.message).toMatch(/^this backend is Switchyard itself/);
    expect(loop.lastError!.message).not.toContain('\n');
    await waitFor(() => gateway.app.control.snapshotNow().counts.tools === 1, {
      what: 'one tool, not ourselves',
    });

    // A second Switchyard aggregating the first is not "itself".
    const outer = await startGateway({
      backends: [{ name: 'inner', url: gateway.url, headers: { Authorization: `Bearer ${token}` } }],
    });
    started.push(outer);
    await waitFor(() => outer.app.control.snapshotNow().counts.tools === 1, { what: 'outer lists inner' });
    expect(backendState(outer, 'inner')?.state).toBe('ready');
  });
});
