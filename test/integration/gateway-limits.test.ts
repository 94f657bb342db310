// Every configured number is exercised: the backend response cap, session max and idle TTL, and
// the pagination the gateway follows when listing a backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, connectV2, startGateway, textOf, toolNames } from '../helpers/gateway.js';
import { startFixture, waitFor, type RunningServer } from '../helpers/processes.js';
import { initializeRequest } from '../helpers/http.js';

let big: RunningServer;
let paged: RunningServer;

beforeAll(async () => {
  [big, paged] = await Promise.all([
    startFixture({ name: 'big', transport: 'legacy-http', tools: ['big', 'echo'] }),
    startFixture({
      name: 'paged',
      transport: 'legacy-http',
      tools: Array.from({ length: 23 }, (_, i) => `item-${String(i).padStart(2, '0')}`),
      pageSize: 5,
    }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([big?.stop(), paged?.stop()]);
});

describe('limits.backendResponse', () => {
  it('fails a call whose response is larger than the cap, and keeps serving', async () => {
    const gateway = await startGateway({
      limits: { backendResponse: '64KiB' },
      backends: [{ name: 'big', url: big.url }],
    });
    try {
      await waitFor(() => gateway.app.aggregator.current.tools.length === 2, { what: 'tools' });
      const client = await connectV2(gateway);
      const small = await client.callTool({ name: 'big', arguments: { bytes: 1000 } });
      expect(textOf(small)).toHaveLength(1000);
      const tooBig = await client.callTool({ name: 'big', arguments: { bytes: 200_000 } });
      expect(tooBig.isError).toBe(true);
      expect(textOf(tooBig)).toMatch(/exceeded the 65536-byte limit/);
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'fine' } }))).toBe(
        'big: fine',
      );
      await client.close();
    } finally {
      await gateway.stop();
    }
  });
});

describe('sessions.max and sessions.idleTtl', () => {
  it('evicts the least recently used session beyond max', async () => {
    const gateway = await startGateway({ sessions: { max: 2 }, backends: [{ name: 'big', url: big.url }] });
    try {
      const first = await connectV2(gateway);
      const second = await connectV2(gateway);
      await first.ping(); // first is now more recent than second
      const third = await connectV2(gateway);
      expect(gateway.app.endpoint.sessionCount).toBe(2);
      await expect(second.ping()).rejects.toThrow(/404|Session not found/);
      await expect(first.ping()).resolves.toBeDefined();
      await expect(third.ping()).resolves.toBeDefined();
      await Promise.allSettled([first.close(), second.close(), third.close()]);
    } finally {
      await gateway.stop();
    }
  });

  it('ends a session idle for longer than idleTtl (one without an open GET stream)', async () => {
    const gateway = await startGateway({
      sessions: { idleTtl: '300ms' },
      backends: [{ name: 'big', url: big.url }],
    });
    try {
      const post = (body: unknown, sessionId?: string) =>
        fetch(gateway.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...authHeaders(gateway.token),
            ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
          },
          body: JSON.stringify(body),
        });
      const init = await post(initializeRequest('idle'));
      const sessionId = init.headers.get('mcp-session-id')!;
      expect((await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, sessionId)).status).toBe(200);
      await waitFor(() => gateway.app.endpoint.sessionCount === 0, {
        what: 'idle session swept',
        timeoutMs: 5000,
      });
      expect((await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, sessionId)).status).toBe(404);
    } finally {
      await gateway.stop();
    }
  });
});

describe('pagination', () => {
  it('follows nextCursor to the end when listing a backend', async () => {
    const gateway = await startGateway({ backends: [{ name: 'paged', url: paged.url }] });
    try {
      await waitFor(() => gateway.app.aggregator.current.tools.length === 23, {
        what: 'all 23 tools over 5 pages',
      });
      const client = await connectV2(gateway);
      const names = await toolNames(client);
      expect(names).toHaveLength(23);
      expect(names[0]).toBe('item-00');
      expect(names[22]).toBe('item-22');
      expect(textOf(await client.callTool({ name: 'item-17', arguments: {} }))).toBe('paged/item-17');
      await client.close();
    } finally {
      await gateway.stop();
    }
  });
});
