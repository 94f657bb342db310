// End to end: the Connect view in real Chromium against a real `switchyard serve` whose user has a
// throwaway HOME. The table lists every client with its installed state and last seen (a real MCP
// client named like Claude Code is connected); Connect writes Cursor's and Claude Desktop's real
// config files (backup kept, the user's other server kept), the file path shows on demand, and
// Disconnect gives Cursor's file back byte for byte. Screenshots in test-results/connect/, light
// and dark.
//
// Needs Chromium: skipped (loudly) when it is missing, except with CI=true, where that fails.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildRenderer,
  dismissNotifications,
  connectClient,
  haveChromium,
  launchBrowser,
  requireChromium,
  screenshotThemes,
  startServe,
  type Serve,
} from '../helpers/e2e.js';
import { ROOT, startFixture, stopProcess, type RunningServer } from '../helpers/processes.js';

const SHOTS = path.join(ROOT, 'test-results', 'connect');
requireChromium('test/e2e/connect.e2e.test.ts');

const CURSOR_SEED = `{
  "mcpServers": {
    "context7": { "url": "https://mcp.context7.com/mcp" }
  }
}
`;

describe.skipIf(!haveChromium)('the Connect view in Chromium', () => {
  let tmp: string;
  let home: string;
  let alpha: RunningServer;
  let served: Serve;
  let token: string;
  let browser: Browser;
  let page: Page;
  let client: Client;
  let problems: string[] = [];
  const cursorFile = () => path.join(home, '.cursor', 'mcp.json');
  const desktopFile = () => path.join(home, '.config', 'Claude', 'claude_desktop_config.json');

  const shots = async (name: string) => {
    await dismissNotifications(page);
    await screenshotThemes(page, SHOTS, name, { fullPage: true });
  };
  const row = (name: string) =>
    page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'switchyard-connect-e2e-'));
    home = path.join(tmp, 'home');
    // A user with Cursor (one server of their own) and Claude Code installed.
    await mkdir(path.join(home, '.cursor', 'extensions'), { recursive: true });
    await writeFile(cursorFile(), CURSOR_SEED);
    await mkdir(path.join(home, '.claude'), { recursive: true });
    await writeFile(path.join(home, '.claude', 'settings.json'), '{}\n');
    const [a] = await Promise.all([
      startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo'] }),
      buildRenderer(),
    ]);
    alpha = a!;
    const config = path.join(tmp, 'config.yaml');
    await writeFile(config, `backends:\n  - name: alpha\n    url: ${alpha.url}\n`);
    served = await startServe(config, path.join(tmp, 'data'), {
      HOME: home,
      XDG_CONFIG_HOME: '',
      PATH: '/usr/bin:/bin',
    });
    token = served.token;
    client = await connectClient(served, 'claude-code', undefined, '2.1.197');
    ({ browser, page, problems } = await launchBrowser({ width: 1440, height: 900 }));
    await page.goto(served.dashboardUrl);
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
    if (served) await stopProcess(served.process);
    await alpha?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('lists every client with installed state and last seen', async () => {
    await page.getByRole('tab', { name: 'Connect', exact: true }).click();
    await page.getByRole('table', { name: 'Clients' }).waitFor();
    expect(await page.getByRole('table', { name: 'Clients' }).getByRole('rowheader').count()).toBe(12);
    await row('Claude Code').getByText('Installed').waitFor();
    await row('Cursor').getByText('Installed').waitFor();
    expect(await row('Windsurf').textContent()).toContain('Not found');
    expect(await row('Claude Code').textContent()).toMatch(/just now|s ago/);
    expect(await row('Cursor').textContent()).toContain('never');
    expect(await page.locator('body').textContent()).not.toContain(token);
    await shots('clients');
  }, 60_000);

  it('connects Cursor and Claude Desktop with one click each, writing their real files', async () => {
    await page.getByRole('button', { name: 'Connect Cursor' }).click();
    await row('Cursor').getByText('Connected', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Connect Claude Desktop' }).click();
    await row('Claude Desktop').getByText('Connected', { exact: true }).waitFor();
    expect(await row('Cursor').textContent()).toContain('default'); // the profile

    const cursor = JSON.parse(await readFile(cursorFile(), 'utf8')) as {
      mcpServers: Record<string, unknown>;
    };
    expect(cursor.mcpServers.switchyard).toEqual({
      url: served.url,
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(cursor.mcpServers.context7).toEqual({ url: 'https://mcp.context7.com/mcp' });
    expect(await readFile(`${cursorFile()}.switchyard-backup`, 'utf8')).toBe(CURSOR_SEED);
    const desktop = JSON.parse(await readFile(desktopFile(), 'utf8')) as {
      mcpServers: { switchyard: { command: string; args: string[]; env: Record<string, string> } };
    };
    expect(path.isAbsolute(desktop.mcpServers.switchyard.command)).toBe(true);
    expect(desktop.mcpServers.switchyard.args).toEqual(
      expect.arrayContaining(['bridge', '--url', served.url]),
    );
    expect(desktop.mcpServers.switchyard.env).toEqual({ SWITCHYARD_TOKEN: token });

    await page.getByRole('button', { name: 'Show the config file of Cursor' }).click();
    await page.getByLabel('Cursor config file').getByText(cursorFile()).waitFor();
    await shots('clients-connected');
  }, 60_000);

  it('disconnects Cursor, giving its file back byte for byte', async () => {
    await page.getByRole('button', { name: 'Disconnect Cursor' }).click();
    await row('Cursor').getByText('Not connected').waitFor();
    expect(await readFile(cursorFile(), 'utf8')).toBe(CURSOR_SEED);
    await page.getByRole('button', { name: 'Disconnect Claude Desktop' }).click();
    await row('Claude Desktop').getByText('Not connected').waitFor();
    await expect(readFile(desktopFile(), 'utf8')).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('runs under the strict CSP with no console error', () => {
    expect(problems).toEqual([]);
  });
});
