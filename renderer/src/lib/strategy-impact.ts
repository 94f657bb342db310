// Wording of a strategy preview (what each endpoint's clients would gain and lose), as pure
// functions so the dialog and its tests read the same text.
import type { ListImpact, ProfileStrategyImpact, StrategyPreview } from '../contract.js';

/** "12 → 8", or "12" when the count stays (names may still change). */
export function countChange(list: ListImpact): string {
  return list.before === list.after ? String(list.before) : `${list.before} → ${list.after}`;
}

/** Whether a list keeps every name it had and gains none. */
export function unchanged(list: ListImpact): boolean {
  return list.gained.length === 0 && list.lost.length === 0;
}

/** Whether the preview changes no advertised name anywhere: the default endpoint or any profile. */
export function changesNothing(preview: StrategyPreview): boolean {
  return (
    unchanged(preview.tools) &&
    unchanged(preview.prompts) &&
    preview.profiles.every((p) => unchanged(p.tools) && unchanged(p.prompts))
  );
}

/**
 * One profile's change in a few words: "−echo, −add, +alpha__echo and 3 more" (tools first, then
 * prompts marked as such), or "no change".
 */
export function profileChanges(impact: ProfileStrategyImpact, max = 6): string {
  const parts = [
    ...impact.tools.lost.map((n) => `−${n.name}`),
    ...impact.tools.gained.map((n) => `+${n.name}`),
    ...impact.prompts.lost.map((n) => `−prompt ${n.name}`),
    ...impact.prompts.gained.map((n) => `+prompt ${n.name}`),
  ];
  if (parts.length === 0) return 'no change';
  const shown = parts.slice(0, max).join(', ');
  return parts.length > max ? `${shown} and ${parts.length - max} more` : shown;
}
