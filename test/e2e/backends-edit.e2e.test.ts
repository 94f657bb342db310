// End to end: Add (with Test connection), Edit and Remove a backend from the built dashboard in real
// Chromium (playwright-core, /usr/bin/chromium) against a real `switchyard serve` child process
// reading a real commented YAML file, with real SDK fixture backends and a real MCP client. The
// dialog is checked with axe-core (no serious or critical violation) and saved as screenshots in
// test-results/backends-edit/, light and dark. Follows test/e2e/dashboard.e2e.test.ts.
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
  connectClient,
  haveChromium,
  launchBrowser,
  requireChromium,
  screenshotThemes,
  startServe,
  type Serve,
} from '../helpers/e2e.js';
import { ROOT, startFixture, stopProcess, waitFor, type RunningServer } from '../helpers/processes.js';
import { blocking, runAxe } from './axe.js';

const SHOTS = path.join(ROOT, 'test-results', 'backends-edit');
requireChromium('test/e2e/backends-edit.e2e.test.ts');

const HEAD = `# Hand-written config: these comments must survive the dashboard's edits
backends:
  # alpha stays as it is
  - name: alpha
    url: ALPHA_URL   # the first fixture
`;
const TAIL = `audit:
  recordPayloads: false  # tail comment
`;

describe.skipIf(!haveChromium)('Add, Edit and Remove a backend in Chromium against switchyard serve', () => {
  let alpha: RunningServer;
  let beta: RunningServer;
  let serve: Serve;
  let tmp: string;
  let configFile: string;
  let browser: Browser;
  let page: Page;
  let client: Client;
  let listChanged = 0;
  let problems: string[] = [];

  const shots = (name: string) => screenshotThemes(page, SHOTS, name);
  /** axe-core on the open dialog: serious and critical violations, described. */
  const axe = async (): Promise<string[]> => blocking(await runAxe(page, 'dialog', '[role="dialog"]'));

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'switchyard-e2e-edit-'));
    [alpha, beta] = await Promise.all([
      startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo'] }),
      startFixture({ name: 'beta', transport: 'legacy-http', tools: ['add', 'whoami'] }),
      buildRenderer(),
    ]);
    configFile = path.join(tmp, 'config.yaml');
    await writeFile(configFile, HEAD.replace('ALPHA_URL', alpha.url) + TAIL, { mode: 0o600 });
    serve = await startServe(configFile, path.join(tmp, 'data'));
    client = await connectClient(serve, 'e2e-edit', () => void listChanged++, '1.0.0');
    await waitFor(async () => (await client.listTools()).tools.length === 1, { what: 'alpha listed' });
    ({ browser, page, problems } = await launchBrowser({ width: 1280, height: 900 }));
    await page.goto(`${new URL('/', serve.url).href}#token=${encodeURIComponent(serve.token)}`);
    await page.getByRole('button', { name: 'alpha', exact: true }).waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
    if (serve) await stopProcess(serve.process);
    await Promise.allSettled([alpha?.stop(), beta?.stop()]);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('adds a backend after a Test connection; the client gets list_changed and its tools', async () => {
    await page.getByRole('button', { name: 'Add backend' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a backend' });
    await dialog.getByLabel('Name').fill('beta');
    await dialog.getByLabel('URL', { exact: true }).fill(beta.url);
    await dialog.getByRole('button', { name: 'Add header' }).click();
    await dialog.getByLabel('Headers 1 name').fill('Authorization');
    await dialog.getByLabel('Headers 1 value').fill('Bearer e2e-secret-token');
    await dialog.getByLabel('Timeout').fill('20s');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await dialog.getByText(/Connected/).waitFor();
    expect(await dialog.getByText('2 tools', { exact: false }).count()).toBeGreaterThan(0);
    await dialog.getByText('whoami', { exact: true }).waitFor();
    await shots('add-tested');
    expect(await axe()).toEqual([]);

    const before = listChanged;
    await dialog.getByRole('button', { name: 'Add backend' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'beta', exact: true }).waitFor();
    await waitFor(() => listChanged > before, { what: 'list_changed after add' });
    await waitFor(async () => (await client.listTools()).tools.length === 3, { what: 'beta tools' });
    const text = await readFile(configFile, 'utf8');
    expect(text.startsWith(HEAD.replace('ALPHA_URL', alpha.url))).toBe(true);
    expect(text.endsWith(TAIL)).toBe(true);
    expect(text).toContain('Bearer e2e-secret-token');
  });

  it('edits it: the secret shows masked and is kept; the change lands in the file', async () => {
    await page.getByRole('button', { name: 'beta', exact: true }).click();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit backend beta' });
    const secret = dialog.getByLabel('Headers 1 value (stored, masked)');
    expect(await secret.inputValue()).toBe('••••en');
    await dialog.getByLabel('Timeout').fill('15s');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await dialog.getByText(/Connected/).waitFor();
    await shots('edit');
    expect(await axe()).toEqual([]);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitFor(async () => (await readFile(configFile, 'utf8')).includes('timeout: 15s'), {
      what: 'edit written',
    });
    const text = await readFile(configFile, 'utf8');
    expect(text).toContain('Bearer e2e-secret-token');
    expect(text).not.toContain('••••');
  });

  it('removes it after a confirmation that names what stops', async () => {
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove backend beta?' });
    await dialog.getByText(/2 tools/).waitFor();
    await shots('remove-confirm');
    expect(await axe()).toEqual([]);
    await dialog.getByRole('button', { name: 'Remove beta' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitFor(async () => (await page.getByRole('button', { name: 'beta', exact: true }).count()) === 0, {
      what: 'beta row gone',
    });
    await waitFor(async () => (await client.listTools()).tools.length === 1, { what: 'beta tools gone' });
    expect(await readFile(configFile, 'utf8')).toBe(HEAD.replace('ALPHA_URL', alpha.url) + TAIL);
    await shots('after-remove');
    expect(problems).toEqual([]);
  });
});
