// The front door over real HTTP: Host and Origin checks (403), the bearer token (401), body and
// batch limits (413), session rules (400 without, 404 unknown/ended), and the open health check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayServer } from '../../core/gateway/http-server.js';
import { silentLogger } from '../../core/support/logger.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { initializeRequest, postMcp, type RawRequest } from '../helpers/http.js';
import { startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

let backend: RunningServer;
let gateway: TestGateway;
let port: number;

const send = (options: RawRequest) => postMcp(port, options);

const auth = () => ({ authorization: `Bearer ${gateway.token}` });
const initialize = JSON.stringify(initializeRequest('raw'));

beforeAll(async () => {
  backend = await startFixture({ name: 'b', transport: 'legacy-http', tools: ['echo'] });
  gateway = await startGateway({
    auth: { token: 'auto' },
    limits: { requestBody: '64KiB', batch: 4 },
    backends: [{ name: 'b', url: backend.url }],
  });
  port = Number(new URL(gateway.url).port);
  await waitFor(() => gateway.app.aggregator.current.tools.length === 1, { what: 'backend tools' });
});

afterAll(async () => {
  await gateway?.stop();
  await backend?.stop();
});

describe('Host and Origin (DNS rebinding)', () => {
  it('403 for a Host that is not a loopback name of this port', async () => {
    for (const host of ['evil.example.com', `evil.example.com:${port}`, `127.0.0.1:${port + 1}`]) {
      const r = await send({ headers: { ...auth(), host }, body: initialize });
      expect(r.status, host).toBe(403);
      expect(JSON.parse(r.body).error.message).toMatch(/Forbidden/);
    }
  });

  it('accepts loopback names with the right port', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const r = await send({ headers: { ...auth(), host }, body: initialize });
      expect(r.status, host).toBe(200);
    }
  });

  it('403 for a foreign Origin, 200 for a loopback origin of this server', async () => {
    const foreign = await send({
      headers: { ...auth(), origin: 'https://evil.example.com' },
      body: initialize,
    });
    expect(foreign.status).toBe(403);
    const otherPort = await send({
      headers: { ...auth(), origin: `http://localhost:${port + 1}` },
      body: initialize,
    });
    expect(otherPort.status).toBe(403);
    const own = await send({ headers: { ...auth(), origin: `http://127.0.0.1:${port}` }, body: initialize });
    expect(own.status).toBe(200);
  });
});

describe('bearer token', () => {
  it('401 with a JSON body when the token is missing or wrong', async () => {
    const missing = await send({ body: initialize });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/Bearer/);
    expect(JSON.parse(missing.body)).toMatchObject({
      jsonrpc: '2.0',
      error: { message: expect.stringMatching(/missing bearer token/) },
    });
    const wrong = await send({ headers: { authorization: 'Bearer nope' }, body: initialize });
    expect(wrong.status).toBe(401);
    const api = await send({ method: 'GET', path: '/api/status' });
    expect(api.status).toBe(401);
  });

  it('stores an auto token readable by the user only', async () => {
    const { stat, readFile } = await import('node:fs/promises');
    const file = `${gateway.dataDir}/token`;
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(gateway.token);
  });

  it('/healthz answers without a token and says only ok', async () => {
    const r = await send({ method: 'GET', path: '/healthz' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ status: 'ok' });
  });
});

describe('limits', () => {
  it('413 for a body over the limit', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'ping',
      params: { pad: 'x'.repeat(70 * 1024) },
    });
    const r = await send({ headers: auth(), body: big });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.message).toMatch(/too large/);
  });

  it('413 for a batch over the limit, 400 for an empty batch or invalid JSON', async () => {
    const batch = JSON.stringify(
      Array.from({ length: 5 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' })),
    );
    expect((await send({ headers: auth(), body: batch })).status).toBe(413);
    expect((await send({ headers: auth(), body: '[]' })).status).toBe(400);
    const bad = await send({ headers: auth(), body: '{"jsonrpc": "2.0", ' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe(-32700);
  });
});

describe('sessions', () => {
  it('400 without a session id, 404 for an unknown one, 404 after DELETE', async () => {
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' });
    expect((await send({ headers: auth(), body: ping })).status).toBe(400);
    expect(
      (await send({ headers: { ...auth(), 'mcp-session-id': 'not-a-session' }, body: ping })).status,
    ).toBe(404);

    const init = await send({ headers: auth(), body: initialize });
    const sessionId = init.headers['mcp-session-id'] as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const ok = await send({ headers: { ...auth(), 'mcp-session-id': sessionId }, body: ping });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ jsonrpc: '2.0', id: 2, result: {} });
    const del = await send({ method: 'DELETE', headers: { ...auth(), 'mcp-session-id': sessionId } });
    expect(del.status).toBe(200);
    expect((await send({ headers: { ...auth(), 'mcp-session-id': sessionId }, body: ping })).status).toBe(
      404,
    );
  });

  it('answers a 2025-03-26 batch with one JSON array', async () => {
    const init = await send({ headers: auth(), body: initialize });
    const sessionId = init.headers['mcp-session-id'] as string;
    const batch = JSON.stringify([
      { jsonrpc: '2.0', id: 'a', method: 'ping' },
      { jsonrpc: '2.0', id: 'b', method: 'tools/list' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
    ]);
    const r = await send({ headers: { ...auth(), 'mcp-session-id': sessionId }, body: batch });
    expect(r.status).toBe(200);
    const answers = JSON.parse(r.body) as { id: string; result: { tools?: unknown[] } }[];
    expect(answers.map((a) => a.id)).toEqual(['a', 'b']);
    expect(answers[1]!.result.tools).toHaveLength(1);
  });

  it('405 for other HTTP methods on /mcp, 404 elsewhere', async () => {
    expect((await send({ method: 'PUT', headers: auth(), body: '{}' })).status).toBe(405);
    expect((await send({ method: 'GET', path: '/nowhere', headers: auth() })).status).toBe(404);
  });
});

describe('binding', () => {
  it('refuses to listen on a non-loopback host without a token', () => {
    expect(
      () =>
        new GatewayServer({
          host: '0.0.0.0',
          port: 0,
          token: null,
          logger: silentLogger,
          mcp: () => undefined,
        }),
    ).toThrow(/refusing to listen on 0\.0\.0\.0 without a token/);
  });
});
