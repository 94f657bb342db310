// Exchange.respondParts over real HTTP on 127.0.0.1: a pre-encoded list written as head, bytes and
// tail arrives as one well-formed answer, with the right Content-Length (in bytes, not characters)
// as plain JSON, and framed as one SSE event once the exchange has become a stream.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exchange } from '../../../core/gateway/exchange.js';
import { resultHead } from '../../../core/gateway/wire.js';

const body = Buffer.from(JSON.stringify({ tools: [{ name: 'café', description: 'ünïcode ✓' }] }));
let server: http.Server;
let url: string;
const written: number[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const exchange = new Exchange(res);
    if (req.url === '/stream') exchange.send({ jsonrpc: '2.0', method: 'notifications/message', params: {} });
    written.push(exchange.respondParts(resultHead('ä'), body, '}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Exchange.respondParts', () => {
  it('answers plain JSON with the byte length of head + body + tail', async () => {
    const response = await fetch(`${url}/plain`);
    const text = await response.text();
    const expected = `{"jsonrpc":"2.0","id":"ä","result":${body.toString()}}`;
    expect(text).toBe(expected);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(expected));
    expect(written.at(-1)).toBe(Buffer.byteLength(expected));
    expect(Buffer.byteLength(expected)).toBeGreaterThan(expected.length); // bytes, not characters
  });

  it('frames the answer as one SSE event after a message went ahead of it', async () => {
    const response = await fetch(`${url}/stream`);
    const text = await response.text();
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = text.split('\n\n').filter(Boolean);
    expect(events).toHaveLength(2);
    const json = events[1]!.replace(/^event: message\ndata: /, '');
    expect(JSON.parse(json)).toEqual({ jsonrpc: '2.0', id: 'ä', result: JSON.parse(body.toString()) });
  });
});
