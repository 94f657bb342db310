// A legacy HTTP+SSE backend (2024-11-05 transport, server-everything) that restarts forgets every
// session. Whichever a client session's own link meets first, a POST to its old endpoint answered
// 404 or its stream reconnecting to a new session, the link opens a new, initialized backend
// session (core/backends/sse-transport.ts, tested alone in backend-sse-transport.test.ts), and the
// client's first call once the backend is back succeeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendStatus } from '../../common/domain/backend.js';
import { connectV1, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startEverything, waitFor, type RunningServer } from '../helpers/processes.js';

let sse: RunningServer;
let gateway: TestGateway;

const status = (): BackendStatus =>
  gateway.app.control.snapshotNow().backends.find((b) => b.name === 'legacy')!;

beforeAll(async () => {
  sse = await startEverything('sse');
  gateway = await startGateway({ backends: [{ name: 'legacy', url: sse.url, transport: 'sse' }] });
  await waitFor(() => status().state === 'ready', { timeoutMs: 20_000, what: 'the SSE backend ready' });
});

afterAll(async () => {
  await gateway?.stop();
  await sse?.stop();
});

describe('an SSE backend that restarts', () => {
  it("answers a session's first call after the restart, on a new backend session", async () => {
    const client = await connectV1(gateway);
    const echo = (await client.listTools()).tools.find((t) => t.name.endsWith('echo'))!.name;
    const call = async (message: string) => {
      const result = (await client.callTool({ name: echo, arguments: { message } })) as {
        isError?: boolean;
        content: Array<{ text?: string }>;
      };
      return { isError: result.isError ?? false, text: result.content[0]?.text ?? '' };
    };
    expect(await call('before')).toEqual({ isError: false, text: 'Echo: before' });

    const restartedAt = Date.now();
    await sse.restart(); // SIGKILL, then a new process on the same port
    await waitFor(() => status().state === 'ready' && status().since >= restartedAt, {
      timeoutMs: 30_000,
      what: 'the shared connection back on the restarted backend',
    });
    // The session's link still points at its old backend session: the first call finds out and
    // goes through on a new one.
    expect(await call('after')).toEqual({ isError: false, text: 'Echo: after' });
    expect(await call('again')).toEqual({ isError: false, text: 'Echo: again' });
    await client.close();
  }, 60_000);
});
