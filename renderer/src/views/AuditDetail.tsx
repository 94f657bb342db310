// One audit row in full, with its payloads when they were recorded.
import { useEffect, useRef } from 'react';
import { Chip } from '../components/controls.js';
import { CloseIcon } from '../components/icons.js';
import { formatBytes, formatDuration, formatTimestamp, prettyJson } from '../lib/format.js';
import { useAudit, useDashboard } from '../stores/hooks.js';
import { OUTCOME_LABEL } from './AuditFilters.js';

export function AuditDetail() {
  const row = useAudit((s) => s.selected);
  const { audit } = useDashboard();
  const closeRef = useRef<HTMLButtonElement>(null);
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    if (!row) return;
    opener.current ??= document.activeElement;
    closeRef.current?.focus();
  }, [row]);

  if (!row) return null;
  const close = () => {
    audit.getState().select(null);
    const back = opener.current;
    opener.current = null;
    if (back instanceof HTMLElement) back.focus();
  };
  const filterBy = (patch: Parameters<ReturnType<typeof audit.getState>['setFilter']>[0]) => {
    audit.getState().setFilter(patch);
    close();
  };
  return (
    <aside
      className="drawer"
      role="dialog"
      aria-modal="false"
      aria-labelledby="audit-detail-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          close();
        }
      }}
    >
      <div className="detail-head">
        <div>
          <h2 id="audit-detail-title">
            {row.method} {row.name ? <code>{row.name}</code> : null}
          </h2>
          <div className="detail-sub">
            <span className={`outcome outcome-${row.outcome}`}>
              {OUTCOME_LABEL[row.outcome] ?? row.outcome}
            </span>
            <span className="muted">{formatTimestamp(row.time)}</span>
          </div>
        </div>
        <button
          ref={closeRef}
          type="button"
          className="button button-ghost button-icon"
          aria-label="Close the call details"
          onClick={close}
        >
          <CloseIcon />
        </button>
      </div>
      <dl className="facts">
        <dt>Duration</dt>
        <dd>{formatDuration(row.durationMs)}</dd>
        <dt>Backend</dt>
        <dd>
          {row.backend ?? <span className="muted">none (answered by the gateway)</span>}
          {row.originalName && row.originalName !== row.name ? (
            <span className="muted"> as {row.originalName}</span>
          ) : null}
        </dd>
        <dt>Client</dt>
        <dd>
          {row.clientName ?? '–'}{' '}
          {row.clientVersion ? <span className="muted">{row.clientVersion}</span> : null}{' '}
          {row.era ? <Chip tone="accent">{row.era}</Chip> : null}
        </dd>
        <dt>Session</dt>
        <dd>
          <code className="wrap">{row.sessionId ?? '–'}</code>
        </dd>
        {row.httpStatus !== undefined ? (
          <>
            <dt>HTTP</dt>
            <dd>{row.httpStatus}</dd>
          </>
        ) : null}
        {row.errorCode !== undefined || row.errorMessage ? (
          <>
            <dt>Error</dt>
            <dd className="error-text">
              {row.errorCode !== undefined ? <code>{row.errorCode}</code> : null} {row.errorMessage}
            </dd>
          </>
        ) : null}
        <dt>Sizes</dt>
        <dd>
          request {formatBytes(row.requestBytes)}, response {formatBytes(row.responseBytes)}
        </dd>
      </dl>
      <div className="detail-actions">
        {row.sessionId ? (
          <button
            type="button"
            className="button button-small"
            onClick={() => filterBy({ sessionId: row.sessionId! })}
          >
            Only this session
          </button>
        ) : null}
        {row.name ? (
          <button type="button" className="button button-small" onClick={() => filterBy({ name: row.name! })}>
            Only {row.name}
          </button>
        ) : null}
        {row.clientName ? (
          <button
            type="button"
            className="button button-small"
            onClick={() => filterBy({ client: row.clientName! })}
          >
            Only {row.clientName}
          </button>
        ) : null}
      </div>
      <h3>Request</h3>
      {row.requestPayload !== undefined ? (
        <pre className="payload" tabIndex={0} aria-label="Request payload">
          {prettyJson(row.requestPayload)}
        </pre>
      ) : (
        <p className="muted">
          Not recorded. Payloads are kept when <code>audit.recordPayloads</code> is on in the config.
        </p>
      )}
      <h3>Response</h3>
      {row.responsePayload !== undefined ? (
        <pre className="payload" tabIndex={0} aria-label="Response payload">
          {prettyJson(row.responsePayload)}
        </pre>
      ) : (
        <p className="muted">Not recorded.</p>
      )}
    </aside>
  );
}
