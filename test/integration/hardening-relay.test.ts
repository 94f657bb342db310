// Issue 10 item 3 (gateway side): a large result is relayed as the bytes the backend sent, with
// only the id (and, for a 2026-07-28 client, the missing resultType) changed — never parsed and
// serialized again. The backend writes what no serializer would (the id between the members,
// 1e400, a duplicate key): a parse and re-serialization would turn 1e400 into null and drop the
// first "d"; relayed bytes keep them. Checked over HTTP (JSON and SSE answers) and stdio backends, for a legacy client
// (JSON answer) and a modern one (resultType added in front of the result's own members).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, startGateway, type TestGateway } from '../helpers/gateway.js';
import { hostileCommand, startHostile, waitFor, type RunningServer } from '../helpers/processes.js';
import { initializeRequest } from '../helpers/http.js';

const TEXT_BYTES = 3 * 1024 * 1024; // above LARGE_RESPONSE_BYTES (1 MiB)
const RESULT = (extra = '') =>
  `{${extra}"n":1e400,"d":1,"d":2,"content":[{"type":"text","text":"${'x'.repeat(TEXT_BYTES)}"}]}`;

interface Reply {
  status: number;
  type: string;
  body: string;
  session?: string;
}

describe('large results are relayed as bytes', () => {
  let gateway: TestGateway;
  let backend: RunningServer;
  let streaming: RunningServer;

  beforeAll(async () => {
    [backend, streaming] = await Promise.all([
      startHostile({ oddResults: true, resultBytes: TEXT_BYTES }),
      startHostile({ oddResults: true, resultBytes: TEXT_BYTES, sseResults: true }),
    ]);
    gateway = await startGateway({
      aggregation: { conflicts: 'prefix' },
      backends: [
        { name: 'web', url: backend.url, timeout: '30s' },
        { name: 'stream', url: streaming.url, timeout: '30s' },
        { name: 'pipe', ...hostileCommand({ oddResults: true, resultBytes: TEXT_BYTES }), timeout: '30s' },
      ],
    });
    const state = (name: string) => gateway.app.control.snapshotNow().backends.find((b) => b.name === name);
    await waitFor(() => ['web', 'stream', 'pipe'].every((name) => state(name)?.state === 'ready'), {
      what: 'backends ready',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([backend?.stop(), streaming?.stop()]);
  });

  const post = (
    headers: Record<string, string>,
    body: unknown,
    accept = 'application/json, text/event-stream',
  ) =>
    new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        new URL('/mcp', gateway.url),
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept, ...authHeaders(gateway.token), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
              ...(res.headers['mcp-session-id'] ? { session: String(res.headers['mcp-session-id']) } : {}),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });

  it('to a legacy client, byte for byte (HTTP JSON, HTTP SSE and stdio backends)', async () => {
    const init = await post({}, initializeRequest('raw', 0));
    expect(init.status).toBe(200);
    const session = init.session!;
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
    await post(headers, { jsonrpc: '2.0', method: 'notifications/initialized' });
    for (const [id, tool] of [
      [7, 'web__big'],
      ['call-8', 'pipe__big'],
      [9, 'stream__big'],
    ] as const) {
      const reply = await post(headers, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool } });
      expect(reply.status).toBe(200);
      expect(reply.type).toContain('application/json');
      expect(reply.body === `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${RESULT()}}`).toBe(true);
    }
  });

  it('to a 2026-07-28 client, with the missing resultType spliced in', async () => {
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    for (const tool of ['web__big', 'pipe__big', 'stream__big']) {
      const headers = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': tool };
      const body = { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: tool, _meta: meta } };
      const expected = `{"jsonrpc":"2.0","id":9,"result":${RESULT('"resultType":"complete",')}}`;
      const json = await post(headers, body);
      expect(json.status).toBe(200);
      expect(json.body === expected).toBe(true);
    }
  });
});
