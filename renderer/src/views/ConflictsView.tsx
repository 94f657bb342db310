// Name collisions and how to settle them: candidates side by side with a readable schema diff, and the
// four decisions (prefix both, pick a winner, rename, hide one), applied live and undoable.
import { useId, useState, type FormEvent } from 'react';
import { Chip, EmptyState, Spinner } from '../components/controls.js';
import type { Conflict, ConflictCandidate, ConflictStrategy, JsonObject } from '../contract.js';
import { describeDecision, validateName } from '../lib/decisions.js';
import { diffDefinitions } from '../lib/schema-diff.js';
import { DiffList } from '../components/DiffList.js';
import { selectConflicts } from '../stores/gateway.js';
import { useConflicts, useDashboard, useGateway } from '../stores/hooks.js';

const STRATEGIES: { id: ConflictStrategy; label: string; help: string }[] = [
  { id: 'auto', label: 'Auto', help: 'First come keeps the name; later ones get a prefix and show up here.' },
  { id: 'prefix', label: 'Prefix all', help: 'Every tool is advertised as backend__tool.' },
  {
    id: 'priority',
    label: 'Priority',
    help: 'The first backend in the priority list wins; others are hidden.',
  },
  { id: 'manual', label: 'Manual', help: 'Every collision waits for your decision.' },
];

function StrategyPicker() {
  const strategy = useGateway((s) => s.pendingStrategy ?? s.snapshot?.strategy ?? 'auto');
  const busy = useGateway((s) => s.pendingStrategy !== null);
  const { gateway } = useDashboard();
  const helpId = useId();
  const current = STRATEGIES.find((s) => s.id === strategy);
  return (
    <div className="strategy">
      <label htmlFor="strategy-select">Default strategy</label>
      <select
        id="strategy-select"
        value={strategy}
        disabled={busy}
        aria-describedby={helpId}
        onChange={(e) => void gateway.getState().setStrategy(e.target.value as ConflictStrategy)}
      >
        {STRATEGIES.map((s) => (
          <option key={s.id} value={s.id}>
            {s.label}
          </option>
        ))}
      </select>
      <span id={helpId} className="muted small">
        {current?.help}
      </span>
    </div>
  );
}

function describeDefinition(definition: JsonObject): string | undefined {
  return typeof definition.description === 'string' ? definition.description : undefined;
}

function RenameForm({
  conflict,
  candidate,
  onDone,
}: {
  conflict: Conflict;
  candidate: ConflictCandidate;
  onDone(): void;
}) {
  const { conflicts } = useDashboard();
  const [value, setValue] = useState(
    candidate.advertisedAs ?? `${candidate.backend}_${candidate.originalName}`,
  );
  const [touched, setTouched] = useState(false);
  const taken = conflict.candidates
    .filter((c) => c.backend !== candidate.backend)
    .map((c) => c.advertisedAs)
    .filter((n): n is string => n !== null);
  const error = validateName(value, { kind: conflict.kind, taken });
  const inputId = useId();
  const errorId = useId();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (error) return;
    const ok = await conflicts
      .getState()
      .resolve(conflict, { action: 'rename', names: { [candidate.backend]: value } });
    if (ok) onDone();
  };
  return (
    <form className="rename-form" onSubmit={(e) => void submit(e)} noValidate>
      <label htmlFor={inputId}>
        New name for {candidate.backend}&apos;s {conflict.kind}
      </label>
      <div className="rename-row">
        <input
          id={inputId}
          value={value}
          onChange={(e) => {
            setValue(e.target.value);
            setTouched(true);
          }}
          aria-invalid={touched && error !== null}
          aria-describedby={touched && error ? errorId : undefined}
          spellCheck={false}
          autoFocus
        />
        <button
          type="submit"
          className="button button-primary button-small"
          disabled={touched && error !== null}
        >
          Rename
        </button>
        <button type="button" className="button button-small" onClick={onDone}>
          Cancel
        </button>
      </div>
      {touched && error ? (
        <p id={errorId} className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

function CandidateColumn({
  conflict,
  candidate,
  reference,
  busy,
}: {
  conflict: Conflict;
  candidate: ConflictCandidate;
  reference: ConflictCandidate | undefined;
  busy: boolean;
}) {
  const { conflicts } = useDashboard();
  const [renaming, setRenaming] = useState(false);
  const description = describeDefinition(candidate.definition);
  const schema =
    conflict.kind === 'tool'
      ? candidate.definition.inputSchema
      : conflict.kind === 'prompt'
        ? candidate.definition.arguments
        : undefined;
  const diff = reference ? diffDefinitions(conflict.kind, reference.definition, candidate.definition) : null;
  const winner =
    conflict.decision?.action === 'winner' &&
    conflict.decision.backend === candidate.backend &&
    conflict.resolvedBy === 'decision';
  return (
    <section
      className={`candidate${candidate.advertisedAs === null ? ' candidate-hidden' : ''}`}
      aria-label={`${candidate.backend}'s ${conflict.name}`}
    >
      <header className="candidate-head">
        <h4>{candidate.backend}</h4>
        {winner ? <Chip tone="ok">winner</Chip> : null}
      </header>
      <p className="candidate-name">
        {candidate.advertisedAs === null ? (
          <Chip tone="muted">hidden from clients</Chip>
        ) : (
          <>
            advertised as <code>{candidate.advertisedAs}</code>
          </>
        )}
        {candidate.originalName !== conflict.name ? (
          <span className="muted small"> (its own name: {candidate.originalName})</span>
        ) : null}
      </p>
      <p className="candidate-description">{description ?? <span className="muted">No description</span>}</p>
      {diff ? (
        <DiffList diff={diff} reference={reference!.backend} />
      ) : (
        <p className="diff-title">Reference for the comparison</p>
      )}
      {schema !== undefined ? (
        <details className="schema">
          <summary>{conflict.kind === 'tool' ? 'Input schema' : 'Arguments'}</summary>
          <pre tabIndex={0}>{JSON.stringify(schema, null, 2)}</pre>
        </details>
      ) : null}
      <div className="candidate-actions">
        <button
          type="button"
          className="button button-small"
          disabled={busy}
          aria-label={`Pick ${candidate.backend} as the winner of ${conflict.name}`}
          onClick={() =>
            void conflicts.getState().resolve(conflict, { action: 'winner', backend: candidate.backend })
          }
        >
          Use this one
        </button>
        {conflict.kind !== 'resource' ? (
          // Resource URIs are routed, never renamed: only a winner or hiding one applies.
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            aria-label={`Rename ${candidate.backend}'s ${conflict.name}`}
            aria-expanded={renaming}
            onClick={() => setRenaming(!renaming)}
          >
            Rename…
          </button>
        ) : null}
        <button
          type="button"
          className="button button-small"
          disabled={busy || candidate.advertisedAs === null}
          aria-label={`Hide ${candidate.backend}'s ${conflict.name}`}
          onClick={() =>
            void conflicts.getState().resolve(conflict, { action: 'hide', backend: candidate.backend })
          }
        >
          Hide
        </button>
      </div>
      {renaming ? (
        <RenameForm conflict={conflict} candidate={candidate} onDone={() => setRenaming(false)} />
      ) : null}
    </section>
  );
}

function ConflictCard({ conflict }: { conflict: Conflict }) {
  const { conflicts } = useDashboard();
  const busy = useConflicts((s) => Boolean(s.pending[conflict.id]));
  const error = useConflicts((s) => s.errors[conflict.id]);
  const canUndo = useConflicts((s) => s.history.some((h) => h.id === conflict.id));
  const titleId = useId();
  const reference = conflict.candidates[0];
  return (
    <article className={`conflict${conflict.open ? ' conflict-open' : ''}`} aria-labelledby={titleId}>
      <header className="conflict-head">
        <div>
          <h3 id={titleId}>
            <span className="muted">{conflict.kind}</span> <code>{conflict.name}</code>
          </h3>
          <p className="conflict-state">
            {conflict.open ? <Chip tone="warn">needs a decision</Chip> : <Chip tone="ok">resolved</Chip>}{' '}
            {conflict.resolvedBy === 'decision' && conflict.decision
              ? `Your decision: ${describeDecision(conflict.decision, conflict)}.`
              : `The ${conflict.strategy} strategy decides${conflict.open ? ' for now' : ''}.`}
          </p>
        </div>
        <div className="conflict-actions">
          {busy ? <Spinner label="Applying" /> : null}
          {conflict.kind !== 'resource' ? (
            <button
              type="button"
              className="button button-small"
              disabled={busy}
              onClick={() => void conflicts.getState().resolve(conflict, { action: 'prefix' })}
            >
              Keep all with prefixes
            </button>
          ) : null}
          {canUndo ? (
            <button
              type="button"
              className="button button-small"
              disabled={busy}
              onClick={() => void conflicts.getState().undo(conflict.id)}
            >
              Undo
            </button>
          ) : null}
          {conflict.resolvedBy === 'decision' ? (
            <button
              type="button"
              className="button button-small button-ghost"
              disabled={busy}
              onClick={() => void conflicts.getState().resolve(conflict, null)}
            >
              Reset to strategy
            </button>
          ) : null}
        </div>
      </header>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className={`candidates candidates-${Math.min(conflict.candidates.length, 3)}`}>
        {conflict.candidates.map((candidate, i) => (
          <CandidateColumn
            key={candidate.backend}
            conflict={conflict}
            candidate={candidate}
            reference={i === 0 ? undefined : reference}
            busy={busy}
          />
        ))}
      </div>
    </article>
  );
}

export function ConflictsView() {
  const list = useGateway(selectConflicts);
  const loaded = useGateway((s) => s.snapshot !== null);
  const open = list.filter((c) => c.open);
  const settled = list.filter((c) => !c.open);
  return (
    <div className="conflicts-view">
      <div className="view-head">
        <h2 className="view-title">
          Conflicts{' '}
          <span className="muted">
            ({open.length} open{settled.length ? `, ${settled.length} resolved` : ''})
          </span>
        </h2>
        <StrategyPicker />
      </div>
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <EmptyState title="No name collisions">
          <p>
            When two servers offer a tool, prompt or resource with the same name, it shows up here with both
            definitions side by side, and you choose which name each one gets. Clients are told right away.
          </p>
        </EmptyState>
      ) : (
        <>
          {open.map((c) => (
            <ConflictCard key={c.id} conflict={c} />
          ))}
          {settled.length ? <h3 className="section-title">Resolved</h3> : null}
          {settled.map((c) => (
            <ConflictCard key={c.id} conflict={c} />
          ))}
        </>
      )}
    </div>
  );
}
