// Tool changes awaiting review (tool integrity): the list from the engine, and approve / reject.
// The list is reloaded when the snapshot's count of held changes moves, and after each decision.
import { createStore } from 'zustand/vanilla';
import { errorMessage, isUnauthorized } from '../bridge/bridge.js';
import type { ChangeDecision, PendingChange } from '../contract.js';
import type { GatewayStore } from './gateway.js';
import type { UiStore } from './ui.js';

/** What the store needs from the bridge (part of the control API). */
export interface ChangesBridge {
  listChanges(): Promise<PendingChange[]>;
  decideChange(id: string, decision: ChangeDecision): Promise<PendingChange>;
}

export interface ChangesState {
  changes: PendingChange[];
  loaded: boolean;
  loading: boolean;
  error: string | null;
  /** Change ids with a decision in flight. */
  pending: Record<string, boolean>;
  load(): Promise<void>;
  decide(change: PendingChange, decision: ChangeDecision): Promise<boolean>;
}

export type ChangesStore = ReturnType<typeof createChangesStore>;

export function createChangesStore(deps: { bridge: ChangesBridge; ui: UiStore; gateway: GatewayStore }) {
  const { bridge, ui, gateway } = deps;
  return createStore<ChangesState>()((set, get) => ({
    changes: [],
    loaded: false,
    loading: false,
    error: null,
    pending: {},
    async load() {
      set({ loading: true });
      try {
        set({ changes: await bridge.listChanges(), loaded: true, loading: false, error: null });
      } catch (error) {
        if (isUnauthorized(error)) gateway.getState().markUnauthorized();
        set({ loading: false, error: errorMessage(error) });
      }
    },
    async decide(change, decision) {
      set({ pending: { ...get().pending, [change.id]: true } });
      const done = () => {
        const pending = { ...get().pending };
        delete pending[change.id];
        set({ pending });
      };
      const what = `${change.backend}/${change.tool}`;
      try {
        await bridge.decideChange(change.id, decision);
        done();
        ui.getState().notify(
          decision === 'approve'
            ? `${what}: approved. Its new definition is pinned and clients see it again.`
            : `${what}: rejected. It stays held until the backend goes back to the approved definition.`,
          { kind: decision === 'approve' ? 'success' : 'info' },
        );
        await get().load();
        return true;
      } catch (error) {
        done();
        if (isUnauthorized(error)) gateway.getState().markUnauthorized();
        ui.getState().notify(`Could not ${decision} ${what}: ${errorMessage(error)}`, { kind: 'error' });
        return false;
      }
    },
  }));
}

/** Changes that still need a decision (rejected ones stay held but were decided). */
export function undecidedCount(changes: readonly PendingChange[]): number {
  return changes.filter((c) => c.decision === undefined).length;
}
