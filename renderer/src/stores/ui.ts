// UI state: which view is open, notifications, and a clock for relative times.
import { createStore } from 'zustand/vanilla';
import { copyText } from '../lib/clipboard.js';
import { ROUTE_VIEWS } from '../lib/route.js';

export const VIEWS = ROUTE_VIEWS;
export type ViewId = (typeof VIEWS)[number];

export function isView(value: unknown): value is ViewId {
  return typeof value === 'string' && (VIEWS as readonly string[]).includes(value);
}

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  message: string;
  action?: { label: string; run: () => void };
  /** Toasts with the same key replace each other: one per action, never a stack of them. */
  key?: string;
}

export interface UiState {
  view: ViewId;
  toasts: Toast[];
  /** Updated every few seconds: "5 min ago" stays true without a re-render per second. */
  now: number;
  /** The audit charts are shown (folded by default in a short window, so the rows come first). */
  chartsOpen: boolean;
  setView(view: ViewId): void;
  setChartsOpen(open: boolean): void;
  notify(
    message: string,
    options?: { kind?: Toast['kind']; action?: Toast['action']; timeoutMs?: number; key?: string },
  ): number;
  dismiss(id: number): void;
  tick(now: number): void;
  /** Copies `text` to the clipboard and says so ("Token copied to the clipboard"). */
  copy(text: string, what: string): Promise<void>;
}

export type UiStore = ReturnType<typeof createUiStore>;

export function createUiStore(
  options: { now?: () => number; copy?: (text: string) => Promise<void>; chartsOpen?: boolean } = {},
) {
  const now = options.now ?? Date.now;
  const write = options.copy ?? ((text: string) => copyText(text));
  let nextId = 1;
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  return createStore<UiState>()((set, get) => ({
    view: 'backends',
    toasts: [],
    now: now(),
    chartsOpen: options.chartsOpen ?? true,
    setView: (view) => set({ view }),
    setChartsOpen: (chartsOpen) => set({ chartsOpen }),
    notify(message, { kind = 'info', action, timeoutMs, key } = {}) {
      const id = nextId++;
      const toast: Toast = { id, kind, message, ...(action ? { action } : {}), ...(key ? { key } : {}) };
      // One per key (a newer one replaces the older), and at most three on screen: the oldest goes first.
      const kept = get().toasts.filter((t) => key === undefined || t.key !== key);
      for (const gone of get().toasts.filter((t) => !kept.includes(t))) {
        clearTimeout(timers.get(gone.id));
        timers.delete(gone.id);
      }
      set({ toasts: [...kept.slice(-2), toast] });
      // A notice with an action (Undo) stays long enough to use it; a newer one of its key replaces it.
      const ms = timeoutMs ?? (kind === 'error' ? 10_000 : action ? 20_000 : 4000);
      if (ms > 0)
        timers.set(
          id,
          setTimeout(() => get().dismiss(id), ms),
        );
      return id;
    },
    dismiss(id) {
      clearTimeout(timers.get(id));
      timers.delete(id);
      set({ toasts: get().toasts.filter((t) => t.id !== id) });
    },
    tick: (value) => set({ now: value }),
    async copy(text, what) {
      try {
        await write(text);
        get().notify(`${what} copied to the clipboard`, { kind: 'success' });
      } catch (error) {
        get().notify(`Could not copy: ${error instanceof Error ? error.message : String(error)}`, {
          kind: 'error',
        });
      }
    },
  }));
}
