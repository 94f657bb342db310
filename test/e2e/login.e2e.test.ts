// Issue 10 item 9 in real Chromium: the one-time link `switchyard serve` prints opens the dashboard,
// leaves no token in the address bar, the history or page storage, and does not work twice.
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServe, type Served } from '../helpers/cli.js';
import { buildRenderer, CHROMIUM, CHROMIUM_ARGS, haveChromium, requireChromium } from '../helpers/e2e.js';
import { stopProcess, waitFor } from '../helpers/processes.js';

requireChromium('test/e2e/login.e2e.test.ts');

describe.skipIf(!haveChromium)('the dashboard login in Chromium', () => {
  let served: Served;
  let dataDir: string;
  let profile: string;
  let token: string;
  let link: string;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    await buildRenderer();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sy-login-'));
    profile = await mkdtemp(path.join(os.tmpdir(), 'sy-chromium-'));
    const env: Record<string, string> = {};
    served = await spawnServe(['--data-dir', dataDir, '--port', '0', '--no-docker'], env);
    link = await waitFor(() => /Dashboard: (http:\/\/\S+)/.exec(served.stdout())?.[1], {
      what: 'dashboard link',
    });
    token = (await readFile(path.join(dataDir, 'token'), 'utf8')).trim();
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (served) await stopProcess(served.child);
    for (const dir of [dataDir, profile]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serve prints a one-time link and where the token is, never the token', async () => {
    // The banner is several writes, and the pipe may hand the token's line over after the link's.
    const tokenLine = `Token stored in ${path.join(dataDir, 'token')}`;
    await waitFor(() => served.stdout().includes(tokenLine), { timeoutMs: 5000, what: tokenLine });
    expect(served.stdout()).not.toContain(token);
    expect(served.stderr()).not.toContain(token);
    expect(link).toMatch(/\/login\?code=[\w-]{40,}$/);
  });

  it('opens the dashboard once; nothing reusable stays in the URL, storage or history', async () => {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
    });
    const page = await context.newPage();
    await page.goto(link);
    await page.getByRole('region', { name: 'Gateway overview' }).waitFor({ timeout: 30_000 });
    const origin = new URL(served.url).origin;
    // The dashboard's own route (`#/backends`) is all that follows the origin: no code, no token.
    expect(page.url()).toMatch(new RegExp(`^${origin.replace(/[.]/g, '\\.')}/(#/[a-z]+)?$`));
    // (A string: this file is type-checked without the DOM library.)
    const kept = await page.evaluate<{ cookie: string; session: string; local: string }>(
      '({ cookie: document.cookie, session: JSON.stringify({ ...sessionStorage }), local: JSON.stringify({ ...localStorage }) })',
    );
    expect(kept.cookie).toBe(''); // HttpOnly: the page's scripts cannot read the login
    for (const value of Object.values(kept)) expect(value).not.toContain(token);
    const cookies = await context.cookies(origin);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies[0]!.value).not.toBe(token);

    // A reload keeps the login (the cookie), without any token anywhere.
    await page.reload();
    await page.getByRole('region', { name: 'Gateway overview' }).waitFor();

    // The link does not work a second time: another browser profile gets the token screen.
    const other = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const second = await other.newPage();
      await second.goto(link);
      await second.getByRole('heading', { name: 'Paste your token' }).waitFor();
      await second.getByText('already used or has expired').waitFor();
    } finally {
      await other.close();
    }

    await context.close();
    context = undefined;
    // Chromium's history database: the only URLs are the used link and "/"; no token in any.
    const copy = path.join(profile, 'History.copy');
    await copyFile(path.join(profile, 'Default', 'History'), copy);
    const db = new Database(copy, { readonly: true });
    const urls = (db.prepare('SELECT url FROM urls').all() as { url: string }[]).map((r) => r.url);
    db.close();
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      expect(url).not.toContain(token);
      expect(url.startsWith(origin)).toBe(true);
    }
    const dead = await fetch(link, { redirect: 'manual' });
    expect(dead.status).toBe(303);
    expect(dead.headers.get('location')).toBe('/#login=expired');
  }, 90_000);
});
