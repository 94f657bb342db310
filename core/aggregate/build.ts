// Builds the advertised set from the catalogs of the usable backends: filters and overrides,
// conflict strategies, user decisions and name pins. A pure function of its input, so the same
// inputs always advertise the same names (and tests can check every rule directly).
import { UriTemplate } from '@modelcontextprotocol/client';
import { createHash } from 'node:crypto';
import type { AdvertisedSet, HeldRoute, Route, TemplateRoute } from '../domain/advertised.js';
import type {
  BackendCatalog,
  CapabilityKind,
  JsonObject,
  PromptDef,
  ResourceDef,
  ToolDef,
} from '../../common/domain/capability.js';
import { conflictId, type Conflict, type DecisionRecord, type Pin } from '../../common/domain/conflict.js';
import type { CapabilityFilterConfig, SwitchyardConfig } from '../config/schema.js';
import { matchesPattern, prefixedName, toValidName, MAX_NAME } from './names.js';
import { capabilityUnion } from './routes.js';

export type AggregationConfig = SwitchyardConfig['aggregation'];

export interface AggregationInput {
  /** Catalogs of usable backends, in registration order (config order, then discovery order). */
  catalogs: readonly BackendCatalog[];
  /** Every registered backend, usable or not: their pins keep names reserved while they are away. */
  knownBackends: ReadonlySet<string>;
  config: AggregationConfig;
  pins: readonly Pin[];
  decisions: readonly DecisionRecord[];
  /**
   * Tool integrity: capabilities to withhold, keyed `kind\0backend\0originalName`. They keep their
   * place in name resolution (their names stay theirs) but are neither listed nor routed.
   */
  held?: ReadonlyMap<string, Omit<HeldRoute, 'backend' | 'originalName'>>;
  /**
   * Tools turned off in the dashboard before the switch wrote the config file (the legacy SQLite
   * setting, until it is folded into the file): left out like `exclude`. Per backend, original names.
   */
  disabledTools?: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface AggregationResult {
  set: Omit<AdvertisedSet, 'version'>;
  /** Pins to add or update: every advertised name not pinned yet, or pinned to another name. */
  pins: Pin[];
}

interface Candidate {
  backend: string;
  original: string;
  /** The name it asks for (override or own name), made valid. */
  desired: string;
  /** The user set this name in the config (an override wins over an old pin). */
  explicit: boolean;
  definition: JsonObject;
  order: number;
}

const EMPTY_FILTER: CapabilityFilterConfig = { include: [], exclude: [], overrides: {} };

export function buildAdvertisedSet(input: AggregationInput, now: number): AggregationResult {
  const newPins: Pin[] = [];
  const conflicts: Conflict[] = [];
  const tools = resolveNamed('tool', input, now, newPins, conflicts);
  const prompts = resolveNamed('prompt', input, now, newPins, conflicts);
  const resources = resolveResources(input, now, newPins, conflicts);

  const heldOf = (kind: 'tool' | 'prompt', c: Candidate) =>
    input.held?.get(`${kind}\u0000${c.backend}\u0000${c.original}`);
  const toolRoutes = new Map<string, Route>();
  const heldTools = new Map<string, HeldRoute>();
  const toolDefs: ToolDef[] = [];
  for (const { name, candidate } of tools) {
    const held = heldOf('tool', candidate);
    if (held) {
      heldTools.set(name, { ...held, backend: candidate.backend, originalName: candidate.original });
      continue;
    }
    const definition = { ...candidate.definition, name } as ToolDef;
    toolDefs.push(definition);
    toolRoutes.set(name, { backend: candidate.backend, originalName: candidate.original, definition });
  }
  const promptRoutes = new Map<string, Route>();
  const heldPrompts = new Map<string, HeldRoute>();
  const promptDefs: PromptDef[] = [];
  for (const { name, candidate } of prompts) {
    const held = heldOf('prompt', candidate);
    if (held) {
      heldPrompts.set(name, { ...held, backend: candidate.backend, originalName: candidate.original });
      continue;
    }
    const definition = { ...candidate.definition, name } as PromptDef;
    promptDefs.push(definition);
    promptRoutes.set(name, { backend: candidate.backend, originalName: candidate.original, definition });
  }

  const backendCapabilities = new Map<string, JsonObject>();
  const instructions: string[] = [];
  for (const catalog of input.catalogs) {
    backendCapabilities.set(catalog.backend, catalog.serverCapabilities);
    if (catalog.instructions?.trim())
      instructions.push(`## ${catalog.backend}\n${catalog.instructions.trim()}`);
  }

  return {
    set: {
      tools: toolDefs,
      prompts: promptDefs,
      resources: resources.resources,
      resourceTemplates: resources.templates.map((t) => t.definition),
      toolRoutes,
      promptRoutes,
      heldTools,
      heldPrompts,
      resourceOwners: resources.owners,
      templateRoutes: resources.templates.map((t) => t.route),
      backendCapabilities,
      capabilities: capabilityUnion(backendCapabilities),
      conflicts,
      ...(instructions.length ? { instructions: instructions.join('\n\n') } : {}),
      serialized: {
        tools: JSON.stringify({ tools: toolDefs }),
        prompts: JSON.stringify({ prompts: promptDefs }),
        resources: JSON.stringify({ resources: resources.resources }),
        resourceTemplates: JSON.stringify({
          resourceTemplates: resources.templates.map((t) => t.definition),
        }),
      },
    },
    pins: newPins,
  };
}

export function filterFor(
  config: AggregationConfig,
  backend: string,
  kind: 'tool' | 'prompt',
): CapabilityFilterConfig {
  const entry = config.backends[backend];
  return (kind === 'tool' ? entry?.tools : entry?.prompts) ?? EMPTY_FILTER;
}

/** Whether a backend's filter (`include`, then `exclude`) lets the capability named `name` through. */
export function included(filter: CapabilityFilterConfig, name: string): boolean {
  if (filter.include.length > 0 && !filter.include.some((p) => matchesPattern(p, name))) return false;
  return !filter.exclude.some((p) => matchesPattern(p, name));
}

function candidatesFor(kind: 'tool' | 'prompt', input: AggregationInput): Candidate[] {
  const out: Candidate[] = [];
  input.catalogs.forEach((catalog, order) => {
    const filter = filterFor(input.config, catalog.backend, kind);
    const items: (ToolDef | PromptDef)[] = kind === 'tool' ? catalog.tools : catalog.prompts;
    const off = kind === 'tool' ? input.disabledTools?.get(catalog.backend) : undefined;
    for (const item of items) {
      if (off?.has(item.name)) continue;
      if (!included(filter, item.name)) continue;
      const override = filter.overrides[item.name];
      const definition: JsonObject = { ...item };
      if (override?.description !== undefined) definition.description = override.description;
      if (override?.title !== undefined) definition.title = override.title;
      if (override?.annotations !== undefined) {
        definition.annotations = { ...(item.annotations as JsonObject | undefined), ...override.annotations };
      }
      out.push({
        backend: catalog.backend,
        original: item.name,
        desired: toValidName(override?.name ?? item.name),
        explicit: override?.name !== undefined,
        definition,
        order,
      });
    }
  });
  return out;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Index of a backend in the priority list; unlisted backends come after, in registration order. */
function priorityRank(config: AggregationConfig, candidate: { backend: string; order: number }): number {
  const index = config.priority.indexOf(candidate.backend);
  return index >= 0 ? index : config.priority.length + candidate.order;
}

/** Tools and prompts: every candidate gets a unique valid name, or is hidden (null). */
function resolveNamed(
  kind: 'tool' | 'prompt',
  input: AggregationInput,
  now: number,
  newPins: Pin[],
  conflicts: Conflict[],
): { name: string; candidate: Candidate }[] {
  const { config } = input;
  const candidates = candidatesFor(kind, input);
  const key = (backend: string, original: string) => `${backend}\u0000${original}`;
  const pinOf = new Map<string, Pin>();
  const reservedBy = new Map<string, Pin>();
  const usable = new Set(input.catalogs.map((c) => c.backend));
  for (const pin of input.pins) {
    if (pin.kind !== kind) continue;
    pinOf.set(key(pin.backend, pin.originalName), pin);
    // A name stays reserved for its owner while the owner is away (registered but not usable),
    // so it gets the same name back; an owner that is up and dropped the item releases it.
    const present = candidates.some((c) => c.backend === pin.backend && c.original === pin.originalName);
    if (present || (input.knownBackends.has(pin.backend) && !usable.has(pin.backend))) {
      // Two pins can name the same advertised name (an owner left, another took the name, the first
      // came back): the most recent holder keeps it, whatever order the store returns pins in.
      const other = reservedBy.get(pin.advertisedName);
      if (!other || newerPin(pin, other)) reservedBy.set(pin.advertisedName, pin);
    }
  }
  const prefixed = (c: Candidate) => prefixedName(config.prefixFormat, c.backend, c.desired);
  /** A name for a candidate that does not hold the contested name: its own pin, else the prefix. */
  const runnerUp = (c: Candidate) => {
    const pin = pinOf.get(key(c.backend, c.original));
    return pin && !c.explicit && pin.advertisedName !== c.desired ? pin.advertisedName : prefixed(c);
  };
  const proposals = new Map<Candidate, string | null>();
  /** Conflicts with their candidates; `advertisedAs` is filled in once every name is final. */
  const found: { conflict: Conflict; members: Candidate[] }[] = [];
  const decisions = new Map(input.decisions.filter((d) => d.kind === kind).map((d) => [d.name, d.decision]));
  /**
   * Names set by the user (a decision, an override, the prefix strategy) are stable by
   * configuration and are not pinned: undoing the choice brings back the names clients had before.
   * Pins record what arrival order decided.
   */
  const configured = new Set<Candidate>();

  for (const [name, group] of groupBy(candidates, (c) => c.desired)) {
    const decision = decisions.get(name);
    const holderByPin = group.find(
      (c) => reservedBy.get(name)?.backend === c.backend && reservedBy.get(name)?.originalName === c.original,
    );
    const reservedElsewhere = reservedBy.has(name) && !holderByPin;
    const contested = group.length > 1;

    if (decision && decision.action !== 'hide') for (const c of group) configured.add(c);
    if (decision?.action === 'prefix') {
      for (const c of group) proposals.set(c, prefixed(c));
    } else if (decision?.action === 'winner') {
      for (const c of group) proposals.set(c, c.backend === decision.backend ? name : null);
    } else if (decision?.action === 'rename') {
      for (const c of group) {
        const chosen = decision.names[c.backend];
        proposals.set(c, chosen ? toValidName(chosen) : prefixed(c));
      }
    } else {
      const members =
        decision?.action === 'hide' ? group.filter((c) => c.backend !== decision.backend) : group;
      for (const c of group) if (!members.includes(c)) proposals.set(c, null);
      byStrategy(name, members, members.length > 1);
    }
    // Under `prefix` a shared name is no conflict at all: every candidate already has its own name.
    if (contested && (config.conflicts !== 'prefix' || decision)) {
      found.push({
        members: group,
        conflict: {
          id: conflictId(kind, name),
          kind,
          name,
          candidates: [],
          resolvedBy: decision ? 'decision' : 'strategy',
          strategy: config.conflicts,
          ...(decision ? { decision } : {}),
          open: !decision && (config.conflicts === 'auto' || config.conflicts === 'manual'),
        },
      });
    }

    function byStrategy(contestedName: string, members: Candidate[], isContested: boolean): void {
      if (members.length === 0) return;
      if (config.conflicts === 'prefix') {
        for (const c of members) proposals.set(c, prefixed(c));
        return;
      }
      if (!isContested) {
        const c = members[0]!;
        const pin = pinOf.get(key(c.backend, c.original));
        if (pin && !c.explicit) proposals.set(c, pin.advertisedName);
        else proposals.set(c, reservedElsewhere ? prefixed(c) : contestedName);
        return;
      }
      if (config.conflicts === 'priority') {
        const ranked = [...members].sort((a, b) => priorityRank(config, a) - priorityRank(config, b));
        ranked.forEach((c, i) => proposals.set(c, i === 0 ? contestedName : null));
        return;
      }
      const holder = holderByPin && members.includes(holderByPin) ? holderByPin : undefined;
      if (config.conflicts === 'manual') {
        // Unresolved: only a name already advertised (pinned) stays; the rest wait for a decision.
        for (const c of members) proposals.set(c, c === holder ? contestedName : null);
        return;
      }
      // auto: the pinned holder (else the earliest backend) keeps the name; the others are prefixed.
      const keeper = holder ?? (reservedElsewhere ? undefined : members[0]);
      for (const c of members) proposals.set(c, c === keeper ? contestedName : runnerUp(c));
    }
  }

  // Claim names in precedence order so a prefixed name can never take a name someone holds.
  const ordered = [...proposals.entries()]
    .filter((entry): entry is [Candidate, string] => entry[1] !== null)
    .sort(([a, an], [b, bn]) => Number(an !== a.desired) - Number(bn !== b.desired) || a.order - b.order);
  const holderOf = new Map<string, Candidate>();
  const finalName = new Map<Candidate, string>();
  const result: { name: string; candidate: Candidate }[] = [];
  for (const [candidate, proposed] of ordered) {
    let name = proposed;
    const holder = holderOf.get(name);
    if (holder) {
      // Two sources want the same advertised name (e.g. a prefixed name equals another tool's own
      // name): the earlier claim keeps it, this one gets a hash suffix, and the clash is surfaced.
      const suffix = createHash('sha256')
        .update(`${candidate.backend}\u0000${candidate.original}`)
        .digest('hex')
        .slice(0, 6);
      name = `${proposed.slice(0, MAX_NAME - 7)}_${suffix}`;
      const id = conflictId(kind, proposed);
      let clash = found.find((f) => f.conflict.id === id);
      if (!clash) {
        clash = {
          members: [holder],
          conflict: {
            id,
            kind,
            name: proposed,
            candidates: [],
            resolvedBy: 'strategy',
            strategy: config.conflicts,
            open: true,
          },
        };
        found.push(clash);
      }
      if (!clash.members.includes(candidate)) clash.members.push(candidate);
    }
    holderOf.set(name, candidate);
    finalName.set(candidate, name);
    result.push({ name, candidate });
    const pin = pinOf.get(key(candidate.backend, candidate.original));
    const pinnable = !configured.has(candidate) && !candidate.explicit && config.conflicts !== 'prefix';
    if (pinnable && (!pin || pin.advertisedName !== name)) {
      newPins.push({
        kind,
        backend: candidate.backend,
        originalName: candidate.original,
        advertisedName: name,
        pinnedAt: now,
      });
    }
  }
  for (const { conflict, members } of found) {
    conflict.candidates = members.map((c) => ({
      backend: c.backend,
      originalName: c.original,
      definition: c.definition,
      advertisedAs: finalName.get(c) ?? null,
    }));
    conflicts.push(conflict);
  }
  // Keep the advertised order stable: backends in registration order, items as each backend lists them.
  const position = new Map(candidates.map((c, i) => [c, i]));
  return result.sort((a, b) => position.get(a.candidate)! - position.get(b.candidate)!);
}

/** Whether pin `a` is more recent than `b` (ties broken by backend name, so the order never matters). */
function newerPin(a: Pin, b: Pin): boolean {
  return a.pinnedAt !== b.pinnedAt ? a.pinnedAt > b.pinnedAt : a.backend < b.backend;
}

interface ResourceResolution {
  resources: ResourceDef[];
  owners: Map<string, string>;
  templates: { definition: JsonObject & { uriTemplate: string }; route: TemplateRoute }[];
}

/** Resources are routed by URI and never renamed: a URI offered twice is a conflict with one owner. */
function resolveResources(
  input: AggregationInput,
  now: number,
  newPins: Pin[],
  conflicts: Conflict[],
): ResourceResolution {
  const { config } = input;
  type Item = { backend: string; order: number; uri: string; definition: JsonObject; template: boolean };
  const items: Item[] = [];
  input.catalogs.forEach((catalog, order) => {
    for (const r of catalog.resources)
      items.push({ backend: catalog.backend, order, uri: r.uri, definition: r, template: false });
    for (const t of catalog.resourceTemplates) {
      items.push({ backend: catalog.backend, order, uri: t.uriTemplate, definition: t, template: true });
    }
  });
  const pinned = new Map<string, Pin>();
  for (const pin of input.pins) {
    if (pin.kind === 'resource' && input.knownBackends.has(pin.backend)) pinned.set(pin.advertisedName, pin);
  }
  const decisions = new Map(
    input.decisions.filter((d) => d.kind === 'resource').map((d) => [d.name, d.decision]),
  );
  const winners: Item[] = [];
  for (const [uri, group] of groupBy(items, (i) => `${i.template ? 't' : 'r'}\u0000${i.uri}`)) {
    const realUri = uri.slice(2);
    const decision = decisions.get(realUri);
    let members = group;
    if (decision?.action === 'hide') members = group.filter((i) => i.backend !== decision.backend);
    let winner: Item | undefined;
    if (decision?.action === 'winner') winner = group.find((i) => i.backend === decision.backend);
    else if (members.length === 1) winner = members[0];
    else if (members.length > 1) {
      if (config.conflicts === 'priority') {
        winner = [...members].sort((a, b) => priorityRank(config, a) - priorityRank(config, b))[0];
      } else {
        const holder = members.find((i) => pinned.get(realUri)?.backend === i.backend);
        winner = holder ?? (config.conflicts === 'manual' ? undefined : members[0]);
      }
    }
    if (winner) {
      winners.push(winner);
      if (pinned.get(realUri)?.backend !== winner.backend) {
        newPins.push({
          kind: 'resource',
          backend: winner.backend,
          originalName: realUri,
          advertisedName: realUri,
          pinnedAt: now,
        });
      }
    }
    if (group.length > 1) {
      conflicts.push({
        id: conflictId('resource', realUri),
        kind: 'resource',
        name: realUri,
        candidates: group.map((i) => ({
          backend: i.backend,
          originalName: i.uri,
          definition: i.definition,
          advertisedAs: i === winner ? realUri : null,
        })),
        resolvedBy: decision ? 'decision' : 'strategy',
        strategy: config.conflicts,
        ...(decision ? { decision } : {}),
        open: !decision && config.conflicts !== 'priority',
      });
    }
  }
  winners.sort((a, b) => a.order - b.order);
  const resources: ResourceDef[] = [];
  const owners = new Map<string, string>();
  const templates: ResourceResolution['templates'] = [];
  for (const item of winners) {
    if (!item.template) {
      resources.push(item.definition as ResourceDef);
      owners.set(item.uri, item.backend);
      continue;
    }
    let template: UriTemplate | undefined;
    try {
      template = new UriTemplate(item.uri);
    } catch {
      template = undefined;
    }
    templates.push({
      definition: item.definition as JsonObject & { uriTemplate: string },
      route: {
        backend: item.backend,
        uriTemplate: item.uri,
        matches: (uri: string) => template?.match(uri) != null,
      },
    });
  }
  return { resources, owners, templates };
}

export { resourceOwner } from './routes.js';

export type { CapabilityKind };
