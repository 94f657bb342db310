// The HTTP+SSE backend transport (core/backends/sse-transport.ts) tells the link when the backend
// has forgotten its session, which the SDK transport does not: a POST answered 404, and a stream
// that reconnected (the backend hands out a new, uninitialized session). A raw listener plays the
// backend, so each case happens exactly when the test says.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionLostError } from '../../core/backends/errors.js';
import { SseTransport } from '../../core/backends/sse-transport.js';
import { waitFor } from '../helpers/processes.js';

let server: http.Server;
let url: string;
/** Open event streams, newest last; each was given the endpoint of session `n`. */
const streams: http.ServerResponse[] = [];
/** Sessions the backend knows; a POST to any other is 404, as after a restart. */
const known = new Set<string>();
const posted: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && target.pathname === '/sse') {
      const session = String(streams.length + 1);
      known.add(session);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(`event: endpoint\ndata: /messages?sessionId=${session}\n\n`);
      streams.push(res);
      return;
    }
    const session = target.searchParams.get('sessionId') ?? '';
    req.resume();
    req.on('end', () => {
      posted.push(session);
      res
        .writeHead(known.has(session) ? 202 : 404)
        .end(known.has(session) ? 'Accepted' : 'Session not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sse`;
});

afterAll(async () => {
  for (const res of streams) res.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const transport = () => new SseTransport({ url, headers: {}, maxMessageBytes: 64 * 1024, backend: 'raw' });
const ping = (id: number) => ({ jsonrpc: '2.0' as const, id, method: 'ping' });

describe('SseTransport when the backend forgets the session', () => {
  it('fails a POST the backend answers 404 with SessionLostError, and nothing else', async () => {
    const t = transport();
    const errors: Error[] = [];
    t.onerror = (error) => errors.push(error);
    await t.start();
    await t.send(ping(1)); // the session is known: accepted
    known.delete(String(streams.length)); // the backend restarted and forgot it
    const failure = await t.send(ping(2)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SessionLostError);
    expect((failure as Error).message).toBe('backend session is gone (HTTP 404)');
    // The request's failure is the report: an error event as well would have the link close the
    // connection under the request before it can re-open and retry.
    expect(errors).toEqual([]);
    await t.close();
  });

  it('reports a stream that reconnected as a lost session', async () => {
    const t = transport();
    const errors: Error[] = [];
    t.onerror = (error) => errors.push(error);
    await t.start();
    const before = streams.length;
    streams[before - 1]!.destroy(); // the stream drops; the EventSource reconnects to a new session
    await waitFor(() => errors.some((e) => e instanceof SessionLostError), {
      timeoutMs: 15_000,
      what: 'the lost session reported',
    });
    expect(streams.length).toBe(before + 1);
    expect(errors.find((e) => e instanceof SessionLostError)!.message).toBe(
      'backend session is gone (the SSE stream reconnected)',
    );
    await t.close();
  }, 20_000);
});
