// Every tool of every backend, for the Tools view: what each backend offers and under which name
// clients see it. Built from the backends' details (one request per backend, reloaded when a
// backend's catalog, state or conflicts change) and the snapshot's conflicts.
import { createStore } from 'zustand/vanilla';
import { errorMessage, isUnauthorized, type Bridge } from '../bridge/bridge.js';
import type { CapabilityEntry, Conflict, JsonObject, Snapshot } from '../contract.js';
import type { GatewayStore } from './gateway.js';
import type { UiStore } from './ui.js';

export type ToolState = 'advertised' | 'hidden' | 'conflict';

export interface ToolRow {
  /** backend/originalName: unique. */
  key: string;
  backend: string;
  originalName: string;
  advertisedAs: string | null;
  title?: string;
  description?: string;
  state: ToolState;
  /** Left out of every list by the backend's include/exclude in the config (the On switch writes it). */
  disabled: boolean;
  /** The open or settled conflict this tool takes part in. */
  conflictId?: string;
  definition: CapabilityEntry['definition'];
}

/** The open "Try it" panel: which advertised tool, and the arguments to start with. */
export interface TryTarget {
  name: string;
  initialArguments?: unknown;
  /** Bumped on every open, so the form starts over even for the same tool. */
  seq: number;
}

export interface TryOutcome {
  ok: boolean;
  text: string;
  durationMs?: number;
}

export interface ToolsState {
  query: string;
  trying: TryTarget | null;
  /** Opens "Try it" for an advertised tool (from a row, or "Run again" in the audit trail). */
  openTry(name: string, initialArguments?: unknown): void;
  closeTry(): void;
  /** Tools with an on/off request in flight (keys). */
  toggling: Record<string, boolean>;
  /** Turns a tool on or off for every client; the list reloads with the engine's answer. */
  setEnabled(row: ToolRow, enabled: boolean): Promise<void>;
  /** Calls the tool through the gateway as the dashboard's client. */
  runTry(name: string, args: JsonObject): Promise<TryOutcome>;
  rows: ToolRow[];
  /** Backends whose details could not be loaded, with why. */
  errors: Record<string, string>;
  loading: boolean;
  loaded: boolean;
  setQuery(query: string): void;
  /** Loads every backend's tools (only backends whose picture changed since the last load). */
  load(): Promise<void>;
  setActive(active: boolean): void;
  onSnapshot(snapshot: Snapshot): void;
}

export type ToolsStore = ReturnType<typeof createToolsStore>;

/** What, in a snapshot, changes a backend's tool list. */
function backendSignature(snapshot: Snapshot, name: string): string {
  const b = snapshot.backends.find((x) => x.name === name);
  if (!b) return 'gone';
  const conflicts = snapshot.conflicts
    .filter((c) => c.kind === 'tool' && c.candidates.some((k) => k.backend === name))
    .map((c) => `${c.id}:${c.open}:${c.candidates.map((k) => k.advertisedAs ?? '-').join(',')}`)
    .join(';');
  return `${b.state}|${b.enabled}|${b.counts.tools}|${snapshot.strategy}|${conflicts}`;
}

export function toolRows(
  backend: string,
  tools: readonly CapabilityEntry[],
  conflicts: readonly Conflict[],
): ToolRow[] {
  return tools.map((entry) => {
    const conflict = conflicts.find(
      (c) =>
        c.kind === 'tool' &&
        c.candidates.some((k) => k.backend === backend && k.originalName === entry.originalName),
    );
    const state: ToolState = conflict?.open
      ? 'conflict'
      : entry.advertisedAs === null
        ? 'hidden'
        : 'advertised';
    return {
      key: `${backend}/${entry.originalName}`,
      backend,
      originalName: entry.originalName,
      advertisedAs: entry.advertisedAs,
      ...(entry.title ? { title: entry.title } : {}),
      ...(entry.description ? { description: entry.description } : {}),
      state,
      disabled: entry.disabled === true,
      ...(conflict ? { conflictId: conflict.id } : {}),
      definition: entry.definition,
    };
  });
}

/** Case-insensitive match on the advertised and original names, the backend and the description. */
export function matchesTool(row: ToolRow, query: string): boolean {
  const needle = query.trim().toLowerCase();
  if (!needle) return true;
  return [row.advertisedAs, row.originalName, row.backend, row.title, row.description].some(
    (v) => v !== undefined && v !== null && v.toLowerCase().includes(needle),
  );
}

export function createToolsStore(deps: { bridge: Bridge; gateway: GatewayStore; ui?: UiStore }) {
  const { bridge, gateway } = deps;
  let active = false;
  let seq = 0;
  const signatures = new Map<string, string>();
  const byBackend = new Map<string, ToolRow[]>();
  return createStore<ToolsState>()((set, get) => {
    const publish = (snapshot: Snapshot) => {
      const order = snapshot.backends.map((b) => b.name);
      const rows = order.flatMap((name) => byBackend.get(name) ?? []);
      set({ rows });
    };
    let trySeq = 0;
    return {
      query: '',
      trying: null,
      openTry(name, initialArguments) {
        set({
          trying: { name, seq: ++trySeq, ...(initialArguments !== undefined ? { initialArguments } : {}) },
        });
      },
      closeTry: () => set({ trying: null }),
      toggling: {},
      async setEnabled(row, enabled) {
        set({ toggling: { ...get().toggling, [row.key]: true } });
        try {
          await bridge.setToolEnabled(row.backend, row.originalName, enabled);
          signatures.delete(row.backend); // reload this backend's tools
          await gateway.getState().load();
          await get().load();
          deps.ui
            ?.getState()
            .notify(
              `${row.originalName} on ${row.backend} is ${enabled ? 'on again' : 'off: no client sees it'} (saved in the config file)`,
              { kind: 'success', key: `tool:${row.key}` },
            );
        } catch (error) {
          if (isUnauthorized(error)) gateway.getState().markUnauthorized();
          deps.ui
            ?.getState()
            .notify(`Could not turn ${row.originalName} ${enabled ? 'on' : 'off'}: ${errorMessage(error)}`, {
              kind: 'error',
              key: `tool:${row.key}`,
            });
        } finally {
          const toggling = { ...get().toggling };
          delete toggling[row.key];
          set({ toggling });
        }
      },
      async runTry(name, args) {
        try {
          const outcome = await bridge.callTool(name, args);
          return outcome.ok
            ? {
                ok: true,
                text: JSON.stringify(outcome.result ?? null, null, 2),
                durationMs: outcome.durationMs,
              }
            : {
                ok: false,
                text: JSON.stringify(outcome.error ?? { message: 'failed' }, null, 2),
                durationMs: outcome.durationMs,
              };
        } catch (error) {
          if (isUnauthorized(error)) gateway.getState().markUnauthorized();
          return { ok: false, text: errorMessage(error) };
        }
      },
      rows: [],
      errors: {},
      loading: false,
      loaded: false,
      setQuery: (query) => set({ query }),
      async load() {
        const snapshot = gateway.getState().snapshot;
        if (!snapshot) return;
        const mine = ++seq;
        const stale = snapshot.backends
          .map((b) => b.name)
          .filter((name) => signatures.get(name) !== backendSignature(snapshot, name));
        for (const name of [...byBackend.keys()]) {
          if (!snapshot.backends.some((b) => b.name === name)) byBackend.delete(name);
        }
        if (stale.length === 0) {
          publish(snapshot);
          set({ loaded: true });
          return;
        }
        set({ loading: true });
        const errors = { ...get().errors };
        await Promise.all(
          stale.map(async (name) => {
            try {
              const detail = await bridge.backend(name);
              if (mine !== seq) return;
              byBackend.set(name, toolRows(name, detail.tools, snapshot.conflicts));
              signatures.set(name, backendSignature(snapshot, name));
              delete errors[name];
            } catch (error) {
              if (isUnauthorized(error)) gateway.getState().markUnauthorized();
              errors[name] = errorMessage(error);
            }
          }),
        );
        if (mine !== seq) return;
        publish(snapshot);
        set({ loading: false, loaded: true, errors });
      },
      setActive(next) {
        active = next;
        if (active) void get().load();
      },
      onSnapshot() {
        if (active) void get().load();
      },
    };
  });
}
