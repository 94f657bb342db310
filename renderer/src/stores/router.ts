// Keeps the address bar and the stores in step: the route (lib/route.ts) is written when the view,
// the open backend or a filter changes, and read back on load and on back/forward. Opening another
// view adds a history entry; editing a filter replaces the current one (typing is not history).
import { auditFilterOf, formatRoute, parseRoute, type Route } from '../lib/route.js';
import type { Dashboard } from './dashboard.js';

export interface RouterHost {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'pushState' | 'replaceState' | 'state'>;
  addEventListener(type: 'popstate' | 'hashchange', listener: () => void): void;
  removeEventListener(type: 'popstate' | 'hashchange', listener: () => void): void;
}

/** The route the stores stand for now. */
export function currentRoute(d: Pick<Dashboard, 'ui' | 'backends' | 'conflicts' | 'tools' | 'audit'>): Route {
  const view = d.ui.getState().view;
  const route: Route = { view };
  if (view === 'backends') {
    const selected = d.backends.getState().selected;
    if (selected) route.backend = selected;
  }
  if (view === 'conflicts') {
    const { query, show } = d.conflicts.getState();
    if (query) route.query = query;
    route.show = show;
  }
  if (view === 'tools') {
    const query = d.tools.getState().query;
    if (query) route.query = query;
  }
  if (view === 'audit') route.audit = d.audit.getState().filter;
  return route;
}

/** Puts a route into the stores (only what changed, so nothing reloads for nothing). */
export function applyRoute(
  d: Pick<Dashboard, 'ui' | 'backends' | 'conflicts' | 'tools' | 'audit'>,
  route: Route,
) {
  if (d.ui.getState().view !== route.view) d.ui.getState().setView(route.view);
  if (route.view === 'backends' && (route.backend ?? null) !== d.backends.getState().selected) {
    d.backends.getState().select(route.backend ?? null);
  }
  if (route.view === 'conflicts') {
    const c = d.conflicts.getState();
    if ((route.query ?? '') !== c.query) c.setQuery(route.query ?? '');
    if ((route.show ?? 'all') !== c.show) c.setShow(route.show ?? 'all');
  }
  if (route.view === 'tools' && (route.query ?? '') !== d.tools.getState().query) {
    d.tools.getState().setQuery(route.query ?? '');
  }
  if (route.view === 'audit') {
    const next = auditFilterOf(route);
    if (
      formatRoute({ view: 'audit', audit: next }) !==
      formatRoute({ view: 'audit', audit: d.audit.getState().filter })
    ) {
      d.audit.getState().replaceFilter(next);
    }
  }
}

/** Binds the dashboard to the page's address; returns the function that unbinds it. */
export function startRouter(d: Dashboard, host: RouterHost): () => void {
  let applying = false;
  const target = () => `${host.location.pathname}${host.location.search}`;
  const fromAddress = () => {
    applying = true;
    try {
      applyRoute(d, parseRoute(host.location.hash));
    } finally {
      applying = false;
    }
  };
  fromAddress();
  // The address as the stores have it (normalized: defaults left out).
  let written = formatRoute(currentRoute(d));
  host.history.replaceState(host.history.state, '', `${target()}${written}`);
  let lastView = d.ui.getState().view;

  const write = () => {
    if (applying) return;
    const next = formatRoute(currentRoute(d));
    const view = d.ui.getState().view;
    if (next === written) return;
    if (view !== lastView) host.history.pushState(null, '', `${target()}${next}`);
    else host.history.replaceState(host.history.state, '', `${target()}${next}`);
    written = next;
    lastView = view;
  };
  const onPop = () => {
    fromAddress();
    written = formatRoute(currentRoute(d));
    lastView = d.ui.getState().view;
  };
  const unsubscribe = [d.ui, d.backends, d.conflicts, d.tools, d.audit].map((store) =>
    (store as { subscribe(listener: () => void): () => void }).subscribe(write),
  );
  host.addEventListener('popstate', onPop);
  host.addEventListener('hashchange', onPop);
  return () => {
    for (const u of unsubscribe) u();
    host.removeEventListener('popstate', onPop);
    host.removeEventListener('hashchange', onPop);
  };
}
