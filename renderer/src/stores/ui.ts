// UI state: which view is open, notifications, and a clock for relative times.
import { createStore } from 'zustand/vanilla';
import { copyText } from '../lib/clipboard.js';

export const VIEWS = ['backends', 'conflicts', 'changes', 'audit', 'sessions', 'connect'] as const;
export type ViewId = (typeof VIEWS)[number];

export function isView(value: unknown): value is ViewId {
  return typeof value === 'string' && (VIEWS as readonly string[]).includes(value);
}

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  message: string;
  action?: { label: string; run: () => void };
}

export interface UiState {
  view: ViewId;
  toasts: Toast[];
  /** Updated every few seconds: "5 min ago" stays true without a re-render per second. */
  now: number;
  setView(view: ViewId): void;
  notify(
    message: string,
    options?: { kind?: Toast['kind']; action?: Toast['action']; timeoutMs?: number },
  ): number;
  dismiss(id: number): void;
  tick(now: number): void;
  /** Copies `text` to the clipboard and says so ("Token copied to the clipboard"). */
  copy(text: string, what: string): Promise<void>;
}

export type UiStore = ReturnType<typeof createUiStore>;

export function createUiStore(options: { now?: () => number; copy?: (text: string) => Promise<void> } = {}) {
  const now = options.now ?? Date.now;
  const write = options.copy ?? ((text: string) => copyText(text));
  let nextId = 1;
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  return createStore<UiState>()((set, get) => ({
    view: 'backends',
    toasts: [],
    now: now(),
    setView: (view) => set({ view }),
    notify(message, { kind = 'info', action, timeoutMs } = {}) {
      const id = nextId++;
      const toast: Toast = { id, kind, message, ...(action ? { action } : {}) };
      // At most four on screen: the oldest goes first.
      set({ toasts: [...get().toasts.slice(-3), toast] });
      const ms = timeoutMs ?? (kind === 'error' ? 10_000 : action ? 8000 : 4000);
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
