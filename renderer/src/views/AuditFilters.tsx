// The audit view's filters: time range, backend, tool, outcome, client, session, and search.
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { AUDIT_OUTCOMES, type AuditOutcome } from '../contract.js';
import { activeFilterCount } from '../lib/audit-filter.js';
import { RANGE_PRESETS, type RangePreset } from '../lib/time-range.js';
import { useAudit, useDashboard, useGateway } from '../stores/hooks.js';

export const OUTCOME_LABEL: Record<AuditOutcome, string> = {
  ok: 'ok',
  tool_error: 'tool error',
  protocol_error: 'protocol error',
  denied: 'denied',
  timeout: 'timeout',
  backend_down: 'backend down',
  cancelled: 'cancelled',
};

/** epoch ms ↔ the value of an <input type="datetime-local"> (local time). */
function toLocalInput(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value: string): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

export function AuditFilters() {
  const filter = useAudit((s) => s.filter);
  const { audit } = useDashboard();
  const backendNames = useGateway(useShallow((s) => (s.snapshot?.backends ?? []).map((b) => b.name)));
  const clientNames = useGateway(
    useShallow((s) => [...new Set((s.snapshot?.sessions ?? []).map((x) => x.clientName))].sort()),
  );
  const names = useAudit(
    useShallow((s) => {
      const seen = new Set<string>();
      for (const row of s.pages[0] ?? []) if (row.name) seen.add(row.name);
      return [...seen].sort().slice(0, 100);
    }),
  );
  const ids = { names: useId(), clients: useId() };
  const set = audit.getState().setFilter;
  const active = activeFilterCount(filter);

  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter the audit history"
      onSubmit={(e) => e.preventDefault()}
    >
      <div className="field">
        <label htmlFor="audit-range">Time</label>
        <select
          id="audit-range"
          value={filter.range}
          onChange={(e) => set({ range: e.target.value as RangePreset })}
        >
          {RANGE_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </div>
      {filter.range === 'custom' ? (
        <>
          <div className="field">
            <label htmlFor="audit-from">From</label>
            <input
              id="audit-from"
              type="datetime-local"
              value={toLocalInput(filter.customFrom)}
              onChange={(e) => set({ customFrom: fromLocalInput(e.target.value) })}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-to">To</label>
            <input
              id="audit-to"
              type="datetime-local"
              value={toLocalInput(filter.customTo)}
              onChange={(e) => set({ customTo: fromLocalInput(e.target.value) })}
            />
          </div>
        </>
      ) : null}
      <div className="field">
        <label htmlFor="audit-backend">Backend</label>
        <select
          id="audit-backend"
          value={filter.backends[0] ?? ''}
          onChange={(e) => set({ backends: e.target.value ? [e.target.value] : [] })}
        >
          <option value="">All backends</option>
          {backendNames.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-name">Tool</label>
        <input
          id="audit-name"
          list={ids.names}
          value={filter.name}
          placeholder="any"
          spellCheck={false}
          onChange={(e) => set({ name: e.target.value })}
        />
        <datalist id={ids.names}>
          {names.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="audit-client">Client</label>
        <input
          id="audit-client"
          list={ids.clients}
          value={filter.client}
          placeholder="any"
          spellCheck={false}
          onChange={(e) => set({ client: e.target.value })}
        />
        <datalist id={ids.clients}>
          {clientNames.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="audit-session">Session</label>
        <input
          id="audit-session"
          value={filter.sessionId}
          placeholder="any"
          spellCheck={false}
          onChange={(e) => set({ sessionId: e.target.value })}
        />
      </div>
      <div className="field field-grow">
        <label htmlFor="audit-search">Search</label>
        <input
          id="audit-search"
          type="search"
          value={filter.text}
          placeholder="method, tool, error, payload…"
          onChange={(e) => set({ text: e.target.value })}
        />
      </div>
      <fieldset className="outcomes">
        <legend>Outcome</legend>
        {AUDIT_OUTCOMES.map((outcome) => {
          const on = filter.outcomes.includes(outcome);
          return (
            <button
              key={outcome}
              type="button"
              className={`toggle outcome-${outcome}`}
              aria-pressed={on}
              onClick={() =>
                set({
                  outcomes: on ? filter.outcomes.filter((o) => o !== outcome) : [...filter.outcomes, outcome],
                })
              }
            >
              {OUTCOME_LABEL[outcome]}
            </button>
          );
        })}
      </fieldset>
      {active > 0 || filter.range !== '24h' ? (
        <button
          type="button"
          className="button button-small button-ghost"
          onClick={() => audit.getState().resetFilter()}
        >
          Reset filters{active ? ` (${active})` : ''}
        </button>
      ) : null}
    </form>
  );
}
