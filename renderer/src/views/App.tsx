// The dashboard's shell: header (is the gateway up), the view tabs, the open view, notifications.
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { Toasts } from '../components/Toasts.js';
import { selectChangesToReview, selectOpenConflictCount } from '../stores/gateway.js';
import { useDashboard, useGateway, useUi } from '../stores/hooks.js';
import { VIEWS, type ViewId } from '../stores/ui.js';
import { AuditView } from './AuditView.js';
import { BackendsView } from './BackendsView.js';
import { ChangesView } from './ChangesView.js';
import { ConflictsView } from './ConflictsView.js';
import { ConnectView } from './ConnectView.js';
import { Header } from './Header.js';
import { SessionsView } from './SessionsView.js';
import { TokenScreen } from './TokenScreen.js';
import { ToolsView } from './ToolsView.js';
import { formatTime } from '../lib/format.js';

const TITLES: Record<ViewId, string> = {
  backends: 'Backends',
  tools: 'Tools',
  conflicts: 'Conflicts',
  changes: 'Changes',
  audit: 'Audit',
  sessions: 'Sessions',
  connect: 'Connect',
};

function ViewTabs() {
  const view = useUi((s) => s.view);
  const openConflicts = useGateway(selectOpenConflictCount);
  const changesToReview = useGateway(selectChangesToReview);
  const sessions = useGateway((s) => s.snapshot?.counts.sessions ?? 0);
  const { ui } = useDashboard();
  const refs = useRef<Partial<Record<ViewId, HTMLButtonElement | null>>>({});

  const go = (next: ViewId) => {
    ui.getState().setView(next);
    refs.current[next]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const index = VIEWS.indexOf(view);
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: VIEWS.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    go(VIEWS[(target + VIEWS.length) % VIEWS.length]!);
  };

  return (
    <nav className="tabs" aria-label="Views">
      <div role="tablist" aria-label="Dashboard views" onKeyDown={onKeyDown}>
        {VIEWS.map((id) => (
          <button
            key={id}
            ref={(el) => {
              refs.current[id] = el;
            }}
            id={`tab-${id}`}
            type="button"
            role="tab"
            aria-selected={view === id}
            aria-controls={`panel-${id}`}
            tabIndex={view === id ? 0 : -1}
            className="tab"
            onClick={() => go(id)}
          >
            {TITLES[id]}
            {id === 'conflicts' && openConflicts > 0 ? (
              <span className="badge badge-warn" aria-label={`${openConflicts} open`}>
                {openConflicts}
              </span>
            ) : null}
            {id === 'changes' && changesToReview > 0 ? (
              <span className="badge badge-warn" aria-label={`${changesToReview} to review`}>
                {changesToReview}
              </span>
            ) : null}
            {id === 'sessions' && sessions > 0 ? (
              <span className="badge" aria-label={`${sessions} connected`}>
                {sessions}
              </span>
            ) : null}
          </button>
        ))}
      </div>
    </nav>
  );
}

function ActiveView({ view }: { view: ViewId }) {
  switch (view) {
    case 'backends':
      return <BackendsView />;
    case 'tools':
      return <ToolsView />;
    case 'conflicts':
      return <ConflictsView />;
    case 'changes':
      return <ChangesView />;
    case 'audit':
      return <AuditView />;
    case 'sessions':
      return <SessionsView />;
    case 'connect':
      return <ConnectView />;
  }
}

/** The engine stopped answering: say so above everything, and that what is shown may be stale. */
function EngineBanner() {
  const error = useGateway((s) => s.error);
  const since = useGateway((s) => s.offlineSince);
  const now = useUi((s) => s.now);
  return (
    <div className="engine-banner" role="alert">
      <strong>Switchyard is not answering.</strong>{' '}
      <span>
        The engine could not be reached{since ? ` since ${formatTime(since, now)}` : ''}; retrying every few
        seconds. Everything below is the last picture it sent and may no longer be true.
      </span>
      {error ? <span className="engine-banner-detail"> ({error})</span> : null}
    </div>
  );
}

/**
 * Keeps `--panel-height` on <main> (the one scrolling region, below the header and the tab bar) at
 * its visible height, so a panel that sticks inside it (the backend detail) can be as tall as what
 * shows and no taller. A ref callback: <main> comes and goes with the token screen.
 */
function trackPanelHeight(main: HTMLElement | null): (() => void) | undefined {
  if (!main || typeof ResizeObserver === 'undefined') return undefined;
  const observer = new ResizeObserver(() =>
    main.style.setProperty('--panel-height', `${main.clientHeight}px`),
  );
  observer.observe(main);
  return () => observer.disconnect();
}

/** Marks the first frame that shows the engine's data (the benchmark's "first meaningful paint"). */
export const FIRST_DATA_MARK = 'switchyard:first-data';

export function App() {
  const status = useGateway((s) => s.status);
  const hasSnapshot = useGateway((s) => s.snapshot !== null);
  const view = useUi((s) => s.view);

  useEffect(() => {
    if (!hasSnapshot || performance.getEntriesByName(FIRST_DATA_MARK).length) return;
    // After the next frame is painted: the first one with data.
    requestAnimationFrame(() => setTimeout(() => performance.mark(FIRST_DATA_MARK), 0));
  }, [hasSnapshot]);

  if (status === 'unauthorized') {
    return (
      <>
        <TokenScreen />
        <Toasts />
      </>
    );
  }
  const offline = status === 'offline';
  return (
    <div className={`app${offline ? ' app-offline' : ''}`}>
      <Header />
      <ViewTabs />
      {offline ? <EngineBanner /> : null}
      {/* <main> stays the main landmark; the tab panel is inside it (a role on <main> would replace it). */}
      <main
        id="main"
        ref={trackPanelHeight}
        className="panel"
        aria-busy={!hasSnapshot && status === 'loading'}
      >
        <div id={`panel-${view}`} role="tabpanel" aria-labelledby={`tab-${view}`} tabIndex={-1}>
          <ActiveView view={view} />
        </div>
      </main>
      <Toasts />
    </div>
  );
}
