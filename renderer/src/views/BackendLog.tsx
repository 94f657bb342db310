// The backend detail's Logs section: the backend's recent stderr and connection history from the
// engine's bounded ring, live while the panel is open (lib/log-follower.ts: pushed, never polled).
// Lines are untrusted bytes: shown as text, cleaned of escape/control/bidi characters, capped in
// number and length. The list keeps to its newest line unless the user scrolled up to read.
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { Chip } from '../components/controls.js';
import type { BackendLogEntry, BackendLogKind, Snapshot } from '../contract.js';
import { formatClock, formatCount, formatTimestamp } from '../lib/format.js';
import { EMPTY_LOG_VIEW, LogFollower, displayLine, logAsText, type LogView } from '../lib/log-follower.js';
import { useDashboard, useGateway } from '../stores/hooks.js';

type Tone = 'ok' | 'warn' | 'bad' | 'muted' | 'busy' | 'accent' | 'outline';

const KINDS: Record<BackendLogKind, { label: string; tone: Tone }> = {
  stderr: { label: 'stderr', tone: 'outline' },
  connected: { label: 'connected', tone: 'ok' },
  disconnected: { label: 'disconnected', tone: 'bad' },
  error: { label: 'error', tone: 'bad' },
  started: { label: 'started', tone: 'busy' },
  exited: { label: 'exited', tone: 'warn' },
  idle: { label: 'idle', tone: 'muted' },
};

/** How close to the bottom (px) still counts as "following the newest line". */
const STICK_PX = 24;

type Status = Snapshot['backends'][number];

/**
 * Where a backend's log comes from: a stdio command's process writes stderr into the ring; an HTTP
 * or SSE server, or a container (its output stays with the container engine), only has connection
 * history. Null when stderr is there to show.
 */
export function historyOnlyReason(status: Pick<Status, 'transport' | 'source'> | undefined): string | null {
  if (!status) return null;
  if (status.source.kind === 'container')
    return 'Connection history only: a container’s own output stays with the container engine (podman logs / docker logs).';
  if (status.transport !== 'stdio')
    return 'Connection history only: an HTTP or SSE server has no stderr to show.';
  return null;
}

/** Why the log is empty. */
export function emptyLogText(
  status: Pick<Status, 'transport' | 'source'> | undefined,
  cleared: boolean,
): string {
  if (cleared) return 'View cleared. New lines appear here as they come.';
  return historyOnlyReason(status) === null
    ? 'Nothing logged yet. What the server’s process writes to stderr, and its connection events, appear here as they happen.'
    : 'No connection events yet: connects, disconnects and errors appear here as they happen.';
}

function LogLine({ entry }: { entry: BackendLogEntry }) {
  const pid = entry.pid !== undefined ? ` · pid ${entry.pid}` : '';
  const time = (
    <time dateTime={new Date(entry.at).toISOString()} title={`${formatTimestamp(entry.at)}${pid}`}>
      {formatClock(entry.at)}
    </time>
  );
  // A stderr line is the server's own text (monospace, no badge: most lines are these); a
  // connection event is the gateway's, with a coloured badge saying what happened.
  if (entry.kind === 'stderr')
    return (
      <li className="log-line log-stderr">
        {time}
        <span className="visually-hidden">stderr</span>
        <span className="log-text">{displayLine(entry.text)}</span>
      </li>
    );
  const kind = KINDS[entry.kind] ?? { label: entry.kind, tone: 'muted' as const };
  return (
    <li className="log-line log-event">
      {time}
      <Chip tone={kind.tone}>{kind.label}</Chip>
      <span className="log-text">
        {displayLine(entry.text)}
        {entry.pid !== undefined ? <span className="muted"> (pid {entry.pid})</span> : null}
      </span>
    </li>
  );
}

/** Keyed by backend name where it is used, so another backend starts from a fresh view. */
export function BackendLogSection({ name }: { name: string }) {
  const { bridge, ui } = useDashboard();
  const status = useGateway((s) => s.snapshot?.backends.find((b) => b.name === name));
  const connection = useGateway((s) => s.connection);
  const [view, setView] = useState<LogView>(EMPTY_LOG_VIEW);
  const [eventsOnly, setEventsOnly] = useState(false);
  const [stuck, setStuck] = useState(true);
  const follower = useRef<LogFollower | null>(null);
  const list = useRef<HTMLDivElement>(null);
  const headingId = useId();
  const onlyId = useId();

  useEffect(() => {
    const f = new LogFollower(bridge, name, setView);
    follower.current = f;
    f.start();
    return () => f.stop();
  }, [bridge, name]);

  // The event stream came back after a gap: read what was missed.
  const lastConnection = useRef(connection);
  useEffect(() => {
    if (connection === 'open' && lastConnection.current !== 'open') follower.current?.catchUp();
    lastConnection.current = connection;
  }, [connection]);

  const shown = eventsOnly ? view.entries.filter((e) => e.kind !== 'stderr') : view.entries;

  useLayoutEffect(() => {
    const el = list.current;
    if (el && stuck) el.scrollTop = el.scrollHeight;
  }, [shown, stuck]);

  const onScroll = () => {
    const el = list.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= STICK_PX;
    if (atBottom !== stuck) setStuck(atBottom);
  };

  const stderrCount = view.entries.filter((e) => e.kind === 'stderr').length;
  const summary = view.loaded
    ? `${formatCount(view.entries.length)} ${view.entries.length === 1 ? 'line' : 'lines'} (${formatCount(stderrCount)} stderr)` +
      (view.skipped > 0 ? ` · ${formatCount(view.skipped)} older not shown` : '')
    : 'Loading…';

  return (
    <section className="backend-log" aria-labelledby={headingId}>
      <div className="backend-log-head">
        <h3 id={headingId}>Logs</h3>
        <span className="muted small">{summary}</span>
        <div className="backend-log-actions">
          <label className="checkbox small" htmlFor={onlyId}>
            <input
              id={onlyId}
              type="checkbox"
              checked={eventsOnly}
              onChange={(e) => setEventsOnly(e.target.checked)}
            />{' '}
            Connection events only
          </label>
          <button
            type="button"
            className="button button-small"
            disabled={shown.length === 0}
            onClick={() => void ui.getState().copy(logAsText(shown), 'Log lines')}
          >
            Copy
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={view.entries.length === 0}
            onClick={() => follower.current?.clear()}
          >
            Clear view
          </button>
        </div>
      </div>
      {historyOnlyReason(status) ? <p className="muted small">{historyOnlyReason(status)}</p> : null}
      {view.error ? (
        <p className="form-error" role="alert">
          Could not read the log: {view.error}
        </p>
      ) : null}
      {view.loaded && shown.length === 0 && !view.error ? (
        <p className="muted small backend-log-empty">
          {eventsOnly && view.entries.length > 0
            ? 'No connection events among the lines shown.'
            : emptyLogText(status, view.clearedAt !== null)}
        </p>
      ) : null}
      {shown.length > 0 ? (
        <div className="backend-log-frame">
          {/* A log, but silent: a flood of stderr must not become a flood of announcements. */}
          <div
            ref={list}
            className="backend-log-lines"
            role="log"
            aria-live="off"
            aria-labelledby={headingId}
            tabIndex={0}
            onScroll={onScroll}
          >
            <ol>
              {shown.map((entry) => (
                <LogLine key={entry.seq} entry={entry} />
              ))}
            </ol>
          </div>
          {!stuck ? (
            <button
              type="button"
              className="button button-small backend-log-newest"
              onClick={() => {
                setStuck(true);
                list.current?.focus();
              }}
            >
              Go to newest
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
