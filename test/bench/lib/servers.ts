// The servers a benchmark measures, each a separate process on loopback: the SDK fixture backend,
// Switchyard as built (`node dist/bin/main.js serve`, the bundle), and mcp-hub from node_modules.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { waitFor } from '../../helpers/processes.js';
import { freePort, getJson, start, type Child } from './procs.js';

export interface Running {
  child: Child;
  /** Where MCP clients connect. */
  url: string;
  stop(): Promise<void>;
}

/** test/fixtures/fixture-server.ts over sessionful Streamable HTTP with the given tools. */
export async function startFixture(
  root: string,
  name: string,
  tools: string[],
  nodeFlags: string[] = [],
): Promise<Running & { port: number }> {
  const spec = { name, transport: 'legacy-http', tools };
  const child = start(
    `fixture:${name}`,
    process.execPath,
    [...nodeFlags, '--import', 'tsx', 'test/fixtures/fixture-server.ts', JSON.stringify(spec)],
    {
      cwd: root,
    },
  );
  const m = await child.waitFor(/LISTENING (\d+)/, 30_000);
  const port = Number(m[1]);
  return { child, port, url: `http://127.0.0.1:${port}/mcp`, stop: () => child.stop() };
}

/** test/bench/relay.ts in front of `upstream`: the floor cost of one extra Node HTTP hop. */
export async function startRelay(root: string, upstream: string, nodeFlags: string[] = []): Promise<Running> {
  const child = start(
    'relay',
    process.execPath,
    [...nodeFlags, '--import', 'tsx', 'test/bench/relay.ts', upstream],
    { cwd: root },
  );
  const m = await child.waitFor(/LISTENING (\d+)/, 30_000);
  return { child, url: `http://127.0.0.1:${m[1]}/mcp`, stop: () => child.stop() };
}

/** test/bench/multi-fixture.ts: `servers` SDK servers with `tools` tools each, in one process. */
export async function startMultiFixture(
  root: string,
  servers: number,
  tools: number,
): Promise<{ child: Child; urls: string[]; stop(): Promise<void> }> {
  const child = start(
    'multi-fixture',
    process.execPath,
    ['--import', 'tsx', 'test/bench/multi-fixture.ts', JSON.stringify({ servers, tools })],
    {
      cwd: root,
    },
  );
  const m = await child.waitFor(/LISTENING ([\d,]+)/, 60_000);
  const urls = m[1]!.split(',').map((p) => `http://127.0.0.1:${p}/mcp`);
  return { child, urls, stop: () => child.stop() };
}

export interface SwitchyardStatus {
  backends: Array<{ name: string; state: string }>;
  counts: { tools: number };
}

export const SWITCHYARD_MAIN = 'dist/bin/main.js';

/**
 * `switchyard serve` from dist/ (build first) with static backends, no auth, no container engine,
 * a private data dir; resolves once every backend is ready and `ready(status)` holds.
 */
export async function startSwitchyard(
  root: string,
  workDir: string,
  backends: Array<{ name: string; url: string }>,
  options: {
    label?: string;
    ready?: (status: SwitchyardStatus) => boolean;
    timeoutMs?: number;
    /** Directory for a V8 CPU profile (`node --cpu-prof`), written when it stops. */
    cpuProfDir?: string;
    /** More top-level YAML for the config file (e.g. "audit: { enabled: false }"). */
    extraYaml?: string;
    /** Another build's entry (absolute path) instead of this checkout's dist/bin/main.js. */
    main?: string;
    /** Node flags for the serve process (e.g. "--max-semi-space-size=16"). */
    nodeFlags?: string[];
  } = {},
): Promise<Running & { status(): Promise<SwitchyardStatus> }> {
  const main = options.main ?? path.join(root, SWITCHYARD_MAIN);
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" (npm run bench does)`);
  const label = options.label ?? 'switchyard';
  const dir = path.join(workDir, label);
  await mkdir(path.join(dir, 'data'), { recursive: true });
  const yaml = [
    'backends:',
    ...backends.flatMap((b) => [`  - name: ${b.name}`, `    url: ${b.url}`]),
    ...(options.extraYaml ? [options.extraYaml] : []),
    '',
  ].join('\n');
  const config = path.join(dir, 'config.yaml');
  await writeFile(config, yaml);
  const execArgv = [
    ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []),
    ...(options.nodeFlags ?? []),
  ];
  const child = start(
    label,
    process.execPath,
    [
      ...execArgv,
      main,
      'serve',
      '--config',
      config,
      '--port',
      '0',
      '--no-auth',
      '--data-dir',
      path.join(dir, 'data'),
      '--no-docker',
    ],
    { cwd: root },
  );
  const m = await child.waitFor(/Switchyard listening on (http:\/\/127\.0\.0\.1:\d+)\/mcp/, 30_000);
  const base = m[1]!;
  const status = async () => (await getJson(`${base}/api/status`)) as SwitchyardStatus;
  const ready = options.ready ?? (() => true);
  await waitFor(
    async () => {
      const s = await status();
      const allReady = s.backends.length === backends.length && s.backends.every((b) => b.state === 'ready');
      return allReady && ready(s) ? s : undefined;
    },
    {
      timeoutMs: options.timeoutMs ?? 30_000,
      intervalMs: 100,
      what: `${label}: all ${backends.length} backends ready`,
    },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${child.tail()}`);
  });
  return { child, url: `${base}/mcp`, status, stop: () => child.stop(10_000) };
}

export const MCP_HUB_CLI = 'node_modules/mcp-hub/dist/cli.js';

interface HubHealth {
  state?: string;
  servers?: Array<{ name: string; status: string; error?: unknown }>;
  mcpEndpoint?: { registeredCapabilities?: { tools?: number } };
}

/**
 * mcp-hub as installed, with remote (Streamable HTTP) backends. Sandboxed for a benchmark:
 *  - HOME and XDG_* point into `workDir` (it keeps logs, a workspace cache and a marketplace
 *    cache there);
 *  - its marketplace cache is pre-seeded as fresh, else it would fetch its catalog from
 *    github.io at start (not loopback, and not reachable here);
 *  - test/bench/loopback-only.mjs is preloaded: its CLI has no host option and binds all
 *    interfaces, the preload makes it listen on 127.0.0.1.
 * Its MCP endpoint is the 2024-11-05 HTTP+SSE transport: GET /mcp, then POST /messages?sessionId=….
 */
export async function startMcpHub(
  root: string,
  workDir: string,
  backends: Array<{ name: string; url: string }>,
  options: { timeoutMs?: number } = {},
): Promise<Running> {
  const cli = path.join(root, MCP_HUB_CLI);
  if (!existsSync(cli))
    throw new Error(`${MCP_HUB_CLI} is missing (npm ci installs the mcp-hub devDependency)`);
  const dir = path.join(workDir, 'mcp-hub');
  const env = {
    ...process.env,
    HOME: path.join(dir, 'home'),
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_STATE_HOME: path.join(dir, 'state'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
  };
  const cache = path.join(env.XDG_DATA_HOME, 'mcp-hub', 'cache');
  await Promise.all([mkdir(env.HOME, { recursive: true }), mkdir(cache, { recursive: true })]);
  await writeFile(
    path.join(cache, 'registry.json'),
    JSON.stringify({
      registry: {
        version: 'bench',
        generatedAt: Date.now(),
        totalServers: 1,
        servers: [{ id: 'bench-placeholder', name: 'bench-placeholder', description: '', tags: [] }],
      },
      lastFetchedAt: Date.now(),
      serverDocumentation: {},
    }),
  );
  const config = path.join(dir, 'servers.json');
  await writeFile(
    config,
    JSON.stringify(
      { mcpServers: Object.fromEntries(backends.map((b) => [b.name, { url: b.url }])) },
      null,
      2,
    ),
  );
  const port = await freePort();
  const child = start(
    'mcp-hub',
    process.execPath,
    [
      '--import',
      path.join(root, 'test/bench/loopback-only.mjs'),
      cli,
      '--port',
      String(port),
      '--config',
      config,
    ],
    { cwd: dir, env },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.process.exitCode !== null) throw new Error(`mcp-hub exited (${child.process.exitCode})`);
      const h = (await getJson(`${base}/api/health`)) as HubHealth;
      const connected = (h.servers ?? []).filter((s) => s.status === 'connected').length;
      const tools = h.mcpEndpoint?.registeredCapabilities?.tools ?? 0;
      return h.state === 'ready' && connected === backends.length && tools > 0 ? h : undefined;
    },
    {
      timeoutMs: options.timeoutMs ?? 30_000,
      intervalMs: 100,
      what: `mcp-hub: ${backends.length} servers connected`,
    },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${child.tail()}`);
  });
  return { child, url: `${base}/mcp`, stop: () => child.stop() };
}
