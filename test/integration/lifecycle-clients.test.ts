// Issue 11, items 3 and 4, with a real client: the SDK v1 client (what most desktop clients embed),
// its GET stream open and its own list_changed handling (listChanged.tools: it re-lists by itself),
// against a real `switchyard serve` — across a pause and resume, and across a restart with 5 s of
// downtime (longer than the SDK's own reconnect window, so its GET stream is gone for good)
// followed by a config change; and `switchyard bridge` driven by a stdio client across the same.
// Each ends with the client listing the new set by itself.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Snapshot } from '../../common/control/snapshot.js';
import { formatStatus } from '../../core/cli/status.js';
import { CLI_MAIN, RestartableServe } from '../helpers/cli.js';
import { textOf } from '../helpers/gateway.js';
import {
  freePort,
  NODE,
  ROOT,
  startFixture,
  stopProcess,
  waitFor,
  type RunningServer,
} from '../helpers/processes.js';
import { initializeRequest } from '../helpers/http.js';

let dir: string;
let alpha: RunningServer;
let beta: RunningServer;
let port: number;
let configFile: string;
let serve: ChildProcess | undefined;

const config = (backends: RunningServer[]) =>
  `# edited by the test while serve runs\nbackends:\n${backends
    .map((b, i) => `  - name: ${i === 0 ? 'alpha' : 'beta'}\n    url: ${b.url}\n`)
    .join('')}`;

let engine: RestartableServe;

async function startServe(): Promise<void> {
  serve = await engine.start();
}

/** An SDK v1 client that re-lists by itself on list_changed, remembering the last list it got. */
async function listingClient(
  name: string,
  transport: TransportV1 | StdioClientTransport,
): Promise<{ client: ClientV1; tools: () => string[] | undefined }> {
  let latest: string[] | undefined;
  const c = new ClientV1(
    { name, version: '1.0.0' },
    {
      capabilities: {},
      listChanged: {
        tools: {
          onChanged: (error, tools) => {
            if (!error) latest = (tools ?? []).map((t) => t.name).sort();
          },
        },
      },
    },
  );
  await c.connect(transport); // the client chains its own onerror after one set before
  return { client: c, tools: () => latest };
}

/** The SDK v1 client over Streamable HTTP with its GET stream, and the transport errors it saw. */
async function client(): Promise<{ client: ClientV1; tools: () => string[] | undefined; errors: string[] }> {
  const errors: string[] = [];
  const transport = new TransportV1(new URL(`http://127.0.0.1:${port}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${await engine.token()}` } },
  });
  transport.onerror = (error) => errors.push(error.message);
  return { ...(await listingClient('lifecycle-v1', transport)), errors };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-lifecycle-clients-'));
  [alpha, beta] = await Promise.all([
    startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo', 'alpha-only'] }),
    startFixture({ name: 'beta', transport: 'legacy-http', tools: ['beta-only'] }),
  ]);
  port = await freePort();
  configFile = path.join(dir, 'config.yaml');
  await writeFile(configFile, config([alpha]));
  engine = new RestartableServe({ configFile, dataDir: dir, port });
  await startServe();
});

afterAll(async () => {
  if (serve) await stopProcess(serve);
  await alpha?.stop();
  await beta?.stop();
  await rm(dir, { recursive: true, force: true });
});

const streamOpen = async () =>
  (await engine.api<Snapshot>('GET', '/api/status')).sessions.some(
    (s) => s.clientName === 'lifecycle-v1' && s.streamOpen,
  );

describe('an SDK v1 client with its GET stream', () => {
  it('across pause and resume: lists go empty, calls say paused, then everything is back — without reconnecting', async () => {
    const { client: c, tools } = await client();
    await waitFor(async () => (await c.listTools()).tools.length === 2, { what: 'alpha listed' });
    await waitFor(streamOpen, { what: 'the GET stream open' });

    await engine.api('POST', '/api/gateway', { running: false });
    await waitFor(() => tools()?.length === 0, { what: 'the client re-listing an empty set' });
    const paused = await engine.api<Snapshot>('GET', '/api/status');
    expect(paused.gateway).toMatchObject({ state: 'stopped', paused: true });
    expect(formatStatus(paused).split('\n')[0]).toMatch(/: paused \(clients stay connected/);
    expect(paused.backends.map((b) => b.state)).toEqual(['ready']); // backends keep their own status
    const refused = await c.callTool({ name: 'alpha-only', arguments: {} }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: -32004 });
    expect(String((refused as Error).message)).toMatch(/Switchyard is paused/);
    expect(await streamOpen()).toBe(true); // the same stream, still open

    await engine.api('POST', '/api/gateway', { running: true });
    await waitFor(() => tools()?.join() === 'alpha-only,echo', { what: 'the client re-listing everything' });
    expect(textOf(await c.callTool({ name: 'alpha-only', arguments: {} }))).toBe('alpha/alpha-only');
    await c.close();
  });

  it('across a restart with 5 s downtime then a config change: the next request brings list_changed, the client re-lists', async () => {
    const { client: c, tools, errors } = await client();
    await waitFor(async () => (await c.listTools()).tools.length === 2, { what: 'alpha listed' });
    await waitFor(streamOpen, { what: 'the GET stream open' });

    await stopProcess(serve!);
    await new Promise((r) => setTimeout(r, 5000)); // longer than the SDK's reconnect window (2 tries)
    await startServe();
    await writeFile(configFile, config([alpha, beta]));
    await waitFor(
      async () =>
        (await engine.api<Snapshot>('GET', '/api/status')).backends.some(
          (b) => b.name === 'beta' && b.state === 'ready',
        ),
      { what: 'beta added by the live config' },
    );
    // What the SDK did with its GET stream while Switchyard was away (for the record).
    console.info(`[lifecycle] SDK v1 transport errors during the restart: ${JSON.stringify(errors)}`);

    // The client does not know anything changed; its next request (any) carries the news.
    await c.ping();
    await waitFor(() => tools()?.join() === 'alpha-only,beta-only,echo', {
      what: 'the client re-listing the new set',
    });
    expect(textOf(await c.callTool({ name: 'beta-only', arguments: {} }))).toBe('beta/beta-only');
    await c.close();
  });
});

describe('switchyard bridge driven by a stdio client', () => {
  it('across pause/resume and a restart with 5 s downtime then a config change, the client re-lists by itself', async () => {
    const { client: c, tools } = await listingClient(
      'lifecycle-bridge',
      new StdioClientTransport({
        command: NODE,
        args: ['--import', 'tsx', CLI_MAIN, 'bridge', '--url', `http://127.0.0.1:${port}/mcp`],
        env: { ...(process.env as Record<string, string>), SWITCHYARD_DATA_DIR: dir },
        cwd: ROOT,
        stderr: 'ignore',
      }),
    );
    try {
      const all = 'alpha-only,beta-only,echo';
      await waitFor(
        async () =>
          (await c.listTools()).tools
            .map((t) => t.name)
            .sort()
            .join() === all,
        {
          what: 'the current set through the bridge',
        },
      );

      await engine.api('POST', '/api/gateway', { running: false });
      await waitFor(() => tools()?.length === 0, { what: 'an empty list while paused' });
      await expect(c.callTool({ name: 'alpha-only', arguments: {} })).rejects.toThrow(/paused/);
      await engine.api('POST', '/api/gateway', { running: true });
      await waitFor(() => tools()?.join() === all, { what: 'everything back after resume' });

      await stopProcess(serve!);
      await new Promise((r) => setTimeout(r, 5000));
      await startServe();
      await writeFile(configFile, config([alpha])); // beta removed while the client knows nothing
      await waitFor(
        async () =>
          (await engine.api<Snapshot>('GET', '/api/status')).backends.every((b) => b.name !== 'beta'),
        { what: 'beta removed by the live config' },
      );
      await waitFor(() => tools()?.join() === 'alpha-only,echo', {
        what: 'the client re-listing the new set after the restart',
        timeoutMs: 30_000,
      });
      expect(textOf(await c.callTool({ name: 'alpha-only', arguments: {} }))).toBe('alpha/alpha-only');
    } finally {
      await c.close();
    }
  }, 90_000);
});

describe('notices a GET stream could not take', () => {
  it('go, coalesced and once, on the SSE response of the session’s next request, before its answer', async () => {
    const auth = { authorization: `Bearer ${await engine.token()}` };
    const post = (body: unknown, sessionId?: string) =>
      fetch(`http://127.0.0.1:${port}/mcp`, {
        method: 'POST',
        headers: {
          ...auth,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-06-18',
          ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
        },
        body: JSON.stringify(body),
      });
    const init = await post(initializeRequest('raw'));
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();

    // No GET stream: two pauses and resumes are four tools/prompts/resources changes, kept as three notices.
    for (const running of [false, true, false, true]) await engine.api('POST', '/api/gateway', { running });
    const first = await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, sessionId);
    expect(first.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = (await first.text())
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as { method?: string; id?: number });
    expect(events).toEqual([
      { jsonrpc: '2.0', method: 'notifications/tools/list_changed' },
      { jsonrpc: '2.0', method: 'notifications/prompts/list_changed' },
      { jsonrpc: '2.0', method: 'notifications/resources/list_changed' },
      { jsonrpc: '2.0', id: 2, result: {} },
    ]);
    // Delivered once: the next answer is plain JSON.
    const second = await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, sessionId);
    expect(second.headers.get('content-type')).toMatch(/application\/json/);
    expect(await second.json()).toEqual({ jsonrpc: '2.0', id: 3, result: {} });
  });
});
