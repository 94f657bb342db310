// One audit row in full, with its payloads when they were recorded.
import { useEffect, useRef } from 'react';
import { Chip } from '../components/controls.js';
import { CloseIcon } from '../components/icons.js';
import { formatBytes, formatDuration, formatTimestamp, prettyJson } from '../lib/format.js';
import { useAudit, useDashboard, useGateway } from '../stores/hooks.js';
import type { AuditRow } from '../contract.js';
import { OUTCOME_LABEL } from './AuditFilters.js';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Keeps Tab and Shift+Tab inside `container` (the drawer is modal while open). */
export function trapTab(event: React.KeyboardEvent, container: HTMLElement | null) {
  if (event.key !== 'Tab' || !container) return;
  const items = [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hidden);
  if (items.length === 0) return;
  const first = items[0]!;
  const last = items[items.length - 1]!;
  const active = document.activeElement;
  if (event.shiftKey && (active === first || !container.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !container.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * Whether payloads are being recorded, as far as the rows on screen tell: a payload anywhere means
 * yes; none anywhere means probably not.
 */
function recordingPayloads(rows: readonly AuditRow[] | undefined, row: AuditRow): boolean {
  const has = (r: AuditRow) => r.requestPayload !== undefined || r.responsePayload !== undefined;
  return has(row) || (rows ?? []).some(has);
}

/** The arguments of a recorded tools/call request (undefined when not recorded, cut short or redacted away). */
export function recordedArguments(payload: string | undefined): unknown {
  if (payload === undefined) return undefined;
  try {
    const parsed = JSON.parse(payload) as { arguments?: unknown; params?: { arguments?: unknown } };
    return parsed.arguments ?? parsed.params?.arguments;
  } catch {
    return undefined;
  }
}

export function AuditDetail() {
  const row = useAudit((s) => s.selected);
  const firstPage = useAudit((s) => s.pages[0]);
  const recordPayloads = useGateway((s) => s.snapshot?.audit?.recordPayloads);
  const { audit, tools, ui } = useDashboard();
  const closeRef = useRef<HTMLButtonElement>(null);
  const drawer = useRef<HTMLDivElement>(null);
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
    // The row that opened it may have scrolled out of the virtualized table: then its focusable row.
    const target =
      back instanceof HTMLElement && back.isConnected
        ? back
        : document.querySelector<HTMLElement>('[data-testid="audit-scroll"] [role="row"][tabindex="0"]');
    target?.focus();
  };
  // The engine says whether payloads are kept; an older one does not, then the rows tell.
  const recording = recordPayloads ?? recordingPayloads(firstPage, row);
  const filterBy = (patch: Parameters<ReturnType<typeof audit.getState>['setFilter']>[0]) => {
    audit.getState().setFilter(patch);
    close();
  };
  return (
    <div
      ref={drawer}
      className="drawer"
      role="dialog"
      aria-modal="true"
      aria-labelledby="audit-detail-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          close();
          return;
        }
        trapTab(e, drawer.current);
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
          {row.era ? <Chip tone="outline">{row.era === 'legacy' ? '2025 era' : '2026 era'}</Chip> : null}
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
        {row.method === 'tools/call' && row.name ? (
          <button
            type="button"
            className="button button-small button-primary"
            onClick={() => {
              tools.getState().openTry(row.name!, recordedArguments(row.requestPayload));
              audit.getState().select(null);
              opener.current = null;
              ui.getState().setView('tools');
            }}
          >
            Run again…
          </button>
        ) : null}
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
          {recording ? (
            'Not recorded for this request (payloads are kept for calls a backend served).'
          ) : (
            <>
              Not recorded: payloads are kept only while <code>audit.recordPayloads</code> is on in the
              config.
            </>
          )}
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
    </div>
  );
}
