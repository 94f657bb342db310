// Gateway overhead, side by side in one run: the same lean SDK fixture backend (echo tool) reached
// directly, through Switchyard, and through mcp-hub (the peer), plus a reference relay (the
// thinnest Node HTTP hop), with load driven from a separate process on loopback. Then tools/list
// through Switchyard over 50 backends × 40 tools.
//
// Targets (issue 9): against the reference relay in the same run, added latency per tools/call
// ≤ the relay's + 0.1 ms p50 and + 0.3 ms p99; throughput at 16 concurrent clients ≥ 0.95× the
// relay's, ≥ 0.90× direct and ≥ 2× mcp-hub's; tools/list over 2,000 tools ≤ 2 ms p50.
//
// Method. The machine has 2 cores and is shared, so only differences and ratios measured in the
// same run mean much, and load from elsewhere comes and goes within seconds. The targets are
// therefore measured in alternation: sessions to all of them are opened first, each is warmed
// up, then many short cycles give each target one block (latency: 200 sequential calls; throughput:
// a 0.5 s slice at 16 sessions), in orders where each target follows every other equally often.
// Differences and ratios are paired within a cycle and the median over cycles is reported (with
// the middle half of the cycles as spread);
// p50/p99 columns are pooled over all blocks. Every answer is checked (a fast wrong answer never
// counts). Each process's CPU time over the throughput slices is read from /proc, which
// attributes the cost per call to client, proxy and backend.
// BENCH_CPU_PROF=1 runs Switchyard under `node --cpu-prof`; profiles land in bench-results/.
// BENCH_VARIANT_MAIN=<another build's bin/main.js>, BENCH_VARIANT_NODE_FLAGS="--flag …" and/or
// BENCH_VARIANT_CONFIG=<YAML added to its config> add a column, "variant": Switchyard from that
// build, with those Node flags or that config, measured in the same cycles, so a change is judged
// against the current build paired, not across two noisy runs.
// BENCH_WARMUP_MS=<ms> warms every target that long before each phase (default 1,500): with a
// longer warm-up the processes are measured older, when V8 has compiled more of their hot code
// (tail.bench.ts shows how that changes the slow calls).
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { positiveFromEnv } from './lib/env.js';
import { LoadDriver } from './lib/load-driver.js';
import { onInterrupt } from './lib/procs.js';
import type {
  Block,
  InterleavedResult,
  LatencyResult,
  LoadRequest,
  LoadTarget,
} from './lib/load-protocol.js';
import {
  startFixture,
  startMcpHub,
  startMultiFixture,
  startRelay,
  startSwitchyard,
  SWITCHYARD_MAIN,
  type Running,
} from './lib/servers.js';
import { median, quartiles, round } from './lib/stats.js';
import type { BenchContext, BenchResult } from './types.js';

const LIST_BACKENDS = 50;
const LIST_TOOLS = 40;
const CONCURRENCY = 16;

interface Plan {
  /** Unmeasured load on each target before each interleaved measurement, ms. */
  warmupMs: number;
  latency: { cycles: number; blockCalls: number; maxMs: number };
  throughput: { cycles: number; sliceMs: number; maxMs: number };
  list: { rounds: number; warmup: number; count: number; maxMs: number };
}

const FULL: Plan = {
  warmupMs: 1500,
  // 6,000 calls per target: a p99 from 2,000 moved by ±0.8 ms between two identical processes.
  latency: { cycles: 30, blockCalls: 200, maxMs: 120_000 },
  throughput: { cycles: 12, sliceMs: 500, maxMs: 90_000 },
  list: { rounds: 3, warmup: 30, count: 200, maxMs: 15_000 },
};

const QUICK: Plan = {
  warmupMs: 300,
  latency: { cycles: 3, blockCalls: 50, maxMs: 10_000 },
  throughput: { cycles: 2, sliceMs: 300, maxMs: 10_000 },
  list: { rounds: 1, warmup: 5, count: 30, maxMs: 5000 },
};

/** `relay` is a reference (the thinnest Node hop, test/bench/relay.ts), not a competitor. */
/**
 * `relay-2` is a second, identical relay: how far two copies of the same process drift apart in
 * the same run is the noise floor every difference and ratio of that run should be read against.
 */
type TargetKey = 'direct' | 'switchyard' | 'mcp-hub' | 'relay' | 'relay-2' | 'variant';
const ALL_KEYS: TargetKey[] = ['direct', 'switchyard', 'mcp-hub', 'relay', 'relay-2', 'variant'];
const LABELS: Partial<Record<TargetKey, string>> = {
  relay: 'relay (reference)',
  'relay-2': 'relay, 2nd copy (noise floor)',
};
const label = (key: TargetKey) => LABELS[key] ?? key;

interface Subject {
  key: TargetKey;
  target: LoadTarget;
  /** The echo tool's name as this target advertises it. */
  tool: string;
  /** The process between client and backend (none for direct). */
  proxyPid?: number;
}

/** What one bench run shares between its phases. */
interface Run {
  ctx: BenchContext;
  plan: Plan;
  work: string;
  load: LoadDriver;
  running: Array<{ stop(): Promise<void> }>;
  notes: string[];
  rows: BenchResult['rows'];
  targets: BenchResult['targets'];
  cpuProfDir: string | undefined;
}

const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : round(v, 3));
const firstLine = (error: unknown) => String(error).split('\n')[0]!.slice(0, 400);

/** The newest mtime of the .ts files under a directory (for the stale-build check). */
function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function findEcho(tools: string[]): string | undefined {
  return tools.find((t) => t === 'echo') ?? tools.find((t) => /(^|_)echo$/.test(t));
}

export default async function gatewayBench(ctx: BenchContext): Promise<BenchResult> {
  const base = ctx.quick ? QUICK : FULL;
  const plan = { ...base, warmupMs: positiveFromEnv('BENCH_WARMUP_MS', base.warmupMs) };
  const notes: string[] = [];
  const rows: BenchResult['rows'] = [];
  const targets: BenchResult['targets'] = [];
  const work = await mkdtemp(path.join(os.tmpdir(), 'switchyard-bench-'));
  const forget = onInterrupt(() => rmSync(work, { recursive: true, force: true }));
  const cpuProfDir = process.env.BENCH_CPU_PROF
    ? path.join(ctx.resultsDir, `cpu-prof-${new Date().toISOString().replace(/[:.]/g, '-')}`)
    : undefined;
  const running: Array<{ stop(): Promise<void> }> = [];
  let load: LoadDriver | undefined;

  if (ctx.quick) notes.push('quick run: few cycles and short slices, the figures are indicative only');
  const loadAtStart = os.loadavg()[0]!;
  if (loadAtStart > os.cpus().length * 0.5) {
    notes.push(
      `warning: load average ${loadAtStart.toFixed(2)} at start on ${os.cpus().length} CPU(s): other work ` +
        'competes for the CPUs; interleaving spreads it over all targets alike, but expect noise',
    );
  }
  const main = path.join(ctx.root, SWITCHYARD_MAIN);
  if (existsSync(main) && newestMtime(path.join(ctx.root, 'core')) > statSync(main).mtimeMs) {
    notes.push(
      `warning: core/ has sources newer than ${SWITCHYARD_MAIN}: the build may be stale (npm run bench builds first)`,
    );
  }

  try {
    load = LoadDriver.start(ctx.root);
    const run: Run = { ctx, plan, work, load, running, notes, rows, targets, cpuProfDir };
    try {
      await measureCalls(run);
    } catch (error) {
      // Report it and still measure the list path: one broken phase should not hide the other.
      ctx.log(`tools/call measurement failed: ${String(error)}`);
      notes.push(`tools/call measurement failed: ${firstLine(error)}`);
      targets.push({ metric: 'tools/call measurements', target: 'completed', value: 'error', pass: false });
    }
    await stopAll(running);
    await measureList(run);
  } finally {
    await stopAll(running);
    await load?.stop();
    await rm(work, { recursive: true, force: true });
    forget();
  }
  if (cpuProfDir) notes.push(`CPU profiles of Switchyard: ${path.relative(ctx.root, cpuProfDir)}`);
  notes.push(
    `machine: ${os.cpus().length} CPU(s), load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at end`,
  );
  return { name: 'gateway', rows, targets, notes };
}

async function stopAll(running: Array<{ stop(): Promise<void> }>): Promise<void> {
  const all = running.splice(0);
  await Promise.all(all.map((r) => r.stop().catch(() => undefined)));
}

/** Direct vs Switchyard vs mcp-hub vs relay on one echo backend: latency at c=1, throughput at c=16. */
async function measureCalls(run: Run): Promise<void> {
  const { ctx, plan, work, load, running, notes, rows, targets, cpuProfDir } = run;
  ctx.log('starting the echo fixture backend');
  const backend = await startFixture(ctx.root, 'echo', ['echo']);
  running.push(backend);
  const backendPid = backend.child.process.pid;

  const subjects: Subject[] = [];
  const unavailable = new Map<TargetKey, string>();
  const add = async (key: TargetKey, starter: () => Promise<Running>, wire: LoadTarget['wire']) => {
    try {
      const server = await starter();
      if (server !== backend) running.push(server);
      const target: LoadTarget = { name: key, url: server.url, wire };
      const probe = await load.run({ cmd: 'probe', target }, 30_000);
      const tool = findEcho(probe.tools);
      if (!tool)
        throw new Error(`${key} does not advertise the echo tool (tools: ${probe.tools.join(', ')})`);
      const proxyPid = server === backend ? undefined : server.child.process.pid;
      subjects.push({ key, target, tool, ...(proxyPid !== undefined ? { proxyPid } : {}) });
      notes.push(`${label(key)}: ${wire} at ${server.url}, echo tool "${tool}"`);
    } catch (error) {
      unavailable.set(key, firstLine(error));
      notes.push(`${label(key)} unavailable: ${firstLine(error)}`);
      ctx.log(`${key} unavailable: ${String(error)}`);
    }
  };
  await add('direct', async () => backend, 'streamable-http');
  if (!subjects.length) throw new Error(`the fixture backend does not answer: ${unavailable.get('direct')}`);
  ctx.log('starting Switchyard, mcp-hub and the reference relay');
  const upstream = [{ name: 'echo', url: backend.url }];
  await add(
    'switchyard',
    () =>
      startSwitchyard(ctx.root, work, upstream, {
        ready: (s) => s.counts.tools >= 1,
        ...(cpuProfDir ? { cpuProfDir } : {}),
      }),
    'streamable-http',
  );
  await add('mcp-hub', () => startMcpHub(ctx.root, work, upstream), 'sse');
  await add('relay', () => startRelay(ctx.root, backend.url), 'streamable-http');
  await add('relay-2', () => startRelay(ctx.root, backend.url), 'streamable-http');
  const variant = variantOptions();
  if (variant) {
    await add(
      'variant',
      () =>
        startSwitchyard(ctx.root, work, upstream, {
          label: 'switchyard-variant',
          ready: (s) => s.counts.tools >= 1,
          ...variant,
        }),
      'streamable-http',
    );
    notes.push(
      `variant = Switchyard from ${variant.main ?? SWITCHYARD_MAIN}` +
        (variant.nodeFlags ? ` with node ${variant.nodeFlags.join(' ')}` : '') +
        (variant.extraYaml ? ` with config ${JSON.stringify(variant.extraYaml)}` : ''),
    );
  }

  const interleaved = (mode: 'latency' | 'throughput') => {
    const p = mode === 'latency' ? plan.latency : plan.throughput;
    return load.run(
      {
        cmd: 'interleave',
        mode,
        subjects: subjects.map((s) => ({
          target: s.target,
          request: {
            method: 'tools/call',
            params: { name: s.tool, arguments: { message: 'hello' } },
            expectText: 'echo: hello',
          },
          cpuPids: { proxy: s.proxyPid, backend: backendPid },
        })),
        concurrency: CONCURRENCY,
        warmupMs: plan.warmupMs,
        cycles: p.cycles,
        blockCalls: plan.latency.blockCalls,
        sliceMs: plan.throughput.sliceMs,
        maxMs: p.maxMs,
      },
      p.maxMs + subjects.length * plan.warmupMs + 120_000,
    );
  };
  ctx.log(`latency at c=1: ${plan.latency.cycles} cycles × ${plan.latency.blockCalls} calls per target`);
  const lat = await interleaved('latency');
  ctx.log(
    `throughput at c=${CONCURRENCY}: ${plan.throughput.cycles} cycles × ${plan.throughput.sliceMs} ms per target`,
  );
  const thr = await interleaved('throughput');

  const of = (result: InterleavedResult, key: TargetKey) => result.subjects.find((s) => s.name === key);
  /** Per-cycle values of `pick(block of key, block of other in the same cycle)`. */
  const paired = (
    result: InterleavedResult,
    key: TargetKey,
    other: TargetKey,
    pick: (a: Block, b: Block) => number,
  ) => {
    const mine = of(result, key)?.blocks ?? [];
    const theirs = new Map((of(result, other)?.blocks ?? []).map((b) => [b.cycle, b]));
    return mine.flatMap((b) => {
      const o = theirs.get(b.cycle);
      return o ? [pick(b, o)] : [];
    });
  };
  const cpuPerCall = (key: TargetKey, proc: string) => {
    const blocks = of(thr, key)?.blocks ?? [];
    const cpu = blocks.reduce((n, b) => n + (b.cpuMs[proc] ?? Number.NaN), 0);
    const calls = blocks.reduce((n, b) => n + b.callsTotal, 0);
    return calls ? Math.round((cpu * 1000) / calls) : Number.NaN;
  };

  const keys = ALL_KEYS.filter((key) => key !== 'variant' || variant);
  for (const key of keys) {
    const s = of(lat, key);
    if (!s) {
      rows.push({ case: 'tools/call c=1', target: label(key), wire: 'unavailable (see notes)' });
      continue;
    }
    const direct = of(lat, 'direct')!;
    const d50 = paired(lat, key, 'direct', (a, b) => a.p50 - b.p50);
    rows.push({
      case: 'tools/call c=1',
      target: label(key),
      wire: subjects.find((x) => x.key === key)!.target.wire,
      'min ms': ms(s.pooled.min),
      'p50 ms': ms(s.pooled.p50),
      'p99 ms': ms(s.pooled.p99),
      'Δp50 ms': key === 'direct' ? '' : ms(median(d50)),
      'Δp50 mid-half': key === 'direct' ? '' : quartiles(d50),
      'Δp99 ms': key === 'direct' ? '' : ms(s.pooled.p99 - direct.pooled.p99),
      calls: s.pooled.n,
      errors: s.errors,
    });
  }
  for (const key of keys) {
    const s = of(thr, key);
    if (!s) {
      rows.push({ case: `tools/call c=${CONCURRENCY}`, target: label(key), wire: 'unavailable (see notes)' });
      continue;
    }
    const ratio = paired(thr, key, 'direct', (a, b) => a.rps / b.rps);
    rows.push({
      case: `tools/call c=${CONCURRENCY}`,
      target: label(key),
      wire: subjects.find((x) => x.key === key)!.target.wire,
      'p50 ms': ms(s.pooled.p50),
      'p99 ms': ms(s.pooled.p99),
      rps: Math.round(median(s.blocks.map((b) => b.rps))),
      '×direct': key === 'direct' ? '' : round(median(ratio), 3),
      '×direct mid-half': key === 'direct' ? '' : quartiles(ratio),
      'CPU µs/call client': cpuPerCall(key, 'client'),
      proxy: key === 'direct' ? '' : cpuPerCall(key, 'proxy'),
      backend: cpuPerCall(key, 'backend'),
      calls: s.pooled.n,
      errors: s.errors,
    });
  }
  for (const [mode, result] of [
    ['latency', lat],
    ['throughput', thr],
  ] as const) {
    for (const s of result.subjects) {
      if (s.firstError)
        notes.push(`${s.name} (${mode}): ${s.errors} error(s), first: ${s.firstError.slice(0, 300)}`);
    }
  }

  const why = (key: TargetKey) => `n/a (${key}: ${unavailable.get(key) ?? 'no data'})`.slice(0, 160);
  const sy = of(lat, 'switchyard');
  const dp50 = median(paired(lat, 'switchyard', 'direct', (a, b) => a.p50 - b.p50));
  const dp99 = sy ? sy.pooled.p99 - of(lat, 'direct')!.pooled.p99 : Number.NaN;
  const vsDirect = median(paired(thr, 'switchyard', 'direct', (a, b) => a.rps / b.rps));
  const vsHub = median(paired(thr, 'switchyard', 'mcp-hub', (a, b) => a.rps / b.rps));
  const vsRelay = median(paired(thr, 'switchyard', 'relay', (a, b) => a.rps / b.rps));
  // What Switchyard adds beyond the reference relay (the floor of any Node hop), same run, paired.
  const overRelayP50 = median(paired(lat, 'switchyard', 'relay', (a, b) => a.p50 - b.p50));
  const relay = of(lat, 'relay');
  const overRelayP99 = sy && relay ? sy.pooled.p99 - relay.pooled.p99 : Number.NaN;
  const syValue = (v: number) => (sy ? v : why('switchyard'));
  const relayValue = (v: number) => (!sy ? why('switchyard') : !relay ? why('relay') : v);
  targets.push(
    check(
      'tools/call added latency p50 over the relay (switchyard − relay), ms',
      '≤ 0.1',
      relayValue(overRelayP50),
      (v) => v <= 0.1,
    ),
    check(
      'tools/call added latency p99 over the relay (switchyard − relay), ms',
      '≤ 0.3',
      relayValue(overRelayP99),
      (v) => v <= 0.3,
    ),
    check(
      `throughput @${CONCURRENCY} clients, switchyard ÷ relay`,
      '≥ 0.95',
      relayValue(vsRelay),
      (v) => v >= 0.95,
    ),
    check(
      `throughput @${CONCURRENCY} clients, switchyard ÷ direct`,
      '≥ 0.90',
      syValue(vsDirect),
      (v) => v >= 0.9,
    ),
    check(
      `throughput @${CONCURRENCY} clients, switchyard ÷ mcp-hub`,
      '≥ 2',
      !sy ? why('switchyard') : !of(thr, 'mcp-hub') ? why('mcp-hub') : vsHub,
      (v) => v >= 2,
    ),
  );
  notes.push(`tools/call added latency over direct (for reference): p50 ${ms(dp50)} ms, p99 ${ms(dp99)} ms`);
  if (sy && relay) {
    const pairedP99 = median(paired(lat, 'switchyard', 'relay', (a, b) => a.p99 - b.p99));
    notes.push(
      `switchyard − relay p99, paired per cycle (median over cycles of block p99s): ${ms(pairedP99)} ms`,
    );
  }
  /** `key` against `other` in this run: Δp50, Δp99 (pooled and paired), throughput ratio. */
  const versus = (key: TargetKey, other: TargetKey) => {
    const a = of(lat, key);
    const b = of(lat, other);
    if (!a || !b) return undefined;
    const p50 = median(paired(lat, key, other, (x, y) => x.p50 - y.p50));
    const p99 = median(paired(lat, key, other, (x, y) => x.p99 - y.p99));
    const rps = median(paired(thr, key, other, (x, y) => x.rps / y.rps));
    return (
      `Δp50 ${ms(p50)} ms, Δp99 pooled ${ms(a.pooled.p99 - b.pooled.p99)} ms, paired ${ms(p99)} ms, ` +
      `throughput ×${round(rps, 3)}`
    );
  };
  const floor = versus('relay-2', 'relay');
  if (floor) {
    notes.push(
      `noise floor (relay-2 − relay: two identical processes, paired, same run): ${floor}; ` +
        'a gap between Switchyard and the relay smaller than this is not resolved by this run',
    );
  }
  const variantVsCurrent = versus('variant', 'switchyard');
  if (variantVsCurrent) {
    notes.push(
      `variant − switchyard (paired, same run): ${variantVsCurrent}; variant ÷ relay ` +
        `×${round(median(paired(thr, 'variant', 'relay', (a, b) => a.rps / b.rps)), 3)}`,
    );
  }

  notes.push(
    'c=1: p50/p99 pooled over all blocks; Δp50 = median over cycles of (target − direct) block p50, ' +
      'Δp99 = difference of pooled p99s. c=16: rps = median slice rate, ×direct = median over cycles of the ' +
      'paired rate ratio; CPU µs/call from /proc over the slices. "mid-half" = 25th…75th percentile over cycles',
  );
  if (of(lat, 'relay')) {
    notes.push(
      'relay (reference) = test/bench/relay.ts, the thinnest Node HTTP hop (forwards bytes, parses nothing): ' +
        'what it adds over direct is roughly the floor for any separate Node proxy process on this machine',
    );
  }
  if (of(lat, 'mcp-hub')) {
    notes.push(
      'mcp-hub serves only the 2024-11-05 HTTP+SSE transport (GET /mcp + POST /messages; POST /mcp is 404), ' +
        "so its column uses the client's SSE wire; it shares one backend session among all its clients, " +
        'while Switchyard opens one backend session per client session',
    );
  }
}

/** The "variant" column's build, Node flags and config, from the environment (none: no column). */
function variantOptions(): { main?: string; nodeFlags?: string[]; extraYaml?: string } | undefined {
  const main = process.env.BENCH_VARIANT_MAIN?.trim();
  const flags = process.env.BENCH_VARIANT_NODE_FLAGS?.trim();
  const config = process.env.BENCH_VARIANT_CONFIG;
  if (!main && !flags && !config) return undefined;
  return {
    ...(main ? { main: path.resolve(main) } : {}),
    ...(flags ? { nodeFlags: flags.split(/\s+/) } : {}),
    ...(config ? { extraYaml: config } : {}),
  };
}

/** tools/list through Switchyard over 50 backends × 40 tools, and direct to one backend. */
async function measureList(run: Run): Promise<void> {
  const { ctx, plan, work, load, running, notes, rows, targets, cpuProfDir } = run;
  const total = LIST_BACKENDS * LIST_TOOLS;
  const metric = `tools/list p50 via switchyard, ${LIST_BACKENDS} backends × ${LIST_TOOLS} tools, ms`;
  try {
    ctx.log(`starting ${LIST_BACKENDS} fixture backends × ${LIST_TOOLS} tools (one process)`);
    const multi = await startMultiFixture(ctx.root, LIST_BACKENDS, LIST_TOOLS);
    running.push(multi);
    ctx.log(`starting Switchyard with ${LIST_BACKENDS} backends`);
    const t0 = Date.now();
    const sy = await startSwitchyard(
      ctx.root,
      work,
      multi.urls.map((url, i) => ({ name: `b${String(i).padStart(2, '0')}`, url })),
      {
        label: 'switchyard-list',
        ready: (s) => s.counts.tools === total,
        timeoutMs: 90_000,
        ...(cpuProfDir ? { cpuProfDir } : {}),
      },
    );
    running.push(sy);
    notes.push(
      `switchyard: ${LIST_BACKENDS} backends ready and ${total} tools advertised ${Date.now() - t0} ms after start`,
    );

    const cases = [
      {
        key: 'switchyard',
        target: { name: 'switchyard', url: sy.url, wire: 'streamable-http' as const },
        tools: total,
      },
      {
        key: 'direct (1 backend)',
        target: { name: 'direct', url: multi.urls[0]!, wire: 'streamable-http' as const },
        tools: LIST_TOOLS,
      },
    ];
    const results = new Map<string, LatencyResult[]>(cases.map((c) => [c.key, []]));
    ctx.log(`tools/list: ${plan.list.rounds} round(s) × ${plan.list.count} calls per target`);
    for (let round = 0; round < plan.list.rounds; round++) {
      for (const c of round % 2 ? [...cases].reverse() : cases) {
        const request: LoadRequest = { method: 'tools/list', params: {}, expectTools: c.tools };
        results
          .get(c.key)!
          .push(
            await load.run(
              { cmd: 'latency', target: c.target, request, ...plan.list },
              plan.list.maxMs + 60_000,
            ),
          );
      }
    }
    for (const c of cases) {
      const r = results.get(c.key)!;
      rows.push({
        case: `tools/list ${c.tools} tools`,
        target: c.key,
        wire: 'streamable-http',
        'min ms': ms(median(r.map((x) => x.min))),
        'p50 ms': ms(median(r.map((x) => x.p50))),
        'p99 ms': ms(median(r.map((x) => x.p99))),
        'p50 incl. parse': ms(median(r.map((x) => x.parsed.p50))),
        'answer KB': round((r[0]?.answerBytes ?? 0) / 1024, 1),
        calls: r.reduce((n, x) => n + x.n, 0),
        errors: r.reduce((n, x) => n + x.errors, 0),
      });
      const problem = r.find((x) => x.firstError)?.firstError;
      if (problem) notes.push(`tools/list ${c.key}: ${problem.slice(0, 300)}`);
    }
    notes.push(
      'tools/list latency is until the answer has fully arrived; "p50 incl. parse" adds the client\'s JSON.parse',
    );
    const p50 = median(results.get('switchyard')!.map((x) => x.p50));
    targets.push(check(metric, '≤ 2', p50, (v) => v <= 2));
  } catch (error) {
    ctx.log(`tools/list scale failed: ${String(error)}`);
    notes.push(`tools/list scale failed: ${firstLine(error)}`);
    targets.push({ metric, target: '≤ 2', value: `error: ${firstLine(error).slice(0, 120)}`, pass: false });
  }
}

function check(
  metric: string,
  target: string,
  value: number | string,
  pass: (v: number) => boolean,
): BenchResult['targets'][number] {
  if (typeof value === 'string') return { metric, target, value, pass: false };
  if (!Number.isFinite(value)) return { metric, target, value: 'n/a (no data)', pass: false };
  return { metric, target, value: round(value, 3), pass: pass(value) };
}
