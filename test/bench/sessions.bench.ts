// Sessions and audit, measured against the SQLite-backed engine:
//  - heap per idle legacy session (1,000 sessions, each with its own backend session) ≤ 64 KB;
//  - restoring a stored session on its first request after a restart ≤ 20 ms;
//  - audit on vs off: tools/call p50 within 5% (two gateways side by side, interleaved).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LoadDriver } from './lib/load-driver.js';
import type { Block } from './lib/load-protocol.js';
import { startFixture, startSwitchyard } from './lib/servers.js';
import { median, quartiles, round } from './lib/stats.js';
import type { BenchContext, BenchResult } from './types.js';

const run = promisify(execFile);

interface HeapResult {
  sessions: number;
  perSessionBytes: number;
  heapBeforeMB: number;
  heapAfterMB: number;
  restores: number;
  restoreP50: number;
  restoreP99: number;
  livePingP50: number;
}

export default async function sessionsBench(ctx: BenchContext): Promise<BenchResult> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'switchyard-bench-sessions-'));
  const rows: BenchResult['rows'] = [];
  const targets: BenchResult['targets'] = [];
  const notes: string[] = [];
  const backend = await startFixture(ctx.root, 'echo', ['echo']);
  try {
    // Heap and restore, in a separate process with --expose-gc.
    const sessions = ctx.quick ? 200 : 1000;
    ctx.log(`heap: ${sessions} idle sessions, then a restart restoring 200 of them`);
    const { stdout } = await run(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        'test/bench/lib/session-heap.ts',
        backend.url,
        String(sessions),
        '200',
      ],
      { cwd: ctx.root, timeout: 300_000, maxBuffer: 1 << 20 },
    );
    const heap = JSON.parse(stdout.trim().split('\n').pop()!) as HeapResult;
    rows.push({
      measure: `heap per idle legacy session (${heap.sessions}, each with a backend session)`,
      value: `${round(heap.perSessionBytes / 1024, 1)} KB`,
      detail: `heap ${heap.heapBeforeMB} → ${heap.heapAfterMB} MB`,
    });
    rows.push({
      measure: `restore a stored session on first use (${heap.restores}, ping)`,
      value: `p50 ${heap.restoreP50} ms, p99 ${heap.restoreP99} ms`,
      detail: `a live session's ping: p50 ${heap.livePingP50} ms`,
    });
    targets.push({
      metric: 'heap per idle legacy session',
      target: '≤ 64 KB',
      value: round(heap.perSessionBytes / 1024, 1),
      pass: heap.perSessionBytes <= 64 * 1024,
    });
    targets.push({
      metric: 'restore a stored session on first use, p99 ms',
      target: '≤ 20 ms',
      value: heap.restoreP99,
      pass: heap.restoreP99 <= 20,
    });

    // Audit on vs off, interleaved so machine noise hits both alike.
    ctx.log('audit on vs off: two gateways in front of the same backend');
    const on = await startSwitchyard(ctx.root, work, [{ name: 'echo', url: backend.url }], {
      label: 'audit-on',
    });
    const off = await startSwitchyard(ctx.root, work, [{ name: 'echo', url: backend.url }], {
      label: 'audit-off',
      extraYaml: 'audit: { enabled: false }',
    });
    const load = LoadDriver.start(ctx.root);
    try {
      const cycles = ctx.quick ? 4 : 20;
      const request = {
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: 'hello' } },
        expectText: 'echo: hello',
      };
      const result = await load.run(
        {
          cmd: 'interleave',
          mode: 'latency',
          subjects: [
            { target: { name: 'audit-on', url: on.url, wire: 'streamable-http' }, request },
            { target: { name: 'audit-off', url: off.url, wire: 'streamable-http' }, request },
          ],
          concurrency: 1,
          warmupMs: ctx.quick ? 300 : 1500,
          cycles,
          blockCalls: 100,
          sliceMs: 500,
          maxMs: 90_000,
        },
        240_000,
      );
      const blocks = (name: string): Block[] => result.subjects.find((s) => s.name === name)?.blocks ?? [];
      const offByCycle = new Map(blocks('audit-off').map((b) => [b.cycle, b]));
      const ratios = blocks('audit-on').flatMap((b) => {
        const o = offByCycle.get(b.cycle);
        return o ? [b.p50 / o.p50] : [];
      });
      const ratio = median(ratios);
      for (const subject of result.subjects) {
        rows.push({
          measure: `tools/call c=1 through the gateway, ${subject.name}`,
          value: `p50 ${round(subject.pooled.p50)} ms, p99 ${round(subject.pooled.p99)} ms`,
          detail: `${subject.pooled.n} calls, ${subject.errors} errors`,
        });
      }
      rows.push({
        measure: 'p50 audit-on ÷ audit-off (median over cycles)',
        value: round(ratio, 3),
        detail: `mid-half ${quartiles(ratios)}`,
      });
      targets.push({
        metric: 'tools/call p50, audit on ÷ off',
        target: '≤ 1.05',
        value: round(ratio, 3),
        pass: ratio <= 1.05,
      });
    } finally {
      await load.stop();
      await Promise.allSettled([on.stop(), off.stop()]);
    }
    notes.push(
      'Heap: the engine runs in its own process with --expose-gc; every session initialized, listed tools and made one call (so it holds its own backend session), then the heap is measured after GC.',
      'Restore: the engine is stopped and started on the same data dir; the first request on each stored session restores it (a ping, so no backend initialize is included).',
      'The audit writer (the SQLite store) records on a worker thread; audit-off runs the same engine with audit.enabled: false.',
    );
  } finally {
    await backend.stop();
    await rm(work, { recursive: true, force: true });
  }
  return { name: 'sessions', rows, targets, notes };
}
