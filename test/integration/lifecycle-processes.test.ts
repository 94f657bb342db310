// Issue 11, item 5: stdio backends never outlive Switchyard (kill -9 of serve), idle backend
// sessions end (sessions.backendIdleTtl) and come back on demand, and a backend's stderr and
// connection history can be read (`switchyard logs`, GET /api/backends/:name/log).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI_MAIN, runCli, spawnServe } from '../helpers/cli.js';
import { connectV1, startGateway, type TestGateway } from '../helpers/gateway.js';
import { NODE, ROOT, stopProcess, waitFor } from '../helpers/processes.js';
import { descendants, isAlive, processes, withMarker } from '../helpers/proc.js';

const MEMORY = path.join(ROOT, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-lifecycle-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `switchyard serve` on a free port with its own data dir; resolves with its token. */
async function serveWith(configFile: string, name: string) {
  const dataDir = path.join(dir, name);
  const served = await spawnServe([
    '--config',
    configFile,
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--no-docker',
  ]);
  const token = (await readFile(path.join(dataDir, 'token'), 'utf8')).trim();
  return { served, token, dataDir };
}

async function clientV1(url: string, token: string): Promise<ClientV1> {
  const client = new ClientV1({ name: 'lifecycle-test', version: '1.0.0' }, { capabilities: {} });
  await client.connect(
    new TransportV1(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  return client;
}

describe('stdio children and the engine', () => {
  it('kill -9 of serve leaves no stdio child alive, grandchildren included', async () => {
    const marker = `lc-kill-${process.pid}-${Date.now()}`;
    const configFile = path.join(dir, 'kill.yaml');
    // The server runs under a shell that outlives it (like npx → node): after the server exits on
    // stdin EOF the shell goes on to sleep, so only killing the whole group ends it.
    await writeFile(
      configFile,
      [
        'backends:',
        '  - name: mem',
        '    command: /bin/sh',
        `    args: ["-c", "node \\"$0\\" ${marker}; sleep 600", ${JSON.stringify(MEMORY)}]`,
        `    env: { MEMORY_FILE_PATH: ${JSON.stringify(path.join(dir, 'kill-memory.jsonl'))} }`,
        '',
      ].join('\n'),
    );
    const { served, token } = await serveWith(configFile, 'kill-data');
    try {
      const clients = [await clientV1(served.url, token), await clientV1(served.url, token)];
      await waitFor(async () => (await clients[0]!.listTools()).tools.length > 0, { what: 'tools listed' });
      // Each session opens its own backend session: its own process group.
      for (const client of clients) await client.callTool({ name: 'read_graph', arguments: {} });
      const before = descendants(served.child.pid!);
      const leaders = before.filter((p) => p.ppid === served.child.pid && p.cmdline.includes(marker));
      expect(leaders.length).toBe(3); // the gateway's own connection + one per client session
      for (const leader of leaders) expect(leader.pgrp).toBe(leader.pid); // each in its own group
      expect(before.filter((p) => p.cmdline.includes(marker) && p.cmdline.startsWith('node')).length).toBe(3);

      served.child.kill('SIGKILL');
      const groups = new Set(leaders.map((l) => l.pid));
      await waitFor(
        () =>
          before.every((p) => !isAlive(p.pid)) &&
          !processes().some((p) => groups.has(p.pgrp)) &&
          withMarker(marker).length === 0,
        {
          timeoutMs: 15_000,
          what: `no process of serve left (alive: ${JSON.stringify(before.filter((p) => isAlive(p.pid)))})`,
        },
      );
      for (const client of clients) await client.close().catch(() => undefined);
    } finally {
      await stopProcess(served.child, 'SIGKILL');
    }
  });

  it('a clean stop ends every stdio process too', async () => {
    const marker = `lc-stop-${process.pid}-${Date.now()}`;
    const gateway = await startGateway({
      backends: [
        {
          name: 'mem',
          command: NODE,
          args: [MEMORY, marker],
          env: { MEMORY_FILE_PATH: path.join(dir, 'stop.jsonl') },
        },
      ],
    });
    const client = await connectV1(gateway);
    await waitFor(async () => (await client.listTools()).tools.length > 0);
    await client.callTool({ name: 'read_graph', arguments: {} });
    expect(withMarker(marker)).toHaveLength(2);
    await client.close();
    await gateway.stop();
    await waitFor(() => withMarker(marker).length === 0, { what: 'processes gone after stop' });
  });
});

describe('sessions.backendIdleTtl', () => {
  let gateway: TestGateway;
  const marker = `lc-idle-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    gateway = await startGateway({
      sessions: { backendIdleTtl: '1s' },
      backends: [
        {
          name: 'mem',
          command: NODE,
          args: [MEMORY, marker],
          env: { MEMORY_FILE_PATH: path.join(dir, 'idle.jsonl') },
        },
      ],
    });
  });
  afterAll(async () => {
    await gateway.stop();
  });

  it('closes abandoned sessions’ stdio processes, keeps the sessions, and reopens on the next call', async () => {
    const clients = [await connectV1(gateway), await connectV1(gateway), await connectV1(gateway)];
    await waitFor(async () => (await clients[0]!.listTools()).tools.length > 0);
    await Promise.all(clients.map((c) => c.callTool({ name: 'read_graph', arguments: {} })));
    // Counted by pid while every session holds its own process (the control connection has one too).
    const busy = withMarker(marker);
    expect(busy.length).toBe(4);

    // The clients go quiet without DELETE (what most clients do): their processes end, one is left.
    await waitFor(() => withMarker(marker).length === 1, {
      timeoutMs: 15_000,
      what: 'idle processes closed',
    });
    expect(busy.filter((p) => isAlive(p.pid)).length).toBe(1);
    expect(gateway.app.control.snapshotNow().counts.sessions).toBe(3);

    // A quiet session calls again: a new backend session (and process) is opened for it.
    const result = await clients[0]!.callTool({
      name: 'create_entities',
      arguments: { entities: [{ name: 'idle', entityType: 'test', observations: ['back'] }] },
    });
    expect(result.isError).toBeFalsy();
    expect(withMarker(marker).length).toBe(2);
    const log = await gateway.app.control.backendLog('mem', {});
    expect(log.entries.filter((e) => e.kind === 'idle').length).toBeGreaterThanOrEqual(3);
    expect(log.entries.filter((e) => e.kind === 'started').length).toBe(5);
    for (const client of clients) await client.close();
  });

  it('with 0 (off) keeps backend sessions for the client session’s whole life', async () => {
    gateway.app.config.sessions.backendIdleTtl = 0;
    const client = await connectV1(gateway);
    await client.callTool({ name: 'read_graph', arguments: {} });
    const count = withMarker(marker).length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(withMarker(marker).length).toBe(count);
    await client.close();
  });
});

describe('backend logs', () => {
  it('switchyard logs shows stderr and connection history; --follow prints new lines; unknown names fail', async () => {
    const configFile = path.join(dir, 'logs.yaml');
    await writeFile(
      configFile,
      `backends:\n  - name: mem\n    command: ${JSON.stringify(NODE)}\n    args: [${JSON.stringify(MEMORY)}]\n    env: { MEMORY_FILE_PATH: ${JSON.stringify(path.join(dir, 'logs.jsonl'))} }\n`,
    );
    const { served, token, dataDir } = await serveWith(configFile, 'logs-data');
    try {
      const env = { SWITCHYARD_DATA_DIR: dataDir };
      const logUrl = new URL('/api/backends/mem/log', served.url);
      const auth = { authorization: `Bearer ${token}` };
      await waitFor(
        async () =>
          JSON.stringify(await (await fetch(logUrl, { headers: auth })).json()).includes('"connected"'),
        { what: 'connected in the log' },
      );
      const once = await runCli(['logs', 'mem', '--url', served.url], env);
      expect(once.code).toBe(0);
      expect(once.stdout).toMatch(/started\s+\[pid \d+\] .*server-memory/);
      expect(once.stdout).toMatch(/stderr\s+\[pid \d+\] Knowledge Graph MCP Server running on stdio/);
      expect(once.stdout).toMatch(/connected\s+connected \(legacy/);

      // Over HTTP, as the dashboard reads it.
      const response = await fetch(`${logUrl.href}?after=1`, { headers: auth });
      const page = (await response.json()) as { entries: { seq: number }[]; lastSeq: number };
      expect(page.entries.every((e) => e.seq > 1)).toBe(true);
      const bad = await fetch(`${logUrl.href}?after=-1`, { headers: auth });
      expect(bad.status).toBe(400);

      const follow = spawn(
        NODE,
        ['--import', 'tsx', CLI_MAIN, 'logs', 'mem', '--follow', '--url', served.url],
        {
          cwd: ROOT,
          env: { ...process.env, ...env },
        },
      );
      let followed = '';
      follow.stdout.on('data', (c: Buffer) => (followed += c.toString()));
      try {
        await waitFor(() => followed.includes('Knowledge Graph'), { what: 'first page' });
        const seen = followed.split('\n').length;
        // A client session opens its own process: its start and its stderr arrive while following.
        const client = await clientV1(served.url, token);
        await client.callTool({ name: 'read_graph', arguments: {} });
        await waitFor(
          () =>
            followed
              .split('\n')
              .slice(seen - 1)
              .some((l) => l.includes('Knowledge Graph')),
          {
            what: 'new lines followed',
          },
        );
        await client.close();
      } finally {
        await stopProcess(follow);
      }

      const unknown = await runCli(['logs', 'nope', '--url', served.url], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no backend named "nope"');
    } finally {
      await stopProcess(served.child);
    }
  });
});
