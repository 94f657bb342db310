// Connected MCP clients.
import { useState } from 'react';
import { Chip, EmptyState } from '../components/controls.js';
import type { SessionSummary } from '../contract.js';
import { formatRelative, formatTimestamp, shortId } from '../lib/format.js';
import { selectSessions } from '../stores/gateway.js';
import { useDashboard, useGateway, useUi } from '../stores/hooks.js';

/** A session with no open stream that has not been seen for this long is listed as idle (folded). */
export const IDLE_AFTER_MS = 15 * 60_000;

export function isIdle(session: SessionSummary, now: number): boolean {
  return !session.streamOpen && now - session.lastSeen > IDLE_AFTER_MS;
}

export function SessionsView() {
  const all = useGateway(selectSessions);
  const loaded = useGateway((s) => s.snapshot !== null);
  const now = useUi((s) => s.now);
  const { ui, audit } = useDashboard();
  const [showIdle, setShowIdle] = useState(false);
  if (!loaded) return <p className="muted">Loading…</p>;
  const idle = all.filter((s) => isIdle(s, now));
  const sessions = showIdle ? all : all.filter((s) => !isIdle(s, now));
  if (all.length === 0) {
    return (
      <EmptyState title="No client connected">
        <p>
          Point Claude Code, Cursor, VS Code or Claude Desktop at this Switchyard: the{' '}
          <button type="button" className="link-button" onClick={() => ui.getState().setView('connect')}>
            Connect
          </button>{' '}
          view has snippets ready to paste.
        </p>
      </EmptyState>
    );
  }
  const sorted = [...sessions].sort((a, b) => b.lastSeen - a.lastSeen);
  return (
    <section aria-labelledby="sessions-title">
      <div className="view-head">
        <h2 id="sessions-title" className="view-title">
          Sessions <span className="muted">({all.length - idle.length} active)</span>
        </h2>
        {idle.length ? (
          <button
            type="button"
            className="button button-small button-ghost"
            aria-pressed={showIdle}
            onClick={() => setShowIdle(!showIdle)}
          >
            {showIdle ? 'Hide' : 'Show'} {idle.length} idle {idle.length === 1 ? 'session' : 'sessions'}
          </button>
        ) : null}
      </div>
      {sessions.length === 0 ? (
        <p className="muted">No client has been active in the last {IDLE_AFTER_MS / 60_000} minutes.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Era</th>
                <th scope="col">Connected</th>
                <th scope="col">Last seen</th>
                <th scope="col" className="num">
                  Calls
                </th>
                <th scope="col">Backends</th>
                <th scope="col">Session</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    {s.clientName} <span className="muted">{s.clientVersion}</span>
                  </th>
                  <td>
                    <Chip tone="outline">{s.era === 'legacy' ? '2025 era' : '2026 era'}</Chip>{' '}
                    <span className="muted small">{s.protocolVersion}</span>
                  </td>
                  <td title={formatTimestamp(s.createdAt)}>{formatRelative(s.createdAt, now)}</td>
                  <td title={formatTimestamp(s.lastSeen)}>
                    {formatRelative(s.lastSeen, now)}{' '}
                    {s.streamOpen ? (
                      <Chip tone="ok">stream open</Chip>
                    ) : isIdle(s, now) ? (
                      <Chip>idle</Chip>
                    ) : null}
                  </td>
                  <td className="num">{s.calls}</td>
                  <td>
                    {s.backends.length ? s.backends.join(', ') : <span className="muted">none yet</span>}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="link-button"
                      title={s.id}
                      aria-label={`Show the audit history of session ${s.id}`}
                      onClick={() => {
                        audit.getState().setFilter({ sessionId: s.id, range: 'all' });
                        ui.getState().setView('audit');
                      }}
                    >
                      <code>{shortId(s.id)}</code>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
