// End to end: nothing the user can press ever sits half under the sticky tab bar. In real Chromium
// (playwright-core) on the built dashboard of a real `switchyard serve` with twelve backends (one SDK
// fixture server behind each entry), in a 900×600 window, the Backends list is scrolled so that a
// row's button would be half under the bar, and axe-core (whole page, light and dark) finds nothing:
// before the page scrolled under the bar, axe's target-size rule (WCAG 2.5.8) measured the button's
// uncovered part and flagged it (serious). Screenshots in test-results/sticky-bar/.
//
// Needs Chromium: skipped (loudly) when it is missing, except with CI=true, where that fails.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiStatus,
  buildRenderer,
  haveChromium,
  launchBrowser,
  requireChromium,
  startServe,
  type Serve,
} from '../helpers/e2e.js';
import { ROOT, startFixture, stopProcess, waitFor, type RunningServer } from '../helpers/processes.js';
import { describeViolations, runAxe } from './axe.js';

const SHOTS = path.join(ROOT, 'test-results', 'sticky-bar');
requireChromium('test/e2e/sticky-bar.e2e.test.ts');

const NAMES = Array.from({ length: 12 }, (_, i) => `backend${String(i + 1).padStart(2, '0')}`);

/** Where a row's button is against the bar, after the scroll (the script runs in the page). */
interface Placement {
  barBottom: number;
  buttonTop: number;
  buttonBottom: number;
  /** What is on top at a point of the button just below the bar's edge, and just above it. */
  below: string;
  above: string;
}

describe.skipIf(!haveChromium)('the sticky tab bar at 900×600', { timeout: 90_000 }, () => {
  let fixture: RunningServer;
  let serve: Serve;
  let tmp: string;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'switchyard-e2e-sticky-'));
    // One fixture process behind every entry: a long list without twelve processes.
    [fixture] = await Promise.all([
      startFixture({ name: 'fixture', transport: 'legacy-http', tools: ['echo'] }),
      buildRenderer(),
    ]);
    const configFile = path.join(tmp, 'config.yaml');
    await writeFile(
      configFile,
      ['backends:', ...NAMES.flatMap((name) => [`  - name: ${name}`, `    url: ${fixture.url}`]), ''].join(
        '\n',
      ),
      { mode: 0o600 },
    );
    serve = await startServe(configFile, path.join(tmp, 'data'));
    await waitFor(
      async () =>
        (await apiStatus(serve)).backends.filter((b) => b.state === 'ready').length === NAMES.length,
      { timeoutMs: 30_000, what: 'every backend ready' },
    );
    ({ browser, page, problems } = await launchBrowser({ width: 900, height: 600 }));
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (serve) await stopProcess(serve.process);
    await fixture?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('leaves no row half under the bar, wherever the list is scrolled (axe: no violation)', async () => {
    await page.goto(serve.dashboardUrl);
    await page.getByRole('button', { name: NAMES.at(-1)!, exact: true }).waitFor();
    // A row in the middle of the list: scrolled to the top of what scrolls, then back by half its
    // height, so its button straddles the bar's lower edge (a string: this file is compiled without
    // the DOM's types).
    const placement = await page.evaluate<Placement>(`(() => {
      const button = [...document.querySelectorAll('main button')].find((b) => b.textContent.trim() === 'backend04');
      const barBottom = () => document.querySelector('.tabs').getBoundingClientRect().bottom;
      const scroller = (() => {
        for (let el = button.parentElement; el; el = el.parentElement) {
          const style = getComputedStyle(el);
          if (/(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight) return el;
        }
        return document.scrollingElement;
      })();
      button.scrollIntoView({ block: 'start' });
      // Measured after the scroll: the header above the bar may have scrolled away with the page.
      const bar = barBottom();
      const rect = button.getBoundingClientRect();
      scroller.scrollBy(0, rect.top - (bar - rect.height / 2));
      const now = button.getBoundingClientRect();
      const x = now.left + Math.min(now.width / 2, 12);
      const describe = (y) => {
        const top = document.elementFromPoint(x, y);
        if (!top) return 'nothing';
        if (button.contains(top)) return 'the button';
        if (top.closest('.tabs')) return 'the tab bar';
        return top.tagName.toLowerCase() + (top.className ? '.' + String(top.className).split(' ')[0] : '');
      };
      return {
        barBottom: bar,
        buttonTop: now.top,
        buttonBottom: now.bottom,
        below: describe(bar + 2),
        above: describe(bar - 2),
      };
    })()`);
    // The row is where the check needs it: straddling the bar's edge.
    expect(placement.buttonTop).toBeLessThan(placement.barBottom);
    expect(placement.buttonBottom).toBeGreaterThan(placement.barBottom);
    // Below the edge the button is the one pressed; above it, the bar (nothing of the row shows there).
    expect(placement.below).toBe('the button');
    expect(placement.above).toBe('the tab bar');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: path.join(SHOTS, `backends-scrolled-900x600-${scheme}.png`) });
      const scan = await runAxe(page, `backends scrolled ${scheme}`);
      expect(describeViolations(scan)).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(problems).toEqual([]);
  });
});
