// Tool integrity on the 2,000-tool set (50 backends × 40 tools, the shape multi-fixture.ts serves),
// in process: what pinning definitions adds to an aggregation rebuild, next to the rebuild itself.
//
//   - first sight: every tool hashed, scanned for findings and pinned (once per new tool);
//   - steady rebuild: the check of a rebuild where nothing changed (hashes cached per catalog
//     object, so only a backend that re-listed is hashed again);
//   - re-listed: every backend re-sent its catalog (fresh objects: every tool re-hashed);
//   - hash only, scan only: the two costs apart;
//   - buildAdvertisedSet over the same catalogs, for the ratio (same run, same machine).
//
// Targets (ratios measured in the same run): the steady check costs at most a quarter of the rebuild
// it runs in; re-hashing everything (every backend re-listed at once, e.g. at start) at most four
// rebuilds. A backend's re-list happens on its list_changed, never on a request.
import { performance } from 'node:perf_hooks';
import { buildAdvertisedSet } from '../../core/aggregate/build.js';
import { validateConfig } from '../../core/config/load.js';
import type { BackendCatalog, ToolDef } from '../../common/domain/capability.js';
import { definitionHash } from '../../core/integrity/canonical.js';
import { scanDefinition } from '../../core/integrity/findings.js';
import { IntegrityGuard } from '../../core/integrity/guard.js';
import { MemoryIntegrityStore } from '../../core/store/memory.js';
import { silentLogger } from '../../core/support/logger.js';
import { median } from './lib/stats.js';
import type { BenchContext, BenchResult } from './types.js';

const BACKENDS = 50;
const TOOLS = 40;
const pad = (n: number) => String(n).padStart(2, '0');

/** The JSON a backend sends for multi-fixture's tools (zod → JSON Schema by the SDK). */
function tool(server: number, t: number): ToolDef {
  return {
    name: `b${pad(server)}_tool_${pad(t)}`,
    description: `Benchmark tool ${t} of backend ${server}: returns its own name.`,
    inputSchema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        message: { type: 'string' },
        count: { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 },
      },
    },
    execution: { taskSupport: 'forbidden' },
  };
}

function catalogs(): BackendCatalog[] {
  return Array.from({ length: BACKENDS }, (_, s) => ({
    backend: `b${pad(s)}`,
    serverCapabilities: { tools: { listChanged: true } },
    tools: Array.from({ length: TOOLS }, (_, t) => tool(s, t)),
    prompts: [],
    resources: [],
    resourceTemplates: [],
  }));
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

export default async function integrityBench(ctx: BenchContext): Promise<BenchResult> {
  const rounds = ctx.quick ? 5 : 30;
  const config = validateConfig({}, {});
  if (!config.ok) throw new Error('default config invalid');
  const aggregation = config.config.aggregation;
  const policy = { newTools: 'allow', changedTools: 'hold' } as const;
  const newGuard = () =>
    new IntegrityGuard({
      store: new MemoryIntegrityStore(),
      policyOf: () => policy,
      clock: { now: () => Date.now() },
      logger: silentLogger,
    });

  const samples: Record<string, number[]> = {
    firstSight: [],
    steady: [],
    relisted: [],
    hash: [],
    scan: [],
    build: [],
  };
  for (let round = 0; round < rounds; round++) {
    ctx.log(`round ${round + 1}/${rounds}`);
    const cats = catalogs();
    const tools = cats.flatMap((c) => c.tools);
    const guard = newGuard();
    samples.firstSight!.push(time(() => guard.check(cats)));
    samples.steady!.push(time(() => guard.check(cats)));
    const fresh = catalogs();
    samples.relisted!.push(time(() => guard.check(fresh)));
    samples.hash!.push(time(() => tools.forEach((t) => definitionHash('tool', t))));
    samples.scan!.push(time(() => tools.forEach((t) => scanDefinition('tool', t))));
    samples.build!.push(
      time(() =>
        buildAdvertisedSet(
          {
            catalogs: cats,
            knownBackends: new Set(cats.map((c) => c.backend)),
            config: aggregation,
            pins: [],
            decisions: [],
          },
          Date.now(),
        ),
      ),
    );
  }
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<
    string,
    number
  >;
  const n = BACKENDS * TOOLS;
  const row = (what: string, ms: number) => ({
    what,
    'ms (median)': ms,
    'µs per tool': (ms * 1000) / n,
    '× rebuild': ms / m.build!,
  });
  const steadyRatio = m.steady! / m.build!;
  const relistRatio = m.relisted! / m.build!;
  return {
    name: 'integrity',
    rows: [
      row('buildAdvertisedSet (the rebuild)', m.build!),
      row('check, first sight (hash + scan + pin)', m.firstSight!),
      row('check, steady rebuild (cached hashes)', m.steady!),
      row('check, every backend re-listed', m.relisted!),
      row('hash only (canonical JSON + sha256)', m.hash!),
      row('scan only (findings)', m.scan!),
    ],
    targets: [
      {
        metric: 'steady check / rebuild',
        target: '≤ 0.25',
        value: Number(steadyRatio.toFixed(3)),
        pass: steadyRatio <= 0.25,
      },
      {
        metric: 're-listed check / rebuild',
        target: '≤ 4',
        value: Number(relistRatio.toFixed(3)),
        pass: relistRatio <= 4,
      },
    ],
    notes: [`${n} tools (${BACKENDS} backends × ${TOOLS}), ${rounds} rounds, medians; in process, no I/O.`],
  };
}
