// Name pins, conflict decisions and backend settings in SQLite: they behave like the in-memory
// stores, survive close/reopen, and give the same advertised set after a restart.
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useStoreScratch } from '../helpers/store.js';
import { buildAdvertisedSet, type AggregationInput } from '../../core/aggregate/build.js';
import type { BackendCatalog, CapabilityKind } from '../../common/domain/capability.js';
import type { Decision, DecisionRecord, Pin } from '../../common/domain/conflict.js';
import { MemoryDecisionStore, MemoryPinStore } from '../../core/store/memory.js';
import { STORE_FILE, openStore, type Store } from '../../core/store/sqlite/store.js';

const scratch = useStoreScratch('store-state');
const tempDir = scratch.tempDir;
const stores = scratch.stores;

function open(dir: string): Store {
  const store = openStore(dir, { audit: { thread: false, pruneIntervalMs: 0 } });
  stores.push(store);
  return store;
}

async function reopen(dir: string, store: Store): Promise<Store> {
  await store.close();
  return open(dir);
}

const T = 1_700_000_000_000;
const pin = (
  kind: CapabilityKind,
  backend: string,
  originalName: string,
  advertisedName: string,
  at = T,
): Pin => ({
  kind,
  backend,
  originalName,
  advertisedName,
  pinnedAt: at,
});
const sortPins = (pins: Pin[]) =>
  [...pins].sort((a, b) =>
    `${a.kind}/${a.backend}/${a.originalName}`.localeCompare(`${b.kind}/${b.backend}/${b.originalName}`),
  );
const sortDecisions = (records: DecisionRecord[]) =>
  [...records].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));

/** A small deterministic generator, so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('SqlitePinStore', () => {
  it('keeps pins across close and reopen, one per (kind, backend, original name)', async () => {
    const dir = tempDir();
    let store = open(dir);
    store.pins.upsert([
      pin('tool', 'github', 'search', 'search'),
      pin('prompt', 'github', 'search', 'search'),
    ]);
    store.pins.upsert([pin('tool', 'github', 'search', 'github__search', T + 1)]);
    store = await reopen(dir, store);
    expect(sortPins(store.pins.all())).toEqual([
      pin('prompt', 'github', 'search', 'search'),
      pin('tool', 'github', 'search', 'github__search', T + 1),
    ]);
  });

  it('behaves like the in-memory store under random upserts and removals, and persists it all', async () => {
    const dir = tempDir();
    let store = open(dir);
    const memory = new MemoryPinStore();
    const next = random(42);
    const pick = <V>(values: readonly V[]) => values[Math.floor(next() * values.length)]!;
    const kinds: CapabilityKind[] = ['tool', 'prompt', 'resource'];
    const backends = ['a', 'b', 'c'];
    const names = ['x', 'y', 'z', 'w'];
    for (let step = 0; step < 300; step++) {
      if (next() < 0.7) {
        const batch = Array.from({ length: 1 + Math.floor(next() * 3) }, () =>
          pin(pick(kinds), pick(backends), pick(names), `${pick(backends)}__${pick(names)}`, T + step),
        );
        store.pins.upsert(batch);
        memory.upsert(batch);
      } else {
        const filter: { backend?: string; kind?: CapabilityKind; advertisedName?: string } = {};
        if (next() < 0.5) filter.backend = pick(backends);
        if (next() < 0.5) filter.kind = pick(kinds);
        if (next() < 0.3) filter.advertisedName = `${pick(backends)}__${pick(names)}`;
        store.pins.remove(filter);
        memory.remove(filter);
      }
      expect(sortPins(store.pins.all())).toEqual(sortPins(memory.all()));
      if (step % 50 === 49) {
        store = await reopen(dir, store);
        expect(sortPins(store.pins.all())).toEqual(sortPins(memory.all()));
      }
    }
  });

  it('keeps its own copy of what it is given', async () => {
    const store = open(tempDir());
    const p = pin('tool', 'a', 'x', 'x');
    store.pins.upsert([p]);
    p.advertisedName = 'changed';
    expect(store.pins.all()[0]!.advertisedName).toBe('x');
  });
});

describe('SqliteDecisionStore', () => {
  const decisions: Decision[] = [
    { action: 'prefix' },
    { action: 'winner', backend: 'github' },
    { action: 'rename', names: { github: 'gh_search', gitlab: 'gl_search' } },
    { action: 'hide', backend: 'gitlab' },
  ];

  it('stores every kind of decision, replaces by (kind, name), removes, and keeps it across reopen', async () => {
    const dir = tempDir();
    let store = open(dir);
    const memory = new MemoryDecisionStore();
    decisions.forEach((decision, i) => {
      const record: DecisionRecord = { kind: 'tool', name: `n${i}`, decision, decidedAt: T + i };
      store.decisions.set(record);
      memory.set(record);
    });
    const replaced: DecisionRecord = { kind: 'tool', name: 'n0', decision: decisions[1]!, decidedAt: T + 10 };
    const resource: DecisionRecord = {
      kind: 'resource',
      name: 'file:///a b/ü.txt',
      decision: decisions[3]!,
      decidedAt: T + 11,
    };
    for (const r of [replaced, resource]) {
      store.decisions.set(r);
      memory.set(r);
    }
    store.decisions.remove('tool', 'n2');
    memory.remove('tool', 'n2');
    store.decisions.remove('prompt', 'never-set');
    expect(sortDecisions(store.decisions.all())).toEqual(sortDecisions(memory.all()));
    store = await reopen(dir, store);
    expect(sortDecisions(store.decisions.all())).toEqual(sortDecisions(memory.all()));
    expect(store.decisions.all()).toHaveLength(4);
  });

  it('is durable as soon as set() returns (another connection sees it)', async () => {
    const dir = tempDir();
    const store = open(dir);
    store.decisions.set({ kind: 'prompt', name: 'greet', decision: { action: 'prefix' }, decidedAt: T });
    const other = new Database(path.join(dir, STORE_FILE), { readonly: true });
    expect(other.prepare('SELECT name, decision FROM decisions').all()).toEqual([
      { name: 'greet', decision: '{"action":"prefix"}' },
    ]);
    other.close();
  });
});

describe('SqliteBackendSettings', () => {
  it('defaults to nothing stored, patches, clears the display name with null, and persists', async () => {
    const dir = tempDir();
    let store = open(dir);
    expect(store.settings.get('github')).toBeUndefined();
    expect(store.settings.set('github', { enabled: false }, T)).toEqual({
      backend: 'github',
      enabled: false,
      updatedAt: T,
    });
    expect(store.settings.set('github', { displayName: 'GitHub' }, T + 1)).toEqual({
      backend: 'github',
      enabled: false,
      displayName: 'GitHub',
      updatedAt: T + 1,
    });
    store.settings.set('memory', { displayName: 'Memory' }, T + 2);
    store = await reopen(dir, store);
    expect(store.settings.all()).toEqual([
      { backend: 'github', enabled: false, displayName: 'GitHub', updatedAt: T + 1 },
      { backend: 'memory', enabled: true, displayName: 'Memory', updatedAt: T + 2 },
    ]);
    expect(store.settings.set('github', { enabled: true, displayName: null }, T + 3)).toEqual({
      backend: 'github',
      enabled: true,
      updatedAt: T + 3,
    });
    store.settings.remove('memory');
    store = await reopen(dir, store);
    expect(store.settings.all()).toEqual([{ backend: 'github', enabled: true, updatedAt: T + 3 }]);
  });
});

describe('after a restart', () => {
  const catalog = (backend: string, ...tools: string[]): BackendCatalog => ({
    backend,
    serverCapabilities: { tools: {} },
    tools: tools.map((name) => ({ name, inputSchema: { type: 'object' } })),
    prompts: [],
    resources: [],
    resourceTemplates: [],
  });
  const aggregate = (
    catalogs: BackendCatalog[],
    pins: readonly Pin[],
    decisions: readonly DecisionRecord[],
  ) => {
    const input: AggregationInput = {
      catalogs,
      knownBackends: new Set(catalogs.map((c) => c.backend)),
      config: { conflicts: 'auto', prefixFormat: '{backend}__', priority: [], backends: {} },
      pins,
      decisions,
    };
    return buildAdvertisedSet(input, T);
  };
  const advertised = (result: ReturnType<typeof aggregate>) =>
    Object.fromEntries(
      [...result.set.toolRoutes].map(([name, route]) => [name, `${route.backend}/${route.originalName}`]),
    );

  it('the stored pins and decisions advertise the same names, whatever order backends come back in', async () => {
    const dir = tempDir();
    let store = open(dir);
    const before = [catalog('github', 'search', 'issues'), catalog('gitlab', 'search', 'issues', 'merge')];
    const first = aggregate(before, store.pins.all(), store.decisions.all());
    store.pins.upsert(first.pins);
    // The user resolves one conflict; the engine rebuilds and pins what it now advertises.
    store.decisions.set({
      kind: 'tool',
      name: 'issues',
      decision: { action: 'winner', backend: 'gitlab' },
      decidedAt: T,
    });
    const second = aggregate(before, store.pins.all(), store.decisions.all());
    store.pins.upsert(second.pins);
    const names = advertised(second);
    expect(names).toMatchObject({ issues: 'gitlab/issues', search: 'github/search' });

    store = await reopen(dir, store);
    const after = [catalog('gitlab', 'search', 'issues', 'merge'), catalog('github', 'search', 'issues')];
    const restarted = aggregate(after, store.pins.all(), store.decisions.all());
    expect(advertised(restarted)).toEqual(names);
    expect(restarted.pins).toEqual([]); // nothing new to pin: everything advertised was already pinned
  });
});
