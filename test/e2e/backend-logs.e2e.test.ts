// End to end: the backend detail's live Logs section in real Chromium (playwright-core) on the
// built dashboard served by a real `switchyard serve` child process, with a stdio SDK fixture that
// writes to stderr on command (with colour codes), an HTTP fixture (no stderr: connection history
// only), and a real MCP client driving both. Checks: lines arrive live while the panel is open
// (pushed `backendLog` events, reads after a cursor, no polling), escape codes never reach the
// page, a flood of 20 000 lines leaves the page responsive with a capped list, the user's scroll
// position is kept while reading older lines, and a backend killed and restarted shows in the
// connection history. axe-core (whole page) at 1280×800 and 900×600, light and dark; screenshots
// in test-results/backend-logs/.
//
// Needs Chromium: skipped (loudly) when it is missing, except with CI=true, where that fails.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServe, type Served } from '../helpers/cli.js';
import { CHROMIUM, CHROMIUM_ARGS, buildRenderer, haveChromium, requireChromium } from '../helpers/e2e.js';
import {
  ROOT,
  fixtureCommand,
  startFixture,
  stopProcess,
  waitFor,
  type RunningServer,
} from '../helpers/processes.js';
import { blocking, runAxe, summarize, type AxeScan } from './axe.js';

const SHOTS = path.join(ROOT, 'test-results', 'backend-logs');
requireChromium('test/e2e/backend-logs.e2e.test.ts');

interface LogPage {
  entries: { seq: number; kind: string; text: string; pid?: number }[];
  lastSeq: number;
}

describe.skipIf(!haveChromium)('backend logs in the detail panel, in Chromium', { timeout: 90_000 }, () => {
  let web: RunningServer;
  let serve: Served;
  let token: string;
  let client: Client;
  let browser: Browser;
  let page: Page;
  let tmp: string;
  const problems: string[] = [];
  const scans: AxeScan[] = [];
  /** Requests the page made for the log: each must read after a cursor once the first page is in. */
  const logReads: string[] = [];

  const api = async <T>(apiPath: string): Promise<T> => {
    const response = await fetch(new URL(apiPath, serve.url), {
      headers: { authorization: `Bearer ${token}` },
    });
    return (await response.json()) as T;
  };
  /** Screenshots (light, dark) and axe on each; `fullPage` for the small window's whole page. */
  const shots = async (name: string, fullPage = false) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`), fullPage });
      const scan = await runAxe(page, `${name} ${scheme}`);
      scans.push(scan);
      expect(blocking(scan)).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };
  const logRegion = () => page.getByRole('log', { name: 'Logs' });
  /**
   * Scrolls the open panel's Logs heading to the top of what shows, a little below the tab bar (a
   * string: this file is compiled without the DOM's types).
   */
  const showLogs = () =>
    page.evaluate(`(() => {
      const heading = [...document.querySelectorAll('#backend-detail h3')].find((h) => h.textContent === 'Logs');
      heading.scrollIntoView({ block: 'start' });
      document.querySelector('main').scrollBy(0, -8);
    })()`);
  const lines = () => logRegion().getByRole('listitem');

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'switchyard-e2e-logs-'));
    [web] = await Promise.all([
      startFixture({ name: 'web', transport: 'legacy-http', tools: ['whoami'] }),
      buildRenderer(),
    ]);
    const alpha = fixtureCommand({ name: 'alpha', transport: 'stdio', tools: ['echo', 'stderr'] });
    const configFile = path.join(tmp, 'config.yaml');
    await writeFile(
      configFile,
      JSON.stringify({
        backends: [
          { name: 'alpha', command: alpha.command, args: alpha.args },
          { name: 'web', url: web.url },
        ],
      }),
      { mode: 0o600 },
    );
    const dataDir = path.join(tmp, 'data');
    serve = await spawnServe(['--config', configFile, '--port', '0', '--data-dir', dataDir, '--no-docker'], {
      SWITCHYARD_TOKEN: undefined,
      SWITCHYARD_CONFIG: undefined,
      SWITCHYARD_DATA_DIR: undefined,
    });
    token = (await readFile(path.join(dataDir, 'token'), 'utf8')).trim();
    client = new Client({ name: 'e2e-logs', version: '1.0.0' }, { capabilities: {} });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(serve.url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    await waitFor(async () => (await client.listTools()).tools.some((t) => t.name === 'stderr'), {
      what: 'alpha listed',
    });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    page = await context.newPage();
    page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (/\/api\/backends\/[^/]+\/log/.test(r.url())) logReads.push(r.url());
    });
    await page.goto(`${new URL('/', serve.url).href}#token=${encodeURIComponent(token)}`);
    await page.getByRole('button', { name: 'alpha', exact: true }).waitFor();
  }, 180_000);

  afterAll(async () => {
    if (scans.length) process.stdout.write(`\nbackend-logs e2e: ${summarize(scans)}\n`);
    await browser?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
    if (serve) await stopProcess(serve.child);
    await web?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('shows a stdio backend’s stderr and connection history, live, without escape codes', async () => {
    await page.getByRole('button', { name: 'alpha', exact: true }).click();
    const panel = page.getByRole('complementary', { name: 'alpha' });
    await panel.getByRole('heading', { name: 'Logs' }).waitFor();
    // The process start and the connection are in the history already.
    await lines().filter({ hasText: 'connected' }).first().waitFor();
    await lines().filter({ hasText: 'started' }).first().waitFor();
    const readsBefore = logReads.length;

    await client.callTool({ name: 'stderr', arguments: { lines: 5, text: 'hello from the fixture' } });
    await lines().filter({ hasText: 'alpha hello from the fixture 5' }).waitFor();
    const texts = await lines().allTextContents();
    const joined = texts.join('\n');
    expect(joined).not.toContain('\u001b');
    expect(joined).not.toContain('[33m');
    // Live by push: each read after the first one asks only for what is after the cursor.
    expect(logReads.length).toBeGreaterThan(readsBefore);
    expect(logReads.slice(readsBefore), logReads.join('\n')).toEqual(
      logReads.slice(readsBefore).map(() => expect.stringMatching(/[?&]after=\d+/)),
    );
    // Stderr lines and connection events are told apart.
    expect(await logRegion().locator('.log-stderr').count()).toBeGreaterThanOrEqual(5);
    expect(await logRegion().locator('.log-event').count()).toBeGreaterThanOrEqual(2);
    await showLogs();
    await shots('stdio-live-1280');
  });

  it('shows a backend killed and restarted in its connection history', async () => {
    // The engine's own connection to alpha started first (before any client's): kill that process.
    const ring = await api<LogPage>('/api/backends/alpha/log');
    const pid = ring.entries.find((e) => e.kind === 'started')?.pid;
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    // The engine notices the exit, starts a new process, connects again, and says so.
    await waitFor(
      async () => {
        const after = await api<LogPage>(`/api/backends/alpha/log?after=${ring.lastSeq}`);
        const exited = after.entries.findIndex((e) => e.kind === 'exited' && e.pid === pid);
        return exited >= 0 && after.entries.slice(exited).some((e) => e.kind === 'connected');
      },
      { what: 'exit and reconnect in the ring', timeoutMs: 30_000 },
    );
    // The panel follows: the connection history alone shows the kill and the recovery.
    await page.getByRole('checkbox', { name: 'Connection events only' }).check();
    await lines()
      .filter({ hasText: `pid ${pid}` })
      .filter({ hasText: 'exited' })
      .waitFor();
    const history = await lines().allTextContents();
    const exited = history.findIndex((t) => t.includes('exited') && t.includes(`pid ${pid}`));
    expect(history.slice(exited + 1).some((t) => /connected/.test(t))).toBe(true);
    expect(await logRegion().locator('.log-stderr').count()).toBe(0);
    await showLogs();
    await shots('killed-restarted-1280');
    await page.getByRole('checkbox', { name: 'Connection events only' }).uncheck();
  });

  it('stays responsive under a flood of stderr, capped, and keeps the user’s scroll position', async () => {
    await client.callTool({ name: 'stderr', arguments: { lines: 20_000, text: 'flood' } });
    await lines().filter({ hasText: 'alpha flood 20000' }).waitFor({ timeout: 30_000 });
    const count = await lines().count();
    expect(count).toBeLessThanOrEqual(500);
    expect(count).toBeGreaterThan(100);
    await page.getByText(/older not shown/).waitFor();
    // The page still answers input: the capabilities sub-tabs switch at once.
    await page.getByRole('button', { name: /^Prompts/ }).click();
    expect(await page.getByRole('button', { name: /^Prompts/ }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: /^Tools/ }).click();
    // Followed to the newest line.
    const atBottom = () =>
      logRegion().evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight <= 24);
    expect(await atBottom()).toBe(true);

    // Scrolled up to read: new lines do not pull the view down; "Go to newest" does.
    await logRegion().evaluate((el) => el.scrollTo({ top: 0 }));
    await page.getByRole('button', { name: 'Go to newest' }).waitFor();
    await client.callTool({ name: 'stderr', arguments: { lines: 3, text: 'while reading' } });
    await lines().filter({ hasText: 'alpha while reading 3' }).waitFor();
    expect(await logRegion().evaluate((el) => el.scrollTop)).toBe(0);
    await shots('flood-scrolled-up-1280');
    await page.getByRole('button', { name: 'Go to newest' }).click();
    await waitFor(atBottom, { what: 'at the newest line' });
    // The region is reachable and scrollable by keyboard.
    expect(await logRegion().getAttribute('tabindex')).toBe('0');
  });

  it('says why an HTTP backend has no stderr, and fits 900×600', async () => {
    await page.setViewportSize({ width: 900, height: 600 });
    await page.getByRole('button', { name: 'web', exact: true }).click();
    const panel = page.getByRole('complementary', { name: 'web' });
    await panel.getByRole('heading', { name: 'Logs' }).waitFor();
    await lines().filter({ hasText: 'connected' }).first().waitFor();
    await panel.getByText(/Connection history only: an HTTP or SSE server has no stderr/).waitFor();
    expect(await logRegion().locator('.log-stderr').count()).toBe(0);
    // Cleared: the empty state says so; a reconnect's events come in after it.
    await panel.getByRole('button', { name: 'Clear view' }).click();
    await panel.getByText(/View cleared/).waitFor();
    await panel.getByRole('button', { name: 'Reconnect' }).click();
    await lines().filter({ hasText: 'connected' }).first().waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Dismiss notification' }).click();
    // Scanned as the user reads it, scrolled to the Logs (only <main> scrolls, below the tab bar, so
    // no list row is left half under it: test/e2e/sticky-bar.e2e.test.ts).
    await showLogs();
    await shots('http-900x600', true);

    await page.getByRole('button', { name: 'alpha', exact: true }).click();
    await page.getByRole('complementary', { name: 'alpha' }).getByRole('heading', { name: 'Logs' }).waitFor();
    await lines().first().waitFor();
    await showLogs();
    await shots('stdio-900x600', true);
    expect(problems).toEqual([]);
  });
});
