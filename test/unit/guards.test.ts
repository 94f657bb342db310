// The front door's checks: Host (DNS rebinding), Origin, bearer token, body limit. readBody is
// exercised over real HTTP on 127.0.0.1, with declared and chunked bodies.
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BodyTooLargeError,
  bearerToken,
  checkHost,
  checkOrigin,
  isLoopbackHost,
  readBody,
  tokenMatches,
  type HostPolicy,
} from '../../core/gateway/guards.js';

const PORT = 4750;
const policy: HostPolicy = { port: PORT, extraHosts: [] };

/** The checks only read headers; Node lower-cases incoming header names, and so does this. */
function request(headers: Record<string, string | undefined>): IncomingMessage {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { headers: lower } as unknown as IncomingMessage;
}

describe('isLoopbackHost', () => {
  it('accepts loopback names and the whole 127/8 range', () => {
    for (const host of [
      'localhost',
      'LOCALHOST',
      '127.0.0.1',
      '127.1.2.3',
      '127.255.255.255',
      '[::1]',
      'app.localhost',
    ]) {
      expect(isLoopbackHost(host)).toBe(true);
    }
  });

  it('refuses everything else, including look-alikes', () => {
    for (const host of [
      'example.com',
      '0.0.0.0',
      '10.0.0.1',
      '128.0.0.1',
      '127.0.0.1.nip.io',
      'localhost.evil.com',
      'notlocalhost',
      '127.0.0',
      '[::2]',
      '',
    ]) {
      expect(isLoopbackHost(host)).toBe(false);
    }
  });
});

describe('checkHost', () => {
  it('accepts loopback hosts naming our port', () => {
    for (const host of [
      `127.0.0.1:${PORT}`,
      `localhost:${PORT}`,
      `LocalHost:${PORT}`,
      `127.8.9.10:${PORT}`,
      `[::1]:${PORT}`,
      `dashboard.localhost:${PORT}`,
    ]) {
      expect(checkHost(request({ host }), policy), host).toBeUndefined();
    }
  });

  it('refuses a missing Host header', () => {
    expect(checkHost(request({}), policy)).toMatch(/missing/i);
    expect(checkHost(request({ host: '' }), policy)).toMatch(/missing/i);
  });

  it('refuses the right name with another port, or with no port (80)', () => {
    for (const host of [`127.0.0.1:${PORT + 1}`, 'localhost', `[::1]:80`, `localhost:0${PORT}`]) {
      const reason = checkHost(request({ host }), policy);
      expect(reason, host).toBeTypeOf('string');
      expect(reason).toContain(host);
    }
    expect(checkHost(request({ host: 'localhost' }), { port: 80, extraHosts: [] })).toBeUndefined();
  });

  it('refuses foreign hosts, even on our port (DNS rebinding)', () => {
    for (const host of [
      `evil.example:${PORT}`,
      `localhost.evil.example:${PORT}`,
      `192.168.1.10:${PORT}`,
      `0.0.0.0:${PORT}`,
    ]) {
      expect(checkHost(request({ host }), policy), host).toMatch(/not allowed/);
    }
  });

  it('accepts extra hosts only when configured', () => {
    const lan: HostPolicy = { port: PORT, extraHosts: ['myhost.lan'] };
    expect(checkHost(request({ host: `MyHost.lan:${PORT}` }), lan)).toBeUndefined();
    expect(checkHost(request({ host: `myhost.lan:${PORT}` }), policy)).toBeTypeOf('string');
    expect(checkHost(request({ host: `myhost.lan:${PORT + 1}` }), lan)).toBeTypeOf('string');
  });
});

describe('checkOrigin', () => {
  it('accepts an absent Origin', () => {
    expect(checkOrigin(request({ host: `127.0.0.1:${PORT}` }), policy)).toBeUndefined();
  });

  it('accepts loopback origins of this server', () => {
    for (const origin of [
      `http://127.0.0.1:${PORT}`,
      `http://localhost:${PORT}`,
      `http://[::1]:${PORT}`,
      `https://localhost:${PORT}`,
      `http://ui.localhost:${PORT}`,
    ]) {
      expect(checkOrigin(request({ origin }), policy), origin).toBeUndefined();
    }
  });

  it('refuses foreign origins, other ports, non-http schemes and garbage', () => {
    for (const origin of [
      `http://evil.example:${PORT}`,
      `http://localhost.evil.example:${PORT}`,
      `http://127.0.0.1:${PORT + 1}`,
      'http://localhost',
      'https://localhost',
      `ftp://localhost:${PORT}`,
      `ws://localhost:${PORT}`,
      'chrome-extension://abcdefghijklmnop',
      'file://',
      'null',
      'not a url',
      '',
    ]) {
      const reason = checkOrigin(request({ origin }), policy);
      expect(reason, origin).toBeTypeOf('string');
      expect(reason).toContain('not allowed');
    }
  });

  it('accepts default ports only when the server really uses them', () => {
    expect(
      checkOrigin(request({ origin: 'http://localhost' }), { port: 80, extraHosts: [] }),
    ).toBeUndefined();
    expect(
      checkOrigin(request({ origin: 'https://localhost' }), { port: 443, extraHosts: [] }),
    ).toBeUndefined();
    expect(
      checkOrigin(request({ origin: 'http://myhost.lan:4750' }), { port: 4750, extraHosts: ['myhost.lan'] }),
    ).toBe(undefined);
  });
});

describe('tokens', () => {
  it('tokenMatches compares exactly, whatever the lengths', () => {
    const token = 'c2VjcmV0LXRva2VuLXZhbHVl';
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(`${token}`.slice(0), token)).toBe(true);
    expect(tokenMatches(token.slice(0, -1), token)).toBe(false);
    expect(tokenMatches(`${token}x`, token)).toBe(false);
    expect(tokenMatches(token.toUpperCase(), token)).toBe(false);
    expect(tokenMatches('', token)).toBe(false);
    expect(tokenMatches('', '')).toBe(true);
  });

  it('bearerToken reads "Bearer <token>" case-insensitively and trims it', () => {
    expect(bearerToken(request({ authorization: 'Bearer abc123' }))).toBe('abc123');
    expect(bearerToken(request({ authorization: 'bearer abc123' }))).toBe('abc123');
    expect(bearerToken(request({ authorization: '  BEARER    abc123   ' }))).toBe('abc123');
  });

  it('bearerToken ignores other schemes and empty values', () => {
    expect(bearerToken(request({}))).toBeUndefined();
    expect(bearerToken(request({ authorization: '' }))).toBeUndefined();
    expect(bearerToken(request({ authorization: 'Basic dXNlcjpwYXNz' }))).toBeUndefined();
    expect(bearerToken(request({ authorization: 'Bearer' }))).toBeUndefined();
    expect(bearerToken(request({ authorization: 'Bearer    ' }))).toBeUndefined();
    expect(bearerToken(request({ authorization: 'Bearerabc' }))).toBeUndefined();
    expect(bearerToken(request({ authorization: 'abc123' }))).toBeUndefined();
  });
});

describe('readBody over real HTTP', () => {
  const LIMIT = 64;
  let server: http.Server;
  let port: number;
  /** What the server's readBody produced for each request, by the x-test-id header. */
  const outcomes = new Map<string, { body?: Buffer; error?: unknown }>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const id = String(req.headers['x-test-id']);
      readBody(req, LIMIT).then(
        (body) => {
          outcomes.set(id, { body });
          res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
        },
        (error: unknown) => {
          outcomes.set(id, { error });
          res.writeHead(error instanceof BodyTooLargeError ? 413 : 500, { connection: 'close' }).end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  interface Sent {
    status: number;
    body: Buffer;
    /** Whether the response arrived before the client finished sending. */
    beforeEnd: boolean;
  }

  /** Sends `chunks` (chunked unless `contentLength` is given), pausing between chunks. */
  function send(id: string, chunks: Buffer[], contentLength?: number): Promise<Sent> {
    return new Promise((resolve, reject) => {
      let finished = false;
      let answered = false;
      const headers: Record<string, string | number> = { 'x-test-id': id };
      if (contentLength !== undefined) headers['content-length'] = contentLength;
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/mcp', headers }, (res) => {
        const beforeEnd = !finished;
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          answered = true;
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), beforeEnd });
          // Stop sending the rest of a body the server already refused.
          if (!finished) req.destroy();
        });
        res.on('error', reject);
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        // The server may close the connection while we still write: fine once it has answered.
        if (!answered && error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
      });
      let i = 0;
      const writeNext = () => {
        if (answered || req.destroyed) return;
        if (i >= chunks.length - 1) {
          finished = true;
          if (i < chunks.length) req.end(chunks[i++]);
          else req.end();
          return;
        }
        req.write(chunks[i++]);
        setTimeout(writeNext, 20);
      };
      writeNext();
    });
  }

  const bytes = (n: number, fill = 'x') => Buffer.alloc(n, fill);

  it('returns a body under the limit, with Content-Length', async () => {
    const payload = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping"}');
    const sent = await send('small', [payload], payload.length);
    expect(sent.status).toBe(200);
    expect(sent.body.equals(payload)).toBe(true);
    expect(outcomes.get('small')?.body?.equals(payload)).toBe(true);
  });

  it('returns a body of exactly the limit, sent in several chunks', async () => {
    const parts = [bytes(20, 'a'), bytes(20, 'b'), bytes(LIMIT - 40, 'c')];
    const sent = await send('exact-chunked', parts);
    expect(sent.status).toBe(200);
    expect(sent.body.equals(Buffer.concat(parts))).toBe(true);
    expect(sent.body).toHaveLength(LIMIT);
  });

  it('returns an empty body', async () => {
    const sent = await send('empty', [], 0);
    expect(sent.status).toBe(200);
    expect(outcomes.get('empty')?.body).toHaveLength(0);
  });

  it('rejects a declared Content-Length over the limit without reading it', async () => {
    const sent = await send('declared', [bytes(LIMIT + 1)], LIMIT + 1);
    expect(sent.status).toBe(413);
    const error = outcomes.get('declared')?.error;
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect((error as BodyTooLargeError).limit).toBe(LIMIT);
    expect((error as BodyTooLargeError).message).toContain(String(LIMIT));
  });

  it('rejects a chunked body as soon as it passes the limit', async () => {
    // Ten chunks of 40 bytes: the server must answer after the second, long before the last.
    const sent = await send(
      'chunked',
      Array.from({ length: 10 }, () => bytes(40)),
    );
    expect(sent.status).toBe(413);
    expect(sent.beforeEnd).toBe(true);
    const error = outcomes.get('chunked')?.error;
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect((error as BodyTooLargeError).limit).toBe(LIMIT);
  });

  it('rejects a chunked body that passes the limit by one byte', async () => {
    const sent = await send('chunked-plus-one', [bytes(LIMIT), bytes(1)]);
    expect(sent.status).toBe(413);
    expect(outcomes.get('chunked-plus-one')?.error).toBeInstanceOf(BodyTooLargeError);
  });
});
