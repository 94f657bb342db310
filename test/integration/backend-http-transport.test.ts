// Our Streamable HTTP client transport (core/backends/http-transport.ts) under RpcPeer, against the
// SDK fixture (its POST answers are SSE streams): each response is read with an SSE reader the
// transport reuses once the previous response is over, so overlapping responses must each get
// their own and a reused one must carry nothing over (answers, progress and raw text stay with
// their own request).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamableHttpTransport } from '../../core/backends/http-transport.js';
import { RAW_TEXT, RpcPeer, type RpcResponse } from '../../core/backends/rpc-peer.js';
import { startFixture, type RunningServer } from '../helpers/processes.js';

let fx: RunningServer;
let peer: RpcPeer<string>;
const progress: Array<[string | undefined, unknown]> = [];

beforeAll(async () => {
  fx = await startFixture({ name: 'fx', transport: 'legacy-http', tools: ['echo', 'slow', 'progress'] });
  const transport = new StreamableHttpTransport({
    url: fx.url,
    maxResponseBytes: 1024 * 1024,
    backend: 'fx',
  });
  peer = new RpcPeer<string>(transport, {
    onNotification: (notification, tag) => progress.push([tag, notification.params?.progress]),
  });
  const init = await peer.request(
    'initialize',
    { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    { timeoutMs: 10_000 },
  );
  expect('result' in init).toBe(true);
  transport.setProtocolVersion('2025-06-18');
  await peer.notify('notifications/initialized');
}, 30_000);

afterAll(async () => {
  await peer?.close();
  await fx?.stop();
});

const textOf = (response: RpcResponse) =>
  'result' in response ? (response.result as { content: Array<{ text: string }> }).content[0]!.text : '';
const call = (name: string, args: Record<string, unknown>, tag: string, meta?: Record<string, unknown>) =>
  peer.request(
    'tools/call',
    { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
    { timeoutMs: 10_000, tag },
  );

describe('StreamableHttpTransport over SSE answers', () => {
  it('answers calls one after another (a reused reader) with their own text', async () => {
    for (let i = 0; i < 20; i++) {
      const response = await call('echo', { message: `m${i}` }, `t${i}`);
      expect(textOf(response)).toBe(`fx: m${i}`);
      // The backend's own text rides along for the relay, and it is this answer's.
      expect((response as { [RAW_TEXT]?: string })[RAW_TEXT]).toContain(`fx: m${i}`);
    }
    // Content-Length counts bytes, not characters.
    expect(textOf(await call('echo', { message: 'héllo € 🚂' }, 'utf8'))).toBe('fx: héllo € 🚂');
  });

  it('keeps overlapping answers apart: a slow call, progress and quick calls in flight together', async () => {
    progress.length = 0;
    const slow = call('slow', { ms: 300 }, 'slow');
    const steps = call('progress', { steps: 3 }, 'steps', { progressToken: 'p1' });
    const quick = await Promise.all(
      Array.from({ length: 8 }, (_, i) => call('echo', { message: `q${i}` }, `q${i}`)),
    );
    expect(quick.map(textOf)).toEqual(Array.from({ length: 8 }, (_, i) => `fx: q${i}`));
    expect(textOf(await steps)).toBe('fx: 3 steps');
    expect(progress).toEqual([
      ['steps', 1],
      ['steps', 2],
      ['steps', 3],
    ]);
    expect(textOf(await slow)).toBe('fx: slept 300');
    // And the reader left idle afterwards still reads the next answer.
    expect(textOf(await call('echo', { message: 'after' }, 'after'))).toBe('fx: after');
  });
});

describe('StreamableHttpTransport request headers', () => {
  /** One POST through the transport to a listener that records the headers as they arrived. */
  async function headersSent(
    url: (port: number) => string,
    headers: Record<string, string>,
  ): Promise<Array<[string, string]>> {
    let seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen = req.rawHeaders;
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"jsonrpc":"2.0","id":1,"result":{}}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const transport = new StreamableHttpTransport({ url: url(port), headers, maxResponseBytes: 1024 });
    const peer = new RpcPeer(transport);
    try {
      transport.setProtocolVersion('2025-06-18');
      const response = await peer.request('tools/list', {}, { timeoutMs: 5000 });
      expect(response).toMatchObject({ result: {} });
    } finally {
      await peer.close();
      await new Promise((resolve) => server.close(resolve));
    }
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < seen.length; i += 2) pairs.push([seen[i]!.toLowerCase(), seen[i + 1]!]);
    return pairs.map(([k, v]) => [k, k === 'host' ? v.replace(/:\d+$/, ':PORT') : v]);
  }

  it('sends Host, the URL credentials, the config headers and its own, each once (ours win a clash)', async () => {
    const sent = await headersSent((port) => `http://alice:pa55@127.0.0.1:${port}/mcp`, {
      'X-Api-Key': 'k1',
      'Content-Type': 'text/plain',
    });
    const names = sent.map(([k]) => k);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.fromEntries(sent)).toMatchObject({
      host: '127.0.0.1:PORT',
      authorization: `Basic ${Buffer.from('alice:pa55').toString('base64')}`,
      'x-api-key': 'k1',
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'content-length': String(
        Buffer.byteLength('{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}'),
      ),
      'mcp-protocol-version': '2025-06-18',
    });
  });

  it('lets a configured Authorization stand over the URL credentials', async () => {
    const sent = Object.fromEntries(
      await headersSent((port) => `http://alice:pa55@127.0.0.1:${port}/mcp`, { Authorization: 'Bearer t0k' }),
    );
    expect(sent.authorization).toBe('Bearer t0k');
  });
});
