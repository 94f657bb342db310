// The benchmark runner (`npm run bench [-- --quick] [--strict] [name …]`).
//
// Runs every test/bench/*.bench.ts in name order (or those whose file name contains one of the
// given names), prints a table per module and a summary of targets, and writes everything to
// bench-results/<timestamp>.json and bench-results/latest.json.
//
//   --quick   a much shorter smoke run (ctx.quick); figures are indicative only
//   --strict  exit 1 when a target fails (by default only a crashed module fails the run:
//             figures from a shared 2-core machine are too noisy to gate on by default)
//
// Every child process a module starts through lib/procs.ts is killed after the module, even
// when it threw, and again if the runner is interrupted.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { killAllNow, stopAll } from './lib/procs.js';
import type { BenchContext, BenchModule, BenchResult } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const resultsDir = path.join(root, 'bench-results');

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const strict = argv.includes('--strict');
const unknown = argv.filter((a) => a.startsWith('-') && a !== '--quick' && a !== '--strict');
if (unknown.length) {
  process.stderr.write(
    `bench: unknown option ${unknown.join(' ')} (use --quick, --strict, or module names)\n`,
  );
  process.exit(2);
}
const filters = argv.filter((a) => !a.startsWith('-'));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping child processes\n`);
    killAllNow();
    process.exit(130);
  });
}
process.once('exit', killAllNow);

function formatCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    if (Number.isInteger(value)) return String(value);
    return String(Math.abs(value) >= 100 ? Math.round(value) : Number(value.toPrecision(3)));
  }
  return value;
}

function table(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '  (no rows)';
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    '  ' +
    values
      .map((v, i) =>
        i === 0 || Number.isNaN(Number(v)) || v === '' ? v.padEnd(widths[i]!) : v.padStart(widths[i]!),
      )
      .join(' | ')
      .trimEnd();
  return [line(columns), '  ' + widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line)].join('\n');
}

/**
 * A module's rows as one or more tables: consecutive rows sharing their columns form one table
 * (a row whose columns are a subset of the current table's joins it), so a module mixing kinds of
 * rows does not print one very wide table full of blanks.
 */
function tables(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '  (no rows)';
  const groups: Array<{ keys: Set<string>; rows: Array<Record<string, string | number>> }> = [];
  for (const row of rows) {
    const keys = Object.keys(row);
    const last = groups[groups.length - 1];
    const subset = last !== undefined && keys.every((k) => last.keys.has(k));
    const superset = last !== undefined && [...last.keys].every((k) => keys.includes(k));
    if (last && (subset || superset)) {
      for (const k of keys) last.keys.add(k);
      last.rows.push(row);
    } else groups.push({ keys: new Set(keys), rows: [row] });
  }
  return groups.map((g) => table(g.rows)).join('\n\n');
}

async function discover(): Promise<string[]> {
  const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
  if (filters.length === 0) return files;
  return files.filter((f) => filters.some((name) => f.includes(name)));
}

interface ModuleRun {
  file: string;
  durationMs: number;
  result: BenchResult;
  error?: string;
}

async function main(): Promise<number> {
  await mkdir(resultsDir, { recursive: true });
  const files = await discover();
  if (files.length === 0) {
    process.stderr.write(`bench: no test/bench/*.bench.ts matches ${filters.join(', ') || '(none found)'}\n`);
    return 2;
  }
  const startedAt = new Date();
  process.stderr.write(
    `bench: ${files.length} module(s)${quick ? ' (quick)' : ''} on ${os.cpus().length} CPU(s), ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  );
  const runs: ModuleRun[] = [];
  for (const file of files) {
    const name = file.replace(/\.bench\.ts$/, '');
    const ctx: BenchContext = {
      log: (line) => process.stderr.write(`[${name}] ${line}\n`),
      resultsDir,
      root,
      quick,
    };
    const t0 = Date.now();
    let result: BenchResult;
    let error: string | undefined;
    try {
      const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { default?: BenchModule };
      if (typeof mod.default !== 'function')
        throw new Error(`${file} has no default-exported bench function`);
      result = await mod.default(ctx);
    } catch (e) {
      error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      ctx.log(`FAILED: ${error}`);
      result = {
        name,
        rows: [],
        targets: [{ metric: 'module completed', target: 'no error', value: 'error', pass: false }],
        notes: [error.split('\n')[0]!],
      };
    } finally {
      const leftover = await stopAll();
      if (leftover) ctx.log(`stopped ${leftover} child process(es) left running`);
    }
    runs.push({ file, durationMs: Date.now() - t0, result, ...(error ? { error } : {}) });

    process.stdout.write(
      `\n== ${result.name} (${((Date.now() - t0) / 1000).toFixed(1)} s) ==\n${tables(result.rows)}\n`,
    );
    if (result.targets.length) {
      process.stdout.write(
        `\n${table(
          result.targets.map((t) => ({
            target: t.metric,
            wanted: t.target,
            measured: typeof t.value === 'number' ? Number(t.value.toPrecision(3)) : t.value,
            verdict: t.pass ? 'PASS' : 'FAIL',
          })),
        )}\n`,
      );
    }
    for (const note of result.notes ?? []) process.stdout.write(`  - ${note}\n`);
  }

  const all = runs.flatMap((r) => r.result.targets.map((t) => ({ module: r.result.name, ...t })));
  const failed = all.filter((t) => !t.pass);
  process.stdout.write(`\n== summary: ${all.length - failed.length}/${all.length} targets pass ==\n`);
  for (const t of all) {
    const value = typeof t.value === 'number' ? Number(t.value.toPrecision(3)) : t.value;
    process.stdout.write(
      `  ${t.pass ? 'PASS' : 'FAIL'}  ${t.module}: ${t.metric} = ${value} (target ${t.target})\n`,
    );
  }

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick,
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      loadAverageAtEnd: os.loadavg(),
    },
    modules: runs,
    summary: { targets: all.length, passed: all.length - failed.length, failed: failed.length },
  };
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const json = JSON.stringify(report, null, 2);
  const file = path.join(resultsDir, `${stamp}${quick ? '-quick' : ''}.json`);
  await writeFile(file, json);
  await writeFile(path.join(resultsDir, 'latest.json'), json);
  process.stdout.write(`\nresults: ${path.relative(root, file)} (and bench-results/latest.json)\n`);

  if (runs.some((r) => r.error)) return 1;
  return strict && failed.length ? 1 : 0;
}

main().then(
  (code) => {
    // Exit explicitly: a module's stray timer or socket must not keep the run alive.
    // (stdout/stderr to pipes and files are synchronous on Linux, so nothing is lost.)
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    killAllNow();
    process.exit(1);
  },
);
