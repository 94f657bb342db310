// Keeps every profile's view current: rebuilt from the advertised set whenever it changes (and when
// the profiles' config changes), never on a request. Tells the gateway which profile's lists changed
// so only that profile's sessions hear list_changed, and pins the names a profile shortened once a
// client of that profile has been served them.
import type { AdvertisedSet } from '../domain/advertised.js';
import type { Clock } from '../domain/runtime.js';
import type { ProfilePinStore } from '../domain/stores.js';
import type { ProfileConfig } from '../config/schema.js';
import { DEFAULT_PROFILE } from '../config/schema.js';
import { Emitter } from '../support/emitter.js';
import { presetFor } from './presets.js';
import {
  buildProfileView,
  type ProfileDefinition,
  type ProfilePin,
  type ProfileReport,
  type ProfileView,
} from './view.js';

/** What the profiles read from the aggregator. */
export interface SetSource {
  readonly current: AdvertisedSet;
  readonly changed: { on(listener: (change: { set: AdvertisedSet }) => void): () => void };
}

export interface ProfileChange {
  profile: string;
  /** undefined: the profile was removed from the config. */
  view: ProfileView | undefined;
  tools: boolean;
  prompts: boolean;
  resources: boolean;
}

export class Profiles {
  readonly changed = new Emitter<ProfileChange>();
  private readonly views = new Map<string, ProfileView>();
  /** Names built but not served yet, per profile (pinned on first serve, like the set's own). */
  private readonly pending = new Map<string, ProfilePin[]>();
  private definitions: ProfileDefinition[];
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly source: SetSource,
    config: Record<string, ProfileConfig>,
    private readonly pins: ProfilePinStore,
    private readonly clock: Clock,
  ) {
    this.definitions = definitionsOf(config);
  }

  start(): void {
    this.unsubscribe ??= this.source.changed.on(() => this.rebuild());
    this.rebuild();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Whether `name` is a profile this gateway serves (`default` always is). */
  has(name: string): boolean {
    return name === DEFAULT_PROFILE || this.views.has(name);
  }

  /** A configured profile's current view (undefined for `default` and unknown names). */
  view(name: string): ProfileView | undefined {
    return this.views.get(name);
  }

  names(): string[] {
    return this.definitions.map((d) => d.name);
  }

  /** A configured profile's config in force (undefined for `default` and unknown names). */
  config(name: string): ProfileConfig | undefined {
    return this.definitions.find((d) => d.name === name)?.config;
  }

  /** The advertised set the views are built from. */
  get set(): AdvertisedSet {
    return this.source.current;
  }

  /** A client of `profile` was just given its lists: the names in them are pinned from now on. */
  served(profile: string): void {
    const pins = this.pending.get(profile);
    if (!pins || pins.length === 0) return;
    this.pins.upsert(pins);
    this.pending.delete(profile);
  }

  /** Applies a new `profiles` config: changed and removed profiles tell their sessions. */
  updateConfig(config: Record<string, ProfileConfig>): void {
    const before = new Set(this.views.keys());
    this.definitions = definitionsOf(config);
    for (const name of before) {
      if (config[name] !== undefined) continue;
      this.views.delete(name);
      this.pending.delete(name);
      this.changed.emit({ profile: name, view: undefined, tools: true, prompts: true, resources: true });
    }
    this.rebuild();
  }

  /** Rebuilds every profile's view from the current set; emits a change where a list changed. */
  rebuild(): void {
    const set = this.source.current;
    const now = this.clock.now();
    for (const definition of this.definitions) {
      const { view, pins } = buildProfileView(set, definition, this.pins.forProfile(definition.name), now);
      const before = this.views.get(definition.name);
      this.views.set(definition.name, view);
      this.pending.set(definition.name, pins);
      const change = {
        tools: before?.serialized.tools !== view.serialized.tools,
        prompts: before?.serialized.prompts !== view.serialized.prompts,
        resources:
          before?.serialized.resources !== view.serialized.resources ||
          before?.serialized.resourceTemplates !== view.serialized.resourceTemplates,
      };
      if (before && (change.tools || change.prompts || change.resources))
        this.changed.emit({ profile: definition.name, view, ...change });
    }
  }

  /** Every configured profile's current view (in config order; none before start()). */
  currentViews(): ProfileView[] {
    return this.definitions.flatMap((d) => this.views.get(d.name) ?? []);
  }

  /**
   * Every configured profile's view as it would be over `set` (a strategy preview): built by the
   * same function as the real views, with the same pins, and nothing kept, pinned or announced.
   */
  viewsOver(set: Omit<AdvertisedSet, 'version'>): ProfileView[] {
    const now = this.clock.now();
    // A preview is no version of the set: -1 marks views that are never served.
    const previewed = { ...set, version: -1 };
    return this.definitions.map(
      (d) => buildProfileView(previewed, d, this.pins.forProfile(d.name), now).view,
    );
  }

  /** Per profile, `default` first: what each client sees against what it accepts. */
  reports(): ProfileReport[] {
    const set = this.source.current;
    const generic = presetFor(undefined);
    const everything: ProfileReport = {
      profile: DEFAULT_PROFILE,
      client: generic.kind,
      clientLabel: generic.label,
      endpointPath: '/mcp',
      selected: set.tools.length,
      advertised: set.tools.length,
      reachable: set.tools.length,
      budget: null,
      clientLimit: null,
      limitKind: null,
      search: false,
      searchSetting: 'off',
      nameRule: generic.names.describe,
      maxNameLength: generic.names.maxLength(''),
      cut: [],
      shortened: [],
    };
    // Before start() no view is built yet: only what exists is reported.
    const built = this.definitions.flatMap((d) => this.views.get(d.name)?.report ?? []);
    return [everything, ...built];
  }
}

function definitionsOf(config: Record<string, ProfileConfig>): ProfileDefinition[] {
  return Object.entries(config).map(([name, profile]) => ({ name, config: profile }));
}
