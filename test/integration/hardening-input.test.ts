// Issue 10 item 14 (gateway parts): odd input gets a 4xx or a clear error, not a stack overflow, a
// 500 or a wait for the timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { connectV2, startGateway, textOf, type TestGateway } from '../helpers/gateway.js';
import { startFixture, startHostile, waitFor, type RunningServer } from '../helpers/processes.js';

let gateway: TestGateway;
let client: Client;
let echo: RunningServer;
let liar: RunningServer;

const deep = (depth: number, leaf: unknown = 1): string =>
  '{"a":'.repeat(depth) + JSON.stringify(leaf) + '}'.repeat(depth);

async function post(
  body: string,
  session?: string,
): Promise<{ status: number; session: string | null; json: { error?: { message: string } } }> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${gateway.token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } : {}),
    },
    body,
  });
  return {
    status: response.status,
    session: response.headers.get('mcp-session-id'),
    json: (await response.json().catch(() => ({}))) as { error?: { message: string } },
  };
}

beforeAll(async () => {
  [echo, liar] = await Promise.all([
    startFixture({ name: 'echo', transport: 'legacy-http', tools: ['echo'] }),
    startHostile({ wrongIdReplies: true }),
  ]);
  gateway = await startGateway({
    aggregation: { conflicts: 'prefix' },
    backends: [
      { name: 'echo', url: echo.url },
      { name: 'liar', url: liar.url, timeout: '10m' },
    ],
  });
  const ready = (name: string) =>
    gateway.app.control.snapshotNow().backends.find((b) => b.name === name)?.state === 'ready';
  await waitFor(() => ready('echo') && ready('liar'), { what: 'backends ready' });
  client = await connectV2(gateway);
});

afterAll(async () => {
  await client?.close();
  await gateway?.stop();
  await Promise.all([echo?.stop(), liar?.stop()]);
});

describe('odd input', () => {
  it('answers a 100,000-deep _meta with 400, and keeps serving', async () => {
    const meta = deep(100_000);
    const body = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"deep","version":"1"},"_meta":${meta}}}`;
    const r = await post(body);
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toMatch(/nested deeper than 100 levels/);
    expect(
      textOf(await client.callTool({ name: 'echo__echo', arguments: { message: 'still here' } })),
    ).toContain('still here');
  });

  it('refuses 10,000-deep tool arguments with a clear error, not "backend unavailable"', async () => {
    // Raw HTTP: the SDK client itself cannot serialize arguments this deep.
    const init = await post(
      '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"deep","version":"1"}}}',
    );
    const session = init.session!;
    await post('{"jsonrpc":"2.0","method":"notifications/initialized"}', session);
    const r = await post(
      `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo__echo","arguments":${deep(10_000)}}}`,
      session,
    );
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toMatch(/nested deeper than 100 levels/);
  });

  it('fails a call at once when the backend answers it under another id', async () => {
    const result = await client.callTool({ name: 'liar__big', arguments: { bytes: 10 } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/answered request \d+ with a response for id "\d+-someone-else"/);
  }, 20_000);

  it('answers malformed %-encoding in /api/conflicts/… with 400', async () => {
    const response = await fetch(new URL('/api/conflicts/%E0%A4%A/decision', gateway.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json' },
      body: '{"decision":{"kind":"prefix"}}',
    });
    expect(response.status).toBe(400);
  });
});
