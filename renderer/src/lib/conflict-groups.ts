// Conflicts at scale: a stable order, search, grouping of identical definitions, and the decisions a
// bulk action stands for. Pure functions over the snapshot's conflicts.
import type { Conflict, Decision } from '../contract.js';
import { diffDefinitions } from './schema-diff.js';

const KIND_ORDER: Record<Conflict['kind'], number> = { tool: 0, prompt: 1, resource: 2 };

/**
 * A stable order (kind, then name): a card never moves when it is decided, so the user's place and
 * focus stay where they were.
 */
export function sortConflicts(list: readonly Conflict[]): Conflict[] {
  return [...list].sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
}

/** Case-insensitive substring of the name, a candidate's backend or own name, or the kind. */
export function matchesConflict(conflict: Conflict, query: string): boolean {
  const needle = query.trim().toLowerCase();
  if (!needle) return true;
  return [
    conflict.name,
    conflict.kind,
    ...conflict.candidates.flatMap((c) => [c.backend, c.originalName, c.advertisedAs ?? '']),
  ].some((v) => v.toLowerCase().includes(needle));
}

/** Whether every candidate has the same definition (nothing to compare: any of them will do). */
export function identicalCandidates(conflict: Conflict): boolean {
  const [reference, ...others] = conflict.candidates;
  if (!reference) return false;
  return others.every((c) => diffDefinitions(conflict.kind, reference.definition, c.definition).identical);
}

/** The backends of a conflict, sorted: "alpha + beta". */
export function backendsOf(conflict: Conflict): string[] {
  return [...new Set(conflict.candidates.map((c) => c.backend))].sort();
}

export type ConflictEntry =
  | { type: 'single'; conflict: Conflict }
  /** Conflicts of one kind whose candidates, from the same backends, are all identical. */
  | { type: 'group'; key: string; kind: Conflict['kind']; backends: string[]; conflicts: Conflict[] };

/**
 * The list as shown: identical definitions across the same backends collapse into one group row
 * (placed where its first member would be); everything else stays one card each.
 */
export function groupConflicts(sorted: readonly Conflict[]): ConflictEntry[] {
  const groups = new Map<string, Conflict[]>();
  const keyOf = new Map<string, string>();
  for (const conflict of sorted) {
    if (conflict.candidates.length < 2 || !identicalCandidates(conflict)) continue;
    const key = `${conflict.kind}|${backendsOf(conflict).join('+')}`;
    keyOf.set(conflict.id, key);
    groups.set(key, [...(groups.get(key) ?? []), conflict]);
  }
  const entries: ConflictEntry[] = [];
  const placed = new Set<string>();
  for (const conflict of sorted) {
    const key = keyOf.get(conflict.id);
    const members = key ? groups.get(key)! : undefined;
    if (!key || !members || members.length < 2) {
      entries.push({ type: 'single', conflict });
      continue;
    }
    if (placed.has(key)) continue;
    placed.add(key);
    entries.push({
      type: 'group',
      key,
      kind: conflict.kind,
      backends: backendsOf(conflict),
      conflicts: members,
    });
  }
  return entries;
}

/** Pairs of backends that meet in at least one conflict, with how many: for "X wins all against Y". */
export function backendPairs(list: readonly Conflict[]): { a: string; b: string; count: number }[] {
  const pairs = new Map<string, { a: string; b: string; count: number }>();
  for (const conflict of list) {
    const names = backendsOf(conflict);
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const key = `${names[i]}\u0000${names[j]}`;
        const pair = pairs.get(key) ?? { a: names[i]!, b: names[j]!, count: 0 };
        pair.count++;
        pairs.set(key, pair);
      }
    }
  }
  return [...pairs.values()].sort(
    (x, y) => y.count - x.count || x.a.localeCompare(y.a) || x.b.localeCompare(y.b),
  );
}

/** Whether a decision is already the one in force (a bulk action skips those). */
function alreadyDecided(conflict: Conflict, decision: Decision): boolean {
  return (
    conflict.resolvedBy === 'decision' &&
    conflict.decision !== undefined &&
    JSON.stringify(conflict.decision) === JSON.stringify(decision)
  );
}

/** "Keep all with prefixes" over a list (resources are routed, never prefixed: left out). */
export function prefixAll(list: readonly Conflict[]): { conflict: Conflict; decision: Decision }[] {
  const decision: Decision = { action: 'prefix' };
  return list
    .filter((c) => c.kind !== 'resource' && !alreadyDecided(c, decision))
    .map((conflict) => ({ conflict, decision }));
}

/** "`winner` wins all against `loser`": every conflict where both take part goes to `winner`. */
export function winsAll(
  list: readonly Conflict[],
  winner: string,
  loser: string,
): { conflict: Conflict; decision: Decision }[] {
  const decision: Decision = { action: 'winner', backend: winner };
  return list
    .filter((c) => {
      const names = backendsOf(c);
      return names.includes(winner) && names.includes(loser) && !alreadyDecided(c, decision);
    })
    .map((conflict) => ({ conflict, decision }));
}

/** After `id` was decided: the next open conflict in the list (wrapping), else null. */
export function nextOpen(list: readonly Conflict[], id: string): Conflict | null {
  const index = list.findIndex((c) => c.id === id);
  const ordered = index < 0 ? list : [...list.slice(index + 1), ...list.slice(0, index)];
  return ordered.find((c) => c.open && c.id !== id) ?? null;
}
