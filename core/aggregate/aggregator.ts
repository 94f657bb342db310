// Keeps the advertised set current: rebuilds it when a backend's catalog changes (coalescing
// bursts such as fifty containers starting at once), pins every name it advertises, and tells the
// gateway which lists changed. Requests only ever read `current`.
//
// Right after start the set is incomplete while backends make their first connection; a client
// that lists then (Claude Desktop launched at login with the app) would pin names by arrival
// order, and some clients never re-list. So for a short startup hold, `settled()` lets the gateway
// wait until every backend's first attempt is over (or the hold ends) before answering.
import type { AdvertisedSet } from '../domain/advertised.js';
import type { CapabilityKind } from '../../common/domain/capability.js';
import type { Decision, Pin } from '../../common/domain/conflict.js';
import type { Clock, Logger } from '../domain/runtime.js';
import type { DecisionStore, PinStore } from '../domain/stores.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { IntegrityGuard } from '../integrity/guard.js';
import type { ChangeDecision, PendingChange } from '../../common/domain/integrity.js';
import { UnknownChangeError } from '../integrity/guard.js';
import { Emitter } from '../support/emitter.js';
import {
  buildAdvertisedSet,
  filterFor,
  included,
  type AggregationConfig,
  type AggregationInput,
  type AggregationResult,
} from './build.js';
import { capabilityUnion } from './routes.js';

export interface SetChange {
  set: AdvertisedSet;
  tools: boolean;
  prompts: boolean;
  resources: boolean;
  conflicts: boolean;
}

export interface AggregatorOptions {
  clock: Clock;
  logger: Logger;
  pins: PinStore;
  decisions: DecisionStore;
  /** How long to wait for more catalog changes before rebuilding, ms. */
  coalesceMs?: number;
  /** Tool integrity: checks every definition in each rebuild and says what to withhold. */
  integrity?: IntegrityGuard;
}

/** The set before the first build: nothing advertised. */
export const EMPTY_SET: AdvertisedSet = {
  version: 0,
  tools: [],
  prompts: [],
  resources: [],
  resourceTemplates: [],
  toolRoutes: new Map(),
  promptRoutes: new Map(),
  heldTools: new Map(),
  heldPrompts: new Map(),
  resourceOwners: new Map(),
  templateRoutes: [],
  backendCapabilities: new Map(),
  capabilities: capabilityUnion(new Map()),
  conflicts: [],
  serialized: {
    tools: '{"tools":[]}',
    prompts: '{"prompts":[]}',
    resources: '{"resources":[]}',
    resourceTemplates: '{"resourceTemplates":[]}',
  },
};

export class Aggregator {
  readonly changed = new Emitter<SetChange>();
  private _current: AdvertisedSet = EMPTY_SET;
  /** Names that left the set with their backend (down): name → backend, until it is back or removed. */
  private readonly departed = { tool: new Map<string, string>(), prompt: new Map<string, string>() };
  /** The legacy setting's tools turned off in the dashboard (backend → original names). */
  private disabledTools = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  /** What tool integrity held in the last rebuild (a preview reuses it). */
  private lastHeld: AggregationInput['held'];
  private readonly unsubscribe: (() => void)[] = [];
  /** Names of the current set no client has seen yet: pinned once one does (see `served`). */
  private pendingPins: Pin[] = [];
  /** End of the startup hold (clock ms); 0 when there is none. */
  private holdUntil = 0;
  private holdTimer: NodeJS.Timeout | undefined;
  private holdWaiters: (() => void)[] = [];
  /** Discovery's first syncs, while the hold waits for them. */
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly registry: BackendRegistry,
    private config: AggregationConfig,
    private readonly options: AggregatorOptions,
  ) {}

  get current(): AdvertisedSet {
    return this._current;
  }

  get strategy(): AggregationConfig['conflicts'] {
    return this.config.conflicts;
  }

  /** The aggregation config in force (per-backend integrity policies live in it). */
  get aggregationConfig(): AggregationConfig {
    return this.config;
  }

  start(): void {
    this.unsubscribe.push(
      this.registry.catalogsChanged.on(() => this.schedule()),
      this.registry.membershipChanged.on(() => this.schedule()),
      this.registry.statusChanged.on(() => this.checkHold()),
    );
    this.rebuild();
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const off of this.unsubscribe.splice(0)) off();
    this.endHold();
  }

  /**
   * Backends were just started: until each has made its first connection attempt (and each
   * discovery source in `firstSyncs` has completed its first sync), at most `ms` from now,
   * `settled()` makes callers wait for a set that includes them.
   */
  holdFor(ms: number, firstSyncs?: Promise<unknown>): void {
    this.endHold();
    if (ms <= 0) return;
    this.holdUntil = this.options.clock.now() + ms;
    this.holdTimer = setTimeout(() => this.endHold(), ms);
    this.holdTimer.unref?.();
    if (firstSyncs) {
      // The gateway listens before discovery has looked (a container engine search takes ~0.5 s):
      // until each source's first sync is over, its backends are not even registered yet.
      const syncing = firstSyncs.then(
        () => undefined,
        () => undefined,
      );
      this.syncing = syncing;
      void syncing.then(() => {
        if (this.syncing !== syncing) return; // a later hold took over
        this.syncing = undefined;
        this.checkHold();
      });
    }
  }

  /**
   * Nothing (the common case, so callers need not await) when the set is settled; during the
   * startup hold, a promise that resolves once it is.
   */
  settled(): Promise<void> | undefined {
    if (this.holdUntil === 0) return undefined;
    this.checkHold();
    if (this.holdUntil === 0) return undefined;
    return new Promise((resolve) => this.holdWaiters.push(resolve));
  }

  /**
   * The hold ends when every discovery source has synced once, no backend is on its first attempt
   * and no rebuild is pending, or at its deadline.
   */
  private checkHold(): void {
    if (this.holdUntil === 0) return;
    const over = this.options.clock.now() >= this.holdUntil;
    if (over || (!this.syncing && !this.timer && !this.registry.settling())) this.endHold();
  }

  private endHold(): void {
    this.holdUntil = 0;
    this.syncing = undefined;
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    for (const resolve of this.holdWaiters.splice(0)) resolve();
  }

  /** Rebuild soon, once, however many changes arrive meanwhile. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.rebuild();
    }, this.options.coalesceMs ?? 15);
    this.timer.unref?.();
  }

  /** Rebuilds now; emits a change only when something a client or the GUI sees changed. */
  rebuild(): AdvertisedSet {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.options.clock.now();
    const catalogs = this.registry.catalogs();
    // Tool integrity runs here, once per rebuild: a request never hashes or scans anything.
    const held = this.options.integrity?.check(catalogs);
    this.lastHeld = held;
    const { set, pins } = buildAdvertisedSet(
      {
        catalogs,
        ...(held ? { held } : {}),
        knownBackends: new Set(this.registry.names()),
        config: this.config,
        pins: this.options.pins.all(),
        decisions: this.options.decisions.all(),
        disabledTools: this.disabledTools,
      },
      now,
    );
    this.pendingPins = pins;
    const before = this._current;
    const change = {
      tools: set.serialized.tools !== before.serialized.tools,
      prompts: set.serialized.prompts !== before.serialized.prompts,
      resources:
        set.serialized.resources !== before.serialized.resources ||
        set.serialized.resourceTemplates !== before.serialized.resourceTemplates,
      conflicts: JSON.stringify(set.conflicts) !== JSON.stringify(before.conflicts),
    };
    const capabilitiesChanged = !sameMap(set.backendCapabilities, before.backendCapabilities);
    // A held tool's state (pending → rejected) shows in the dashboard, not in any list.
    const heldChanged =
      !sameMap(set.heldTools, before.heldTools) || !sameMap(set.heldPrompts, before.heldPrompts);
    if (
      !change.tools &&
      !change.prompts &&
      !change.resources &&
      !change.conflicts &&
      !capabilitiesChanged &&
      !heldChanged
    ) {
      this.checkHold();
      return before;
    }
    this.rememberDeparted(before, set);
    this._current = { ...set, version: before.version + 1 };
    this.options.logger.debug('advertised set rebuilt', {
      version: this._current.version,
      tools: set.tools.length,
      prompts: set.prompts.length,
      resources: set.resources.length,
      conflicts: set.conflicts.length,
    });
    this.changed.emit({ set: this._current, ...change });
    this.checkHold();
    return this._current;
  }

  /**
   * A client was just given the current lists: from now on their names are pinned. Until a client
   * has seen a name, nothing depends on it, so startup order (which backend happened to answer
   * first) never decides names — registration order does.
   */
  served(): void {
    if (this.pendingPins.length === 0) return;
    this.options.pins.upsert(this.pendingPins);
    this.pendingPins = [];
  }

  /**
   * The backend a tool or prompt name belongs to while it is not advertised (its backend is down,
   * still registered): the name it had in a set this process served, else its pin. Lets a call to
   * it say "backend X is down" instead of "unknown tool". Read on that miss only.
   */
  ownerOf(kind: 'tool' | 'prompt', advertisedName: string): string | undefined {
    const departed = this.departed[kind].get(advertisedName);
    const backend =
      departed ??
      this.options.pins
        .all()
        .filter((p) => p.kind === kind && p.advertisedName === advertisedName)
        .sort((x, y) => y.pinnedAt - x.pinnedAt)[0]?.backend;
    return backend !== undefined && this.registry.get(backend) ? backend : undefined;
  }

  private rememberDeparted(before: AdvertisedSet, after: Omit<AdvertisedSet, 'version'>): void {
    const known = new Set(this.registry.names());
    for (const [kind, was, now] of [
      ['tool', before.toolRoutes, after.toolRoutes],
      ['prompt', before.promptRoutes, after.promptRoutes],
    ] as const) {
      const departed = this.departed[kind];
      for (const [name, route] of was) if (!now.has(name)) departed.set(name, route.backend);
      for (const [name, backend] of departed) if (now.has(name) || !known.has(backend)) departed.delete(name);
    }
  }

  /** Applies a user decision for a conflict (or clears it with `null`) and rebuilds. */
  decide(kind: CapabilityKind, name: string, decision: Decision | null): AdvertisedSet {
    if (decision) this.options.decisions.set({ kind, name, decision, decidedAt: this.options.clock.now() });
    else this.options.decisions.remove(kind, name);
    return this.rebuild();
  }

  /**
   * Tool integrity: the user's decision on a held change. Approving pins the new definition and
   * lists the tool again (clients get list_changed); rejecting keeps it held.
   */
  decideChange(id: string, decision: ChangeDecision): PendingChange {
    if (!this.options.integrity) throw new UnknownChangeError(`no change with id "${id}"`);
    const decided = this.options.integrity.decide(id, decision);
    this.rebuild();
    return decided;
  }

  /**
   * The set `strategy` would give right now, built by the same pure function but not applied: no
   * change is emitted, nothing is pinned (a preview for the dashboard).
   */
  preview(strategy: AggregationConfig['conflicts']): AggregationResult['set'] {
    return buildAdvertisedSet(
      {
        catalogs: this.registry.catalogs(),
        // The holds of the last rebuild (checking again would record changes): a held tool is
        // held under any strategy, so a preview never counts it as gained.
        ...(this.lastHeld ? { held: this.lastHeld } : {}),
        knownBackends: new Set(this.registry.names()),
        config: { ...this.config, conflicts: strategy },
        pins: this.options.pins.all(),
        decisions: this.options.decisions.all(),
        disabledTools: this.disabledTools,
      },
      this.options.clock.now(),
    ).set;
  }

  /**
   * Whether `tool` of `backend` is left out of every list by the user: the backend's
   * `include`/`exclude` in the config (what the dashboard's switch writes), or the legacy setting.
   */
  isToolDisabled(backend: string, tool: string): boolean {
    if (this.disabledTools.get(backend)?.has(tool)) return true;
    return !included(filterFor(this.config, backend, 'tool'), tool);
  }

  /** The tools of the legacy setting (turned off before the switch wrote the config), per backend. */
  get disabledToolList(): Record<string, string[]> {
    return Object.fromEntries([...this.disabledTools].map(([b, set]) => [b, [...set].sort()]));
  }

  /** Replaces the legacy set of tools turned off (at start, from the stored setting) without rebuilding. */
  loadDisabledTools(list: Record<string, readonly string[]>): void {
    this.disabledTools = new Map(Object.entries(list).map(([b, tools]) => [b, new Set(tools)]));
  }

  /**
   * Takes tools out of the legacy set (turned on again, or now excluded by the config instead) and
   * rebuilds when that changed anything; true when one was in it.
   */
  forgetDisabled(list: Record<string, readonly string[]>): boolean {
    let changed = false;
    for (const [backend, tools] of Object.entries(list)) {
      const set = this.disabledTools.get(backend);
      if (!set) continue;
      for (const tool of tools) changed = set.delete(tool) || changed;
      if (set.size === 0) this.disabledTools.delete(backend);
    }
    if (changed) this.rebuild();
    return changed;
  }

  /** A live config edit changed filters, overrides, the strategy or priorities: rebuild under them. */
  updateConfig(config: AggregationConfig): AdvertisedSet {
    this.config = config;
    return this.rebuild();
  }

  setStrategy(strategy: AggregationConfig['conflicts']): AdvertisedSet {
    this.config = { ...this.config, conflicts: strategy };
    return this.rebuild();
  }
}

function sameMap(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (JSON.stringify(v) !== JSON.stringify(b.get(k))) return false;
  return true;
}
