// The contract between the bench runner (test/bench/run.ts) and each bench module
// (test/bench/*.bench.ts, default-exporting `async function (ctx: BenchContext): Promise<BenchResult>`).
// Other modules rely on this shape exactly: extend it only compatibly.

export interface BenchContext {
  /** A progress line (goes to stderr, prefixed with the module name). */
  log(line: string): void;
  /** Absolute path of bench-results/ (exists); a module may write extra artifacts there. */
  resultsDir: string;
  /** Absolute path of the repository root. */
  root: string;
  /** `--quick`: a much shorter smoke run (figures are indicative only). */
  quick: boolean;
}

export interface BenchResult {
  name: string;
  /** One table; columns are the union of the rows' keys, in first-seen order. */
  rows: Array<Record<string, string | number>>;
  targets: Array<{ metric: string; target: string; value: number | string; pass: boolean }>;
  notes?: string[];
}

export type BenchModule = (ctx: BenchContext) => Promise<BenchResult>;
