// End to end: which tools are advertised, edited from the built dashboard in real Chromium
// (playwright-core, /usr/bin/chromium) against a real `switchyard serve` child process reading a
// real commented YAML file, with SDK fixture backends and real MCP clients on /mcp and
// /mcp/cursor. The Tools view's switch writes `aggregation.backends.<b>.tools.exclude`; the
// Profiles panel's pick writes `profiles.cursor.tools`; both are compared byte for byte with the
// file, seen by the clients (list_changed, new lists), and scanned with axe-core (no violation at
// all). Screenshots in test-results/tool-config/, light and dark.
//
// Needs Chromium: skipped (loudly) when it is missing, except with CI=true, where that fails.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServe, type Served } from '../helpers/cli.js';
import {
  buildRenderer,
  CHROMIUM,
  CHROMIUM_ARGS,
  dismissNotifications,
  haveChromium,
  requireChromium,
} from '../helpers/e2e.js';
import { ROOT, startFixture, stopProcess, waitFor, type RunningServer } from '../helpers/processes.js';
import { describeViolations, runAxe, summarize, type AxeScan } from './axe.js';

const SHOTS = path.join(ROOT, 'test-results', 'tool-config');

requireChromium('test/e2e/tool-config.e2e.test.ts');

describe.skipIf(!haveChromium)('choosing tools in Chromium writes the config file', () => {
  let tmp: string;
  let configFile: string;
  let original: string;
  let alpha: RunningServer;
  let beta: RunningServer;
  let served: Served;
  let token: string;
  let browser: Browser;
  let page: Page;
  const clients: { client: Client; changed: number }[] = [];
  const scans: AxeScan[] = [];
  const problems: string[] = [];

  const shots = async (name: string) => {
    await dismissNotifications(page);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
      scans.push(await runAxe(page, `${name} (${scheme})`));
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };
  const connect = async (url: string) => {
    const entry = { client: new Client({ name: 'e2e', version: '1.0.0' }, { capabilities: {} }), changed: 0 };
    entry.client.setNotificationHandler('notifications/tools/list_changed', () => void entry.changed++);
    await entry.client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    clients.push(entry);
    return entry;
  };
  const names = async (client: Client) => (await client.listTools()).tools.map((t) => t.name).sort();

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'switchyard-tool-config-e2e-'));
    [alpha, beta] = await Promise.all([
      startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo', 'add', 'multiply'] }),
      startFixture({ name: 'beta', transport: 'legacy-http', tools: ['whoami', 'get-env'] }),
      buildRenderer(),
    ]);
    configFile = path.join(tmp, 'config.yaml');
    original = `# My config — the dashboard must keep these comments
backends:
  - name: alpha   # the first fixture
    url: ${alpha.url}
  - name: beta
    url: ${beta.url}

profiles:
  cursor:
    client: cursor     # Cursor's rules apply
    maxTools: 3
    search: off        # the budget cuts instead
`;
    await writeFile(configFile, original);
    const dataDir = path.join(tmp, 'data');
    served = await spawnServe(['--config', configFile, '--port', '0', '--data-dir', dataDir, '--no-docker'], {
      SWITCHYARD_TOKEN: undefined,
      SWITCHYARD_CONFIG: undefined,
    });
    token = (await readFile(path.join(dataDir, 'token'), 'utf8')).trim();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const dashboard = /Dashboard: (\S+)/.exec(served.stdout())?.[1];
    await page.goto(dashboard ?? `${new URL('/', served.url).href}#token=${encodeURIComponent(token)}`);
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    for (const { client } of clients) await client.close().catch(() => undefined);
    if (served) await stopProcess(served.child);
    await Promise.all([alpha?.stop(), beta?.stop()]);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('the Tools switch writes an exclude in the file, and a client hears of it', async () => {
    const whole = await connect(served.url);
    await waitFor(async () => (await names(whole.client)).length === 5, { what: 'five tools on /mcp' });
    await page.getByRole('tab', { name: 'Tools', exact: true }).click();
    const toggle = page.getByRole('switch', { name: 'get-env on beta offered to clients' });
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('false');
    await waitFor(async () => !(await names(whole.client)).includes('get-env'), { what: 'get-env gone' });
    expect(whole.changed).toBeGreaterThan(0);
    expect(await readFile(configFile, 'utf8')).toBe(
      `${original}aggregation:\n  backends:\n    beta:\n      tools:\n        exclude: [get-env]\n`,
    );
    await shots('tools-switch-off');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    await waitFor(async () => (await names(whole.client)).includes('get-env'), { what: 'get-env back' });
    expect(await readFile(configFile, 'utf8')).toBe(original);
  }, 60_000);

  it('picks the tools of a profile: the count follows the budget, Save writes the file, the profile endpoint changes', async () => {
    const cursor = await connect(served.url.replace(/\/mcp$/, '/mcp/cursor'));
    expect((await names(cursor.client)).length).toBe(3); // the budget cuts two
    await page.getByRole('tab', { name: 'Connect', exact: true }).click();
    const profile = page.getByRole('listitem', { name: 'Profile cursor' });
    await profile.getByText('Cursor will see 3 tools; it warns past 80.').waitFor();
    await profile.getByRole('button', { name: 'Choose tools for cursor' }).click();
    const pick = profile.getByRole('group', { name: 'Tools of cursor' });
    const count = pick.getByText(/of 5 tools picked/);
    await count.waitFor();
    expect(await count.textContent()).toContain('5 of 5 tools picked · budget 3');
    expect(await count.getAttribute('class')).toBe('form-error');
    await pick.scrollIntoViewIfNeeded();
    await shots('profile-pick-open');

    // By keyboard: clear beta, then uncheck `add` with Space.
    await pick.getByRole('button', { name: 'Clear beta' }).focus();
    await page.keyboard.press('Enter');
    await pick.getByRole('checkbox', { name: /^add/ }).focus();
    await page.keyboard.press('Space');
    expect(await count.textContent()).toContain('2 of 5 tools picked');
    expect(await count.getAttribute('class')).toBe('muted');
    await pick.getByRole('searchbox', { name: 'Find tools' }).fill('who');
    expect(await pick.getByRole('checkbox').count()).toBe(1);
    await pick.getByRole('checkbox', { name: /^whoami/ }).check();
    await pick.getByRole('searchbox', { name: 'Find tools' }).fill('');
    expect(await count.textContent()).toContain('3 of 5 tools picked');
    await shots('profile-pick-draft');

    await pick.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved the tools of cursor. Cursor will see 3 tools; it warns past 80.').waitFor();
    await waitFor(async () => (await names(cursor.client)).join() === 'echo,multiply,whoami', {
      what: 'the pick on /mcp/cursor',
    });
    expect(cursor.changed).toBeGreaterThan(0);
    expect(await readFile(configFile, 'utf8')).toBe(
      original.replace(
        '    search: off        # the budget cuts instead\n',
        '    search: off        # the budget cuts instead\n    tools:\n      exclude: [alpha/add, beta/get-env]\n',
      ),
    );
    expect(await profile.getByRole('group', { name: 'Tools of cursor' }).count()).toBe(0);
    // Focus did not fall to <body>: it is back on the button that opened the pick.
    await expect
      .poll(() => page.evaluate('document.activeElement?.getAttribute("aria-label")'))
      .toBe('Choose tools for cursor');
    await shots('profile-pick-saved');
  }, 90_000);

  it('axe finds no violation in any scan, and the page logged no error', () => {
    const found = scans.flatMap((scan) => describeViolations(scan));
    process.stdout.write(`${summarize(scans)}\n`);
    expect(found).toEqual([]);
    expect(problems).toEqual([]);
  });
});
