// buildAdvertisedSet is a pure function of (catalogs, known backends, config, pins, decisions): every
// naming rule of docs/product.md is checked here on hand-made catalogs.
import { describe, expect, it } from 'vitest';
import {
  buildAdvertisedSet,
  resourceOwner,
  type AggregationConfig,
  type AggregationInput,
  type AggregationResult,
} from '../../core/aggregate/build.js';
import type {
  BackendCatalog,
  CapabilityKind,
  PromptDef,
  ResourceDef,
  ResourceTemplateDef,
  ToolDef,
} from '../../common/domain/capability.js';
import type { Decision, DecisionRecord, Pin } from '../../common/domain/conflict.js';
import { MemoryPinStore } from '../../core/store/memory.js';

const VALID = /^[A-Za-z0-9_-]{1,64}$/;
const NOW = 1_700_000_000_000;

type Item = string | ToolDef;

function tool(item: Item): ToolDef {
  if (typeof item !== 'string') return item;
  return { name: item, description: `the ${item} tool`, inputSchema: { type: 'object', properties: {} } };
}

function prompt(item: string | PromptDef): PromptDef {
  return typeof item === 'string' ? { name: item, description: `the ${item} prompt` } : item;
}

interface CatalogParts {
  tools?: Item[];
  prompts?: (string | PromptDef)[];
  resources?: string[];
  templates?: string[];
  instructions?: string;
  capabilities?: Record<string, unknown>;
}

function catalog(backend: string, parts: CatalogParts = {}): BackendCatalog {
  return {
    backend,
    serverCapabilities: parts.capabilities ?? { tools: {} },
    ...(parts.instructions !== undefined ? { instructions: parts.instructions } : {}),
    tools: (parts.tools ?? []).map(tool),
    prompts: (parts.prompts ?? []).map(prompt),
    resources: (parts.resources ?? []).map((uri): ResourceDef => ({ uri, name: `${backend} ${uri}` })),
    resourceTemplates: (parts.templates ?? []).map((uriTemplate): ResourceTemplateDef => ({
      uriTemplate,
      name: `${backend} ${uriTemplate}`,
    })),
  };
}

const tools = (backend: string, ...names: Item[]) => catalog(backend, { tools: names });

function config(partial: Partial<AggregationConfig> = {}): AggregationConfig {
  return { conflicts: 'auto', prefixFormat: '{backend}__', priority: [], backends: {}, ...partial };
}

function filters(
  perBackend: Record<
    string,
    {
      tools?: Partial<AggregationConfig['backends'][string]['tools']>;
      prompts?: Partial<AggregationConfig['backends'][string]['prompts']>;
    }
  >,
): AggregationConfig['backends'] {
  const out: AggregationConfig['backends'] = {};
  for (const [backend, entry] of Object.entries(perBackend)) {
    out[backend] = {
      tools: { include: [], exclude: [], overrides: {}, ...entry.tools },
      prompts: { include: [], exclude: [], overrides: {}, ...entry.prompts },
    };
  }
  return out;
}

interface BuildOptions {
  config?: Partial<AggregationConfig>;
  pins?: readonly Pin[];
  decisions?: readonly DecisionRecord[];
  /** Registered backends; defaults to the backends of the catalogs. */
  known?: string[];
  now?: number;
}

function input(catalogs: BackendCatalog[], options: BuildOptions = {}): AggregationInput {
  return {
    catalogs,
    knownBackends: new Set(options.known ?? catalogs.map((c) => c.backend)),
    config: config(options.config),
    pins: options.pins ?? [],
    decisions: options.decisions ?? [],
  };
}

function build(catalogs: BackendCatalog[], options: BuildOptions = {}): AggregationResult {
  const result = buildAdvertisedSet(input(catalogs, options), options.now ?? NOW);
  checkInvariants(result);
  return result;
}

/** Advertised tool name → "backend/originalName". */
function toolMap(result: AggregationResult): Record<string, string> {
  return Object.fromEntries(
    [...result.set.toolRoutes].map(([name, r]) => [name, `${r.backend}/${r.originalName}`]),
  );
}

function promptMap(result: AggregationResult): Record<string, string> {
  return Object.fromEntries(
    [...result.set.promptRoutes].map(([name, r]) => [name, `${r.backend}/${r.originalName}`]),
  );
}

/** The advertised name of one backend's tool, or undefined when hidden. */
function nameOf(
  result: AggregationResult,
  backend: string,
  original: string,
  kind: 'tool' | 'prompt' = 'tool',
) {
  const routes = kind === 'tool' ? result.set.toolRoutes : result.set.promptRoutes;
  return [...routes].find(([, r]) => r.backend === backend && r.originalName === original)?.[0];
}

function conflict(result: AggregationResult, kind: CapabilityKind, name: string) {
  return result.set.conflicts.find((c) => c.id === `${kind}:${name}`);
}

function decision(name: string, value: Decision, kind: CapabilityKind = 'tool'): DecisionRecord {
  return { kind, name, decision: value, decidedAt: NOW - 1 };
}

/** Rules that hold for every result, whatever the input. */
function checkInvariants(result: AggregationResult): void {
  const { set } = result;
  for (const [list, routes] of [
    [set.tools, set.toolRoutes],
    [set.prompts, set.promptRoutes],
  ] as const) {
    const names = list.map((d) => d.name);
    for (const name of names) expect(name).toMatch(VALID);
    expect(new Set(names).size).toBe(names.length);
    expect([...routes.keys()].sort()).toEqual([...names].sort());
    for (const def of list) {
      const route = routes.get(def.name)!;
      expect(route.definition).toEqual(def);
      expect(route.definition.name).toBe(def.name);
    }
  }
  expect(set.serialized.tools).toBe(JSON.stringify({ tools: set.tools }));
  expect(set.serialized.prompts).toBe(JSON.stringify({ prompts: set.prompts }));
  expect(set.serialized.resources).toBe(JSON.stringify({ resources: set.resources }));
  expect(set.serialized.resourceTemplates).toBe(JSON.stringify({ resourceTemplates: set.resourceTemplates }));
  const uris = set.resources.map((r) => r.uri);
  expect(new Set(uris).size).toBe(uris.length);
  expect([...set.resourceOwners.keys()].sort()).toEqual([...uris].sort());
}

/** Builds like the aggregator does: pins of each build are stored and fed into the next. */
class Sequence {
  readonly store = new MemoryPinStore();
  next(catalogs: BackendCatalog[], options: Omit<BuildOptions, 'pins'> = {}): AggregationResult {
    const result = build(catalogs, { ...options, pins: this.store.all() });
    this.store.upsert(result.pins);
    return result;
  }
}

/** A small deterministic PRNG so the generated cases are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('advertised names are always valid', () => {
  it('cleans invalid characters and keeps routing to the original name', () => {
    const result = build([tools('fs', 'read.file', 'ns/tool', 'with space', 'ok-name')]);
    expect(toolMap(result)).toEqual({
      read_file: 'fs/read.file',
      ns_tool: 'fs/ns/tool',
      with_space: 'fs/with space',
      'ok-name': 'fs/ok-name',
    });
  });

  it('shortens names over 64 characters with a hash; two long names never collapse', () => {
    const common = 'query_the_database_for_'.padEnd(70, 'x');
    const result = build([tools('db', `${common}_users`, `${common}_orders`)]);
    const a = nameOf(result, 'db', `${common}_users`)!;
    const b = nameOf(result, 'db', `${common}_orders`)!;
    expect(a).toHaveLength(64);
    expect(b).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(a.slice(0, 40)).toBe(common.slice(0, 40));
  });

  it('shortens a prefixed name that overflows, deterministically', () => {
    const backend = 'a-backend-with-a-rather-long-name-for-testing-purposes-0123456';
    const long = 'summarize_the_document';
    const run = () =>
      build([tools('first', long), tools(backend, long, `${long}_v2`)], { config: { conflicts: 'prefix' } });
    const result = run();
    const one = nameOf(result, backend, long)!;
    const two = nameOf(result, backend, `${long}_v2`)!;
    expect(one).toHaveLength(64);
    expect(two).toHaveLength(64);
    expect(one).not.toBe(two);
    expect(one.startsWith(backend.slice(0, 40))).toBe(true);
    expect(toolMap(run())).toEqual(toolMap(result));
  });

  it('keeps names valid and unique for generated catalogs under every strategy', () => {
    const random = mulberry32(20240601);
    const alphabet = 'abcAB_-.:/ é0';
    const word = () => {
      const length = 1 + Math.floor(random() * (random() < 0.2 ? 90 : 12));
      let out = '';
      for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
      return out;
    };
    const shared = Array.from({ length: 6 }, word);
    const backends = ['alpha', 'b.e.t.a', 'g'.repeat(63)];
    const catalogs = backends.map((backend) =>
      catalog(backend, {
        tools: [...shared.filter(() => random() < 0.7), ...Array.from({ length: 8 }, word)],
        prompts: [...shared.filter(() => random() < 0.5), ...Array.from({ length: 3 }, word)],
      }),
    );
    for (const conflicts of ['auto', 'prefix', 'priority', 'manual'] as const) {
      // build() checks validity and uniqueness of every advertised name.
      const result = build(catalogs, { config: { conflicts, priority: ['g'.repeat(63)] } });
      expect(result.set.tools.length).toBeGreaterThan(0);
    }
  });
});

describe('strategy auto', () => {
  it('keeps unique names as they are, without prefixes or conflicts', () => {
    const result = build([tools('a', 'echo', 'add'), tools('b', 'search')]);
    expect(toolMap(result)).toEqual({ echo: 'a/echo', add: 'a/add', search: 'b/search' });
    expect(result.set.conflicts).toEqual([]);
  });

  it('prefixes a later backend’s colliding tool and reports an open conflict', () => {
    const result = build([tools('a', 'echo'), tools('b', 'echo', 'other'), tools('c', 'echo')]);
    expect(toolMap(result)).toEqual({
      echo: 'a/echo',
      b__echo: 'b/echo',
      other: 'b/other',
      c__echo: 'c/echo',
    });
    expect(result.set.conflicts).toHaveLength(1);
    expect(conflict(result, 'tool', 'echo')).toEqual({
      id: 'tool:echo',
      kind: 'tool',
      name: 'echo',
      candidates: [
        { backend: 'a', originalName: 'echo', definition: tool('echo'), advertisedAs: 'echo' },
        { backend: 'b', originalName: 'echo', definition: tool('echo'), advertisedAs: 'b__echo' },
        { backend: 'c', originalName: 'echo', definition: tool('echo'), advertisedAs: 'c__echo' },
      ],
      resolvedBy: 'strategy',
      strategy: 'auto',
      open: true,
    });
  });

  it('treats names that clean up to the same name as a collision', () => {
    const result = build([tools('a', 'fs.read'), tools('b', 'fs_read')]);
    expect(toolMap(result)).toEqual({ fs_read: 'a/fs.read', b__fs_read: 'b/fs_read' });
    expect(conflict(result, 'tool', 'fs_read')?.open).toBe(true);
  });

  it('keeps the pinned holder’s name when the registration order changes', () => {
    const seq = new Sequence();
    const first = seq.next([tools('a', 'echo'), tools('b', 'echo')]);
    expect(toolMap(first)).toEqual({ echo: 'a/echo', b__echo: 'b/echo' });
    const swapped = seq.next([tools('b', 'echo'), tools('a', 'echo')]);
    expect(nameOf(swapped, 'a', 'echo')).toBe('echo');
    expect(nameOf(swapped, 'b', 'echo')).toBe('b__echo');
    expect(swapped.pins).toEqual([]);
  });

  it('never lets a newcomer rename an advertised name (even one registered earlier)', () => {
    const seq = new Sequence();
    const before = seq.next([tools('a', 'add'), tools('b', 'search_code')]);
    expect(nameOf(before, 'b', 'search_code')).toBe('search_code');
    // Backend a now also offers search_code; without pins a would win as the earlier backend.
    const after = seq.next([tools('a', 'add', 'search_code'), tools('b', 'search_code')]);
    expect(nameOf(after, 'b', 'search_code')).toBe('search_code');
    expect(nameOf(after, 'a', 'search_code')).toBe('a__search_code');
    expect(conflict(after, 'tool', 'search_code')?.open).toBe(true);
    // The same input without history: registration order decides.
    const fresh = build([tools('a', 'add', 'search_code'), tools('b', 'search_code')]);
    expect(nameOf(fresh, 'a', 'search_code')).toBe('search_code');
  });

  it('keeps a name reserved while its owner is registered but not usable', () => {
    const seq = new Sequence();
    seq.next([tools('a', 'echo')]);
    const away = seq.next([tools('b', 'echo')], { known: ['a', 'b'] });
    expect(toolMap(away)).toEqual({ b__echo: 'b/echo' });
    const back = seq.next([tools('a', 'echo'), tools('b', 'echo')]);
    expect(toolMap(back)).toEqual({ echo: 'a/echo', b__echo: 'b/echo' });
    // Two others want the name while the owner is away: neither takes it.
    const both = build([tools('b', 'echo'), tools('c', 'echo')], {
      pins: seq.store.all(),
      known: ['a', 'b', 'c'],
    });
    expect(nameOf(both, 'c', 'echo')).toBe('c__echo');
    expect(nameOf(both, 'b', 'echo')).toBe('b__echo');
    expect(both.set.tools.map((t) => t.name)).not.toContain('echo');
  });

  it('releases a name whose owner is up but no longer lists the tool', () => {
    const seq = new Sequence();
    seq.next([tools('a', 'echo')]);
    const result = seq.next([tools('a', 'other'), tools('b', 'echo')]);
    expect(toolMap(result)).toEqual({ other: 'a/other', echo: 'b/echo' });
  });

  it('releases a name whose owner was unregistered, or excludes the tool by config', () => {
    const pins: Pin[] = [
      { kind: 'tool', backend: 'a', originalName: 'echo', advertisedName: 'echo', pinnedAt: NOW - 10 },
    ];
    expect(toolMap(build([tools('b', 'echo')], { pins, known: ['b'] }))).toEqual({ echo: 'b/echo' });
    const excluded = build([tools('a', 'echo'), tools('b', 'echo')], {
      pins,
      config: { backends: filters({ a: { tools: { exclude: ['ec*'] } } }) },
    });
    expect(toolMap(excluded)).toEqual({ echo: 'b/echo' });
  });

  it('keeps a prefixed name stable once advertised, even after the collision is gone', () => {
    const seq = new Sequence();
    seq.next([tools('a', 'echo'), tools('b', 'echo')]);
    const alone = seq.next([tools('b', 'echo')]);
    expect(toolMap(alone)).toEqual({ b__echo: 'b/echo' });
    expect(alone.set.conflicts).toEqual([]);
  });

  it('lets a name set explicitly in the config win over an old pin', () => {
    const seq = new Sequence();
    seq.next([tools('a', 'echo')]);
    const result = seq.next([tools('a', 'echo')], {
      config: { backends: filters({ a: { tools: { overrides: { echo: { name: 'say' } } } } }) },
    });
    expect(toolMap(result)).toEqual({ say: 'a/echo' });
    // A configured name is stable by configuration: it is not pinned, so removing the override
    // brings back the name clients had before it.
    expect(result.pins).toEqual([]);
    const reverted = seq.next([tools('a', 'echo')]);
    expect(toolMap(reverted)).toEqual({ echo: 'a/echo' });
  });

  it('gives a contested name to its most recent holder, whatever order the pins come in', () => {
    // a held "echo", was unregistered (its pin stays), b took "echo"; now a is back.
    const old: Pin = {
      kind: 'tool',
      backend: 'a',
      originalName: 'echo',
      advertisedName: 'echo',
      pinnedAt: NOW - 100,
    };
    const recent: Pin = {
      kind: 'tool',
      backend: 'b',
      originalName: 'echo',
      advertisedName: 'echo',
      pinnedAt: NOW - 10,
    };
    const catalogs = [tools('a', 'echo'), tools('b', 'echo')];
    const oldFirst = build(catalogs, { pins: [old, recent] });
    const recentFirst = build(catalogs, { pins: [recent, old] });
    expect(nameOf(oldFirst, 'b', 'echo')).toBe('echo');
    expect(nameOf(recentFirst, 'b', 'echo')).toBe('echo');
    expect(toolMap(recentFirst)).toEqual(toolMap(oldFirst));
  });

  it('reports the names a conflict’s candidates are really advertised as', () => {
    // c lists a tool literally named "b__echo", the name b's prefixed echo would get.
    const result = build([tools('a', 'echo'), tools('b', 'echo'), tools('c', 'b__echo')]);
    expect(nameOf(result, 'c', 'b__echo')).toBe('b__echo');
    const bName = nameOf(result, 'b', 'echo')!;
    expect(bName).not.toBe('b__echo');
    expect(bName).toMatch(VALID);
    for (const c of result.set.conflicts) {
      for (const candidate of c.candidates) {
        if (candidate.advertisedAs === null) continue;
        const route = result.set.toolRoutes.get(candidate.advertisedAs);
        expect(route && `${route.backend}/${route.originalName}`).toBe(
          `${candidate.backend}/${candidate.originalName}`,
        );
      }
    }
  });
});

describe('strategy prefix', () => {
  it('prefixes every tool, unique or not, and reports no conflict for shared names', () => {
    const result = build([tools('a', 'echo', 'add'), tools('b', 'echo')], {
      config: { conflicts: 'prefix' },
    });
    expect(toolMap(result)).toEqual({ a__echo: 'a/echo', a__add: 'a/add', b__echo: 'b/echo' });
    expect(result.set.conflicts.filter((c) => c.kind === 'tool')).toEqual([]);
  });

  it('uses a custom prefixFormat, made valid', () => {
    const result = build([tools('my.svc', 'echo'), tools('b', 'echo')], {
      config: { conflicts: 'prefix', prefixFormat: 'x-{backend}-' },
    });
    expect(toolMap(result)).toEqual({ 'x-my_svc-echo': 'my.svc/echo', 'x-b-echo': 'b/echo' });
  });

  it('uses the custom prefixFormat for auto’s runner-ups too', () => {
    const result = build([tools('a', 'echo'), tools('b', 'echo')], {
      config: { prefixFormat: '{backend}_' },
    });
    expect(toolMap(result)).toEqual({ echo: 'a/echo', b_echo: 'b/echo' });
  });
});

describe('strategy priority', () => {
  it('gives the name to the first listed backend and hides the others', () => {
    const result = build([tools('a', 'echo', 'add'), tools('b', 'echo'), tools('c', 'echo')], {
      config: { conflicts: 'priority', priority: ['c', 'b'] },
    });
    expect(toolMap(result)).toEqual({ echo: 'c/echo', add: 'a/add' });
    const c = conflict(result, 'tool', 'echo')!;
    expect(c.open).toBe(false);
    expect(c.strategy).toBe('priority');
    expect(c.resolvedBy).toBe('strategy');
    expect(c.candidates.map((x) => [x.backend, x.advertisedAs])).toEqual([
      ['a', null],
      ['b', null],
      ['c', 'echo'],
    ]);
  });

  it('ranks unlisted backends after listed ones, in registration order', () => {
    const catalogs = [tools('a', 'echo'), tools('b', 'echo'), tools('c', 'echo')];
    expect(toolMap(build(catalogs, { config: { conflicts: 'priority', priority: ['b'] } }))).toEqual({
      echo: 'b/echo',
    });
    expect(toolMap(build(catalogs, { config: { conflicts: 'priority', priority: [] } }))).toEqual({
      echo: 'a/echo',
    });
    expect(toolMap(build(catalogs, { config: { conflicts: 'priority', priority: ['zzz'] } }))).toEqual({
      echo: 'a/echo',
    });
  });
});

describe('strategy manual', () => {
  it('hides unresolved collisions, keeps unique names and reports the conflict as open', () => {
    const result = build([tools('a', 'echo', 'add'), tools('b', 'echo')], {
      config: { conflicts: 'manual' },
    });
    expect(toolMap(result)).toEqual({ add: 'a/add' });
    const c = conflict(result, 'tool', 'echo')!;
    expect(c.open).toBe(true);
    expect(c.resolvedBy).toBe('strategy');
    expect(c.candidates.map((x) => x.advertisedAs)).toEqual([null, null]);
  });

  it('keeps a pinned holder advertised while the conflict waits for a decision', () => {
    const pins: Pin[] = [
      { kind: 'tool', backend: 'b', originalName: 'echo', advertisedName: 'echo', pinnedAt: 1 },
    ];
    const result = build([tools('a', 'echo'), tools('b', 'echo')], { config: { conflicts: 'manual' }, pins });
    expect(toolMap(result)).toEqual({ echo: 'b/echo' });
    expect(conflict(result, 'tool', 'echo')!.open).toBe(true);
  });

  it('follows a decision once the user made one', () => {
    const result = build([tools('a', 'echo'), tools('b', 'echo')], {
      config: { conflicts: 'manual' },
      decisions: [decision('echo', { action: 'prefix' })],
    });
    expect(toolMap(result)).toEqual({ a__echo: 'a/echo', b__echo: 'b/echo' });
    expect(conflict(result, 'tool', 'echo')).toMatchObject({ open: false, resolvedBy: 'decision' });
  });
});

describe('decisions', () => {
  const three = () => [tools('a', 'echo'), tools('b', 'echo'), tools('c', 'echo')];

  it('prefix: every candidate under its prefixed name', () => {
    const result = build(three(), { decisions: [decision('echo', { action: 'prefix' })] });
    expect(toolMap(result)).toEqual({ a__echo: 'a/echo', b__echo: 'b/echo', c__echo: 'c/echo' });
    expect(conflict(result, 'tool', 'echo')).toMatchObject({
      open: false,
      resolvedBy: 'decision',
      decision: { action: 'prefix' },
    });
  });

  it('winner: one backend keeps the name, the others are hidden', () => {
    const result = build(three(), { decisions: [decision('echo', { action: 'winner', backend: 'b' })] });
    expect(toolMap(result)).toEqual({ echo: 'b/echo' });
    expect(conflict(result, 'tool', 'echo')!.candidates.map((c) => c.advertisedAs)).toEqual([
      null,
      'echo',
      null,
    ]);
  });

  it('rename: listed backends get their (valid) names, the others are prefixed', () => {
    const result = build(three(), {
      decisions: [decision('echo', { action: 'rename', names: { a: 'echo_a', b: 'echo.b' } })],
    });
    expect(toolMap(result)).toEqual({ echo_a: 'a/echo', echo_b: 'b/echo', c__echo: 'c/echo' });
  });

  it('hide: one candidate is hidden and the rest follow the strategy', () => {
    const result = build(three(), { decisions: [decision('echo', { action: 'hide', backend: 'a' })] });
    expect(toolMap(result)).toEqual({ echo: 'b/echo', c__echo: 'c/echo' });
    const two = build(three().slice(0, 2), {
      config: { conflicts: 'manual' },
      decisions: [decision('echo', { action: 'hide', backend: 'a' })],
    });
    expect(toolMap(two)).toEqual({ echo: 'b/echo' });
    expect(conflict(two, 'tool', 'echo')).toMatchObject({ open: false, resolvedBy: 'decision' });
  });

  it('still applies when only one candidate remains', () => {
    const single = [tools('a', 'echo')];
    const run = (value: Decision) => build(single, { decisions: [decision('echo', value)] });
    expect(toolMap(run({ action: 'prefix' }))).toEqual({ a__echo: 'a/echo' });
    expect(toolMap(run({ action: 'rename', names: { a: 'shout' } }))).toEqual({ shout: 'a/echo' });
    expect(toolMap(run({ action: 'hide', backend: 'a' }))).toEqual({});
    expect(toolMap(run({ action: 'winner', backend: 'b' }))).toEqual({});
    expect(toolMap(run({ action: 'winner', backend: 'a' }))).toEqual({ echo: 'a/echo' });
    expect(run({ action: 'prefix' }).set.conflicts).toEqual([]);
  });

  it('applies to its own kind only', () => {
    const result = build(
      [
        catalog('a', { tools: ['echo'], prompts: ['echo'] }),
        catalog('b', { tools: ['echo'], prompts: ['echo'] }),
      ],
      { decisions: [decision('echo', { action: 'winner', backend: 'b' }, 'prompt')] },
    );
    expect(toolMap(result)).toEqual({ echo: 'a/echo', b__echo: 'b/echo' });
    expect(promptMap(result)).toEqual({ echo: 'b/echo' });
  });
});

describe('filters and overrides', () => {
  it('include and exclude with * wildcards, per backend and per kind', () => {
    const result = build(
      [
        catalog('a', {
          tools: ['get-env', 'get-time', 'set-time', 'admin_reset'],
          prompts: ['get-help', 'other'],
        }),
        tools('b', 'get-env', 'set-time'),
      ],
      {
        config: {
          backends: filters({
            a: {
              tools: { include: ['get-*', 'admin*'], exclude: ['*-env', 'admin_*'] },
              prompts: { exclude: ['*'] },
            },
          }),
        },
      },
    );
    expect(toolMap(result)).toEqual({
      'get-time': 'a/get-time',
      'get-env': 'b/get-env',
      'set-time': 'b/set-time',
    });
    expect(promptMap(result)).toEqual({});
  });

  it('an empty include list means everything', () => {
    const result = build([tools('a', 'x', 'y')], {
      config: { backends: filters({ a: { tools: { include: [] } } }) },
    });
    expect(Object.keys(toolMap(result))).toEqual(['x', 'y']);
  });

  it('overrides name, description, title and annotations (merged), keyed by the original name', () => {
    const original: ToolDef = {
      name: 'echo',
      description: 'Echoes',
      inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
      annotations: { readOnlyHint: true, openWorldHint: false },
    };
    const source = catalog('a', { tools: [original, 'plain'] });
    const snapshot = structuredClone(source);
    const result = build([source], {
      config: {
        backends: filters({
          a: {
            tools: {
              overrides: {
                echo: {
                  name: 'say',
                  description: 'Repeat a message',
                  title: 'Say',
                  annotations: { openWorldHint: true },
                },
              },
            },
          },
        }),
      },
    });
    expect(result.set.tools[0]).toEqual({
      name: 'say',
      title: 'Say',
      description: 'Repeat a message',
      inputSchema: original.inputSchema,
      annotations: { readOnlyHint: true, openWorldHint: true },
    });
    expect(result.set.toolRoutes.get('say')).toMatchObject({ backend: 'a', originalName: 'echo' });
    expect(result.set.tools[1]).toEqual(tool('plain'));
    expect(source).toEqual(snapshot);
  });

  it('makes an override name valid and lets it collide like any other name', () => {
    const result = build([tools('a', 'echo'), tools('b', 'repeat')], {
      config: { backends: filters({ b: { tools: { overrides: { repeat: { name: 'echo' } } } }, a: {} }) },
    });
    expect(toolMap(result)).toEqual({ echo: 'a/echo', b__echo: 'b/repeat' });
    const dotted = build([tools('a', 'echo')], {
      config: { backends: filters({ a: { tools: { overrides: { echo: { name: 'my.say' } } } } }) },
    });
    expect(toolMap(dotted)).toEqual({ my_say: 'a/echo' });
  });

  it('applies prompt overrides from the prompts section only', () => {
    const result = build([catalog('a', { tools: ['echo'], prompts: ['echo'] })], {
      config: {
        backends: filters({ a: { prompts: { overrides: { echo: { name: 'summon', description: 'p' } } } } }),
      },
    });
    expect(toolMap(result)).toEqual({ echo: 'a/echo' });
    expect(result.set.prompts).toEqual([{ name: 'summon', description: 'p' }]);
  });
});

describe('prompts', () => {
  it('follow the same rules as tools', () => {
    const result = build([
      catalog('a', { prompts: ['review', 'only_a'] }),
      catalog('b', { prompts: ['review'] }),
    ]);
    expect(promptMap(result)).toEqual({ review: 'a/review', only_a: 'a/only_a', b__review: 'b/review' });
    expect(conflict(result, 'prompt', 'review')).toMatchObject({ kind: 'prompt', open: true });
    const priority = build([catalog('a', { prompts: ['review'] }), catalog('b', { prompts: ['review'] })], {
      config: { conflicts: 'priority', priority: ['b'] },
    });
    expect(promptMap(priority)).toEqual({ review: 'b/review' });
  });

  it('have their own pins: a tool pin does not reserve a prompt name', () => {
    const pins: Pin[] = [
      { kind: 'tool', backend: 'a', originalName: 'echo', advertisedName: 'echo', pinnedAt: 1 },
    ];
    const result = build([catalog('b', { prompts: ['echo'] })], { pins, known: ['a', 'b'] });
    expect(promptMap(result)).toEqual({ echo: 'b/echo' });
  });

  it('keep a pinned prompt holder across registration-order changes', () => {
    const seq = new Sequence();
    seq.next([catalog('a', { prompts: ['review'] }), catalog('b', { prompts: ['review'] })]);
    const swapped = seq.next([catalog('b', { prompts: ['review'] }), catalog('a', { prompts: ['review'] })]);
    expect(promptMap(swapped)).toEqual({ b__review: 'b/review', review: 'a/review' });
  });
});

describe('resources', () => {
  const two = () => [
    catalog('a', { resources: ['file:///shared', 'file:///only-a'] }),
    catalog('b', { resources: ['file:///shared'], templates: ['notes://{id}'] }),
  ];

  it('routes each URI to its owner; a URI offered twice is a conflict with a single owner', () => {
    const result = build(two());
    expect(Object.fromEntries(result.set.resourceOwners)).toEqual({
      'file:///shared': 'a',
      'file:///only-a': 'a',
    });
    expect(result.set.resources.map((r) => r.name)).toEqual(['a file:///shared', 'a file:///only-a']);
    expect(conflict(result, 'resource', 'file:///shared')).toMatchObject({
      kind: 'resource',
      open: true,
      resolvedBy: 'strategy',
      candidates: [
        { backend: 'a', originalName: 'file:///shared', advertisedAs: 'file:///shared' },
        { backend: 'b', originalName: 'file:///shared', advertisedAs: null },
      ],
    });
  });

  it('uses the priority list, and a closed conflict, under priority', () => {
    const result = build(two(), { config: { conflicts: 'priority', priority: ['b'] } });
    expect(result.set.resourceOwners.get('file:///shared')).toBe('b');
    expect(conflict(result, 'resource', 'file:///shared')!.open).toBe(false);
  });

  it('leaves a colliding URI unowned under manual until decided, unless it is pinned', () => {
    const manual = build(two(), { config: { conflicts: 'manual' } });
    expect(manual.set.resourceOwners.has('file:///shared')).toBe(false);
    expect(manual.set.resourceOwners.get('file:///only-a')).toBe('a');
    expect(conflict(manual, 'resource', 'file:///shared')!.open).toBe(true);
    const pins: Pin[] = [
      {
        kind: 'resource',
        backend: 'b',
        originalName: 'file:///shared',
        advertisedName: 'file:///shared',
        pinnedAt: 1,
      },
    ];
    const pinned = build(two(), { config: { conflicts: 'manual' }, pins });
    expect(pinned.set.resourceOwners.get('file:///shared')).toBe('b');
  });

  it('keeps the pinned owner of a URI when the registration order changes', () => {
    const seq = new Sequence();
    seq.next(two());
    const [a, b] = two();
    const swapped = seq.next([b!, a!]);
    expect(swapped.set.resourceOwners.get('file:///shared')).toBe('a');
  });

  it('follows winner and hide decisions', () => {
    const winner = build(two(), {
      decisions: [decision('file:///shared', { action: 'winner', backend: 'b' }, 'resource')],
    });
    expect(winner.set.resourceOwners.get('file:///shared')).toBe('b');
    expect(conflict(winner, 'resource', 'file:///shared')).toMatchObject({
      open: false,
      resolvedBy: 'decision',
    });
    const hide = build(two(), {
      decisions: [decision('file:///shared', { action: 'hide', backend: 'a' }, 'resource')],
    });
    expect(hide.set.resourceOwners.get('file:///shared')).toBe('b');
  });

  it('resourceOwner() routes exact URIs first, then templates', () => {
    const result = build([
      catalog('a', { resources: ['notes://pinned'], templates: ['file:///{+path}'] }),
      catalog('b', { templates: ['notes://{id}', 'file:///{+path}'] }),
    ]);
    expect(result.set.resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      'file:///{+path}',
      'notes://{id}',
    ]);
    expect(resourceOwner(result.set, 'notes://pinned')).toBe('a');
    expect(resourceOwner(result.set, 'notes://42')).toBe('b');
    expect(resourceOwner(result.set, 'file:///etc/hosts')).toBe('a');
    expect(resourceOwner(result.set, 'other://thing')).toBeUndefined();
    expect(conflict(result, 'resource', 'file:///{+path}')).toMatchObject({ open: true });
    expect(result.set.templateRoutes.map((t) => [t.backend, t.uriTemplate])).toEqual([
      ['a', 'file:///{+path}'],
      ['b', 'notes://{id}'],
    ]);
  });
});

describe('the advertised set', () => {
  const catalogs = () => [
    catalog('a', {
      tools: ['echo', 'add'],
      prompts: ['review'],
      resources: ['file:///a'],
      templates: ['a://{x}'],
      instructions: '  Use a for arithmetic.  ',
      capabilities: { tools: { listChanged: true }, logging: {} },
    }),
    catalog('b', {
      tools: ['echo'],
      prompts: ['review'],
      instructions: '   ',
      capabilities: { completions: {} },
    }),
    catalog('c', { tools: ['zeta'], instructions: 'C helps.' }),
  ];

  it('keeps tools in registration order, items as each backend lists them', () => {
    // c's own name is claimed before b's prefixed one, yet the list stays in backend order.
    const result = build([tools('a', 'echo', 'z'), tools('b', 'echo', 'a'), tools('c', 'm')]);
    expect(result.set.tools.map((t) => t.name)).toEqual(['echo', 'z', 'b__echo', 'a', 'm']);
  });

  it('serializes every list exactly as JSON.stringify would', () => {
    const { set } = build(catalogs());
    expect(JSON.parse(set.serialized.tools)).toEqual({ tools: set.tools });
    expect(set.serialized.tools).toBe(JSON.stringify({ tools: set.tools }));
    expect(set.serialized.prompts).toBe(JSON.stringify({ prompts: set.prompts }));
    expect(set.serialized.resources).toBe(JSON.stringify({ resources: set.resources }));
    expect(set.serialized.resourceTemplates).toBe(
      JSON.stringify({ resourceTemplates: set.resourceTemplates }),
    );
  });

  it('maps each advertised name to its backend, original name and advertised definition', () => {
    const { set } = build(catalogs());
    expect(set.toolRoutes.get('b__echo')).toEqual({
      backend: 'b',
      originalName: 'echo',
      definition: { ...tool('echo'), name: 'b__echo' },
    });
    expect(set.toolRoutes.get('echo')).toMatchObject({ backend: 'a', originalName: 'echo' });
    expect(set.promptRoutes.get('b__review')).toMatchObject({ backend: 'b', originalName: 'review' });
    expect(set.toolRoutes.size).toBe(4);
  });

  it('collects server capabilities and non-blank instructions per backend', () => {
    const { set } = build(catalogs());
    expect(Object.fromEntries(set.backendCapabilities)).toEqual({
      a: { tools: { listChanged: true }, logging: {} },
      b: { completions: {} },
      c: { tools: {} },
    });
    expect(set.instructions).toBe('## a\nUse a for arithmetic.\n\n## c\nC helps.');
    expect(build([tools('x', 'y')]).set).not.toHaveProperty('instructions');
  });

  it('is empty for no backends', () => {
    const { set, pins } = build([]);
    expect(set.tools).toEqual([]);
    expect(set.serialized.tools).toBe('{"tools":[]}');
    expect(set.conflicts).toEqual([]);
    expect(pins).toEqual([]);
  });

  it('is deterministic for identical input and does not modify its input', () => {
    const pins: Pin[] = [
      { kind: 'tool', backend: 'b', originalName: 'echo', advertisedName: 'echo', pinnedAt: 5 },
    ];
    const first = input(catalogs(), { pins });
    const snapshot = structuredClone({ catalogs: first.catalogs, pins: first.pins, config: first.config });
    const one = buildAdvertisedSet(first, NOW);
    const two = buildAdvertisedSet(input(catalogs(), { pins }), NOW);
    expect(two.set.serialized).toEqual(one.set.serialized);
    expect([...two.set.toolRoutes]).toEqual([...one.set.toolRoutes]);
    expect([...two.set.promptRoutes]).toEqual([...one.set.promptRoutes]);
    expect(two.set.conflicts).toEqual(one.set.conflicts);
    expect(two.pins).toEqual(one.pins);
    expect({ catalogs: first.catalogs, pins: first.pins, config: first.config }).toEqual(snapshot);
  });
});

describe('pins returned by a build', () => {
  it('contain every newly advertised name, of every kind, stamped with now', () => {
    const { set, pins } = build(
      [
        catalog('a', { tools: ['echo'], prompts: ['p'], resources: ['r://1'], templates: ['t://{x}'] }),
        tools('b', 'echo'),
      ],
      { now: 42 },
    );
    const key = (p: Pin) => `${p.kind}|${p.backend}|${p.originalName}|${p.advertisedName}`;
    expect(pins.map(key).sort()).toEqual(
      [
        'tool|a|echo|echo',
        'tool|b|echo|b__echo',
        'prompt|a|p|p',
        'resource|a|r://1|r://1',
        'resource|a|t://{x}|t://{x}',
      ].sort(),
    );
    for (const pin of pins) expect(pin.pinnedAt).toBe(42);
    const advertised = [...set.tools, ...set.prompts].map((d) => d.name);
    for (const name of advertised) expect(pins.some((p) => p.advertisedName === name)).toBe(true);
  });

  it('contain nothing that was already pinned identically', () => {
    const catalogs = [
      catalog('a', { tools: ['echo'], prompts: ['p'], resources: ['r://1'] }),
      tools('b', 'echo'),
    ];
    const first = build(catalogs);
    const second = build(catalogs, { pins: first.pins });
    expect(second.pins).toEqual([]);
    expect(toolMap(second)).toEqual(toolMap(first));
  });

  it('contain a pin again when its name changed, and none for hidden items', () => {
    const first = build([tools('a', 'echo', 'gone')]);
    const second = build([tools('a', 'echo', 'gone'), tools('b', 'echo')], {
      pins: first.pins,
      config: {
        conflicts: 'priority',
        priority: ['b'],
        backends: filters({ a: { tools: { overrides: { gone: { name: 'renamed' } } } } }),
      },
    });
    expect(toolMap(second)).toEqual({ echo: 'b/echo', renamed: 'a/gone' });
    // The override's name is configured, not pinned; b's name was decided by the strategy.
    expect(second.pins.map((p) => `${p.backend}/${p.originalName}->${p.advertisedName}`).sort()).toEqual([
      'b/echo->echo',
    ]);
  });
});
