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

/**
 * The include/exclude lists for picking exactly `picked` (keys) among the profile's tools now.
 * A pattern of the current lists that matches none of those tools is kept as written (it may
 * concern a backend that is down); the rest is written as `backend/tool` keys. The lists keep their
 * kind: a profile with an `include` goes on listing what it takes (new tools stay hidden), one
 * without lists what it leaves out (new tools show). Picking none with an `include` writes
 * `exclude: ["*"]` (an empty include would mean all).
 */
export function pickedLists(
  set: Pick<AdvertisedSet, 'toolRoutes'>,
  config: Pick<ProfileConfig, 'backends'>,
  current: { include: readonly string[]; exclude: readonly string[] },
  picked: readonly string[],
): { include: string[]; exclude: string[] } {
  const all = candidates(set, config.backends);
  const unmatched = (patterns: readonly string[]) =>
    patterns.filter((p) => !all.some((entry) => matchesTool(p, entry)));
  const wanted = new Set(picked);
  const keys = all.map(toolKey);
  const chosen = keys.filter((k) => wanted.has(k));
  const left = keys.filter((k) => !wanted.has(k));
  const keptInclude = unmatched(current.include);
  const keptExclude = unmatched(current.exclude);
  if (current.include.length === 0) return { include: [], exclude: [...keptExclude, ...left] };
  const include = [...keptInclude, ...chosen];
  if (include.length === 0) return { include: [], exclude: [...keptExclude, '*'] };
  return { include, exclude: keptExclude };
}
