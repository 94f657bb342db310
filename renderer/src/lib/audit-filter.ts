// The audit view's filter: what the user picked, turned into an AuditFilter for the server, and the
// same test applied locally to rows that arrive live.
import type { AuditFilter, AuditOutcome, AuditRow } from '../contract.js';
import { resolveRange, type RangePreset } from './time-range.js';

export interface AuditFilterState {
  range: RangePreset;
  /** Custom range bounds (epoch ms). */
  customFrom?: number | undefined;
  customTo?: number | undefined;
  backends: string[];
  /** Part of the advertised tool/prompt name or resource URI (any case). */
  name: string;
  outcomes: AuditOutcome[];
  client: string;
  sessionId: string;
  /** Free-text search. */
  text: string;
}

export const DEFAULT_FILTER: AuditFilterState = {
  range: '24h',
  backends: [],
  name: '',
  outcomes: [],
  client: '',
  sessionId: '',
  text: '',
};

/** The server-side filter for `state` at `now`, with `to` frozen so paging stays consistent. */
export function toAuditFilter(state: AuditFilterState, now: number): AuditFilter {
  const range = resolveRange(state.range, now, { from: state.customFrom, to: state.customTo });
  const filter: AuditFilter = { to: range.to ?? now + 1 };
  if (range.from !== undefined) filter.from = range.from;
  if (state.backends.length) filter.backend = state.backends;
  // Typed names match as substrings, any case: "ech" finds echo and beta__echo.
  if (state.name.trim()) filter.nameContains = state.name.trim();
  if (state.outcomes.length) filter.outcome = state.outcomes;
  if (state.client.trim()) filter.clientContains = state.client.trim();
  if (state.sessionId.trim()) filter.sessionId = state.sessionId.trim();
  if (state.text.trim()) filter.text = state.text.trim();
  return filter;
}

function oneOf<T>(value: T | undefined, allowed: T | readonly T[] | undefined): boolean {
  if (allowed === undefined) return true;
  const list = (Array.isArray(allowed) ? allowed : [allowed]) as readonly T[];
  return list.length === 0 || (value !== undefined && list.includes(value));
}

/** Whether a row belongs to the filter's results, ignoring the frozen upper bound. */
export function rowMatches(row: AuditRow, filter: AuditFilter): boolean {
  if (filter.from !== undefined && row.time < filter.from) return false;
  if (!oneOf(row.backend, filter.backend)) return false;
  if (!oneOf(row.name, filter.name)) return false;
  if (!oneOf(row.outcome, filter.outcome)) return false;
  if (!oneOf(row.method, filter.method)) return false;
  if (filter.sessionId !== undefined && row.sessionId !== filter.sessionId) return false;
  if (filter.client !== undefined && row.clientName !== filter.client) return false;
  const contains = (value: string | undefined, part: string | undefined) =>
    !part || (value !== undefined && value.toLowerCase().includes(part.toLowerCase()));
  if (!contains(row.name, filter.nameContains)) return false;
  if (!contains(row.clientName, filter.clientContains)) return false;
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    const haystack = [
      row.method,
      row.name,
      row.originalName,
      row.backend,
      row.clientName,
      row.sessionId,
      row.errorMessage,
      row.requestPayload,
      row.responsePayload,
    ];
    if (!haystack.some((v) => v !== undefined && v.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/** How many of the user's filters are set (for the "n filters" label). */
export function activeFilterCount(state: AuditFilterState): number {
  return (
    (state.backends.length ? 1 : 0) +
    (state.name.trim() ? 1 : 0) +
    (state.outcomes.length ? 1 : 0) +
    (state.client.trim() ? 1 : 0) +
    (state.sessionId.trim() ? 1 : 0) +
    (state.text.trim() ? 1 : 0)
  );
}
