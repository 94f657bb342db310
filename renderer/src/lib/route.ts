// The address of what the dashboard shows: `#/<view>?<filters>`, so reload, back/forward and a
// bookmark bring the same view and filters back. Pure: parse and format only (stores/router.ts
// binds it to the page). The token never goes here (it is taken out of `#token=` at start).
import { DASHBOARD_VIEWS, type DashboardView } from '../../../common/control/dashboard-views.js';
import { AUDIT_OUTCOMES, type AuditOutcome } from '../contract.js';
import { DEFAULT_FILTER, type AuditFilterState } from './audit-filter.js';
import { RANGE_PRESETS, type RangePreset } from './time-range.js';

export const ROUTE_VIEWS = DASHBOARD_VIEWS;
export type RouteView = DashboardView;

export type ConflictShow = 'all' | 'open';

export interface Route {
  view: RouteView;
  /** Backends: the backend whose detail is open. */
  backend?: string;
  /** Conflicts and Tools: the search text. */
  query?: string;
  /** Conflicts: which ones are listed. */
  show?: ConflictShow;
  /** Audit: the filters that differ from the defaults. */
  audit?: Partial<AuditFilterState>;
}

const isRouteView = (v: string): v is RouteView => (ROUTE_VIEWS as readonly string[]).includes(v);
const isRange = (v: string): v is RangePreset => RANGE_PRESETS.some((p) => p.id === v);
const isOutcome = (v: string): v is AuditOutcome => (AUDIT_OUTCOMES as readonly string[]).includes(v);

/** Bounded: a hand-edited address never makes the page hold a huge string. */
const MAX_VALUE = 500;
const text = (value: string | null): string | undefined =>
  value === null || value === '' ? undefined : value.slice(0, MAX_VALUE);

/** The route in a location hash (`#/audit?backend=alpha`); anything unknown falls back to Backends. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = raw.split('?', 2) as [string?, string?];
  const view = isRouteView(path) ? path : 'backends';
  const params = new URLSearchParams(search);
  const route: Route = { view };
  if (view === 'backends') {
    const backend = text(params.get('backend'));
    if (backend) route.backend = backend;
  }
  if (view === 'conflicts' || view === 'tools') {
    const query = text(params.get('q'));
    if (query) route.query = query;
  }
  if (view === 'conflicts' && params.get('show') === 'open') route.show = 'open';
  if (view === 'audit') {
    const audit: Partial<AuditFilterState> = {};
    const range = params.get('range');
    if (range && isRange(range)) audit.range = range;
    const from = Number(params.get('from'));
    const to = Number(params.get('to'));
    if (audit.range === 'custom') {
      if (params.get('from') && Number.isFinite(from)) audit.customFrom = from;
      if (params.get('to') && Number.isFinite(to)) audit.customTo = to;
    }
    const backend = text(params.get('backend'));
    if (backend) audit.backends = [backend];
    const outcomes = (params.get('outcome') ?? '').split(',').filter(isOutcome);
    if (outcomes.length) audit.outcomes = [...new Set(outcomes)];
    for (const [key, field] of [
      ['tool', 'name'],
      ['client', 'client'],
      ['session', 'sessionId'],
      ['q', 'text'],
    ] as const) {
      const value = text(params.get(key));
      if (value) audit[field] = value;
    }
    if (Object.keys(audit).length) route.audit = audit;
  }
  return route;
}

/** The hash for a route: only what differs from the defaults, in a fixed order. */
export function formatRoute(route: Route): string {
  const params = new URLSearchParams();
  if (route.view === 'backends' && route.backend) params.set('backend', route.backend);
  if ((route.view === 'conflicts' || route.view === 'tools') && route.query) params.set('q', route.query);
  if (route.view === 'conflicts' && route.show === 'open') params.set('show', 'open');
  if (route.view === 'audit' && route.audit) {
    const a = route.audit;
    if (a.range && a.range !== DEFAULT_FILTER.range) params.set('range', a.range);
    if (a.range === 'custom') {
      if (a.customFrom !== undefined) params.set('from', String(a.customFrom));
      if (a.customTo !== undefined) params.set('to', String(a.customTo));
    }
    if (a.backends?.[0]) params.set('backend', a.backends[0]);
    if (a.name?.trim()) params.set('tool', a.name.trim());
    if (a.client?.trim()) params.set('client', a.client.trim());
    if (a.sessionId?.trim()) params.set('session', a.sessionId.trim());
    if (a.outcomes?.length) params.set('outcome', a.outcomes.join(','));
    if (a.text?.trim()) params.set('q', a.text.trim());
  }
  const search = params.toString();
  return `#/${route.view}${search ? `?${search}` : ''}`;
}

/** The whole audit filter a route stands for (defaults where it says nothing). */
export function auditFilterOf(route: Route): AuditFilterState {
  return { ...DEFAULT_FILTER, ...route.audit };
}
