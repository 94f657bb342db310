// Numeric knobs a bench module reads from the environment (BENCH_WARMUP_MS, BENCH_TAIL_WARMUP):
// unset means the module's default; anything but a positive number stops the run with the
// variable's name, instead of a NaN that would quietly skip the warm-up.

/** The positive number in `name`, or `fallback` when it is unset or empty. */
export function positiveFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number (got "${raw}")`);
  return value;
}
