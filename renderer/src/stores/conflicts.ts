// Conflict decisions: apply one or many (bulk actions), undo (a stack of what each action replaced),
// reset to the strategy; and the view's search and "open only" filter. The conflicts themselves come
// with the snapshot (gateway store).
import { createStore } from 'zustand/vanilla';
import { errorMessage, isUnauthorized, type Bridge } from '../bridge/bridge.js';
import type { Conflict, Decision } from '../contract.js';
import { describeDecision } from '../lib/decisions.js';
import type { ConflictShow } from '../lib/route.js';
import type { GatewayStore } from './gateway.js';
import type { UiStore } from './ui.js';

export interface AppliedDecision {
  id: string;
  /** The decision in force before (null: none, the strategy decided). */
  previous: Decision | null;
  decision: Decision | null;
}

/** One user action: a single decision, or a bulk action's decisions, undone together. */
export interface AppliedAction {
  label: string;
  changes: AppliedDecision[];
}

export interface ConflictsState {
  /** Search text over names, backends and kinds. */
  query: string;
  show: ConflictShow;
  /** Conflict ids with a request in flight. */
  pending: Record<string, boolean>;
  /** Last failure per conflict id. */
  errors: Record<string, string>;
  /** Applied actions, newest last: what Undo reverts. */
  history: AppliedAction[];
  /** A bulk action in flight: how far it got. */
  bulk: { label: string; done: number; total: number } | null;
  setQuery(query: string): void;
  setShow(show: ConflictShow): void;
  resolve(conflict: Conflict, decision: Decision | null): Promise<boolean>;
  /** Applies several decisions one after the other as one action (one toast, one Undo). */
  resolveMany(
    label: string,
    items: readonly { conflict: Conflict; decision: Decision | null }[],
  ): Promise<boolean>;
  /** Reverts the newest action (or the newest one touching `id`). */
  undo(id?: string): Promise<boolean>;
}

export type ConflictsStore = ReturnType<typeof createConflictsStore>;

/** Every notification of this store shares one key: a new decision replaces the last one's toast. */
const TOAST_KEY = 'conflicts';

const previousOf = (conflict: Conflict): Decision | null =>
  conflict.resolvedBy === 'decision' ? (conflict.decision ?? null) : null;

export function createConflictsStore(deps: { bridge: Bridge; ui: UiStore; gateway: GatewayStore }) {
  const { bridge, ui, gateway } = deps;
  return createStore<ConflictsState>()((set, get) => {
    const mark = (ids: readonly string[], pending: boolean, error?: string | null) => {
      const p = { ...get().pending };
      const e = { ...get().errors };
      for (const id of ids) {
        if (pending) p[id] = true;
        else delete p[id];
        if (error) e[id] = error;
        else if (error === null) delete e[id];
      }
      set({ pending: p, errors: e });
    };
    /** Sends one decision; the error (if any) is kept on the card and returned. */
    const send = async (id: string, decision: Decision | null): Promise<string | null> => {
      mark([id], true, null);
      try {
        await bridge.resolveConflict(id, decision);
        mark([id], false);
        return null;
      } catch (error) {
        if (isUnauthorized(error)) gateway.getState().markUnauthorized();
        const message = errorMessage(error);
        mark([id], false, message);
        return message;
      }
    };
    const record = (action: AppliedAction) => set({ history: [...get().history.slice(-49), action] });
    const undoAction = (action: AppliedAction) => () => void get().undo(action.changes[0]?.id);
    return {
      query: '',
      show: 'all',
      pending: {},
      errors: {},
      history: [],
      bulk: null,
      setQuery: (query) => set({ query }),
      setShow: (show) => set({ show }),
      async resolve(conflict, decision) {
        const previous = previousOf(conflict);
        const failure = await send(conflict.id, decision);
        await gateway.getState().load();
        if (failure) {
          ui.getState().notify(`Could not change ${conflict.name}: ${failure}`, {
            kind: 'error',
            key: TOAST_KEY,
          });
          return false;
        }
        const action: AppliedAction = {
          label: conflict.name,
          changes: [{ id: conflict.id, previous, decision }],
        };
        record(action);
        ui.getState().notify(
          decision
            ? `${conflict.name}: ${describeDecision(decision, conflict)}. Clients were told the list changed.`
            : `${conflict.name}: back to the ${conflict.strategy} strategy.`,
          { kind: 'success', key: TOAST_KEY, action: { label: 'Undo', run: undoAction(action) } },
        );
        return true;
      },
      async resolveMany(label, items) {
        if (items.length === 0) return false;
        set({ bulk: { label, done: 0, total: items.length } });
        const changes: AppliedDecision[] = [];
        const failures: string[] = [];
        for (const { conflict, decision } of items) {
          const failure = await send(conflict.id, decision);
          if (failure) failures.push(`${conflict.name}: ${failure}`);
          else changes.push({ id: conflict.id, previous: previousOf(conflict), decision });
          set({ bulk: { label, done: changes.length + failures.length, total: items.length } });
        }
        set({ bulk: null });
        await gateway.getState().load();
        const action: AppliedAction = { label, changes };
        if (changes.length) record(action);
        const done = `${label}: ${changes.length} of ${items.length} ${items.length === 1 ? 'conflict' : 'conflicts'} changed`;
        ui.getState().notify(
          failures.length
            ? `${done}; ${failures.length} failed (${failures.slice(0, 2).join('; ')}${failures.length > 2 ? '; …' : ''})`
            : `${done}. Clients were told the list changed.`,
          {
            kind: failures.length ? 'error' : 'success',
            key: TOAST_KEY,
            ...(changes.length ? { action: { label: 'Undo', run: undoAction(action) } } : {}),
          },
        );
        return failures.length === 0;
      },
      async undo(id) {
        const history = get().history;
        let index = history.length - 1;
        if (id !== undefined) while (index >= 0 && !history[index]!.changes.some((c) => c.id === id)) index--;
        const entry = history[index];
        if (!entry) return false;
        const failures: string[] = [];
        // Newest change first, so a conflict decided twice in one action ends where it started.
        for (const change of [...entry.changes].reverse()) {
          const failure = await send(change.id, change.previous);
          if (failure) failures.push(`${change.id}: ${failure}`);
        }
        await gateway.getState().load();
        if (failures.length) {
          ui.getState().notify(`Could not undo ${entry.label}: ${failures.join('; ')}`, {
            kind: 'error',
            key: TOAST_KEY,
          });
          return false;
        }
        set({ history: get().history.filter((h) => h !== entry) });
        ui.getState().notify(
          entry.changes.length === 1
            ? `Undone: ${entry.label} is back as it was.`
            : `Undone: ${entry.label} (${entry.changes.length} conflicts back as they were).`,
          { kind: 'info', key: TOAST_KEY },
        );
        return true;
      },
    };
  });
}
