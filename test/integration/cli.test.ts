// The `switchyard` command as a user runs it: config validate, serve (banner, default config and
// token, clean stop on SIGTERM), status, and bridge driven by a real stdio MCP client.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import {
  fixtureCommand,
  freePort,
  NODE,
  ROOT,
  startFixture,
  stopProcess,
  waitFor,
  type RunningServer,
} from '../helpers/processes.js';
import { startGateway, textOf } from '../helpers/gateway.js';
import { CLI_MAIN as MAIN, runCli, spawnServe } from '../helpers/cli.js';

let dir: string;
let backend: RunningServer;

const run = runCli;
const serve = spawnServe;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-cli-'));
  backend = await startFixture({ name: 'fx', transport: 'legacy-http', tools: ['echo'] });
});

afterAll(async () => {
  await backend?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('switchyard config validate', () => {
  it('exits 0 for a valid file', async () => {
    const file = path.join(dir, 'good.yaml');
    await writeFile(file, `backends:\n  - name: fx\n    url: ${backend.url}\n`);
    const r = await run(['config', 'validate', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid (1 backend)');
  });

  it('exits 1 and names the key path and line of every error', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(
      file,
      'server:\n  port: high\nbackends:\n  - name: x\n    url: ftp://nope\n    colour: blue\n',
    );
    const r = await run(['config', 'validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('3 errors');
    expect(r.stderr).toMatch(/bad\.yaml:2:\d+ {2}server\.port: /);
    expect(r.stderr).toMatch(/bad\.yaml:5:\d+ {2}backends\[0\]\.url: must be an http/);
    expect(r.stderr).toMatch(/bad\.yaml:6:\d+ {2}backends\[0\]\.colour: unknown key/);
  });

  it('exits 2 with usage for a wrong command', async () => {
    const r = await run(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });
});

describe('switchyard serve, status and bridge', () => {
  it('starts with a default config and token in the data dir, serves, reports status, stops cleanly', async () => {
    const dataDir = path.join(dir, 'data');
    const served = await serve(['--port', '0', '--no-docker'], { SWITCHYARD_DATA_DIR: dataDir });
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      // The banner is several writes, and the pipe may hand them over after the URL's line.
      const tokenLine = `Token stored in ${path.join(dataDir, 'token')}`;
      await waitFor(() => served.stdout().includes(tokenLine), { timeoutMs: 5000, what: tokenLine });
      expect((await stat(path.join(dataDir, 'token'))).mode & 0o777).toBe(0o600);
      expect(await readFile(path.join(dataDir, 'config.yaml'), 'utf8')).toContain(
        '# Switchyard configuration',
      );
      const status = await run(['status', '--url', served.url], { SWITCHYARD_DATA_DIR: dataDir });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('running at');
      expect(status.stdout).toContain('Backends: none');
    } finally {
      served.child.kill('SIGTERM');
      await new Promise((r) => served.child.once('exit', r));
    }
    expect(served.child.exitCode).toBe(0);
    expect(served.stderr()).toContain('SIGTERM: stopping Switchyard');
  });

  it('status fails clearly when nothing runs or the token is wrong', async () => {
    const port = await freePort();
    const none = await run(['status', '--url', `http://127.0.0.1:${port}/mcp`]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('not running');

    const gateway = await startGateway({ auth: { token: 'auto' } });
    try {
      const wrong = await run(['status', '--url', gateway.url, '--token', 'not-the-token']);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('Switchyard answered 401: pass --token or set SWITCHYARD_TOKEN');
      const right = await run(['status', '--url', gateway.url, '--token', gateway.token!, '--json']);
      expect(right.code).toBe(0);
      expect(JSON.parse(right.stdout)).toMatchObject({ gateway: { state: 'running' } });
    } finally {
      await gateway.stop();
    }
  });

  it('refuses a non-loopback host without a token', async () => {
    const config = path.join(dir, 'open.yaml');
    await writeFile(config, 'backends: []\n');
    const r = await run([
      'serve',
      '--config',
      config,
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--no-auth',
      '--data-dir',
      dir,
      '--no-docker',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to listen on 0.0.0.0 without a token');
  });

  it('bridge relays a stdio client to the endpoint, and survives a gateway restart', async () => {
    const dataDir = path.join(dir, 'bridge-data');
    const config = path.join(dir, 'bridge.yaml');
    const stdio = fixtureCommand({ name: 'piped', transport: 'stdio', tools: ['whoami'] });
    await writeFile(
      config,
      `backends:\n  - name: fx\n    url: ${backend.url}\n  - name: piped\n    command: ${JSON.stringify(stdio.command)}\n    args: ${JSON.stringify(stdio.args)}\n`,
    );
    const port = await freePort();
    const args = ['--config', config, '--port', String(port), '--data-dir', dataDir, '--no-docker'];
    let served = await serve(args);
    const token = (await readFile(path.join(dataDir, 'token'), 'utf8')).trim();
    const client = new Client({ name: 'claude-desktop-ish', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: NODE,
        args: ['--import', 'tsx', MAIN, 'bridge', '--url', served.url, '--token', token],
        cwd: ROOT,
      }),
    );
    try {
      await waitFor(async () => (await client.listTools()).tools.length === 2, {
        what: 'both backends through the bridge',
      });
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'via bridge' } }))).toBe(
        'fx: via bridge',
      );
      const who = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} }))) as {
        pid: number;
        client: { name: string };
      };
      expect(who.client.name).toBe('claude-desktop-ish');

      // Stop the gateway: its stdio backend goes with it (nothing left running).
      served.child.kill('SIGTERM');
      await new Promise((r) => served.child.once('exit', r));
      expect(() => process.kill(who.pid, 0)).toThrow();

      // Start it again on the same port: the bridge re-establishes the session by itself.
      served = await serve(args);
      await waitFor(
        async () =>
          textOf(await client.callTool({ name: 'echo', arguments: { message: 'again' } })) === 'fx: again',
        {
          what: 'a call after the gateway restarted',
          timeoutMs: 20_000,
        },
      );
    } finally {
      await client.close();
      await stopProcess(served.child);
    }
    // Two starts of serve and a restart: slow on a loaded machine, so more than the default 30 s.
  }, 90_000);
});
