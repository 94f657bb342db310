// Every answer of the port carries Switchyard-Instance (a backend that leads back to this gateway
// is recognized by it, whatever it gets back): the header is added where each head is written
// (core/gateway/instance-response.ts), not with setHeader up front, so each kind of answer is
// checked here — answers, streams, refusals, 404s, the API and heads Node writes implicitly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayServer } from '../../core/gateway/http-server.js';
import { silentLogger } from '../../core/support/logger.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { initializeRequest, sendRaw as send, type RawReply } from '../helpers/http.js';
import { startFixture, type RunningServer } from '../helpers/processes.js';

/** The instance header's values as sent (raw, so a doubled header would show). */
function instanceValues(answer: RawReply): string[] {
  const values: string[] = [];
  for (let i = 0; i < answer.rawHeaders.length; i += 2)
    if (answer.rawHeaders[i]!.toLowerCase() === 'switchyard-instance') values.push(answer.rawHeaders[i + 1]!);
  return values;
}

describe('Switchyard-Instance on every head a GatewayServer writes', () => {
  const instance = 'a6c1e0de-5e1f-4c0a-9d1e-000000000001';
  let server: GatewayServer;
  let port: number;

  beforeAll(async () => {
    server = new GatewayServer({
      host: '127.0.0.1',
      port: 0,
      token: 'sy_instance_header_token_0123456789',
      logger: silentLogger,
      instanceId: instance,
      // Each path of this handler writes its head in one of the forms Node accepts.
      mcp: (req, res) => {
        switch (req.url) {
          case '/mcp/raw': // raw pairs, as the JSON answers are written
            res.writeHead(200, ['content-type', 'application/json', 'content-length', '2']).end('{}');
            return;
          case '/mcp/nested': // [[name, value], …]
            res
              .writeHead(200, [
                ['content-type', 'text/plain'],
                ['x-two', 'b'],
              ])
              .end('nested');
            return;
          case '/mcp/object':
            res
              .writeHead(201, 'Made', { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] })
              .end('o');
            return;
          case '/mcp/bare':
            res.writeHead(202).end();
            return;
          case '/mcp/implicit': // no writeHead at all: Node writes the head
            res.statusCode = 418;
            res.setHeader('content-type', 'text/plain');
            res.end('teapot');
            return;
          case '/mcp/merged': // setHeader first, then writeHead with raw pairs that replace one of them
            res.setHeader('x-kept', 'yes');
            res.setHeader('content-type', 'text/html');
            res.writeHead(200, ['content-type', 'text/plain']).end('merged');
            return;
          case '/mcp/stream': // an SSE head flushed before any event
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.flushHeaders();
            res.write('event: message\ndata: {}\n\n');
            return;
          default:
            throw new Error('the request fails'); // the server's own 500
        }
      },
    });
    port = await server.listen();
  });
  afterAll(() => server.close());

  const auth = { authorization: 'Bearer sy_instance_header_token_0123456789' };

  it('carries it exactly once with the headers the handler wrote, in every form', async () => {
    const raw = await send(port, { path: '/mcp/raw', headers: auth });
    expect(instanceValues(raw)).toEqual([instance]);
    expect([raw.status, raw.headers['content-type'], raw.headers['content-length'], raw.body]).toEqual([
      200,
      'application/json',
      '2',
      '{}',
    ]);

    const nested = await send(port, { path: '/mcp/nested', headers: auth });
    expect(instanceValues(nested)).toEqual([instance]);
    expect([nested.headers['content-type'], nested.headers['x-two']]).toEqual(['text/plain', 'b']);

    const object = await send(port, { path: '/mcp/object', headers: auth });
    expect(instanceValues(object)).toEqual([instance]);
    expect([object.status, object.headers['content-type'], object.headers['set-cookie']]).toEqual([
      201,
      'text/plain',
      ['a=1', 'b=2'],
    ]);

    const bare = await send(port, { path: '/mcp/bare', headers: auth });
    expect([bare.status, instanceValues(bare)]).toEqual([202, [instance]]);

    const implicit = await send(port, { path: '/mcp/implicit', headers: auth });
    expect([implicit.status, implicit.body, instanceValues(implicit)]).toEqual([418, 'teapot', [instance]]);

    const merged = await send(port, { path: '/mcp/merged', headers: auth });
    expect(instanceValues(merged)).toEqual([instance]);
    expect([merged.headers['x-kept'], merged.headers['content-type'], merged.body]).toEqual([
      'yes',
      'text/plain',
      'merged',
    ]);

    const stream = await send(port, { path: '/mcp/stream', headers: auth, until: '\n\n' });
    expect([stream.headers['content-type'], instanceValues(stream)]).toEqual([
      'text/event-stream',
      [instance],
    ]);

    const failed = await send(port, { path: '/mcp/fails', headers: auth });
    expect([failed.status, instanceValues(failed)]).toEqual([500, [instance]]);
  });

  it('carries it on refusals and on answers of the server itself', async () => {
    const answers = [
      await send(port, { path: '/mcp/raw' }), // 401: no token
      await send(port, { path: '/mcp/raw', headers: { authorization: 'Bearer wrong' } }), // 401
      await send(port, { path: '/mcp/raw', headers: { ...auth, host: 'evil.example' } }), // 403
      await send(port, { path: '/healthz' }),
      await send(port, { path: '/nowhere' }), // 404
      await send(port, { path: '/.well-known/oauth-authorization-server' }), // 404 with advice
      await send(port, { path: '/login?code=nope' }), // 303
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 403, 200, 404, 404, 303]);
    for (const answer of answers) expect(instanceValues(answer)).toEqual([instance]);
  });
});

describe('Switchyard-Instance on the answers of a running gateway', () => {
  let fixture: RunningServer;
  let gateway: TestGateway;
  let port: number;

  beforeAll(async () => {
    fixture = await startFixture({ name: 'echo', transport: 'legacy-http', tools: ['echo'] });
    gateway = await startGateway({ backends: [{ name: 'echo', url: fixture.url }] });
    port = Number(new URL(gateway.url).port);
  });
  afterAll(async () => {
    await gateway?.stop();
    await fixture?.stop();
  });

  it('carries one instance id on every answer: MCP answers, streams, refusals, the API', async () => {
    const mcp = {
      authorization: `Bearer ${gateway.token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const post = (body: unknown, headers: Record<string, string> = {}, path = '/mcp') =>
      send(port, { method: 'POST', path, headers: { ...mcp, ...headers }, body: JSON.stringify(body) });

    const init = await post(initializeRequest('t'));
    const session = init.headers['mcp-session-id'] as string;
    const inSession = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
    const answers: Record<string, RawReply> = {
      initialize: init,
      initialized: await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, inSession),
      call: await post(
        {
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'echo', arguments: { message: 'hi' } },
        },
        inSession,
      ),
      list: await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, inSession),
      batch: await post(
        [
          { jsonrpc: '2.0', id: 4, method: 'ping' },
          { jsonrpc: '2.0', id: 5, method: 'ping' },
        ],
        inSession,
      ),
      stream: await send(port, {
        path: '/mcp',
        headers: { ...mcp, ...inSession, accept: 'text/event-stream' },
        until: '',
      }),
      unknownSession: await post({ jsonrpc: '2.0', id: 6, method: 'ping' }, { 'mcp-session-id': 'nope' }),
      parseError: await send(port, { method: 'POST', path: '/mcp', headers: mcp, body: '{' }),
      unknownProfile: await post({ jsonrpc: '2.0', id: 7, method: 'ping' }, {}, '/mcp/nope'),
      wrongMethod: await send(port, { method: 'PUT', path: '/mcp', headers: mcp }),
      noToken: await send(port, { method: 'POST', path: '/mcp', body: '{}' }),
      api: await send(port, { path: '/api/status', headers: { authorization: `Bearer ${gateway.token}` } }),
      delete: await send(port, { method: 'DELETE', path: '/mcp', headers: { ...mcp, ...inSession } }),
    };
    const statuses = Object.fromEntries(Object.entries(answers).map(([k, a]) => [k, a.status]));
    expect(statuses).toEqual({
      initialize: 200,
      initialized: 202,
      call: 200,
      list: 200,
      batch: 200,
      stream: 200,
      unknownSession: 404,
      parseError: 400,
      unknownProfile: 404,
      wrongMethod: 405,
      noToken: 401,
      api: 200,
      delete: 200,
    });
    expect(answers.call!.body).toContain('hi');
    const id = instanceValues(init)[0];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    for (const [name, answer] of Object.entries(answers))
      expect({ name, values: instanceValues(answer) }).toEqual({ name, values: [id] });
  });
});
