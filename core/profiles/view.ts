// A profile's view of the advertised set: the same backends, its own selection, names fitted to
// its client's rule, its own routing table and pre-serialized lists. Built when the set (or the
// profile's config) changes, never on a request; a pure function of the set, the profile and its
// pins, so a test can check every rule directly.
import type { AdvertisedSet, HeldRoute, Route } from '../domain/advertised.js';
import type { JsonObject, PromptDef, ResourceTemplateDef, ToolDef } from '../../common/domain/capability.js';
import type { ProfileConfig } from '../config/schema.js';
import { presetFor, type ClientPreset } from './presets.js';
import type { ProfileReport } from '../../common/domain/profile.js';

export type { ProfileReport };
import { assignNames } from './names.js';
import { applyBudget, byBackends, selectTools, type Entry } from './select.js';
import { META_TOOLS, ToolIndex } from './search.js';
import { capabilityUnion, type RouteTable } from '../aggregate/routes.js';

/** A name a profile gave one backend's tool or prompt, kept so a client never sees it change. */
export interface ProfilePin {
  profile: string;
  kind: 'tool' | 'prompt';
  backend: string;
  originalName: string;
  advertisedName: string;
  pinnedAt: number;
}

/** The profile's lists and routing, in the same shape as the set's (routing reads either alike). */
export interface ProfileView
  extends
    RouteTable,
    Pick<
      AdvertisedSet,
      'tools' | 'prompts' | 'resources' | 'resourceTemplates' | 'capabilities' | 'instructions' | 'serialized'
    > {
  profile: string;
  /** The advertised set version this view was built from. */
  setVersion: number;
  /** Search mode: tools/list holds find_tools + call_tool, and `index` ranks the reachable tools. */
  search: boolean;
  index: ToolIndex | undefined;
  /** The default set's name → this profile's name, where they differ (call_tool accepts both). */
  aliases: ReadonlyMap<string, string>;
  report: ProfileReport;
}

export interface ProfileDefinition {
  name: string;
  config: ProfileConfig;
}

export interface ProfileBuild {
  view: ProfileView;
  /** Names this build gave that no pin records yet: pinned once a client is served them. */
  pins: ProfilePin[];
}

type SetInput = Omit<AdvertisedSet, 'conflicts'>;

/** A held tool or prompt as the default set names it (its route carries no definition). */
interface HeldEntry extends Entry {
  held: HeldRoute;
}

/** Whether search mode is on for a profile of this size. */
export function searchOn(config: ProfileConfig, preset: ClientPreset, selected: number): boolean {
  if (config.search !== 'auto') return config.search === 'on';
  const budget = config.maxTools ?? preset.maxTools;
  return budget !== undefined && selected > budget && !preset.ownToolSearch;
}

export function buildProfileView(
  set: SetInput,
  profile: ProfileDefinition,
  pins: readonly ProfilePin[],
  now: number,
): ProfileBuild {
  const { config, name } = profile;
  const preset = presetFor(config.client);
  const serverName = config.serverName;
  const budget = config.maxTools ?? preset.maxTools;
  const backends = config.backends;
  const inProfile = (backend: string) => backends === undefined || backends.includes(backend);

  const entries = (routes: ReadonlyMap<string, Route>): Entry[] =>
    [...routes].map(([advertised, route]) => ({ name: advertised, route }));
  const selected = selectTools(entries(set.toolRoutes), {
    backends,
    include: config.tools.include,
    exclude: config.tools.exclude,
  });
  const search = searchOn(config, preset, selected.length);
  const { kept, cut } = search ? { kept: selected, cut: [] } : applyBudget(selected, budget);
  const prompts = byBackends(entries(set.promptRoutes), backends);

  const pinKey = (kind: string, backend: string, original: string) =>
    `${kind}\u0000${backend}\u0000${original}`;
  const pinned = new Map(pins.map((p) => [pinKey(p.kind, p.backend, p.originalName), p]));
  const newPins: ProfilePin[] = [];
  const shortened: ProfileReport['shortened'] = [];
  const aliases = new Map<string, string>();

  // A held tool (tool integrity) is in no list, but a client may still call it by the name this
  // profile gave it: it is named with the listed ones (same rule, same pins, no name taken twice)
  // so that name reaches the held record and its -32003, never "Unknown tool".
  const heldEntries = (held: ReadonlyMap<string, HeldRoute>): HeldEntry[] =>
    [...held].map(([advertised, h]) => ({
      name: advertised,
      route: { backend: h.backend, originalName: h.originalName, definition: {} },
      held: h,
    }));

  const named = (kind: 'tool' | 'prompt', list: Entry[], held: HeldEntry[]) => {
    const all: (Entry | HeldEntry)[] = [...list, ...held];
    const names = assignNames(
      all,
      (e) => e.name,
      (e) => pinned.get(pinKey(kind, e.route.backend, e.route.originalName))?.advertisedName,
      preset.names,
      serverName,
    );
    const routes = new Map<string, Route>();
    const heldRoutes = new Map<string, HeldRoute>();
    const defs: JsonObject[] = [];
    for (const entry of held) {
      const given = names.get(entry)!;
      heldRoutes.set(given, entry.held);
      if (given !== entry.name) aliases.set(entry.name, given);
    }
    for (const entry of list) {
      const given = names.get(entry)!;
      const definition =
        given === entry.name ? entry.route.definition : { ...entry.route.definition, name: given };
      defs.push(definition);
      routes.set(given, given === entry.name ? entry.route : { ...entry.route, definition });
      if (given !== entry.name) {
        aliases.set(entry.name, given);
        if (kind === 'tool') shortened.push({ from: entry.name, to: given, backend: entry.route.backend });
        const pin = pinned.get(pinKey(kind, entry.route.backend, entry.route.originalName));
        if (pin?.advertisedName !== given) {
          newPins.push({
            profile: name,
            kind,
            backend: entry.route.backend,
            originalName: entry.route.originalName,
            advertisedName: given,
            pinnedAt: now,
          });
        }
      }
    }
    return { routes, held: heldRoutes, defs };
  };

  // Held tools go through the profile's selection like listed ones (an excluded tool stays unknown).
  const heldTools = selectTools(heldEntries(set.heldTools), {
    backends,
    include: config.tools.include,
    exclude: config.tools.exclude,
  }) as HeldEntry[];
  const heldPrompts = byBackends(heldEntries(set.heldPrompts), backends) as HeldEntry[];
  const tools = named('tool', kept, heldTools);
  const promptNames = named('prompt', prompts, heldPrompts);
  const resources = set.resources.filter((r) => inProfile(set.resourceOwners.get(r.uri) ?? ''));
  const templateRoutes = set.templateRoutes.filter((t) => inProfile(t.backend));
  const templateUris = new Set(templateRoutes.map((t) => t.uriTemplate));
  const resourceTemplates: ResourceTemplateDef[] = set.resourceTemplates.filter((t) =>
    templateUris.has(t.uriTemplate),
  );
  const resourceOwners = new Map([...set.resourceOwners].filter(([, backend]) => inProfile(backend)));
  const backendCapabilities = new Map([...set.backendCapabilities].filter(([backend]) => inProfile(backend)));

  const listed = search ? [...META_TOOLS] : (tools.defs as ToolDef[]);
  const view: ProfileView = {
    profile: name,
    setVersion: set.version,
    tools: listed,
    prompts: promptNames.defs as PromptDef[],
    resources,
    resourceTemplates,
    toolRoutes: tools.routes,
    promptRoutes: promptNames.routes,
    resourceOwners,
    templateRoutes,
    backendCapabilities,
    // Tools held by tool integrity are in no list; a call to one (by this profile's name for it)
    // is refused the same way here.
    heldTools: tools.held,
    heldPrompts: promptNames.held,
    capabilities: capabilityUnion(backendCapabilities),
    ...(set.instructions !== undefined ? { instructions: set.instructions } : {}),
    serialized: {
      tools: JSON.stringify({ tools: listed }),
      prompts: JSON.stringify({ prompts: promptNames.defs }),
      resources: JSON.stringify({ resources }),
      resourceTemplates: JSON.stringify({ resourceTemplates }),
    },
    search,
    index: search ? new ToolIndex(tools.defs as ToolDef[]) : undefined,
    aliases,
    report: {
      profile: name,
      client: preset.kind,
      clientLabel: preset.label,
      endpointPath: `/mcp/${name}`,
      selected: selected.length,
      advertised: listed.length,
      reachable: kept.length,
      budget: budget ?? null,
      clientLimit: preset.maxTools ?? null,
      limitKind: preset.limitKind ?? null,
      search,
      searchSetting: config.search,
      nameRule: preset.names.describe.replace('<server>', serverName),
      maxNameLength: preset.names.maxLength(serverName),
      cut: cut.map((e) => `${e.route.backend}/${e.route.originalName}`),
      shortened,
    },
  };
  return { view, pins: newPins };
}
