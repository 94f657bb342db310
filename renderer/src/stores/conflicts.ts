// Conflict decisions: apply, undo (a stack of what each decision replaced), reset to the strategy.
// The conflicts themselves come with the snapshot (gateway store).
import { createStore } from 'zustand/vanilla';
import { errorMessage, isUnauthorized, type Bridge } from '../bridge/bridge.js';
import type { Conflict, Decision } from '../contract.js';
import { describeDecision } from '../lib/decisions.js';
import type { GatewayStore } from './gateway.js';
import type { UiStore } from './ui.js';

export interface AppliedDecision {
  id: string;
  /** The decision in force before (null: none, the strategy decided). */
  previous: Decision | null;
  decision: Decision | null;
}

export interface ConflictsState {
  /** Conflict ids with a request in flight. */
  pending: Record<string, boolean>;
  /** Last failure per conflict id. */
  errors: Record<string, string>;
  /** Applied decisions, newest last: what Undo reverts. */
  history: AppliedDecision[];
  resolve(conflict: Conflict, decision: Decision | null): Promise<boolean>;
  /** Reverts the newest applied decision (or the newest for `id`). */
  undo(id?: string): Promise<boolean>;
}

export type ConflictsStore = ReturnType<typeof createConflictsStore>;

export function createConflictsStore(deps: { bridge: Bridge; ui: UiStore; gateway: GatewayStore }) {
  const { bridge, ui, gateway } = deps;
  return createStore<ConflictsState>()((set, get) => {
    const mark = (id: string, pending: boolean, error?: string | null) => {
      const p = { ...get().pending };
      if (pending) p[id] = true;
      else delete p[id];
      const e = { ...get().errors };
      if (error) e[id] = error;
      else if (error === null) delete e[id];
      set({ pending: p, errors: e });
    };
    const send = async (id: string, decision: Decision | null): Promise<boolean> => {
      mark(id, true, null);
      try {
        await bridge.resolveConflict(id, decision);
        mark(id, false);
        await gateway.getState().load();
        return true;
      } catch (error) {
        if (isUnauthorized(error)) gateway.getState().markUnauthorized();
        const message = errorMessage(error);
        mark(id, false, message);
        ui.getState().notify(`Could not change ${id}: ${message}`, { kind: 'error' });
        return false;
      }
    };
    return {
      pending: {},
      errors: {},
      history: [],
      async resolve(conflict, decision) {
        const previous = conflict.resolvedBy === 'decision' ? (conflict.decision ?? null) : null;
        const ok = await send(conflict.id, decision);
        if (!ok) return false;
        set({ history: [...get().history.slice(-49), { id: conflict.id, previous, decision }] });
        ui.getState().notify(
          decision
            ? `${conflict.name}: ${describeDecision(decision, conflict)}. Clients were told the list changed.`
            : `${conflict.name}: back to the ${conflict.strategy} strategy.`,
          { kind: 'success', action: { label: 'Undo', run: () => void get().undo(conflict.id) } },
        );
        return true;
      },
      async undo(id) {
        const history = get().history;
        let index = history.length - 1;
        if (id !== undefined) while (index >= 0 && history[index]!.id !== id) index--;
        const entry = history[index];
        if (!entry) return false;
        const ok = await send(entry.id, entry.previous);
        if (ok) {
          set({ history: get().history.filter((_, i) => i !== index) });
          ui.getState().notify(`Undone: ${entry.id} is back as it was.`, { kind: 'info' });
        }
        return ok;
      },
    };
  });
}
