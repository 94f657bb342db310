// The audit rows: a virtualized table over server-side pages. Only the rows on screen exist in the
// DOM; the store fetches the pages they fall in. Arrow keys move between rows, Enter opens one.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { AuditRow } from '../contract.js';
import { formatBytes, formatDuration, formatTime, shortId } from '../lib/format.js';
import { rowAt } from '../stores/audit.js';
import { useAudit, useDashboard, useUi } from '../stores/hooks.js';
import { OUTCOME_LABEL } from './AuditFilters.js';

export const ROW_HEIGHT = 34;

const COLUMNS = ['Time', 'Client', 'Session', 'Method', 'Name', 'Backend', 'Outcome', 'Duration', 'Size'];

/** A row's cells; while its page loads, the same cells empty (so React updates rather than remounts). */
const Cells = memo(function Cells({ row, now }: { row: AuditRow | undefined; now: number }) {
  if (!row) {
    return (
      <>
        <span role="gridcell" className="c-time">
          Loading…
        </span>
        {EMPTY_CELLS.map((key) => (
          <span key={key} role="gridcell" className={key === 2 ? 'c-session' : undefined} />
        ))}
      </>
    );
  }
  return (
    <>
      <span role="gridcell" className="c-time">
        {formatTime(row.time, now)}
      </span>
      <span role="gridcell">{row.clientName ?? '–'}</span>
      <span role="gridcell" className="c-session" title={row.sessionId}>
        {row.sessionId ? shortId(row.sessionId) : '–'}
      </span>
      <span role="gridcell">{row.method}</span>
      <span role="gridcell" className="c-name" title={row.name}>
        {row.name ?? '–'}
      </span>
      <span role="gridcell">{row.backend ?? '–'}</span>
      <span role="gridcell" className={`c-outcome outcome outcome-${row.outcome}`}>
        {OUTCOME_LABEL[row.outcome] ?? row.outcome}
      </span>
      <span role="gridcell" className="c-num">
        {formatDuration(row.durationMs)}
      </span>
      <span role="gridcell" className="c-num">
        {formatBytes(row.responseBytes)}
      </span>
    </>
  );
});

const EMPTY_CELLS = [1, 2, 3, 4, 5, 6, 7, 8];

/**
 * Rows are keyed by a slot (index modulo a number larger than the rows on screen), so while
 * scrolling a row element is reused for the row that takes its place instead of being recreated.
 */
const SLOTS = 256;

export function AuditTable() {
  const { audit } = useDashboard();
  const total = useAudit((s) => s.total ?? 0);
  const pages = useAudit((s) => s.pages);
  const generation = useAudit((s) => s.generation);
  const selectedId = useAudit((s) => s.selected?.id ?? null);
  const now = useUi((s) => s.now);
  const scroller = useRef<HTMLDivElement>(null);
  const [focused, setFocused] = useState(0);

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read in render on purpose
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    // Render in React's own update, not synchronously inside each scroll event.
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (total > 0) audit.getState().ensureRows(first, last);
  }, [audit, first, last, total, generation]);

  // A new query (other filters, or new rows shown) starts at the top.
  useEffect(() => {
    if (scroller.current && generation > 0) scroller.current.scrollTop = 0;
  }, [generation]);

  const focusRow = (index: number) => {
    const next = Math.max(0, Math.min(total - 1, index));
    setFocused(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    requestAnimationFrame(() =>
      scroller.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus(),
    );
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: focused + 1,
      ArrowUp: focused - 1,
      PageDown: focused + page,
      PageUp: focused - page,
      Home: 0,
      End: total - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      focusRow(target);
      return;
    }
    if (event.key === 'Enter' || event.key === ' ') {
      const row = rowAt(audit.getState(), focused);
      if (row) {
        event.preventDefault();
        audit.getState().select(row);
      }
    }
  };

  return (
    <div className="audit-table" role="grid" aria-label="Audit history" aria-rowcount={total + 1}>
      <div role="rowgroup" className="audit-head">
        <div role="row" className="audit-row" aria-rowindex={1}>
          {COLUMNS.map((c) => (
            <span
              key={c}
              role="columnheader"
              className={
                c === 'Duration' || c === 'Size' ? 'c-num' : c === 'Session' ? 'c-session' : undefined
              }
            >
              {c}
            </span>
          ))}
        </div>
      </div>
      <div
        ref={scroller}
        className="audit-scroll"
        role="rowgroup"
        onKeyDown={onKeyDown}
        onScroll={(e) => audit.getState().setAtTop(e.currentTarget.scrollTop < ROW_HEIGHT / 2)}
        data-testid="audit-scroll"
      >
        <div className="audit-spacer" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rowAt({ pages }, item.index);
            return (
              <div
                key={item.index % SLOTS}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={row !== undefined && row.id === selectedId}
                data-index={item.index}
                tabIndex={item.index === focused ? 0 : -1}
                className={`audit-row${row && row.id === selectedId ? ' row-selected' : ''}${row ? '' : ' audit-row-loading'}`}
                style={{ transform: `translateY(${item.start}px)` }}
                onClick={() => {
                  setFocused(item.index);
                  if (row) audit.getState().select(row);
                }}
                onFocus={() => setFocused(item.index)}
              >
                <Cells row={row} now={now} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
