// Accessibility scans with axe-core (from npm) inside the page Chromium shows.
//
// The script is evaluated through the DevTools protocol rather than added as a <script> tag: the
// dashboard runs under a strict Content-Security-Policy (no inline scripts), which would refuse
// the tag and log a violation, while an evaluation by the driver is not subject to it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../helpers/processes.js';

export type Impact = 'minor' | 'moderate' | 'serious' | 'critical';
export const IMPACTS: readonly Impact[] = ['minor', 'moderate', 'serious', 'critical'];

export interface AxeViolation {
  id: string;
  impact: Impact | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

export interface AxeScan {
  label: string;
  violations: AxeViolation[];
  /** Nodes with a violation, per impact. */
  counts: Record<Impact, number>;
}

let source: Promise<string> | undefined;

/** WCAG 2.0, 2.1 and 2.2 A and AA, and axe's best practices. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/**
 * Runs axe (WCAG 2.0/2.1/2.2 A and AA plus best practices) on the page as it is now, or on the
 * elements `selector` matches.
 */
export async function runAxe(page: Page, label: string, selector?: string): Promise<AxeScan> {
  source ??= readFile(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  const script = await source;
  // Strings, not functions: this file is compiled without the DOM's types; the code runs in the page.
  const loaded = await page.evaluate<boolean>(`'axe' in window`);
  if (!loaded) await page.evaluate(script);
  const violations = await page.evaluate<AxeViolation[]>(`(async () => {
    const result = await window.axe.run(${selector === undefined ? 'document' : JSON.stringify(selector)}, {
      runOnly: { type: 'tag', values: ${JSON.stringify(TAGS)} },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), failureSummary: n.failureSummary })),
    }));
  })()`);
  const counts: Record<Impact, number> = { minor: 0, moderate: 0, serious: 0, critical: 0 };
  for (const v of violations) if (v.impact) counts[v.impact] += v.nodes.length;
  return { label, violations, counts };
}

/** The serious and critical violations of a scan, readable in a failed assertion. */
export function blocking(scan: AxeScan): string[] {
  return describeViolations(scan, (v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A scan's violations (those `which` keeps), one line each. */
export function describeViolations(
  scan: AxeScan,
  which: (v: AxeViolation) => boolean = () => true,
): string[] {
  return scan.violations.filter(which).map(
    (v) =>
      `${scan.label}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes
        .slice(0, 4)
        .map(
          (n) =>
            `${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.split('\n').slice(1).join(' ')}` : ''}`,
        )
        .join('; ')}${v.nodes.length > 4 ? ` and ${v.nodes.length - 4} more` : ''}`,
  );
}

/** Totals per impact over many scans, and which rules fired, for the test's summary line. */
export function summarize(scans: readonly AxeScan[]): string {
  const totals: Record<Impact, number> = { minor: 0, moderate: 0, serious: 0, critical: 0 };
  const rules = new Map<string, number>();
  for (const scan of scans) {
    for (const impact of IMPACTS) totals[impact] += scan.counts[impact];
    for (const v of scan.violations)
      rules.set(`${v.impact}:${v.id}`, (rules.get(`${v.impact}:${v.id}`) ?? 0) + v.nodes.length);
  }
  const byRule = [...rules.entries()].map(([rule, n]) => `${rule}×${n}`).join(', ');
  return `axe, ${scans.length} scans: critical ${totals.critical}, serious ${totals.serious}, moderate ${totals.moderate}, minor ${totals.minor}${byRule ? ` (${byRule})` : ''}`;
}
