// Which of the advertised set's tools a profile keeps: its backends (in the order it lists them),
// its include/exclude patterns, then its budget. Pure: the same set and config always select the
// same tools in the same order, and what the budget cut is reported, never silently lost.
import type { Route } from '../domain/advertised.js';
import { matchesPattern } from '../aggregate/names.js';

export interface SelectionConfig {
  /** Backends to show, in this order; undefined: all, in the set's (registration) order. */
  backends?: readonly string[] | undefined;
  include: readonly string[];
  exclude: readonly string[];
}

/** One advertised tool or prompt as the default set names it. */
export interface Entry {
  /** The default set's advertised name (unique in the set). */
  name: string;
  route: Route;
}

/**
 * A pattern names a tool by its advertised name ("search_code", "git*") or, with a "/", by
 * backend and the backend's own name ("github/*", "github/search_code").
 */
export function matchesTool(pattern: string, entry: Entry): boolean {
  const slash = pattern.indexOf('/');
  if (slash < 0) return matchesPattern(pattern, entry.name);
  const backend = pattern.slice(0, slash);
  const tool = pattern.slice(slash + 1);
  return (
    matchesPattern(backend, entry.route.backend) &&
    (matchesPattern(tool, entry.route.originalName) || matchesPattern(tool, entry.name))
  );
}

/** Entries of the profile's backends, in the profile's backend order, each backend's own order kept. */
export function byBackends(entries: readonly Entry[], backends: readonly string[] | undefined): Entry[] {
  if (backends === undefined) return [...entries];
  const rank = new Map(backends.map((b, i) => [b, i]));
  return entries
    .filter((e) => rank.has(e.route.backend))
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank.get(a.e.route.backend)! - rank.get(b.e.route.backend)! || a.i - b.i)
    .map(({ e }) => e);
}

/** The profile's tools before the budget: its backends, then include (empty: all), then exclude. */
export function selectTools(entries: readonly Entry[], config: SelectionConfig): Entry[] {
  return byBackends(entries, config.backends).filter(
    (e) =>
      (config.include.length === 0 || config.include.some((p) => matchesTool(p, e))) &&
      !config.exclude.some((p) => matchesTool(p, e)),
  );
}

export interface Budgeted {
  kept: Entry[];
  /** What the budget left out, in order (the tail of the selection). */
  cut: Entry[];
}

/** The first `budget` entries in selection order; the rest are cut. */
export function applyBudget(selected: readonly Entry[], budget: number | undefined): Budgeted {
  if (budget === undefined || selected.length <= budget) return { kept: [...selected], cut: [] };
  return { kept: selected.slice(0, budget), cut: selected.slice(budget) };
}
