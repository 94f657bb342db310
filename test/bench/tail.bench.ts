// Where the slow calls come from: the p99 of issue 9 is made by the few calls that take 0.5–10 ms
// instead of ~0.6, so this module looks at each of them. Switchyard, Switchyard with the audit
// trail off, and the reference relay take turns in blocks of sequential tools/call (one call at a
// time, as in the gateway bench's latency phase), in orders where each follows every other equally
// often. Every process on the path logs its GC pauses with wall-clock times (lib/pause-log.mjs,
// preloaded; this process observes its own), and each proxy runs with V8's `--trace-opt`, whose
// lines (read as they arrive) give each optimizing compile's span on V8's background thread.
// A call slower than its target's p50 + 0.5 ms is "slow"; the table counts the slow calls that
// overlap each kind of event (a call can overlap several) and those that overlap none.
//
// What it showed on this 2-core machine (December): after 2,000 warm-up calls Switchyard still
// runs 75–100 optimizing compiles (150–210 ms of V8's compiler thread) during its 6,000 measured
// calls, the relay about 20, and about half of the calls that overlap one of Switchyard's
// compiles are slow; after 20,000 calls it is down to ~14. The backend's scavenges (3–5 ms each) make
// most of the slow calls all targets share. See docs/decisions.md ("third pass").
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { positiveFromEnv } from './lib/env.js';
import { cycleOrders } from './lib/load-protocol.js';
import { openSession, type RpcSession } from './lib/mcp-client.js';
import { startFixture, startRelay, startSwitchyard, type Running } from './lib/servers.js';
import { median, round } from './lib/stats.js';
import type { BenchContext, BenchResult } from './types.js';

const FULL = { warmupCalls: 2000, cycles: 30, blockCalls: 200 };
const QUICK = { warmupCalls: 200, cycles: 3, blockCalls: 50 };
/** A call this much slower than its target's median is "slow". */
const SLOW_MS = 0.5;

/** [start, end] in epoch ms. */
type Span = [number, number];

interface Watched {
  key: string;
  label: string;
  server: Running;
  session?: RpcSession;
  /** Each call: [epoch ms start, latency ms]. */
  calls: Array<[number, number]>;
  compiles: Span[];
}

const now = () => performance.timeOrigin + performance.now();

/** Spans of V8's optimizing compiles, from `--trace-opt` lines as they arrive on stdout. */
function watchCompiles(server: Running, into: Span[]): void {
  let rest = '';
  server.child.process.stdout!.on('data', (chunk: Buffer) => {
    const at = now();
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      // "… completed optimizing|compiling … took <prepare>, <execute>, <finalize> ms]"
      const m = /completed (?:optimizing|compiling).* took ([\d.]+), ([\d.]+), ([\d.]+) ms/.exec(line);
      if (m) into.push([at - Number(m[2]) - Number(m[3]), at]);
    }
  });
}

async function readPauses(dir: string, pid: number | undefined, from: number): Promise<Span[]> {
  const text = await readFile(path.join(dir, `${pid}.log`), 'utf8').catch(() => '');
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ').map(Number) as [number, number])
    .filter(([start]) => start >= from)
    .map(([start, ms]) => [start, start + ms] as Span);
}

const overlaps = (spans: Span[], [start, latency]: [number, number]) =>
  spans.some(([a, b]) => a < start + latency && b > start);

export default async function tail(ctx: BenchContext): Promise<BenchResult> {
  const base = ctx.quick ? QUICK : FULL;
  // BENCH_TAIL_WARMUP=<calls>: how old the processes are when measured (the JIT settles with age).
  const plan = { ...base, warmupCalls: positiveFromEnv('BENCH_TAIL_WARMUP', base.warmupCalls) };
  const work = await mkdtemp(path.join(os.tmpdir(), 'sy-bench-tail-'));
  const logDir = path.join(work, 'pauses');
  await mkdir(logDir);
  process.env.BENCH_PAUSE_LOG_DIR = logDir; // the children inherit it
  const preload = ['--import', path.join(ctx.root, 'test/bench/lib/pause-log.mjs')];
  const proxyFlags = [...preload, '--trace-opt'];
  const clientPauses: Span[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const start = performance.timeOrigin + e.startTime;
      clientPauses.push([start, start + e.duration]);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  let agent: http.Agent | undefined;
  try {
    ctx.log('starting the echo backend, Switchyard (audit on and off) and the relay');
    const backend = await startFixture(ctx.root, 'echo', ['echo'], preload);
    const upstream = [{ name: 'echo', url: backend.url }];
    const ready = (s: { counts: { tools: number } }) => s.counts.tools >= 1;
    const watched: Watched[] = [
      {
        key: 'switchyard',
        label: 'switchyard',
        server: await startSwitchyard(ctx.root, work, upstream, { ready, nodeFlags: proxyFlags }),
        calls: [],
        compiles: [],
      },
      {
        key: 'audit-off',
        label: 'switchyard, audit off',
        server: await startSwitchyard(ctx.root, work, upstream, {
          label: 'switchyard-audit-off',
          ready,
          nodeFlags: proxyFlags,
          extraYaml: 'audit:\n  enabled: false',
        }),
        calls: [],
        compiles: [],
      },
      {
        key: 'relay',
        label: 'relay (reference)',
        server: await startRelay(ctx.root, backend.url, proxyFlags),
        calls: [],
        compiles: [],
      },
    ];
    const params = { name: 'echo', arguments: { message: 'hello' } };
    agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    for (const w of watched) {
      watchCompiles(w.server, w.compiles);
      w.session = await openSession(w.server.url, 'streamable-http', agent);
    }
    const call = async (w: Watched) => {
      const t0 = performance.now();
      const result = (await w.session!.request('tools/call', params, 10_000)) as {
        content?: Array<{ text?: string }>;
      };
      if (result.content?.[0]?.text !== 'echo: hello') throw new Error(`${w.key}: unexpected answer`);
      return [performance.timeOrigin + t0, w.session!.lastAnswerAt - t0] as [number, number];
    };
    ctx.log(`warm-up: ${plan.warmupCalls} calls per target, alternating`);
    for (let i = 0; i < plan.warmupCalls; i++) for (const w of watched) await call(w);
    const from = now();
    ctx.log(`measuring: ${plan.cycles} cycles × ${plan.blockCalls} calls per target`);
    const orders = cycleOrders(watched.length);
    const cycles = Math.ceil(plan.cycles / orders.length) * orders.length;
    for (let cycle = 0; cycle < cycles; cycle++)
      for (const i of orders[cycle % orders.length]!) {
        const w = watched[i]!;
        for (let n = 0; n < plan.blockCalls; n++) w.calls.push(await call(w));
      }
    await new Promise((resolve) => setTimeout(resolve, 500)); // the last pause lines are written
    const backendPauses = await readPauses(logDir, backend.child.process.pid, from);

    const rows: BenchResult['rows'] = [];
    const notes: string[] = [];
    for (const w of watched) {
      const pauses = await readPauses(logDir, w.server.child.process.pid, from);
      const compiles = w.compiles.filter(([start]) => start >= from);
      const latencies = w.calls.map(([, ms]) => ms).sort((a, b) => a - b);
      const p50 = median(latencies);
      const slow = w.calls.filter(([, ms]) => ms > p50 + SLOW_MS);
      const count = (spans: Span[]) => slow.filter((c) => overlaps(spans, c)).length;
      const explained = [pauses, compiles, backendPauses, clientPauses];
      const duringCompile = w.calls.filter((c) => overlaps(compiles, c));
      rows.push({
        target: w.label,
        calls: w.calls.length,
        'p50 ms': round(p50),
        'p99 ms': round(latencies[Math.floor(0.99 * (latencies.length - 1))]!),
        [`slow (> p50 + ${SLOW_MS} ms)`]: slow.length,
        'GC in proxy': count(pauses),
        'JIT compile in proxy': count(compiles),
        'GC in backend': count(backendPauses),
        'GC in client': count(clientPauses),
        'none of these': slow.filter((c) => !explained.some((spans) => overlaps(spans, c))).length,
      });
      const compileMs = compiles.reduce((n, [a, b]) => n + (b - a), 0);
      notes.push(
        `${w.label}: ${pauses.length} GC pauses (${round(
          pauses.reduce((n, [a, b]) => n + b - a, 0),
          1,
        )} ms) and ` +
          `${compiles.length} optimizing compiles (${round(compileMs, 1)} ms on V8's compiler thread) ` +
          `while measured; ${duringCompile.filter(([, ms]) => ms > p50 + SLOW_MS).length} of the ` +
          `${duringCompile.length} calls that overlapped a compile were slow`,
      );
    }
    notes.push(
      `backend: ${backendPauses.length} GC pauses while measured, ${round(
        backendPauses.reduce((n, [a, b]) => n + b - a, 0) / Math.max(1, backendPauses.length),
        2,
      )} ms each on average; load client: ${clientPauses.filter(([a]) => a >= from).length} pauses`,
      `each proxy runs with --trace-opt (a line per compile on its stdout) and every process with a GC observer; both cost every target alike`,
      `columns after "slow" count slow calls that overlap that kind of event; a call can overlap several, "none of these" overlaps none`,
    );
    for (const w of watched) await w.session?.close();
    return { name: 'tail', rows, targets: [], notes };
  } finally {
    observer.disconnect();
    agent?.destroy();
    delete process.env.BENCH_PAUSE_LOG_DIR;
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}
