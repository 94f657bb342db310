// Preloaded (`node --import`) into the processes the tail bench watches: every GC pause of this
// process, as "<epoch ms start> <ms> <kind>" lines in $BENCH_PAUSE_LOG_DIR/<pid>.log, written every
// 200 ms. Plain JavaScript, because it also loads into the bundled `switchyard serve`.
import { appendFileSync } from 'node:fs';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { setInterval } from 'node:timers';

const dir = process.env.BENCH_PAUSE_LOG_DIR;
if (dir) {
  const file = `${dir}/${process.pid}.log`;
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
  };
  let lines = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const start = performance.timeOrigin + e.startTime;
      lines.push(`${start.toFixed(3)} ${e.duration.toFixed(3)} ${kinds[e.detail?.kind] ?? 'gc'}`);
    }
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => {
    if (!lines.length) return;
    appendFileSync(file, `${lines.join('\n')}\n`);
    lines = [];
  }, 200).unref();
}
