// What the dashboard's end-to-end tests share: Chromium's path and flags, building the renderer,
// and a real `switchyard serve` child process with its token.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { spawnServe } from '../helpers/cli.js';
import { ROOT, waitFor } from '../helpers/processes.js';

export const CHROMIUM = process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
export const SHOTS = path.join(ROOT, 'test-results', 'dashboard');
export const haveChromium = existsSync(CHROMIUM);
export const inCi = process.env.CI === 'true';

/** Newest modification time of the files under `dir` (ms). */
async function newestIn(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** Builds dist/renderer as `npm run build` does (npm test does not build), unless it is up to date. */
export async function buildRenderer(): Promise<void> {
  const built = await stat(path.join(ROOT, 'dist/renderer/index.html')).catch(() => undefined);
  if (built && built.mtimeMs > (await newestIn(path.join(ROOT, 'renderer')))) return;
  const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
  const child = spawn(
    process.execPath,
    [vite, 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`vite build failed (${code}):\n${output}`);
}

export interface Serve {
  process: ChildProcess;
  url: string;
  dashboardUrl: string;
  token: string;
  output: () => string;
}

/** Switchyard's own variables unset: the token must come from the data dir. */
const NO_SWITCHYARD_ENV = {
  SWITCHYARD_TOKEN: undefined,
  SWITCHYARD_CONFIG: undefined,
  SWITCHYARD_DATA_DIR: undefined,
};

export async function startServe(configFile: string, dataDir: string): Promise<Serve> {
  const served = await spawnServe(
    ['--config', configFile, '--port', '0', '--data-dir', dataDir, '--no-docker'],
    NO_SWITCHYARD_ENV,
  );
  const { child, url } = served;
  const out = served.stdout;
  // The dashboard line comes right after; older builds did not print it: compute it then.
  const printed = await waitFor(() => /Dashboard: (http:\/\/\S+)/.exec(out())?.[1] ?? false, {
    timeoutMs: 1000,
  }).catch(() => undefined);
  const token = (await readFile(path.join(dataDir, 'token'), 'utf8')).trim();
  const dashboardUrl = printed ?? `${new URL('/', url).href}#token=${encodeURIComponent(token)}`;
  return { process: child, url, dashboardUrl, token, output: () => `${served.stdout()}\n${served.stderr()}` };
}

/** The engine's snapshot over the API (what the page should end up showing). */
export async function apiStatus(serve: Serve): Promise<{
  backends: { name: string; state: string; displayName?: string; lastError?: { message: string } }[];
  conflicts: { id: string; open: boolean }[];
  counts: { tools: number; prompts: number; openConflicts: number };
  gateway: { state: string };
}> {
  const response = await fetch(new URL('/api/status', serve.url), {
    headers: { authorization: `Bearer ${serve.token}` },
  });
  return (await response.json()) as Awaited<ReturnType<typeof apiStatus>>;
}
