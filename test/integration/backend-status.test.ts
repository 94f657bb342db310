// A backend's status tells the truth about a run of failures: since when it fails (a retry does
// not move it), how many attempts, when the next one is due; and all of that is gone once it is
// ready again. Real fixture server, killed and restarted on the same port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendStatus } from '../../common/domain/backend.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

let server: RunningServer;
let gateway: TestGateway;

const status = (): BackendStatus =>
  gateway.app.control.snapshotNow().backends.find((b) => b.name === 'flaky')!;

beforeAll(async () => {
  server = await startFixture({ name: 'flaky', transport: 'legacy-http', tools: ['echo'] });
  gateway = await startGateway({ backends: [{ name: 'flaky', url: server.url, timeout: '2s' }] });
  await waitFor(() => status().state === 'ready', { what: 'flaky ready' });
});

afterAll(async () => {
  await gateway?.stop();
  await server?.stop();
});

describe('a backend that stays down', () => {
  it('keeps failingSince over retries, counts attempts, says when the next is due, and clears them when ready', async () => {
    expect(status()).not.toHaveProperty('failingSince');
    const killedAt = Date.now();
    await server.stop();
    // The health check notices, then the backoff (100 ms doubling to 1 s in tests) retries.
    const first = await waitFor(() => (status().attempts ?? 0) >= 1 && status(), {
      what: 'the first failure',
    });
    expect(first.state).toBe('down');
    expect(first.failingSince).toBeGreaterThanOrEqual(killedAt);
    expect(first.nextRetryAt).toBeGreaterThan(first.failingSince!);
    expect(first.lastError?.message).toBeTruthy();

    const later = await waitFor(
      () => (status().attempts ?? 0) >= 3 && status().state === 'down' && status(),
      {
        what: 'three failed attempts',
        timeoutMs: 15_000,
      },
    );
    // `since` moves with every retry (connecting → down); failingSince does not.
    expect(later.since).toBeGreaterThan(first.since);
    expect(later.failingSince).toBe(first.failingSince);
    expect(later.attempts).toBeGreaterThan(first.attempts!);

    await server.restart();
    const back = await waitFor(() => status().state === 'ready' && status(), {
      what: 'ready again',
      timeoutMs: 15_000,
    });
    expect(back).not.toHaveProperty('failingSince');
    expect(back).not.toHaveProperty('attempts');
    expect(back).not.toHaveProperty('nextRetryAt');
  });

  it('a backend stopped on purpose (the endpoint turned off) carries no retry information', async () => {
    await gateway.app.control.setGatewayRunning(false);
    const paused = status();
    expect(paused.state).toBe('down');
    expect(paused).not.toHaveProperty('nextRetryAt');
    expect(paused).not.toHaveProperty('failingSince');
    await gateway.app.control.setGatewayRunning(true);
    await waitFor(() => status().state === 'ready', { what: 'ready after on', timeoutMs: 15_000 });
  });
});
