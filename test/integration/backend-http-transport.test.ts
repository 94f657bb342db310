// Our Streamable HTTP client transport (core/backends/http-transport.ts) under RpcPeer, against the
// SDK fixture (its POST answers are SSE streams): each response is read with an SSE reader the
// transport reuses once the previous response is over, so overlapping responses must each get
// their own and a reused one must carry nothing over (answers, progress and raw text stay with
// their own request).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionClosedError, HttpStatusError } from '../../core/backends/errors.js';
import { StreamableHttpTransport } from '../../core/backends/http-transport.js';
import { InboundBudget } from '../../core/backends/inbound-limits.js';
import { RAW_TEXT, RpcPeer, type RpcResponse } from '../../core/backends/rpc-peer.js';
import { startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

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

describe('StreamableHttpTransport when an exchange goes wrong', () => {
  // A raw listener whose answer each test chooses; requests to `hold` are never answered.
  let server: http.Server;
  let url: string;
  const held: http.ServerResponse[] = [];
  const budget = new InboundBudget(4 * 1024 * 1024);

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number; method: string };
        if (message.method === 'hold') {
          held.push(res);
          return;
        }
        if (message.method === 'cut') {
          // An SSE answer cut off mid-event: the connection goes away before the stream ends.
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('event: message\ndata: {"jsonrpc":"2.0",', () => res.socket?.destroy());
          return;
        }
        if (message.method === 'empty') {
          // An SSE answer that ends properly but never carries the response.
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end(': nothing to say\n\n');
          return;
        }
        if (message.method === 'fail') {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('x'.repeat(1024 * 1024)); // far over what an error message keeps
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: {} }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  });

  afterAll(async () => {
    for (const res of held) res.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  function transport(): { t: StreamableHttpTransport; answers: unknown[] } {
    const t = new StreamableHttpTransport({ url, maxResponseBytes: 64 * 1024, budget, backend: 'raw' });
    const answers: unknown[] = [];
    t.onmessage = (message) => answers.push(message);
    return { t, answers };
  }
  const request = (id: number, method: string) => ({ jsonrpc: '2.0' as const, id, method });

  it('fails a request with a header value it refuses, without throwing, and sends the next', async () => {
    const { t, answers } = transport();
    await expect(t.send(request(1, 'tools/list'), { headers: { 'x-bad': 'a\r\nb' } })).rejects.toThrow(
      /header/i,
    );
    await t.send(request(2, 'tools/list'));
    expect(answers).toEqual([{ jsonrpc: '2.0', id: 2, result: {} }]);
    await t.close();
  });

  it('keeps 8 KiB of an error body for the message, and gives every byte back', async () => {
    const { t } = transport();
    const failure = await t.send(request(1, 'fail')).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure).toBeInstanceOf(HttpStatusError);
    expect((failure as HttpStatusError).status).toBe(500);
    expect((failure as HttpStatusError).body.length).toBe(8 * 1024);
    expect(budget.inUse).toBe(0);
    await t.close();
  });

  it('ends an aborted exchange at once with its reason, and the next request goes through', async () => {
    const { t, answers } = transport();
    let abort: ((reason: Error) => void) | undefined;
    const pending = t.send(request(1, 'hold'), { onAbortable: (fn) => (abort = fn) });
    await waitForHeld(1);
    abort!(new Error('cancelled by the client'));
    await expect(pending).rejects.toThrow('cancelled by the client');
    await t.send(request(2, 'tools/list'));
    expect(answers).toEqual([{ jsonrpc: '2.0', id: 2, result: {} }]);
    await t.close();
  });

  it('fails an SSE answer cut off before its end, and one that ends without the response', async () => {
    const { t, answers } = transport();
    await expect(t.send(request(1, 'cut'))).rejects.toThrow('response stream aborted');
    await expect(t.send(request(2, 'empty'))).rejects.toThrow('response stream ended before the response');
    await t.send(request(3, 'tools/list'));
    expect(answers).toEqual([{ jsonrpc: '2.0', id: 3, result: {} }]);
    expect(budget.inUse).toBe(0);
    await t.close();
  });

  it('fails the requests in flight when it closes, and refuses new ones', async () => {
    const { t } = transport();
    const pending = t.send(request(1, 'hold'));
    await waitForHeld(2);
    await t.close();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(t.send(request(2, 'tools/list'))).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('fails at once when nothing listens at the address', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const t = new StreamableHttpTransport({ url: `http://127.0.0.1:${port}/mcp`, maxResponseBytes: 1024 });
    await expect(t.send(request(1, 'tools/list'))).rejects.toThrow(/ECONNREFUSED/);
    await t.close();
  });

  async function waitForHeld(count: number): Promise<void> {
    await waitFor(() => held.length >= count, { what: `${count} held request(s) at the listener` });
    expect(held.length).toBe(count);
  }
});
