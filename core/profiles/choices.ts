// The tools a profile could show and which it does (the dashboard's per-profile pick), and the
// include/exclude lists a pick becomes. Pure: the same set, config and pick always give the same
// lists, so a test checks every rule directly.
import type { AdvertisedSet } from '../domain/advertised.js';
import type { ProfileConfig } from '../config/schema.js';
import type { ProfileToolChoice, ProfileTools } from '../../common/domain/profile-tools.js';
import { presetFor } from './presets.js';
import { byBackends, matchesTool, selectTools, type Entry } from './select.js';

/** `backend/originalName`: how a pick names a tool, and the pattern written for it. */
export const toolKey = (entry: Entry) => `${entry.route.backend}/${entry.route.originalName}`;

function candidates(
  set: Pick<AdvertisedSet, 'toolRoutes'>,
  backends: readonly string[] | undefined,
): Entry[] {
  return byBackends(
    [...set.toolRoutes].map(([name, route]) => ({ name, route })),
    backends,
  );
}

export function profileChoices(
  set: Pick<AdvertisedSet, 'toolRoutes'>,
  name: string,
  config: ProfileConfig,
): ProfileTools {
  const preset = presetFor(config.client);
  const all = candidates(set, config.backends);
  const selected = new Set(
    selectTools(all, { include: config.tools.include, exclude: config.tools.exclude }),
  );
  const tools: ProfileToolChoice[] = all.map((entry) => {
    const def = entry.route.definition;
    return {
      key: toolKey(entry),
      backend: entry.route.backend,
      originalName: entry.route.originalName,
      name: entry.name,
      ...(typeof def.title === 'string' ? { title: def.title } : {}),
      ...(typeof def.description === 'string' ? { description: def.description } : {}),
      selected: selected.has(entry),
    };
  });
  return {
    profile: name,
    backends: config.backends ? [...config.backends] : null,
    include: [...config.tools.include],
    exclude: [...config.tools.exclude],
    newTools: config.tools.include.length > 0 ? 'hidden' : 'shown',
    tools,
    budget: config.maxTools ?? preset.maxTools ?? null,
    clientLimit: preset.maxTools ?? null,
    limitKind: preset.limitKind ?? null,
    clientLabel: preset.label,
  };
}

/** A pick from the dashboard: the keys checked, among the keys the pick showed (what was decided). */
export interface ToolPick {
  picked: readonly string[];
  /** The keys the draft was built from: the tools the user saw, checked or not. */
  shown: readonly string[];
}

/**
 * The include/exclude lists for a pick among the profile's tools now. Only the tools the pick
 * showed change: each is taken when picked and left out when not; a tool it did not show (one a
 * backend added while the pick was open) keeps what the current lists give it, so Save never hides
 * a tool the user never saw. A pattern of the current lists that matches none of the tools now is
 * kept as written (it may concern a backend that is down); the rest is written as `backend/tool`
 * keys. The lists keep their kind: a profile with an `include` goes on listing what it takes (new
 * tools stay hidden), one without lists what it leaves out (new tools show). Taking none with an
 * `include` writes `exclude: ["*"]` (an empty include would mean all).
 */
export function pickedLists(
  set: Pick<AdvertisedSet, 'toolRoutes'>,
  config: Pick<ProfileConfig, 'backends'>,
  current: { include: readonly string[]; exclude: readonly string[] },
  pick: ToolPick,
): { include: string[]; exclude: string[] } {
  const all = candidates(set, config.backends);
  const unmatched = (patterns: readonly string[]) =>
    patterns.filter((p) => !all.some((entry) => matchesTool(p, entry)));
  const now = new Set(selectTools(all, { include: current.include, exclude: current.exclude }));
  const wanted = new Set(pick.picked);
  // A picked key is a decision too, even if the caller left it out of `shown`.
  const decided = new Set([...pick.shown, ...pick.picked]);
  const takes = (entry: Entry) => {
    const key = toolKey(entry);
    return decided.has(key) ? wanted.has(key) : now.has(entry);
  };
  const chosen = all.filter(takes).map(toolKey);
  const left = all.filter((entry) => !takes(entry)).map(toolKey);
  const keptInclude = unmatched(current.include);
  const keptExclude = unmatched(current.exclude);
  if (current.include.length === 0) return { include: [], exclude: [...keptExclude, ...left] };
  const include = [...keptInclude, ...chosen];
  if (include.length === 0) return { include: [], exclude: [...keptExclude, '*'] };
  return { include, exclude: keptExclude };
}
