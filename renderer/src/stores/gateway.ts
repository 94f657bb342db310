// The engine's picture (Snapshot) and the gateway-wide actions: on/off, conflict strategy, token.
import { createStore } from 'zustand/vanilla';
import { errorMessage, isUnauthorized, type Bridge, type ConnectionState } from '../bridge/bridge.js';
import type { ConflictStrategy, Snapshot, StrategyPreview } from '../contract.js';
import type { UiStore } from './ui.js';

export type LoadStatus = 'loading' | 'ready' | 'unauthorized' | 'offline';

export interface GatewayStoreState {
  snapshot: Snapshot | null;
  status: LoadStatus;
  /** Why the last load failed (offline). */
  error: string | null;
  /** When the engine stopped answering (epoch ms), while offline. */
  offlineSince: number | null;
  /** The live event stream; 'none' when the bridge does not report it (IPC). */
  connection: ConnectionState | 'none';
  /** The on/off switch's requested state while the request runs. */
  pendingRunning: boolean | null;
  pendingStrategy: ConflictStrategy | null;
  /** Whether a token was rejected (vs. never given), for the token screen's wording. */
  tokenRejected: boolean;
  /** What a strategy change would do, shown before it is applied. */
  preview: { strategy: ConflictStrategy; result: StrategyPreview | null; error: string | null } | null;
  /** Computes the impact of `strategy` (nothing is applied); null clears it. */
  loadPreview(strategy: ConflictStrategy | null): Promise<void>;
  load(): Promise<void>;
  applySnapshot(snapshot: Snapshot): void;
  setConnection(state: ConnectionState | 'none'): void;
  markUnauthorized(): void;
  setGatewayRunning(running: boolean): Promise<void>;
  setStrategy(strategy: ConflictStrategy): Promise<void>;
  /** Use a token pasted by the user, then reload everything. */
  submitToken(token: string): Promise<void>;
}

export type GatewayStore = ReturnType<typeof createGatewayStore>;

export interface GatewayDeps {
  bridge: Bridge;
  ui: UiStore;
  /** Called after a load succeeds following an authorization failure (reload the other stores). */
  onAuthorized?: () => void;
  /** Whether a token was given at start (to tell "missing" from "rejected"). */
  hadToken?: boolean;
}

export function createGatewayStore(deps: GatewayDeps) {
  const { bridge, ui } = deps;
  let loadSeq = 0;
  let tokenTried = deps.hadToken ?? false;
  return createStore<GatewayStoreState>()((set, get) => {
    const fail = (error: unknown, what: string) => {
      if (isUnauthorized(error)) get().markUnauthorized();
      else ui.getState().notify(`${what}: ${errorMessage(error)}`, { kind: 'error' });
    };
    return {
      snapshot: null,
      status: 'loading',
      error: null,
      offlineSince: null,
      connection: 'none',
      pendingRunning: null,
      pendingStrategy: null,
      tokenRejected: false,
      preview: null,
      async loadPreview(strategy) {
        if (strategy === null) {
          set({ preview: null });
          return;
        }
        set({ preview: { strategy, result: null, error: null } });
        try {
          const result = await bridge.previewStrategy(strategy);
          if (get().preview?.strategy !== strategy) return;
          set({ preview: { strategy, result, error: null } });
        } catch (error) {
          if (get().preview?.strategy !== strategy) return;
          if (isUnauthorized(error)) get().markUnauthorized();
          set({ preview: { strategy, result: null, error: errorMessage(error) } });
        }
      },
      async load() {
        const seq = ++loadSeq;
        const wasUnauthorized = get().status === 'unauthorized';
        try {
          const snapshot = await bridge.snapshot();
          if (seq !== loadSeq) return;
          set({ snapshot, status: 'ready', error: null, offlineSince: null });
          if (wasUnauthorized) deps.onAuthorized?.();
        } catch (error) {
          if (seq !== loadSeq) return;
          if (isUnauthorized(error)) get().markUnauthorized();
          else
            set({
              status: 'offline',
              error: errorMessage(error),
              offlineSince: get().offlineSince ?? Date.now(),
            });
        }
      },
      applySnapshot(snapshot) {
        loadSeq++; // a pushed snapshot is newer than any load in flight
        const wasUnauthorized = get().status === 'unauthorized';
        set({ snapshot, status: 'ready', error: null, offlineSince: null });
        if (wasUnauthorized) deps.onAuthorized?.();
      },
      setConnection(connection) {
        set({ connection });
        if (connection === 'unauthorized') get().markUnauthorized();
      },
      markUnauthorized() {
        set({ status: 'unauthorized', tokenRejected: tokenTried });
      },
      async setGatewayRunning(running) {
        set({ pendingRunning: running });
        try {
          await bridge.setGatewayRunning(running);
          ui.getState().notify(
            running
              ? 'The MCP endpoint is on'
              : 'The MCP endpoint is paused: clients keep their sessions, calls are refused until it is on again',
            { kind: 'success', key: 'gateway' },
          );
          await get().load();
        } catch (error) {
          fail(error, running ? 'Could not turn the endpoint on' : 'Could not turn the endpoint off');
        } finally {
          set({ pendingRunning: null });
        }
      },
      async setStrategy(strategy) {
        const previous = get().snapshot?.strategy as ConflictStrategy | undefined;
        set({ pendingStrategy: strategy });
        try {
          await bridge.setStrategy(strategy);
          await get().load();
          const counts = get().snapshot?.counts;
          ui.getState().notify(
            `Conflict strategy: ${strategy}${counts ? ` — clients now see ${counts.tools} tools and ${counts.prompts} prompts` : ''}`,
            {
              kind: 'success',
              key: 'strategy',
              ...(previous && previous !== strategy
                ? { action: { label: 'Undo', run: () => void get().setStrategy(previous) } }
                : {}),
            },
          );
        } catch (error) {
          fail(error, 'Could not change the strategy');
        } finally {
          set({ pendingStrategy: null });
        }
      },
      async submitToken(token) {
        tokenTried = true;
        bridge.setToken?.(token.trim());
        set({ status: 'loading' });
        const seq = ++loadSeq;
        try {
          const snapshot = await bridge.snapshot();
          if (seq !== loadSeq) return;
          set({ snapshot, status: 'ready', error: null, tokenRejected: false });
          deps.onAuthorized?.();
        } catch (error) {
          if (seq !== loadSeq) return;
          if (isUnauthorized(error)) set({ status: 'unauthorized', tokenRejected: true });
          else set({ status: 'offline', error: errorMessage(error) });
        }
      },
    };
  });
}

// --- Selectors ---------------------------------------------------------------------------------

export const selectSnapshot = (s: GatewayStoreState) => s.snapshot;
export const selectBackends = (s: GatewayStoreState) => s.snapshot?.backends ?? EMPTY;
export const selectConflicts = (s: GatewayStoreState) => s.snapshot?.conflicts ?? EMPTY;
export const selectSessions = (s: GatewayStoreState) => s.snapshot?.sessions ?? EMPTY;
export const selectOpenConflictCount = (s: GatewayStoreState) => s.snapshot?.counts.openConflicts ?? 0;
/** Tool changes waiting for a decision (the Changes tab's badge). */
export const selectChangesToReview = (s: GatewayStoreState) => s.snapshot?.counts.changesToReview ?? 0;
/** The switch's position: the pending request's target while it runs, else whether the endpoint runs. */
export const selectGatewayOn = (s: GatewayStoreState) =>
  s.pendingRunning ??
  (s.snapshot ? s.snapshot.gateway.state === 'running' || s.snapshot.gateway.state === 'starting' : false);

const EMPTY: never[] = [];
