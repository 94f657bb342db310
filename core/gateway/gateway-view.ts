// What the request path serves from: the advertised set as clients may see it right now. Open, it
// is the aggregator's set. Paused (the gateway turned off), it is an empty set — no tools, prompts
// or resources, every routed call refused as paused — while sessions, their GET streams and the
// backends stay as they are; pausing and resuming are each one list change, so every client
// re-lists. Handlers never ask "are we paused?": they read the view (see docs/decisions.md, "Off is
// a pause").
import { EMPTY_SET, type SetChange } from '../aggregate/aggregator.js';
import type { AdvertisedSet } from '../domain/advertised.js';
import { Emitter } from '../support/emitter.js';
import { ErrorCode } from './wire.js';

/** The lists a change touched (what clients are told with list_changed). */
export type ViewChange = Pick<SetChange, 'tools' | 'prompts' | 'resources'>;

/** What the dispatcher and the endpoints read; the aggregator itself is one (always open). */
export interface AdvertisedView {
  readonly current: AdvertisedSet;
  /** During the startup hold: resolves once the set is settled (undefined when it is). */
  settled(): Promise<void> | undefined;
  /** A list of the current set was served to a client (names get pinned). */
  served(): void;
}

/** The source the view follows: the aggregator (its set, hold and pins, and its change events). */
export interface ViewSource extends AdvertisedView {
  readonly changed: Emitter<SetChange>;
}

export const PAUSED_MESSAGE =
  'Switchyard is paused: its tools, prompts and resources are unavailable until it is resumed (from the tray or the dashboard)';

const ALL: ViewChange = { tools: true, prompts: true, resources: true };

/** The paused face of a set: its capabilities (clients keep listening for list_changed), nothing else. */
function pausedSet(set: AdvertisedSet): AdvertisedSet {
  return {
    ...EMPTY_SET,
    version: set.version,
    capabilities: set.capabilities,
    refusal: { code: ErrorCode.Paused, message: PAUSED_MESSAGE },
  };
}

export class GatewayView implements AdvertisedView {
  /** The lists clients see changed (the set's own changes while open; pause and resume). */
  readonly changed = new Emitter<ViewChange>();
  private paused = false;
  /** The paused face, built once per underlying set. */
  private pausedFace: { of: AdvertisedSet; set: AdvertisedSet } | undefined;
  private readonly off: () => void;

  constructor(private readonly source: ViewSource) {
    // While paused the lists are empty whatever the backends do: resuming tells everyone once.
    this.off = source.changed.on((change) => {
      if (!this.paused) this.changed.emit(change);
    });
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get current(): AdvertisedSet {
    const set = this.source.current;
    if (!this.paused) return set;
    if (this.pausedFace?.of !== set) this.pausedFace = { of: set, set: pausedSet(set) };
    return this.pausedFace.set;
  }

  settled(): Promise<void> | undefined {
    return this.paused ? undefined : this.source.settled();
  }

  served(): void {
    if (!this.paused) this.source.served();
  }

  /** Every list becomes empty and every call is refused as paused; clients are told. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.changed.emit(ALL);
  }

  /** Everything is back as the backends have it now; clients are told. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pausedFace = undefined;
    this.changed.emit(ALL);
  }

  dispose(): void {
    this.off();
  }
}
