// The bundled `switchyard` command (build/bundle.ts → dist/bin/main.js, what package.json's
// `bin`, `npm run serve` and `npm start`'s headless path run), built with esbuild's JS API into a
// temp dir laid out like an installed package (package.json, dist/bin, dist/renderer,
// node_modules), never into the shared dist/ (parallel tests would race on it). Everything the
// bundle resolves at run time is exercised from there: the version (package.json above it), the
// dashboard's files (dist/renderer beside it), the migrations (a fresh database), the audit writer's
// thread (audit-worker.js beside the chunks), the external better-sqlite3, and the bridge command
// `connect` writes for Claude Desktop, launched by absolute path from another folder.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { bundle, EXTERNAL } from '../../build/bundle.js';
import { runCli, spawnServe } from '../helpers/cli.js';
import { textOf } from '../helpers/gateway.js';
import {
  freePort,
  ROOT,
  startFixture,
  stopProcess,
  waitFor,
  type RunningServer,
} from '../helpers/processes.js';
import { initializeRequest } from '../helpers/http.js';

let dir: string;
let main: string;
let fx: RunningServer;
const version = (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;
const DASHBOARD_MARKER = '<!doctype html><title>bundle test dashboard</title>';

/** Runs the bundle to completion. */
const run = (args: string[], env: Record<string, string> = {}) => runCli(args, env, [main]);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-bundle-'));
  // An installed package's layout: its package.json, the bundle and the dashboard under dist/, and
  // its dependencies (only the externals are loaded from there).
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'switchyard', version, type: 'module', bin: { switchyard: 'dist/bin/main.js' } }),
  );
  await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  await mkdir(path.join(dir, 'dist/renderer'), { recursive: true });
  await writeFile(path.join(dir, 'dist/renderer/index.html'), DASHBOARD_MARKER);
  const [meta, fixture] = await Promise.all([
    bundle('cli', path.join(dir, 'dist/bin')),
    startFixture({ name: 'fx', transport: 'legacy-http', tools: ['echo'] }),
  ]);
  fx = fixture;
  main = path.join(dir, 'dist/bin/main.js');
  // Only the named externals are left to Node's resolver (the SDK, zod, yaml… are inside).
  const imported = new Set(
    Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)),
  );
  const packages = [...imported].filter((p) => !p.startsWith('node:') && !isBuiltin(p));
  expect(packages.sort()).toEqual([...EXTERNAL].sort());
}, 120_000);

afterAll(async () => {
  await fx?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the bundled CLI', () => {
  it('prints its usage and the package version', async () => {
    const help = await run(['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain(`Switchyard ${version}: one local MCP endpoint`);
    expect(help.stdout).toContain('switchyard serve [--config FILE]');
    const serveHelp = await run(['serve', '--help']);
    expect(serveHelp.stdout).toMatch(/^Usage:\n {2}switchyard serve /);
    expect((await run(['--version'])).stdout.trim()).toBe(version);
  });

  it('serves: initialize and tools/list over a fixture, the dashboard, the audit thread, and the bridge connect writes', async () => {
    const home = path.join(dir, 'home');
    const dataDir = path.join(dir, 'data');
    await mkdir(home, { recursive: true });
    await mkdir(dataDir, { recursive: true });
    const config = path.join(dataDir, 'config.yaml');
    // A fixed free port: the bridge entry connect writes reaches the port of the config.
    await writeFile(
      config,
      `server: { port: ${await freePort()} }\nbackends:\n  - name: fx\n    url: ${fx.url}\n`,
    );
    const env = { HOME: home, SWITCHYARD_DATA_DIR: dataDir, XDG_CONFIG_HOME: '' };
    const served = await spawnServe(['--no-docker', '--config', config], env, [main]);
    try {
      const { url } = served;
      const token = (await readFile(path.join(dataDir, 'token'), 'utf8')).trim();
      const post = async (body: object, sessionId?: string) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' } : {}),
          },
          body: JSON.stringify(body),
        });
        const text = await response.text();
        // JSON, or SSE whose last event is the answer (notifications may come first).
        const json = text.startsWith('{')
          ? text
          : ([...text.matchAll(/^data: (.*)$/gm)].pop()?.[1] ?? 'null');
        return {
          response,
          message: JSON.parse(json) as { result?: Record<string, unknown>; error?: unknown },
        };
      };
      const init = await post(initializeRequest('bundle-test'));
      expect(init.response.status).toBe(200);
      expect(init.message.result).toMatchObject({ serverInfo: { name: 'switchyard', version } });
      const session = init.response.headers.get('mcp-session-id') ?? undefined;
      expect(session).toBeTruthy();
      await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session);
      const tools = await waitFor(
        async () => {
          const { message } = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, session);
          const names = (message.result?.tools as Array<{ name: string }> | undefined)?.map((t) => t.name);
          return names?.includes('echo') ? names : undefined;
        },
        { what: 'echo in tools/list' },
      );
      expect(tools).toEqual(['echo']);
      const call = await post(
        {
          jsonrpc: '2.0',
          id: 3,
          method: 'tools/call',
          params: { name: 'echo', arguments: { message: 'b' } },
        },
        session,
      );
      expect(call.message.result, JSON.stringify(call.message)).toMatchObject({
        content: [{ type: 'text', text: 'fx: b' }],
      });

      // The dashboard's files are found beside the bundle (dist/renderer of its package).
      const page = await fetch(new URL('/', url));
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(DASHBOARD_MARKER);

      // The call reached the database through the audit writer's thread (audit-worker.js).
      await waitFor(
        async () => {
          const audit = await run(['audit', '--json', '--tool', 'echo', '--data-dir', dataDir], env);
          return audit.code === 0 && audit.stdout.includes('"tools/call"') ? true : undefined;
        },
        { what: 'the echo call in the audit trail' },
      );

      // Claude Desktop's entry names this bundle by absolute path; launched from another folder,
      // it relays to the running endpoint.
      const connected = await run(['connect', 'claude-desktop'], env);
      expect(connected.code, connected.stderr).toBe(0);
      const entry = (
        JSON.parse(await readFile(path.join(home, '.config/Claude/claude_desktop_config.json'), 'utf8')) as {
          mcpServers: { switchyard: { command: string; args: string[]; env?: Record<string, string> } };
        }
      ).mcpServers.switchyard;
      expect(entry.command).toBe(process.execPath);
      expect(entry.args.slice(0, 2)).toEqual([main, 'bridge']);
      const elsewhere = path.join(home, 'Desktop');
      await mkdir(elsewhere, { recursive: true });
      const client = new Client({ name: 'claude-ai', version: '0.14.0' });
      await client.connect(
        new StdioClientTransport({
          command: entry.command,
          args: entry.args,
          env: { HOME: home, PATH: process.env.PATH ?? '', ...entry.env },
          cwd: elsewhere,
          stderr: 'pipe',
        }),
      );
      try {
        expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'bridged' } }))).toBe(
          'fx: bridged',
        );
      } finally {
        await client.close();
      }
    } finally {
      await stopProcess(served.child);
    }
    expect(served.stderr()).not.toMatch(/Error|Cannot find/);
  }, 90_000);
});
