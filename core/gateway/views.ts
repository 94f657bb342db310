// Which view of the advertised set a request reads: the whole set on /mcp (the profile `default`),
// a profile's own view on /mcp/<profile> (core/profiles: its selection, names, routes and lists).
// Both have the same shape, so the dispatcher and the transports read either alike; both are built
// when the set changes, so choosing one costs a map lookup.
import type { RouteTable } from '../aggregate/routes.js';
import { DEFAULT_PROFILE } from '../config/schema.js';
import type { AdvertisedSet } from '../domain/advertised.js';
import type { Profiles } from '../profiles/profiles.js';
import type { ProfileView } from '../profiles/view.js';
import type { AdvertisedView } from './gateway-view.js';

/** What a request reads: routing, pre-serialized lists, capabilities, and a profile's search mode. */
export type ServedView = RouteTable &
  Pick<AdvertisedSet, 'serialized' | 'capabilities' | 'instructions'> &
  Partial<Pick<ProfileView, 'search' | 'index' | 'aliases'>>;

export class Views {
  constructor(
    /** The gateway's view: the whole set, or its paused face while the gateway is off. */
    private readonly gate: AdvertisedView & { readonly isPaused?: boolean },
    private readonly profiles?: Profiles,
  ) {}

  /** Whether `/mcp/<profile>` is served (`default` always is). */
  has(profile: string): boolean {
    return profile === DEFAULT_PROFILE || (this.profiles?.has(profile) ?? false);
  }

  /** The view a session of `profile` reads now; undefined once the profile left the config. */
  of(profile: string): ServedView | undefined {
    if (profile === DEFAULT_PROFILE || !this.profiles) return this.gate.current;
    if (!this.profiles.has(profile)) return undefined;
    // Paused: every profile serves the paused face too (empty lists, calls refused as paused).
    if (this.gate.isPaused) return this.gate.current;
    return this.profiles.view(profile);
  }

  /** A client of `profile` was given its lists: the names in them are pinned from now on. */
  served(profile: string): void {
    // A profile's names come from the set's, so those are pinned too (nothing while paused).
    this.gate.served();
    if (profile !== DEFAULT_PROFILE && !this.gate.isPaused) this.profiles?.served(profile);
  }
}
