// End to end: the built dashboard in real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against a real `switchyard serve` child process with two real MCP backends
// (SDK fixture servers) whose `echo` tools collide, and a real MCP client (SDK v2).
//
// Scenarios: backends and their status show; the `echo` conflict is resolved in the GUI and the
// client gets notifications/tools/list_changed and sees the new names; a call made by the client
// appears in the audit view and its charts; the API refuses requests without the token; the page
// runs under the strict Content-Security-Policy without a violation; the address keeps the view
// and filters over a reload and back/forward; a backend killed and restarted, the endpoint turned
// off and on, and the engine gone are each shown as they are; keyboard focus never falls to
// <body>. A second server with 27 conflicts is used in a 900×600 window: search, groups, bulk
// actions with one Undo, the strategy change and its Undo. A third, empty one shows the first-run
// checklist ticking itself off. Every view is saved as a screenshot in test-results/dashboard/, in
// light and dark, and scanned with axe-core: no serious or critical violation anywhere.
//
// Needs Chromium: skipped (loudly) when it is missing, except with CI=true, where that fails.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiStatus,
  buildRenderer,
  connectClient,
  dismissNotifications,
  haveChromium,
  launchBrowser,
  requireChromium,
  startServe,
  type Serve,
} from '../helpers/e2e.js';
import { ROOT, startFixture, stopProcess, waitFor, type RunningServer } from '../helpers/processes.js';
import { blocking, describeViolations, runAxe, summarize, type AxeScan } from './axe.js';

const SHOTS = path.join(ROOT, 'test-results', 'dashboard');
requireChromium('test/e2e/dashboard.e2e.test.ts');

/** Every axe scan of this file, for the summary written to test-results/dashboard/axe.txt. */
const allScans: AxeScan[] = [];

afterAll(async () => {
  if (allScans.length === 0) return;
  const summary = summarize(allScans);
  process.stdout.write(`${summary}\n`);
  await writeFile(
    path.join(SHOTS, 'axe.txt'),
    `${summary}\n${allScans.flatMap((s) => describeViolations(s)).join('\n')}\n`,
  );
});

/** Screenshots in both themes, each scanned with axe (notifications dismissed first). */
function shooter(getPage: () => Page, scans: AxeScan[]) {
  const shot = async (name: string, target: Page = getPage()) => {
    await target.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
  };
  const shots = async (name: string, options: { keepToasts?: boolean } = {}) => {
    const page = getPage();
    if (!options.keepToasts) await dismissNotifications(page);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      if (scheme === 'dark') await page.waitForTimeout(150); // charts redraw with the dark palette
      await shot(`${name}-${scheme}`);
      const scan = await runAxe(page, `${name} ${scheme}`);
      scans.push(scan);
      allScans.push(scan);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };
  return { shot, shots };
}

/** Where keyboard focus is: a short description, "BODY" when it fell to <body>. */
const focusOf = (page: Page) =>
  page.evaluate<string>(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'BODY';
    const label = el.getAttribute('aria-label');
    return el.tagName + (label ? '[' + label + ']' : '') + ' ' + (el.textContent || '').trim().slice(0, 60);
  })()`);

/** Chromium with one page; a step that cannot happen fails with its own message, well within the test's timeout. */
async function launch(viewport: { width: number; height: number }) {
  const launched = await launchBrowser(viewport);
  launched.page.setDefaultTimeout(10_000);
  return launched;
}

async function waitForReady(serve: Serve, names: string[]) {
  // Names a client has listed are pinned, so listing while only some backends are up would let
  // arrival order decide who keeps a name. Wait (through the API) until all are ready.
  await waitFor(
    async () => {
      const ready = (await apiStatus(serve)).backends.filter((b) => b.state === 'ready').map((b) => b.name);
      return names.every((n) => ready.includes(n));
    },
    { timeoutMs: 30_000, what: `${names.join(', ')} ready` },
  );
}

describe.skipIf(!haveChromium)('the dashboard in Chromium against switchyard serve', () => {
  let alpha: RunningServer;
  let beta: RunningServer;
  let serve: Serve;
  let tmp: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let client: Client;
  let listChanged = 0;
  let problems: string[] = [];
  const scans: AxeScan[] = [];
  const { shot, shots } = shooter(() => page, scans);
  const tab = (name: string | RegExp) =>
    typeof name === 'string' ? page.getByRole('tab', { name, exact: true }) : page.getByRole('tab', { name });
  const backendRow = (name: string) =>
    page
      .getByRole('table')
      .first()
      .getByRole('row')
      .filter({ has: page.getByRole('button', { name, exact: true }) });

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'switchyard-e2e-'));
    const [a, b] = await Promise.all([
      startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo', 'add'] }),
      startFixture({
        name: 'beta',
        transport: 'legacy-http',
        tools: ['echo', 'whoami'],
        descriptions: { echo: 'Echo a message back, from beta' },
      }),
      buildRenderer(),
    ]);
    alpha = a!;
    beta = b!;
    const configFile = path.join(tmp, 'config.yaml');
    await writeFile(
      configFile,
      [
        'backends:',
        `  - name: alpha`,
        `    url: ${alpha.url}`,
        `  - name: beta`,
        `    url: ${beta.url}`,
        'audit:',
        '  recordPayloads: true',
        '',
      ].join('\n'),
    );
    serve = await startServe(configFile, path.join(tmp, 'data'));
    await waitForReady(serve, ['alpha', 'beta']);
    client = await connectClient(serve, 'e2e-client', () => listChanged++);
    await waitFor(
      async () => {
        const names = (await client.listTools()).tools.map((t) => t.name).sort();
        return names.length === 4 ? names : false;
      },
      { what: 'four tools through the gateway' },
    );
    ({ browser, context, page, problems } = await launch({ width: 1280, height: 800 }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
    if (serve) await stopProcess(serve.process);
    await Promise.allSettled([alpha?.stop(), beta?.stop()]);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('the API requires the token', async () => {
    const anonymous = await fetch(new URL('/api/status', serve.url));
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(new URL('/api/status', serve.url), {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(new URL('/api/status', serve.url), {
      headers: { authorization: `Bearer ${serve.token}` },
    });
    expect(right.status).toBe(200);
  });

  it('without the token, the page asks for it', async () => {
    const other = await context.newPage();
    await other.goto(new URL('/', serve.url).href);
    await other.getByRole('heading', { name: 'Paste your token' }).waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await other.emulateMedia({ colorScheme: scheme });
      await shot(`token-screen-${scheme}`, other);
      const scan = await runAxe(other, `token-screen ${scheme}`);
      scans.push(scan);
      allScans.push(scan);
    }
    await other.emulateMedia({ colorScheme: 'light' });
    await other.getByLabel('Token', { exact: true }).fill(serve.token);
    await other.getByRole('button', { name: 'Open the dashboard' }).click();
    await other.getByRole('region', { name: 'Gateway overview' }).waitFor();
    await other.close();
  });

  it('shows the gateway, the backends and their status, and what is left to get started', async () => {
    await page.goto(serve.dashboardUrl);
    const overview = page.getByRole('region', { name: 'Gateway overview' });
    await overview.waitFor();
    expect(new URL(page.url()).hash).toBe('#/backends'); // the token left the address bar; the route took its place
    await expect
      .poll(() => overview.getByRole('switch', { name: 'MCP endpoint on' }).getAttribute('aria-checked'))
      .toBe('true');
    await overview.getByText(serve.url).waitFor();
    expect(await page.getByRole('main').count()).toBe(1); // the main landmark is there
    const rows = page.getByRole('table').getByRole('row');
    await expect.poll(() => rows.count()).toBe(3);
    for (const name of ['alpha', 'beta']) {
      const row = backendRow(name);
      await row.getByText('Ready').waitFor();
      expect(await row.getByText('streamable-http').count()).toBe(1);
      expect(await row.getByText('2025 era').count()).toBe(1);
      expect(await row.getByText('config file').count()).toBe(1);
    }
    await expect.poll(() => tab(/Conflicts/).textContent()).toBe('Conflicts1');
    // A server and a client, no call yet: the checklist says what is left, from the real state.
    const checklist = page.getByRole('region', { name: 'Get started' });
    await checklist.getByText('2 of 3 done').waitFor();
    expect(await checklist.getByText('See the first call (to do)').count()).toBe(1);
    await shots('backends');

    await page.getByRole('button', { name: 'beta', exact: true }).click();
    const panel = page.getByRole('complementary', { name: 'beta' });
    await panel.getByText('beta__echo').waitFor();
    await panel.getByText('whoami').first().waitFor();
    // Opened: focused (its heading), so a keyboard user lands in it.
    await expect.poll(() => focusOf(page)).toBe('H2 beta');
    await shots('backend-detail');
    // Escape closes it and gives focus back to the backend's button.
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await expect.poll(() => focusOf(page)).toBe('BUTTON beta');
    await page.keyboard.press('Enter');
    await page.getByRole('complementary', { name: 'beta' }).waitFor();

    // A display name, set in the GUI, reaches the engine and shows in the list; clients' names stay.
    await panel.getByRole('button', { name: 'Rename beta' }).click();
    await panel.getByLabel('Display name', { exact: true }).fill('Beta (staging)');
    await panel.getByRole('button', { name: 'Save' }).click();
    const renamed = page.getByRole('complementary', { name: 'Beta (staging)' });
    await renamed.waitFor();
    await backendRow('Beta (staging)').waitFor();
    const snapshot = await apiStatus(serve);
    expect(snapshot.backends.find((b) => b.name === 'beta')?.displayName).toBe('Beta (staging)');
    await shots('backend-renamed');
    await renamed.getByRole('button', { name: 'Rename Beta (staging)' }).click();
    await renamed.getByRole('button', { name: 'Use “beta”' }).click();
    await page.getByRole('complementary', { name: 'beta' }).waitFor();
    await page
      .getByRole('complementary', { name: 'beta' })
      .getByRole('button', { name: 'Close details' })
      .click();
    await expect.poll(() => focusOf(page)).toBe('BUTTON beta');
  });

  it('resolves the echo conflict in the GUI; the MCP client gets list_changed and the new names', async () => {
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([
      'add',
      'beta__echo',
      'echo',
      'whoami',
    ]);
    await tab(/Conflicts/).click();
    expect(new URL(page.url()).hash).toBe('#/conflicts');
    const card = page.getByRole('article').filter({ hasText: 'echo' });
    await card.getByText('needs a decision').waitFor();
    await card.getByRole('region', { name: "beta's echo" }).getByText('~ description differs').waitFor();
    await shots('conflicts-open');

    const before = listChanged;
    const use = card.getByRole('button', { name: 'Use this one: beta keeps echo' });
    expect(await use.textContent()).toBe('Use this one'); // the visible label is part of the name
    await use.click();
    await card.getByText('Your decision: beta keeps "echo"').waitFor();
    await expect.poll(() => tab(/Conflicts/).textContent()).toBe('Conflicts');
    // The card stays where it was and focus stays in it (no open conflict left to move to).
    await expect.poll(() => focusOf(page)).toMatch(/^BUTTON tool echo/);
    await waitFor(() => listChanged > before, { what: 'notifications/tools/list_changed' });
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['add', 'echo', 'whoami']);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    expect(JSON.stringify(result)).toContain('beta: hello');
    await shots('conflicts-resolved');
  });

  it('a call made by the client appears in the audit view and its charts; the drawer keeps focus', async () => {
    await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    await tab('Audit').click();
    const table = page.getByRole('grid', { name: 'Audit history' });
    const addRow = table.getByRole('row').filter({ hasText: 'add' }).filter({ hasText: 'alpha' });
    await addRow.first().waitFor({ timeout: 15_000 });
    expect(await addRow.first().textContent()).toContain('e2e-client');
    const echoRow = table.getByRole('row').filter({ hasText: 'echo' }).filter({ hasText: 'beta' });
    await echoRow.first().waitFor();
    const calls = page.locator('.stat-cards div').filter({ hasText: 'Calls' }).locator('dd');
    await expect
      .poll(async () => Number((await calls.textContent())?.replace(/\D/g, '')), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    const chart = page.getByRole('figure', { name: 'Calls per backend' });
    await chart.locator('canvas').waitFor();
    expect(await chart.locator('.u-legend').textContent()).toMatch(/alpha|beta/);
    await shots('audit');

    // A call made while the view is open shows up by itself (live events).
    const rowsBefore = await table.getByRole('row').count();
    await client.callTool({ name: 'whoami', arguments: {} });
    await table.getByRole('row').filter({ hasText: 'whoami' }).first().waitFor({ timeout: 15_000 });
    expect(await table.getByRole('row').count()).toBeGreaterThan(rowsBefore);

    await addRow.first().click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText('Request').first().waitFor();
    // Milliseconds right after the seconds, never glued after AM/PM ("04:35:57 PM.014").
    const when = (await drawer.locator('.detail-sub .muted').textContent()) ?? '';
    expect(when).toMatch(/\d:\d\d:\d\d\.\d{3}/);
    expect(when).not.toMatch(/[AP]M\.\d/);
    await shots('audit-detail');
    // Tab stays inside the drawer, both ways.
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press(i % 5 === 4 ? 'Shift+Tab' : 'Tab');
      const inside = await page.evaluate<boolean>(
        `Boolean(document.activeElement?.closest('[role="dialog"]'))`,
      );
      expect(inside).toBe(true);
    }
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await focusOf(page)).not.toBe('BODY');
  });

  it('keeps the view and its filters in the address: reload and back/forward bring them back', async () => {
    await page.getByLabel('Backend', { exact: true }).selectOption('alpha');
    await expect.poll(() => new URL(page.url()).hash).toBe('#/audit?backend=alpha');
    await page.reload();
    await page.getByRole('grid', { name: 'Audit history' }).waitFor();
    expect(await tab('Audit').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByLabel('Backend', { exact: true }).inputValue()).toBe('alpha');
    await page.getByRole('heading', { name: /Audit history \(\d+ requests?\)/ }).waitFor();
    await tab(/Sessions/).click();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/sessions');
    await page.goBack();
    await expect.poll(() => tab('Audit').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByLabel('Backend', { exact: true }).inputValue()).toBe('alpha');
    await page.goForward();
    await expect.poll(() => tab(/Sessions/).getAttribute('aria-selected')).toBe('true');
  });

  it('lists the connected client in Sessions, and every tool in Tools', async () => {
    await tab(/Sessions/).click();
    const row = page.getByRole('row').filter({ hasText: 'e2e-client' });
    await row.waitFor();
    expect(await row.textContent()).toContain('3.1.4');
    await shots('sessions');

    await tab('Tools').click();
    const tools = page.getByRole('table');
    await tools.getByRole('row').filter({ hasText: 'whoami' }).waitFor();
    // alpha's echo lost to beta's: still listed, as hidden.
    const alphaEcho = tools.getByRole('row').filter({ hasText: 'alpha' }).filter({ hasText: 'echo' });
    expect(await alphaEcho.getByText('hidden').count()).toBe(1);
    await shots('tools');
    await page.getByLabel('Search', { exact: true }).fill('who');
    await expect.poll(() => tools.getByRole('row').count()).toBe(2);
    await expect.poll(() => new URL(page.url()).hash).toBe('#/tools?q=who');
    await page.getByLabel('Search', { exact: true }).fill('');
  });

  it('every linked backend shows in Sessions', async () => {
    await tab(/Sessions/).click();
    const row = page.getByRole('row').filter({ hasText: 'e2e-client' });
    // The client called alpha (add) and beta (echo, whoami).
    await expect.poll(async () => (await row.textContent()) ?? '').toContain('alpha, beta');
  });

  it('Try it: a form from the schema, a call through the gateway as the dashboard, audited; Run again', async () => {
    await tab('Tools').click();
    await page.getByRole('button', { name: 'Try it: add' }).click();
    const panel = page.getByRole('region', { name: 'Try add' });
    await expect.poll(() => focusOf(page)).toBe('H2 Try add');
    await panel.getByRole('textbox', { name: 'a (required)' }).fill('2');
    await panel.getByRole('textbox', { name: 'b (required)' }).fill('x');
    await panel.getByRole('button', { name: 'Call the tool' }).click();
    await panel.getByRole('alert').filter({ hasText: 'b must be a number' }).waitFor();
    await panel.getByRole('textbox', { name: 'b (required)' }).fill('40');
    await panel.getByRole('button', { name: 'Call the tool' }).click();
    const result = panel.getByLabel('Result', { exact: true });
    await result.waitFor();
    expect(await result.textContent()).toContain('"sum": 42');
    await shots('tools-try');

    // Audited as the dashboard's client; "Run again" brings the same arguments back.
    await tab('Audit').click();
    await page.getByLabel('Client', { exact: true }).fill('DASHBOARD'); // a substring, any case
    await expect.poll(() => new URL(page.url()).hash).toContain('client=DASHBOARD');
    const row = page
      .getByRole('grid', { name: 'Audit history' })
      .getByRole('row')
      .filter({ hasText: 'switchyard-dashboard' })
      .filter({ hasText: 'add' });
    await row.first().waitFor({ timeout: 15_000 });
    await row.first().click();
    await page.getByRole('dialog').getByRole('button', { name: 'Run again…' }).click();
    const again = page.getByRole('region', { name: 'Try add' });
    expect(await again.getByRole('textbox', { name: 'a (required)' }).inputValue()).toBe('2');
    expect(await again.getByRole('textbox', { name: 'b (required)' }).inputValue()).toBe('40');
    await again.getByRole('button', { name: 'Close Try it' }).click();
    await expect.poll(() => focusOf(page)).toMatch(/^BUTTON\[Try it: add\]/);
    await tab('Audit').click();
    await page.getByRole('button', { name: /Reset filters/ }).click();
  });

  it('turns a tool off for every client from the Tools view, and on again', async () => {
    await tab('Tools').click();
    const toggle = page.getByRole('switch', { name: 'whoami on beta offered to clients' });
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('false');
    await waitFor(async () => !(await client.listTools()).tools.some((t) => t.name === 'whoami'), {
      what: 'whoami gone from the client list',
    });
    await shots('tools-off');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    await waitFor(async () => (await client.listTools()).tools.some((t) => t.name === 'whoami'), {
      what: 'whoami back',
    });
  });

  it('shows the connection details with the token hidden until revealed', async () => {
    await tab('Connect').click();
    await page.getByRole('heading', { name: 'Connect a client' }).waitFor();
    for (const name of ['Claude Code', 'Cursor', 'VS Code', 'Claude Desktop']) {
      await page.getByRole('heading', { name, exact: true }).waitFor();
    }
    expect(await page.locator('body').textContent()).not.toContain(serve.token);
    await shots('connect');
    await page.getByRole('button', { name: 'Reveal the token' }).click();
    await page.getByLabel('Token', { exact: true }).getByText(serve.token).waitFor();
    await page.getByRole('button', { name: 'Hide the token' }).click();
  });

  it('a backend killed shows as down with its error; restarted and reconnected, it is Ready without one', async () => {
    await tab('Backends').click();
    // The first call was made: the checklist is gone.
    await backendRow('alpha').getByText('Ready').waitFor();
    expect(await page.getByRole('region', { name: 'Get started' }).count()).toBe(0);
    await alpha.stop();
    await waitFor(
      async () => (await apiStatus(serve)).backends.find((b) => b.name === 'alpha')?.state === 'down',
      {
        timeoutMs: 30_000,
        what: 'alpha down',
      },
    );
    const row = backendRow('alpha');
    await row.getByText('Down').waitFor();
    await row.getByText(/failing for .* attempts? · next retry in/).waitFor();
    expect((await row.locator('.error-cell').textContent())?.length).toBeGreaterThan(0);
    await row.getByRole('button', { name: 'alpha', exact: true }).click();
    const panel = page.getByRole('complementary', { name: 'alpha' });
    await panel.getByRole('note', { name: 'Last error' }).waitFor();
    // Not "This server offers no tools.": it says why there are none.
    await panel.getByText(/This server is down/).waitFor();
    await shots('backend-down');

    await alpha.restart();
    await panel.getByRole('button', { name: 'Reconnect' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'alpha reconnected: ready' })
      .waitFor({ timeout: 20_000 });
    await row.getByText('Ready').waitFor();
    expect(await row.locator('.error-cell').textContent()).toBe('');
    expect(await panel.getByRole('note', { name: 'Last error' }).count()).toBe(0);
    await shots('backend-recovered', { keepToasts: true });
    await panel.getByRole('button', { name: 'Close details' }).click();
  });

  it('turning the endpoint off shows every backend as Paused, not Down; on again, Ready', async () => {
    const overview = page.getByRole('region', { name: 'Gateway overview' });
    await overview.getByRole('switch', { name: 'MCP endpoint on' }).click();
    await expect.poll(async () => (await apiStatus(serve)).gateway.state).toBe('stopped');
    for (const name of ['alpha', 'beta']) await backendRow(name).getByText('Paused').waitFor();
    expect(await page.getByText('Down', { exact: true }).count()).toBe(0);
    expect(await page.locator('.error-cell').allTextContents()).toEqual(['', '']);
    await shots('paused');
    await overview.getByRole('switch', { name: 'MCP endpoint on' }).click();
    for (const name of ['alpha', 'beta'])
      await backendRow(name).getByText('Ready').waitFor({ timeout: 30_000 });
    expect(await page.locator('.error-cell').allTextContents()).toEqual(['', '']);
  });

  it('runs under the strict CSP with no console error', () => {
    expect(problems).toEqual([]);
  });

  it('when the engine is gone, says so above everything and drains the colour from stale data', async () => {
    await stopProcess(serve.process, 'SIGKILL');
    const banner = page.getByRole('alert').filter({ hasText: 'Switchyard is not answering' });
    await banner.waitFor({ timeout: 20_000 });
    await shots('engine-unreachable');
  });

  it('has no serious or critical accessibility violation in any view or theme at 1280×800 (axe)', () => {
    expect(scans.length).toBeGreaterThanOrEqual(24);
    expect(scans.flatMap(blocking)).toEqual([]);
  });
});

describe.skipIf(!haveChromium)('27 conflicts in a 900×600 window', () => {
  const SAME = Array.from({ length: 14 }, (_, i) => `same${String(i + 1).padStart(2, '0')}`);
  const DIFF = Array.from({ length: 12 }, (_, i) => `diff${String(i + 1).padStart(2, '0')}`);
  let servers: RunningServer[] = [];
  let serve: Serve;
  let tmp: string;
  let browser: Browser;
  let page: Page;
  let client: Client;
  let problems: string[] = [];
  const scans: AxeScan[] = [];
  const { shots } = shooter(() => page, scans);
  const tab = (name: string | RegExp) =>
    typeof name === 'string' ? page.getByRole('tab', { name, exact: true }) : page.getByRole('tab', { name });
  const openCount = async () => (await apiStatus(serve)).counts.openConflicts;
  /** Never more than one notification per action (a newer one replaces the last). */
  const visibleToasts = () => page.locator('.toast').count();

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'switchyard-e2e-scale-'));
    // alpha and beta: 14 tools with identical definitions, 12 that differ (descriptions), and echo;
    // gamma shares echo and diff01. 14 + 12 + 1 = 27 conflicts.
    const same = Object.fromEntries(SAME.map((t) => [t, `The ${t} tool`]));
    servers = await Promise.all([
      startFixture({
        name: 'alpha',
        transport: 'legacy-http',
        tools: [...SAME, ...DIFF, 'echo'],
        descriptions: same,
      }),
      startFixture({
        name: 'beta',
        transport: 'legacy-http',
        tools: [...SAME, ...DIFF, 'echo'],
        descriptions: same,
      }),
      startFixture({ name: 'gamma', transport: 'legacy-http', tools: ['echo', 'diff01'] }),
    ]);
    await buildRenderer();
    const configFile = path.join(tmp, 'config.yaml');
    await writeFile(
      configFile,
      [
        'backends:',
        ...servers.flatMap((s, i) => [`  - name: ${['alpha', 'beta', 'gamma'][i]}`, `    url: ${s.url}`]),
        '',
      ].join('\n'),
    );
    serve = await startServe(configFile, path.join(tmp, 'data'));
    await waitForReady(serve, ['alpha', 'beta', 'gamma']);
    client = await connectClient(serve, 'scale-client');
    await client.listTools();
    for (const name of ['same01', 'diff03', 'echo'])
      await client.callTool({ name, arguments: { message: 'hi' } });
    ({ browser, page, problems } = await launch({ width: 900, height: 600 }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
    if (serve) await stopProcess(serve.process);
    await Promise.allSettled(servers.map((s) => s.stop()));
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('has a compact header, and opens a backend detail in view and focused', async () => {
    await page.goto(serve.dashboardUrl);
    await page.getByRole('table').getByRole('row').nth(3).waitFor();
    const header = await page.locator('header.header').boundingBox();
    expect(header!.height / 600).toBeLessThan(0.12); // was 39 %
    await expect.poll(() => tab(/Conflicts/).textContent()).toBe('Conflicts27');
    await shots('backends-900');
    await page.getByRole('button', { name: 'gamma', exact: true }).click();
    const panel = page.getByRole('complementary', { name: 'gamma' });
    await panel.getByText('diff01').first().waitFor();
    await expect.poll(() => focusOf(page)).toBe('H2 gamma');
    const box = await panel.getByRole('heading', { name: 'gamma' }).boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(600);
    await shots('backend-detail-900');
    await page.keyboard.press('Escape');
    await expect.poll(() => focusOf(page)).toBe('BUTTON gamma');
  });

  it('lists 27 conflicts compactly, with identical ones grouped, and searches them', async () => {
    await tab(/Conflicts/).click();
    const list = page.getByRole('list', { name: '27 conflicts' });
    await list.waitFor();
    // 13 single conflicts and one group of the 14 identical ones.
    await expect.poll(() => list.locator(':scope > li').count()).toBe(14);
    await list.getByText('14 identical tools in alpha and beta').waitFor();
    const tabStops = await page.evaluate<number>(
      `document.querySelectorAll('main a[href], main button:not([disabled]), main input, main select, main [tabindex="0"]').length`,
    );
    expect(tabStops).toBeLessThan(80); // was 396 for 26 conflicts
    await shots('conflicts-900');
    await page.getByLabel('Search', { exact: true }).fill('diff0');
    await expect.poll(() => list.locator(':scope > li').count()).toBe(0); // the list's name changed
    const found = page.getByRole('list', { name: '9 conflicts' });
    await expect.poll(() => found.locator(':scope > li').count()).toBe(9);
    await expect.poll(() => new URL(page.url()).hash).toBe('#/conflicts?q=diff0');
  });

  it('a decision keeps the card in place and moves focus to the next open conflict', async () => {
    const found = page.getByRole('list', { name: '9 conflicts' });
    const names = async () => (await found.locator('.conflict-toggle code').allTextContents()).join(',');
    const order = await names();
    await found.getByRole('button', { name: 'tool diff02' }).click();
    await page.getByRole('button', { name: 'Use this one: beta keeps diff02' }).click();
    await expect.poll(() => focusOf(page)).toBe('BUTTON tool diff03');
    expect(await names()).toBe(order);
    expect(await visibleToasts()).toBe(1);
    await expect.poll(openCount).toBe(26);
    await page.getByLabel('Search', { exact: true }).fill('');
  });

  it('decides a group at once, with one notification and one Undo', async () => {
    const group = page.getByRole('article').filter({ hasText: '14 identical tools in alpha and beta' });
    await group.getByRole('button', { name: "Use alpha's for all" }).click();
    await expect.poll(openCount, { timeout: 20_000 }).toBe(12);
    await page
      .getByRole('status')
      .filter({ hasText: 'alpha keeps 14 tools: 14 of 14 conflicts changed' })
      .waitFor();
    expect(await visibleToasts()).toBe(1);
    await shots('conflicts-group-decided-900', { keepToasts: true });
    await page.locator('.toast').getByRole('button', { name: 'Undo' }).click();
    await expect.poll(openCount, { timeout: 20_000 }).toBe(26);
    // The undo's own notice replaces the decision's (the list can be back before the notice is up).
    await page.locator('.toast').filter({ hasText: 'Undone:' }).waitFor();
    expect(await visibleToasts()).toBe(1);
  });

  it('"alpha wins all against beta" decides every conflict between them in one action', async () => {
    await page.getByLabel('Which backend wins').selectOption({ label: 'alpha wins all against beta (27)' });
    await page.getByRole('button', { name: 'Apply to all' }).click();
    await expect.poll(openCount, { timeout: 30_000 }).toBe(0);
    expect(await visibleToasts()).toBe(1);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('diff05');
    expect(names).not.toContain('beta__diff05');
    await page.locator('.toast').getByRole('button', { name: 'Undo' }).click();
    await expect.poll(openCount, { timeout: 30_000 }).toBe(26);
  });

  it('a strategy change waits for confirmation and can be undone in one step', async () => {
    const before = (await apiStatus(serve)).counts.tools;
    await page.getByLabel('Default strategy').selectOption('prefix');
    // The impact, computed by the engine, before anything is applied.
    const impact = page.locator('.strategy-impact');
    await impact.getByText(`Tools ${before} → `).waitFor();
    await impact.getByText('Tools gained:').waitFor();
    await shots('strategy-preview-900');
    expect((await apiStatus(serve)).counts.tools).toBe(before); // nothing changed yet
    await page.getByRole('button', { name: 'Use this strategy' }).click();
    const strategyToasts = page.locator('.toast').filter({ hasText: 'Conflict strategy' });
    await strategyToasts.filter({ hasText: 'Conflict strategy: prefix' }).waitFor();
    expect(await strategyToasts.count()).toBe(1);
    await strategyToasts.getByRole('button', { name: 'Undo' }).click();
    await strategyToasts.filter({ hasText: 'Conflict strategy: auto' }).waitFor();
    expect(await strategyToasts.count()).toBe(1); // the undo's notice replaced the change's
    await expect.poll(async () => (await apiStatus(serve)).counts.tools).toBe(before);
  });

  it('shows the audit rows on the first screen with no clipped column', async () => {
    await tab('Audit').click();
    const table = page.getByRole('grid', { name: 'Audit history' });
    const first = table.locator('[data-index="0"]');
    await first.waitFor({ timeout: 15_000 });
    const box = await first.boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(600);
    const clipped = await page.evaluate<
      string[]
    >(`[...document.querySelectorAll('.audit-head [role="columnheader"]')]
      .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.textContent)`);
    expect(clipped).toEqual([]);
    const right = await page.evaluate<number>(
      `Math.max(...[...document.querySelectorAll('.audit-head [role="columnheader"]')].map((el) => el.getBoundingClientRect().right))`,
    );
    expect(right).toBeLessThanOrEqual(900);
    await shots('audit-900');
    await page.getByRole('button', { name: 'Show charts' }).click();
    await page.getByRole('figure', { name: 'Calls per backend' }).waitFor();
    await shots('audit-charts-900');
  });

  it('shows Tools, Sessions and Connect at this size', async () => {
    await tab('Tools').click();
    await page.getByRole('table').getByRole('row').filter({ hasText: 'diff12' }).first().waitFor();
    await shots('tools-900');
    await tab(/Sessions/).click();
    await page.getByRole('row').filter({ hasText: 'scale-client' }).waitFor();
    await shots('sessions-900');
    await tab('Connect').click();
    await page.getByRole('heading', { name: 'Connect a client' }).waitFor();
    await shots('connect-900');
    expect(problems).toEqual([]);
  });

  it('has no serious or critical accessibility violation at 900×600 (axe)', () => {
    expect(scans.length).toBeGreaterThanOrEqual(18);
    expect(scans.flatMap(blocking)).toEqual([]);
  });
});

describe.skipIf(!haveChromium)('the first-run checklist on an empty install', () => {
  let serve: Serve;
  let tmp: string;
  let browser: Browser;
  let page: Page;
  let client: Client | undefined;
  const scans: AxeScan[] = [];
  const { shots } = shooter(() => page, scans);

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'switchyard-e2e-empty-'));
    const configFile = path.join(tmp, 'config.yaml');
    await writeFile(configFile, 'backends: []\n');
    await buildRenderer();
    serve = await startServe(configFile, path.join(tmp, 'data'));
    ({ browser, page } = await launch({ width: 1280, height: 800 }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
    if (serve) await stopProcess(serve.process);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('starts with nothing done and ticks "Connect a client" off when one connects', async () => {
    await page.goto(serve.dashboardUrl);
    const checklist = page.getByRole('region', { name: 'Get started' });
    await checklist.getByText('0 of 3 done').waitFor();
    await page.getByRole('heading', { name: 'No MCP servers yet' }).waitFor();
    await shots('first-run');
    client = await connectClient(serve, 'first-client');
    await checklist.getByText('1 of 3 done').waitFor({ timeout: 15_000 });
    expect(await checklist.getByText('Connect a client (done)').count()).toBe(1);
    expect(await checklist.getByText('Add an MCP server (to do)').count()).toBe(1);
    await shots('first-run-client');
    expect(scans.flatMap(blocking)).toEqual([]);
  });
});
