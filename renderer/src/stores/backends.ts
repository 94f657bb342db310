// Backend details (tools, prompts, resources with their advertised names) and backend actions.
// The list itself is part of the snapshot (gateway store); this store holds what the detail panel shows.
import { createStore } from 'zustand/vanilla';
import { errorMessage, isUnauthorized, type Bridge } from '../bridge/bridge.js';
import type { BackendDetail, BackendStatus, Snapshot } from '../contract.js';
import type { GatewayStore } from './gateway.js';
import type { UiStore } from './ui.js';

export interface DetailEntry {
  detail: BackendDetail | null;
  loading: boolean;
  error: string | null;
}

export type BackendAction = 'enabling' | 'disabling' | 'reconnecting' | 'renaming';

export interface BackendsState {
  selected: string | null;
  details: Record<string, DetailEntry>;
  pending: Record<string, BackendAction>;
  select(name: string | null): void;
  refresh(name: string): Promise<void>;
  setEnabled(name: string, enabled: boolean): Promise<void>;
  reconnect(name: string): Promise<void>;
  /** Sets the name shown for a backend (null or blank: its own name); true when it was saved. */
  setDisplayName(name: string, displayName: string | null): Promise<boolean>;
  /** A new snapshot arrived: reload the open detail when its backend changed. */
  onSnapshot(snapshot: Snapshot): void;
}

export type BackendsStore = ReturnType<typeof createBackendsStore>;

/** What, in a snapshot, would change a backend's detail panel. */
function signature(snapshot: Snapshot, name: string): string {
  const status = snapshot.backends.find((b) => b.name === name);
  if (!status) return 'gone';
  const conflicts = snapshot.conflicts
    .filter((c) => c.candidates.some((k) => k.backend === name))
    .map((c) => `${c.id}:${c.candidates.map((k) => k.advertisedAs ?? '-').join(',')}`)
    .join(';');
  return `${status.state}|${status.since}|${status.enabled}|${JSON.stringify(status.counts)}|${conflicts}`;
}

/**
 * The backend's status once a reconnect started at `started` has an outcome: ready, degraded or
 * down after that moment (connecting is not an outcome). Null when none came within `waitMs`.
 */
export function settled(
  gateway: GatewayStore,
  name: string,
  started: number,
  waitMs: number,
): Promise<BackendStatus | null> {
  const outcome = (): BackendStatus | null => {
    const b = gateway.getState().snapshot?.backends.find((x) => x.name === name);
    if (!b || b.state === 'connecting') return null;
    // A status from before the reconnect is no outcome of it (the clocks are the same machine's).
    return b.since >= started - 1000 ? b : null;
  };
  const now = outcome();
  if (now) return Promise.resolve(now);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      unsubscribe();
      resolve(null);
    }, waitMs);
    const unsubscribe = gateway.subscribe(() => {
      const found = outcome();
      if (!found) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(found);
    });
  });
}

export function createBackendsStore(deps: {
  bridge: Bridge;
  ui: UiStore;
  gateway: GatewayStore;
  /** How long a reconnect waits for its outcome before saying "still connecting" (ms). */
  reconnectWaitMs?: number;
}) {
  const { bridge, ui, gateway } = deps;
  const reconnectWaitMs = deps.reconnectWaitMs ?? 20_000;
  const seqs = new Map<string, number>();
  let lastSignature = '';
  return createStore<BackendsState>()((set, get) => {
    const patchDetail = (name: string, patch: Partial<DetailEntry>) => {
      const current = get().details[name] ?? { detail: null, loading: false, error: null };
      set({ details: { ...get().details, [name]: { ...current, ...patch } } });
    };
    const setPending = (name: string, action: BackendAction | null) => {
      const pending = { ...get().pending };
      if (action) pending[name] = action;
      else delete pending[name];
      set({ pending });
    };
    const fail = (error: unknown, what: string) => {
      if (isUnauthorized(error)) gateway.getState().markUnauthorized();
      else ui.getState().notify(`${what}: ${errorMessage(error)}`, { kind: 'error' });
    };
    return {
      selected: null,
      details: {},
      pending: {},
      select(name) {
        set({ selected: name });
        if (name) {
          const snapshot = gateway.getState().snapshot;
          lastSignature = snapshot ? signature(snapshot, name) : '';
          void get().refresh(name);
        }
      },
      async refresh(name) {
        const seq = (seqs.get(name) ?? 0) + 1;
        seqs.set(name, seq);
        patchDetail(name, { loading: true });
        try {
          const detail = await bridge.backend(name);
          if (seqs.get(name) !== seq) return;
          patchDetail(name, { detail, loading: false, error: null });
        } catch (error) {
          if (seqs.get(name) !== seq) return;
          if (isUnauthorized(error)) gateway.getState().markUnauthorized();
          patchDetail(name, { loading: false, error: errorMessage(error) });
        }
      },
      async setEnabled(name, enabled) {
        setPending(name, enabled ? 'enabling' : 'disabling');
        try {
          await bridge.setBackendEnabled(name, enabled);
          ui.getState().notify(`${name} ${enabled ? 'enabled' : 'disabled'}`, { kind: 'success' });
          await gateway.getState().load();
          if (get().selected === name) await get().refresh(name);
        } catch (error) {
          fail(error, `Could not ${enabled ? 'enable' : 'disable'} ${name}`);
        } finally {
          setPending(name, null);
        }
      },
      async reconnect(name) {
        setPending(name, 'reconnecting');
        const started = Date.now();
        try {
          await bridge.reconnectBackend(name);
          await gateway.getState().load();
          const outcome = await settled(gateway, name, started, reconnectWaitMs);
          const key = `reconnect:${name}`;
          if (outcome === null) {
            ui.getState().notify(`${name} is still connecting…`, { kind: 'info', key });
          } else if (outcome.state === 'ready' || outcome.state === 'degraded') {
            ui.getState().notify(
              `${name} reconnected: ${outcome.state}${outcome.counts ? `, ${outcome.counts.tools} tools` : ''}`,
              { kind: 'success', key },
            );
          } else {
            ui.getState().notify(
              `${name} could not reconnect${outcome.lastError ? `: ${outcome.lastError.message}` : ` (${outcome.state})`}`,
              { kind: 'error', key },
            );
          }
        } catch (error) {
          fail(error, `Could not reconnect ${name}`);
        } finally {
          setPending(name, null);
        }
      },
      async setDisplayName(name, displayName) {
        setPending(name, 'renaming');
        try {
          // The engine trims, clears a blank or own name, and validates: the toast says what it kept.
          await bridge.setBackendDisplayName(name, displayName);
          await gateway.getState().load();
          const shown = gateway.getState().snapshot?.backends.find((b) => b.name === name)?.displayName;
          ui.getState().notify(
            shown ? `${name} is shown as "${shown}"` : `${name} is shown by its own name`,
            {
              kind: 'success',
            },
          );
          return true;
        } catch (error) {
          fail(error, `Could not rename ${name}`);
          return false;
        } finally {
          setPending(name, null);
        }
      },
      onSnapshot(snapshot) {
        const name = get().selected;
        if (!name) return;
        const next = signature(snapshot, name);
        if (next === lastSignature) return;
        lastSignature = next;
        if (next !== 'gone') void get().refresh(name);
      },
    };
  });
}

export const selectSelectedDetail = (s: BackendsState): DetailEntry | null =>
  s.selected ? (s.details[s.selected] ?? null) : null;
