// The port's last resort: a handler that throws, or returns a promise that rejects, gets its
// request answered 500 with a JSON-RPC error and logged, and the server goes on serving. The /mcp
// path returns no promise for most requests (core/gateway/http-server.ts), so both forms are checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../core/domain/runtime.js';
import { GatewayServer } from '../../core/gateway/http-server.js';
import { silentLogger } from '../../core/support/logger.js';
import { sendRaw } from '../helpers/http.js';

describe('GatewayServer when a handler fails', () => {
  const logged: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    error: (message, fields) => void logged.push(`${message}: ${String(fields?.error)}`),
  };
  let server: GatewayServer;
  let port: number;

  beforeAll(async () => {
    server = new GatewayServer({
      host: '127.0.0.1',
      port: 0,
      token: null,
      logger,
      mcp: (req, res) => {
        if (req.url === '/mcp/throws') throw new Error('thrown at once');
        if (req.url === '/mcp/rejects') return Promise.reject(new Error('rejected later'));
        if (req.url === '/mcp/late') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('event: message\n');
          return Promise.reject(new Error('failed after the head'));
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      },
    });
    port = await server.listen();
  });

  afterAll(async () => {
    await server.close();
  });

  const post = (path: string) =>
    sendRaw(port, {
      method: 'POST',
      path,
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' },
      body: '{}',
    });

  it.each([
    ['throws', '/mcp/throws', 'thrown at once'],
    ['returns a rejected promise', '/mcp/rejects', 'rejected later'],
  ])('answers 500 with a JSON-RPC error when the handler %s', async (_how, path, cause) => {
    logged.length = 0;
    const answer = await post(path);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32603, message: 'Internal error' },
    });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(new RegExp(`^request failed: Error: ${cause}`));
    expect(answer.body).not.toContain(cause); // the cause is logged, never sent
  });

  it('ends an answer whose head was already sent, and keeps serving', async () => {
    const answer = await post('/mcp/late');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('event: message\n');
    const next = await post('/mcp/other');
    expect(next.status).toBe(200);
    expect(next.body).toBe('{}');
  });
});
