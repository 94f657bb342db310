// Cold start → endpoint ready, headless (issue targets: ≤ 400 ms, so a restart fits inside the
// clients' own reconnect window). Each run spawns `node dist/bin/main.js serve` (the bundle) with a fresh
// data dir (so the default config, the token and the database are created, the migrations run) and
// port 0, and times from spawn to the banner and to the first successful `initialize` (polled
// without pause). The engine logs, at debug level, when each startup phase ended, in ms since its
// process started: modules loaded, config loaded, app built (database opened and migrated),
// listening (the port open; discovery starts in the background). Two variants: the default (container
// discovery on, which searches the Docker/Podman sockets) and --no-docker.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cpuMs } from './lib/cpu.js';
import { start } from './lib/procs.js';
import { SWITCHYARD_MAIN } from './lib/servers.js';
import { median } from './lib/stats.js';
import type { BenchContext, BenchResult } from './types.js';
import { initializeRequest } from '../helpers/http.js';

const TARGET_MS = 400;
const PHASES = ['modulesLoaded', 'configLoaded', 'appBuilt', 'listening'] as const;

interface Run {
  banner: number;
  ready: number;
  /** CPU time (user + system) the serve process used until its banner: less sensitive to load than wall time. */
  cpu: number | undefined;
  phases: Partial<Record<(typeof PHASES)[number], number>>;
}

async function coldStart(ctx: BenchContext, flags: string[]): Promise<Run> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sy-bench-start-'));
  const main = path.join(ctx.root, process.env.BENCH_CLI ?? SWITCHYARD_MAIN);
  const env = { ...process.env };
  delete env.SWITCHYARD_CONFIG;
  delete env.SWITCHYARD_TOKEN;
  const t0 = performance.now();
  const child = start(
    'serve',
    process.execPath,
    [main, 'serve', '--data-dir', dataDir, '--port', '0', '--log-level', 'debug', ...flags],
    { env },
  );
  try {
    const m = await child.waitFor(/Switchyard listening on (\S+)/, 30_000);
    const banner = performance.now() - t0;
    const cpu = cpuMs(child.process.pid);
    const url = m[1]!;
    const token = (await readFile(path.join(dataDir, 'token'), 'utf8')).trim();
    const body = JSON.stringify(initializeRequest('bench'));
    let ready = 0;
    for (let i = 0; i < 10_000 && !ready; i++) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body,
      }).catch(() => undefined);
      await response?.text();
      if (response?.ok) ready = performance.now() - t0;
    }
    const phases: Run['phases'] = {};
    const line = /startup timings[^\n]*/.exec(child.tail())?.[0] ?? '';
    for (const phase of PHASES) {
      const value = new RegExp(`${phase}=(\\d+)`).exec(line)?.[1];
      if (value) phases[phase] = Number(value);
    }
    return { banner, ready, cpu, phases };
  } finally {
    await child.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export default async function startupBench(ctx: BenchContext): Promise<BenchResult> {
  const runs = ctx.quick ? 3 : 10;
  const rows: BenchResult['rows'] = [];
  const targets: BenchResult['targets'] = [];
  for (const [variant, flags] of [
    ['default (container discovery on)', []],
    ['--no-docker', ['--no-docker']],
  ] as const) {
    const results: Run[] = [];
    for (let i = 0; i < runs; i++) results.push(await coldStart(ctx, [...flags]));
    const med = (f: (r: Run) => number | undefined) =>
      Math.round(median(results.map(f).filter((v): v is number => v !== undefined)));
    const ready = med((r) => r.ready);
    rows.push({
      variant,
      runs,
      'banner ms (p50)': med((r) => r.banner),
      'initialize ok ms (p50)': ready,
      'CPU ms to banner (p50)': med((r) => r.cpu),
      'modules loaded': med((r) => r.phases.modulesLoaded),
      'config loaded': med((r) => r.phases.configLoaded),
      'app built (DB)': med((r) => r.phases.appBuilt),
      listening: med((r) => r.phases.listening),
    });
    ctx.log(`${variant}: ready in ${ready} ms (p50 of ${runs})`);
    targets.push({
      metric: `cold start → endpoint ready, ${variant}`,
      target: `≤ ${TARGET_MS} ms`,
      value: ready,
      pass: ready <= TARGET_MS,
    });
  }
  return {
    name: 'startup',
    rows,
    targets,
    notes: [
      'CPU ms: user + system time of the serve process until its banner (/proc, 10 ms ticks), the figure to compare under load;',
      'BENCH_CLI=dist/core/cli/main.js measures the unbundled tsc output instead of the bundle (dist/bin/main.js).',
      'Phase columns are ms since the serve process started (its own clock), at the end of each phase;',
      '"listening": the port is open; discovery starts in the background (first lists wait for its first sync).',
    ],
  };
}
