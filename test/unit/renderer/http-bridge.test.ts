// The HTTP bridge against a real HTTP server on loopback: bearer token, routes and bodies, error
// mapping, and the fetch-based SSE reader (chunked events, reconnect, 401 then a new token).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BridgeError, UnauthorizedError, type ConnectionState } from '../../../renderer/src/bridge/bridge.js';
import { encodeQuery } from '../../../common/control/http.js';
import { createHttpBridge } from '../../../renderer/src/bridge/http-bridge.js';
import type { ControlEvent } from '../../../renderer/src/contract.js';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: string;
}

let server: http.Server;
let base: string;
let seen: Seen[];
let token: string;
/** How each /api/events request is answered, in turn. */
let streams: ((res: http.ServerResponse) => void)[];

beforeEach(async () => {
  seen = [];
  token = 'tok';
  streams = [];
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
        return;
      }
      if (req.url === '/api/events') {
        const next = streams.shift();
        if (next) return next(res);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        return; // stays open
      }
      if (req.url === '/api/status') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"version":"9"}');
      } else if (req.url === '/api/backends/missing%2Fone') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no backend missing/one"}');
      } else if (req.url?.startsWith('/api/audit')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"rows":[],"total":0}');
      } else if (req.method === 'POST') {
        res.writeHead(204).end();
      } else {
        res.writeHead(500).end('oops');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function waitFor<T>(probe: () => T | undefined, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const value = probe();
      if (value !== undefined) return resolve(value);
      if (Date.now() > deadline) return reject(new Error('timed out'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('encodeQuery', () => {
  it('repeats keys for lists and skips undefined', () => {
    expect(encodeQuery({ outcome: ['ok', 'timeout'], limit: 5, text: undefined, client: 'a b' })).toBe(
      '?outcome=ok&outcome=timeout&limit=5&client=a+b',
    );
    expect(encodeQuery({})).toBe('');
  });
});

describe('the HTTP bridge', () => {
  it('sends the bearer token and the documented routes and bodies', async () => {
    const bridge = createHttpBridge({ baseUrl: base, token: 'tok' });
    expect(await bridge.snapshot()).toEqual({ version: '9' });
    await bridge.setBackendEnabled('a b', false);
    await bridge.reconnectBackend('x');
    await bridge.resolveConflict('tool:echo', { action: 'winner', backend: 'alpha' });
    await bridge.resolveConflict('tool:echo', null);
    await bridge.setStrategy('prefix');
    await bridge.setGatewayRunning(true);
    await bridge.queryAudit({ backend: ['a', 'b'], limit: 100, cursor: '5.1' });
    await bridge.auditStats({ from: 1, to: 2, bucketMs: 1 });
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['GET', '/api/status', ''],
      ['POST', '/api/backends/a%20b/enabled', '{"enabled":false}'],
      ['POST', '/api/backends/x/reconnect', '{}'],
      ['POST', '/api/conflicts/tool%3Aecho/decision', '{"decision":{"action":"winner","backend":"alpha"}}'],
      ['POST', '/api/conflicts/tool%3Aecho/decision', '{"decision":null}'],
      ['POST', '/api/strategy', '{"strategy":"prefix"}'],
      ['POST', '/api/gateway', '{"running":true}'],
      ['GET', '/api/audit?backend=a&backend=b&limit=100&cursor=5.1', ''],
      ['GET', '/api/audit/stats?from=1&to=2&bucketMs=1', ''],
    ]);
    expect(seen.every((s) => s.auth === 'Bearer tok')).toBe(true);
  });

  it('maps 401 to UnauthorizedError and other errors to their message', async () => {
    const bridge = createHttpBridge({ baseUrl: base, token: 'wrong' });
    await expect(bridge.snapshot()).rejects.toBeInstanceOf(UnauthorizedError);
    bridge.setToken!('tok');
    const error = await bridge.backend('missing/one').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).message).toBe('no backend missing/one');
    expect((error as BridgeError).status).toBe(404);
    const noServer = createHttpBridge({ baseUrl: 'http://127.0.0.1:1', token: 'tok' });
    await expect(noServer.snapshot()).rejects.toThrow(/Cannot reach Switchyard/);
  });

  it('reads events split across chunks and reconnects when the stream ends', async () => {
    const event1: ControlEvent = { type: 'audit', rows: [] };
    const json = JSON.stringify(event1);
    streams.push((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': keep-alive\n\n');
      res.write(`data: ${json.slice(0, 5)}`);
      setTimeout(() => {
        res.write(`${json.slice(5)}\n\n`);
        res.end(); // the server goes away: the bridge reconnects
      }, 20);
    });
    streams.push((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ type: 'snapshot', snapshot: { version: '2' } })}\n\n`);
    });
    const bridge = createHttpBridge({ baseUrl: base, token: 'tok', backoff: { initialMs: 10, maxMs: 50 } });
    const events: ControlEvent[] = [];
    const states: ConnectionState[] = [];
    bridge.onConnectionChange!((s) => states.push(s));
    const stop = bridge.subscribe((e) => events.push(e));
    await waitFor(() => (events.length >= 2 ? true : undefined));
    expect(events[0]).toEqual(event1);
    expect(events[1]).toMatchObject({ type: 'snapshot', snapshot: { version: '2' } });
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(seen.filter((s) => s.url === '/api/events').length).toBe(2);
    stop();
  });

  it('stops on 401 until a new token is set', async () => {
    token = 'new';
    const bridge = createHttpBridge({ baseUrl: base, token: 'old', backoff: { initialMs: 10, maxMs: 50 } });
    const states: ConnectionState[] = [];
    bridge.onConnectionChange!((s) => states.push(s));
    const stop = bridge.subscribe(() => undefined);
    await waitFor(() => (states.includes('unauthorized') ? true : undefined));
    await new Promise((r) => setTimeout(r, 80));
    expect(seen.filter((s) => s.url === '/api/events').length).toBe(1); // no retry loop on 401
    bridge.setToken!('new');
    await waitFor(() => (states[states.length - 1] === 'open' ? true : undefined));
    expect(seen.filter((s) => s.url === '/api/events').map((s) => s.auth)).toEqual([
      'Bearer old',
      'Bearer new',
    ]);
    stop();
  });

  it('closes the stream when the last subscriber leaves', async () => {
    const bridge = createHttpBridge({ baseUrl: base, token: 'tok' });
    const states: ConnectionState[] = [];
    bridge.onConnectionChange!((s) => states.push(s));
    const stop = bridge.subscribe(() => undefined);
    await waitFor(() => (states.includes('open') ? true : undefined));
    stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.filter((s) => s.url === '/api/events').length).toBe(1);
  });
});
