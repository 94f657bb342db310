// Issue 10 item 12: a call in flight when its session is deleted or the gateway is paused gets a
// JSON-RPC error (never an empty 202); a request body that never finishes is cut off (408) while a
// GET stream may stay open as long as it likes.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayServer } from '../../core/gateway/http-server.js';
import { readBody } from '../../core/gateway/guards.js';
import { silentLogger } from '../../core/support/logger.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

let backend: RunningServer;
let gateway: TestGateway;

function request(
  method: string,
  body: string | undefined,
  session?: string,
): Promise<{ status: number; session: string | null; text: string }> {
  return fetch(gateway.url, {
    method,
    headers: {
      authorization: `Bearer ${gateway.token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  }).then(async (r) => ({
    status: r.status,
    session: r.headers.get('mcp-session-id'),
    text: await r.text(),
  }));
}

async function openSession(): Promise<string> {
  const init = await request(
    'POST',
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"inflight","version":"1"}}}',
  );
  await request('POST', '{"jsonrpc":"2.0","method":"notifications/initialized"}', init.session!);
  return init.session!;
}

const hang = '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"hang","arguments":{}}}';

/** The session's call is on its way to the backend: the session has its own link to it. */
async function reachedBackend(session: string): Promise<void> {
  await waitFor(
    () =>
      gateway.app.control
        .snapshotNow()
        .sessions.find((s) => s.id === session)
        ?.backends.includes('b'),
    { what: 'the call to reach the backend' },
  );
  await new Promise((r) => setTimeout(r, 200));
}

beforeAll(async () => {
  backend = await startFixture({ name: 'b', transport: 'legacy-http', tools: ['hang', 'echo'] });
  gateway = await startGateway({ backends: [{ name: 'b', url: backend.url, timeout: '10m' }] });
  await waitFor(
    () => gateway.app.control.snapshotNow().backends.find((b) => b.name === 'b')?.state === 'ready',
    { what: 'backend ready' },
  );
});

afterAll(async () => {
  await gateway?.stop();
  await backend?.stop();
});

/** The JSON-RPC message in a JSON or SSE answer. */
const messageOf = (text: string) =>
  JSON.parse(text.startsWith('{') ? text : /data: (.*)/.exec(text)![1]!) as {
    id: number;
    error?: { code: number; message: string };
  };

describe('a call in flight when its session goes away', () => {
  it('gets a JSON-RPC error when the session is deleted', async () => {
    const session = await openSession();
    const call = request('POST', hang, session);
    await reachedBackend(session);
    expect((await request('DELETE', undefined, session)).status).toBeLessThan(300);
    const answer = await call;
    expect(answer.status).toBe(200);
    const message = messageOf(answer.text);
    expect(message.id).toBe(7);
    expect(message.error?.message).toMatch(/session ended/);
  });

  it('gets a JSON-RPC error when the gateway is paused', async () => {
    const session = await openSession();
    const call = request('POST', hang, session);
    await reachedBackend(session);
    await gateway.app.setRunning(false);
    try {
      const answer = await call;
      expect(answer.status).toBe(200);
      expect(messageOf(answer.text).error?.message).toMatch(/paused/);
    } finally {
      await gateway.app.setRunning(true);
    }
  });
});

describe('request timeouts', () => {
  let server: GatewayServer;
  let port: number;

  beforeAll(async () => {
    server = new GatewayServer({
      host: '127.0.0.1',
      port: 0,
      token: null,
      logger: silentLogger,
      requestTimeoutMs: 1000,
      mcp: async (req, res) => {
        if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(': open\n\n');
          return;
        }
        const body = await readBody(req, 1024 * 1024);
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      },
    });
    port = await server.listen();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers 408 to a body that never finishes, and keeps a GET stream open past the timeout', async () => {
    const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/mcp', method: 'GET' }, resolve);
      req.on('error', reject);
      req.end();
    });
    let streamClosed = false;
    stream.on('close', () => (streamClosed = true));
    stream.resume();

    const slow = net.connect(port, '127.0.0.1');
    let reply = '';
    slow.on('data', (c: Buffer) => (reply += c.toString()));
    slow.write(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"partial":`,
    );
    await waitFor(() => reply.startsWith('HTTP/1.1 408'), {
      timeoutMs: 10_000,
      what: '408 for the stalled body',
    });
    slow.destroy();
    await new Promise((r) => setTimeout(r, 2500)); // the stream lives well past the 1 s request timeout
    expect(streamClosed).toBe(false);
    stream.destroy();
  });
});
