// What the end-to-end tests share: Chromium (Debian's /usr/bin/chromium through playwright-core),
// the built dashboard it loads, a real `switchyard serve` child process with its token, and an MCP
// client of that server.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { spawnServe } from './cli.js';
import { ROOT, waitFor } from './processes.js';

export const CHROMIUM = process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
export const haveChromium = existsSync(CHROMIUM);
export const inCi = process.env.CI === 'true';

/**
 * Says loudly that `file`'s tests are skipped when Chromium is missing, and adds a failing test
 * for that case when CI=true (the tests themselves are `describe.skipIf(!haveChromium)`).
 */
export function requireChromium(file: string): void {
  if (haveChromium) return;
  process.stderr.write(
    `\n*** ${file}: Chromium not found at ${CHROMIUM}: ${inCi ? 'FAILING (CI=true)' : 'SKIPPED'}. ` +
      'Install it with `apt-get install -y chromium`. ***\n',
  );
  describe.runIf(inCi)(`${path.basename(file)} prerequisites`, () => {
    it('has Chromium when CI=true', () => {
      expect.fail(`Chromium is required in CI (${CHROMIUM} is missing): apt-get install -y chromium`);
    });
  });
}

/** Newest modification time of the files under `dir` (ms). */
async function newestIn(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/renderer as `npm run build` does (npm test does not build), unless it is newer than
 * every source under renderer/ and common/ (which the renderer bundles).
 */
export async function buildRenderer(): Promise<void> {
  const built = await stat(path.join(ROOT, 'dist/renderer/index.html')).catch(() => undefined);
  const sources = Math.max(
    await newestIn(path.join(ROOT, 'renderer')),
    await newestIn(path.join(ROOT, 'common')),
  );
  if (built && built.mtimeMs > sources) return;
  const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
  const child = spawn(
    process.execPath,
    [vite, 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`vite build failed (${code}):\n${output}`);
}

export interface Serve {
  process: ChildProcess;
  url: string;
  /** The link `serve` printed (one-time login), or the `#token=` address when it printed none. */
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

/** `switchyard serve` on a dynamic port with `configFile` and `dataDir`; `env` adds to its environment. */
export async function startServe(
  configFile: string,
  dataDir: string,
  env: Record<string, string | undefined> = {},
): Promise<Serve> {
  const served = await spawnServe(
    ['--config', configFile, '--port', '0', '--data-dir', dataDir, '--no-docker'],
    { ...NO_SWITCHYARD_ENV, ...env },
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
export async function apiStatus(serve: Pick<Serve, 'url' | 'token'>): Promise<{
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

/** An MCP client (SDK v2, Streamable HTTP) of `serve` with its token. */
export async function connectClient(
  serve: Pick<Serve, 'url' | 'token'>,
  name: string,
  onListChanged?: () => void,
  version = '3.1.4',
): Promise<Client> {
  const client = new Client({ name, version }, { capabilities: {} });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(serve.url), {
      requestInit: { headers: { authorization: `Bearer ${serve.token}` } },
    }),
  );
  if (onListChanged) client.setNotificationHandler('notifications/tools/list_changed', onListChanged);
  return client;
}

export interface LaunchedBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors, as they come. */
  problems: string[];
}

/** Headless Chromium with one light-scheme page of `viewport`, its errors collected. */
export async function launchBrowser(viewport: { width: number; height: number }): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { browser, context, page, problems };
}

/** Closes the notifications on screen (one may time out by itself between the lookup and the click). */
export async function dismissNotifications(page: Page): Promise<void> {
  const dismiss = page.getByRole('button', { name: 'Dismiss notification' });
  for (let i = 0; i < 10 && (await dismiss.count()) > 0; i++)
    await dismiss
      .first()
      .click({ timeout: 500 })
      .catch(() => undefined);
}

/** Screenshots of the page as it is, light then dark, as `<dir>/<name>-<scheme>.png`. */
export async function screenshotThemes(
  page: Page,
  dir: string,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(dir, `${name}-${scheme}.png`), fullPage: options.fullPage });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
