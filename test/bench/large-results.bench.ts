// Large results through the gateway (issue 10 item 3): RSS of `switchyard serve` (from source)
// relaying one 90 MB tool result from an HTTP backend, four at once, and one from a stdio backend,
// each in a fresh serve. A result from 1 MiB up is relayed as the bytes it arrived as
// (core/backends/raw-response.ts), so the peak should sit about one copy above the idle RSS.
// Before that change (same machine): one result peaked at 684 MiB and held 598 MiB after; four at
// once peaked at 1,214 MiB and held 1,037 MiB.
import { scenario, type Scenario } from './lib/rss-scenarios.js';
import type { BenchContext, BenchResult } from './types.js';

const SCENARIOS: { name: Scenario; what: string; peakTargetMiB: number }[] = [
  { name: 'big-result', what: 'one 90 MB result (HTTP backend)', peakTargetMiB: 400 },
  { name: 'big-result-x4', what: 'four 90 MB results at once (HTTP backend)', peakTargetMiB: 600 },
  { name: 'big-result-stdio', what: 'one 90 MB result (stdio backend)', peakTargetMiB: 400 },
];

export default async function largeResultsBench(ctx: BenchContext): Promise<BenchResult> {
  const rows: BenchResult['rows'] = [];
  const targets: BenchResult['targets'] = [];
  for (const s of ctx.quick ? SCENARIOS.slice(0, 1) : SCENARIOS) {
    ctx.log(`${s.what}…`);
    const f = await scenario(s.name);
    rows.push({
      scenario: s.what,
      'RSS before (MiB)': f.beforeMiB,
      'peak (MiB)': f.peakMiB,
      'after (MiB)': f.afterMiB,
      alive: f.alive ? 'yes' : 'NO',
      results: f.note,
    });
    targets.push({
      metric: `${s.what}: peak RSS`,
      target: `≤ ${s.peakTargetMiB} MiB, serve alive`,
      value: f.peakMiB,
      pass: f.alive && f.peakMiB <= s.peakTargetMiB,
    });
  }
  return {
    name: 'large results',
    rows,
    targets,
    notes: ['peak is VmHWM; "after" is RSS 3 s after the calls ended (clients closed)'],
  };
}
