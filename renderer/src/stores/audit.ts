// The audit history: filters, a page cache over server-side paging, chart statistics, the open row,
// and rows that arrive live.
//
// Paging: the table is virtualized over `total` rows and asks for the rows it shows (ensureRows).
// Pages are PAGE_SIZE rows; page k is fetched with the previous page's cursor when we have it
// (keyset paging, as cheap deep down as at the top), else by offset (a jump with the scrollbar).
// The query's upper time bound is frozen when it is made, so offsets stay stable while new rows
// are written; they show up on the next refresh (automatic while the user looks at the top).
import { createStore } from 'zustand/vanilla';
import { errorMessage, isUnauthorized, type Bridge } from '../bridge/bridge.js';
import type { AuditFilter, AuditRow, AuditStats } from '../contract.js';
import { DEFAULT_FILTER, rowMatches, toAuditFilter, type AuditFilterState } from '../lib/audit-filter.js';
import { chartWindow, resolveRange } from '../lib/time-range.js';
import type { GatewayStore } from './gateway.js';

export const PAGE_SIZE = 200;
export const MAX_CACHED_PAGES = 60;
/** Page requests in flight at once; while scrolling fast, pages already scrolled past are not fetched. */
export const MAX_PAGE_REQUESTS = 3;

export interface AuditState {
  filter: AuditFilterState;
  /** The server-side filter of the rows on screen (upper bound frozen). */
  applied: AuditFilter | null;
  /** Which query the cached pages belong to. */
  generation: number;
  total: number | null;
  pages: Record<number, AuditRow[]>;
  loading: boolean;
  error: string | null;
  stats: AuditStats | null;
  statsLoading: boolean;
  statsError: string | null;
  selected: AuditRow | null;
  /** Matching rows written since the rows on screen were fetched. */
  newRows: number;
  /** The table is scrolled to the top (new rows are then shown as they come). */
  atTop: boolean;
  /** The audit view is open. */
  active: boolean;
  setFilter(patch: Partial<AuditFilterState>): void;
  /** Sets every filter at once (from the address bar); refreshes when the view is open. */
  replaceFilter(filter: AuditFilterState): void;
  resetFilter(): void;
  refresh(): Promise<void>;
  loadStats(): Promise<void>;
  ensureRows(start: number, end: number): void;
  select(row: AuditRow | null): void;
  setAtTop(atTop: boolean): void;
  setActive(active: boolean): void;
  onLiveRows(rows: AuditRow[]): void;
}

export type AuditStore = ReturnType<typeof createAuditStore>;

export interface AuditDeps {
  bridge: Bridge;
  gateway: GatewayStore;
  now?: () => number;
  /** Debounce of typed filters (search, names), ms. */
  typingDelayMs?: number;
  /** Minimum gap between live refreshes of the table and of the charts, ms. */
  liveRefreshMs?: number;
  liveStatsMs?: number;
}

const TYPED: (keyof AuditFilterState)[] = ['text', 'name', 'client', 'sessionId'];

export function createAuditStore(deps: AuditDeps) {
  const { bridge, gateway } = deps;
  const now = deps.now ?? Date.now;
  const typingDelayMs = deps.typingDelayMs ?? 250;
  const liveRefreshMs = deps.liveRefreshMs ?? 1000;
  const liveStatsMs = deps.liveStatsMs ?? 3000;
  let requested = 0; // newest refresh asked for
  let statsSeq = 0;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let liveTimer: ReturnType<typeof setTimeout> | undefined;
  let statsTimer: ReturnType<typeof setTimeout> | undefined;
  let lastRefresh = 0;
  let lastStats = 0;
  let loadedOnce = false;
  /** The page the table asked for last, to evict the farthest pages first. */
  let focusPage = 0;

  return createStore<AuditState>()((set, get) => {
    /** Cursor to fetch page k with: the nextCursor of page k − 1. */
    let cursorMap = new Map<number, string>();
    const unauthorized = (error: unknown) => {
      if (isUnauthorized(error)) gateway.getState().markUnauthorized();
    };

    /** Pages being fetched (of the current generation), and the pages the table shows now. */
    let inFlight = new Set<number>();
    let wanted = { first: 0, last: -1 };

    /** Starts requests for wanted pages, nearest first, up to MAX_PAGE_REQUESTS at once. */
    const pump = () => {
      const { pages, applied } = get();
      if (!applied) return;
      for (let page = wanted.first; page <= wanted.last && inFlight.size < MAX_PAGE_REQUESTS; page++) {
        if (!pages[page] && !inFlight.has(page)) void fetchPage(page);
      }
    };

    const fetchPage = async (page: number) => {
      const { applied, generation } = get();
      if (!applied) return;
      const mine = inFlight;
      mine.add(page);
      const cursor = cursorMap.get(page);
      try {
        const result = await bridge.queryAudit({
          ...applied,
          limit: PAGE_SIZE,
          ...(cursor ? { cursor } : { offset: page * PAGE_SIZE }),
        });
        if (get().generation !== generation) return;
        if (result.nextCursor) cursorMap.set(page + 1, result.nextCursor);
        const pages = { ...get().pages, [page]: result.rows };
        evict(pages);
        set(result.total === get().total ? { pages } : { pages, total: result.total });
        if (get().error) set({ error: null });
      } catch (error) {
        if (get().generation !== generation) return;
        unauthorized(error);
        set({ error: errorMessage(error) });
      } finally {
        mine.delete(page);
        if (mine === inFlight) pump();
      }
    };

    const evict = (pages: Record<number, AuditRow[]>) => {
      const keys = Object.keys(pages).map(Number);
      if (keys.length <= MAX_CACHED_PAGES) return;
      keys.sort((a, b) => Math.abs(b - focusPage) - Math.abs(a - focusPage));
      for (const key of keys.slice(0, keys.length - MAX_CACHED_PAGES)) delete pages[key];
    };

    return {
      filter: DEFAULT_FILTER,
      applied: null,
      generation: 0,
      total: null,
      pages: {},
      loading: false,
      error: null,
      stats: null,
      statsLoading: false,
      statsError: null,
      selected: null,
      newRows: 0,
      atTop: true,
      active: false,

      setFilter(patch) {
        set({ filter: { ...get().filter, ...patch } });
        clearTimeout(typingTimer);
        if (Object.keys(patch).every((k) => TYPED.includes(k as keyof AuditFilterState))) {
          typingTimer = setTimeout(() => void get().refresh(), typingDelayMs);
        } else {
          void get().refresh();
        }
      },

      replaceFilter(filter) {
        clearTimeout(typingTimer);
        set({ filter });
        if (get().active || loadedOnce) void get().refresh();
      },

      resetFilter() {
        clearTimeout(typingTimer);
        set({ filter: DEFAULT_FILTER });
        void get().refresh();
      },

      async refresh() {
        const seq = ++requested;
        loadedOnce = true;
        lastRefresh = now();
        clearTimeout(liveTimer);
        liveTimer = undefined;
        const applied = toAuditFilter(get().filter, now());
        set({ loading: true });
        void get().loadStats();
        try {
          const result = await bridge.queryAudit({ ...applied, limit: PAGE_SIZE });
          if (seq !== requested) return;
          cursorMap = new Map(result.nextCursor ? [[1, result.nextCursor]] : []);
          inFlight = new Set();
          focusPage = 0;
          wanted = { first: 0, last: -1 };
          set({
            applied,
            generation: get().generation + 1,
            pages: { 0: result.rows },
            total: result.total,
            loading: false,
            error: null,
            newRows: 0,
          });
        } catch (error) {
          if (seq !== requested) return;
          unauthorized(error);
          set({ loading: false, error: errorMessage(error) });
        }
      },

      async loadStats() {
        const seq = ++statsSeq;
        lastStats = now();
        clearTimeout(statsTimer);
        statsTimer = undefined;
        const { filter } = get();
        const range = resolveRange(filter.range, now(), { from: filter.customFrom, to: filter.customTo });
        const window = chartWindow(range, now());
        const { from: _from, to: _to, ...rest } = toAuditFilter(filter, now());
        set({ statsLoading: true });
        try {
          let stats = await bridge.auditStats({ ...rest, ...window });
          if (seq !== statsSeq) return;
          // Calls only in the last part of a long range (e.g. a new install on "last 24 hours"):
          // zoom the charts in on the active period so they show more than a spike at the edge.
          const zoom = zoomWindow(stats);
          if (zoom) {
            stats = await bridge.auditStats({ ...rest, ...zoom });
            if (seq !== statsSeq) return;
          }
          set({ stats, statsLoading: false, statsError: null });
        } catch (error) {
          if (seq !== statsSeq) return;
          unauthorized(error);
          set({ statsLoading: false, statsError: errorMessage(error) });
        }
      },

      ensureRows(start, end) {
        const { total, applied } = get();
        if (!applied || total === null) return;
        focusPage = Math.floor(Math.max(0, start) / PAGE_SIZE);
        wanted = { first: focusPage, last: Math.floor(Math.max(0, Math.min(end, total - 1)) / PAGE_SIZE) };
        pump();
      },

      select: (row) => set({ selected: row }),

      setAtTop(atTop) {
        if (atTop === get().atTop) return;
        set({ atTop });
        if (atTop && get().newRows > 0 && get().active) void get().refresh();
      },

      setActive(active) {
        set({ active });
        if (active && (!loadedOnce || get().newRows > 0)) void get().refresh();
      },

      onLiveRows(rows) {
        const { applied, active, atTop } = get();
        if (!applied) return;
        const matching = rows.filter((row) => rowMatches(row, applied)).length;
        if (matching === 0) return;
        set({ newRows: get().newRows + matching });
        if (!active) return;
        if (atTop && !liveTimer) {
          const wait = Math.max(0, lastRefresh + liveRefreshMs - now());
          liveTimer = setTimeout(() => void get().refresh(), wait);
        }
        if (!statsTimer) {
          const wait = Math.max(0, lastStats + liveStatsMs - now());
          statsTimer = setTimeout(() => void get().loadStats(), wait);
        }
      },
    };
  });
}

/**
 * A narrower chart window when every call falls in the last quarter of `stats`' window: from a
 * little before the first call to the end, at least 15 minutes, with its own bucket width.
 */
export function zoomWindow(stats: AuditStats): { from: number; to: number; bucketMs: number } | null {
  if (stats.buckets.length === 0) return null;
  const first = Math.min(...stats.buckets.map((b) => b.start));
  const span = stats.to - stats.from;
  if (stats.to - first > span / 4) return null;
  const active = Math.max(15 * 60_000, (stats.to - first) * 1.25);
  if (active >= span) return null;
  const window = chartWindow({ from: stats.to - active, to: stats.to }, stats.to);
  return window.bucketMs < stats.bucketMs ? window : null;
}

/** The row at a table index, or undefined while its page loads. */
export function rowAt(state: Pick<AuditState, 'pages'>, index: number): AuditRow | undefined {
  return state.pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE];
}
