// Name collisions and how to settle them: candidates side by side with a readable schema diff, and the
// four decisions (prefix both, pick a winner, rename, hide one), applied live and undoable.
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { Chip, EmptyState, Spinner } from '../components/controls.js';
import type {
  Conflict,
  ConflictCandidate,
  ConflictStrategy,
  Decision,
  JsonObject,
  NameChange,
  ProfileStrategyImpact,
  StrategyPreview,
} from '../contract.js';
import { changesNothing, countChange, profileChanges } from '../lib/strategy-impact.js';
import {
  backendPairs,
  groupConflicts,
  matchesConflict,
  nextOpen,
  prefixAll,
  sortConflicts,
  winsAll,
  type ConflictEntry,
} from '../lib/conflict-groups.js';
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

/** Names listed in a preview before "and N more". */
const PREVIEW_NAMES = 12;

function NameList({ label, names }: { label: string; names: NameChange[] }) {
  if (names.length === 0) return null;
  return (
    <div className="preview-list">
      <span className="muted small">{label}: </span>
      {names.slice(0, PREVIEW_NAMES).map((n, i) => (
        <span key={`${n.backend}/${n.name}`}>
          {i ? ', ' : ''}
          <code>{n.name}</code>
        </span>
      ))}
      {names.length > PREVIEW_NAMES ? (
        <span className="muted"> and {names.length - PREVIEW_NAMES} more</span>
      ) : null}
    </div>
  );
}

/** Per profile (/mcp/<profile>): its client's tools and prompts before and after, and which names. */
function ProfileImpacts({ profiles }: { profiles: ProfileStrategyImpact[] }) {
  if (profiles.length === 0) return null;
  return (
    <table className="table table-compact profile-impact">
      <caption className="muted small">Per profile (names as each client sees them)</caption>
      <thead>
        <tr>
          <th scope="col">Profile</th>
          <th scope="col">Tools</th>
          <th scope="col">Prompts</th>
          <th scope="col">Changes</th>
        </tr>
      </thead>
      <tbody>
        {profiles.map((p) => (
          <tr key={p.profile}>
            <th scope="row">
              <code>{p.profile}</code> <span className="muted small">{p.clientLabel}</span>
            </th>
            <td>
              {countChange(p.tools)}
              {p.search ? <span className="muted small"> (search mode)</span> : null}
            </td>
            <td>{countChange(p.prompts)}</td>
            <td className="description">{profileChanges(p)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What the chosen strategy would change for every connected client, before it is applied. */
function StrategyImpact({ preview }: { preview: StrategyPreview }) {
  const sessions = useGateway((s) => s.snapshot?.counts.sessions ?? 0);
  const { tools, prompts } = preview;
  return (
    <div className="strategy-impact" role="status" aria-live="polite">
      {changesNothing(preview) ? (
        <p>No advertised name would change.</p>
      ) : (
        <>
          <p>
            <strong>
              Tools {tools.before} → {tools.after}, prompts {prompts.before} → {prompts.after}
            </strong>{' '}
            on <code>/mcp</code> for{' '}
            {sessions === 1 ? 'the 1 connected client' : `all ${sessions} connected clients`}
            {preview.openConflicts.before !== preview.openConflicts.after
              ? `; open conflicts ${preview.openConflicts.before} → ${preview.openConflicts.after}`
              : ''}
            .
          </p>
          <NameList label="Tools lost" names={tools.lost} />
          <NameList label="Tools gained" names={tools.gained} />
          <NameList label="Prompts lost" names={prompts.lost} />
          <NameList label="Prompts gained" names={prompts.gained} />
          <ProfileImpacts profiles={preview.profiles} />
        </>
      )}
    </div>
  );
}

function StrategyPicker() {
  const current = useGateway((s) => (s.snapshot?.strategy ?? 'auto') as ConflictStrategy);
  const busy = useGateway((s) => s.pendingStrategy !== null);
  const preview = useGateway((s) => s.preview);
  const { gateway } = useDashboard();
  const [choice, setChoice] = useState<ConflictStrategy | null>(null);
  const helpId = useId();
  const shown = choice ?? current;
  const help = STRATEGIES.find((s) => s.id === shown)?.help;
  const changing = choice !== null && choice !== current;
  const choose = (next: ConflictStrategy) => {
    setChoice(next);
    void gateway.getState().loadPreview(next === current ? null : next);
  };
  const cancel = () => {
    setChoice(null);
    void gateway.getState().loadPreview(null);
  };
  const apply = async () => {
    if (!choice) return;
    await gateway.getState().setStrategy(choice);
    cancel();
  };
  const impact = changing && preview?.strategy === choice ? preview : null;
  return (
    <div className="strategy">
      <label htmlFor="strategy-select">Default strategy</label>
      <select
        id="strategy-select"
        value={shown}
        disabled={busy}
        aria-describedby={helpId}
        onChange={(e) => choose(e.target.value as ConflictStrategy)}
      >
        {STRATEGIES.map((s) => (
          <option key={s.id} value={s.id}>
            {s.label}
          </option>
        ))}
      </select>
      {changing ? (
        <>
          <button
            type="button"
            className="button button-primary button-small"
            disabled={busy || !impact?.result}
            onClick={() => void apply()}
          >
            Use this strategy
          </button>
          <button type="button" className="button button-small" disabled={busy} onClick={cancel}>
            Cancel
          </button>
        </>
      ) : null}
      <span id={helpId} className="muted small strategy-help">
        {help}
      </span>
      {impact ? (
        impact.result ? (
          <StrategyImpact preview={impact.result} />
        ) : impact.error ? (
          <p className="form-error" role="alert">
            Could not compute the impact: {impact.error}
          </p>
        ) : (
          <Spinner label="Computing the impact" />
        )
      ) : null}
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
  onDecide,
}: {
  conflict: Conflict;
  candidate: ConflictCandidate;
  onDone(): void;
  onDecide(decision: Decision): Promise<boolean>;
}) {
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
    const ok = await onDecide({ action: 'rename', names: { [candidate.backend]: value } });
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
  onDecide,
}: {
  conflict: Conflict;
  candidate: ConflictCandidate;
  reference: ConflictCandidate | undefined;
  busy: boolean;
  onDecide(decision: Decision): Promise<boolean>;
}) {
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
          aria-label={`Use this one: ${candidate.backend} keeps ${conflict.name}`}
          onClick={() => void onDecide({ action: 'winner', backend: candidate.backend })}
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
          onClick={() => void onDecide({ action: 'hide', backend: candidate.backend })}
        >
          Hide
        </button>
      </div>
      {renaming ? (
        <RenameForm
          conflict={conflict}
          candidate={candidate}
          onDone={() => setRenaming(false)}
          onDecide={onDecide}
        />
      ) : null}
    </section>
  );
}

/** Focus and disclosure across the list: which conflicts are open for review, where focus goes. */
interface ListControl {
  expanded: ReadonlySet<string>;
  toggle(id: string): void;
  register(id: string, element: HTMLButtonElement | null): void;
  /** Applies a decision, then moves focus to the next open conflict (or keeps it on this one). */
  decide(conflict: Conflict, decision: Decision | null): Promise<boolean>;
}

function ConflictCard({ conflict, control }: { conflict: Conflict; control: ListControl }) {
  const { conflicts } = useDashboard();
  const busy = useConflicts((s) => Boolean(s.pending[conflict.id]) || s.bulk !== null);
  const error = useConflicts((s) => s.errors[conflict.id]);
  const canUndo = useConflicts((s) => s.history.some((h) => h.changes.some((c) => c.id === conflict.id)));
  const reference = conflict.candidates[0];
  const onDecide = (decision: Decision) => control.decide(conflict, decision);
  return (
    <div className="conflict-body">
      <div className="conflict-head">
        <p className="conflict-state">
          {conflict.resolvedBy === 'decision' && conflict.decision
            ? `Your decision: ${describeDecision(conflict.decision, conflict)}.`
            : `The ${conflict.strategy} strategy decides${conflict.open ? ' for now' : ''}.`}
        </p>
        <div className="conflict-actions">
          {busy ? <Spinner label="Applying" /> : null}
          {conflict.kind !== 'resource' ? (
            <button
              type="button"
              className="button button-small"
              disabled={busy}
              onClick={() => void onDecide({ action: 'prefix' })}
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
              onClick={() => void control.decide(conflict, null)}
            >
              Reset to strategy
            </button>
          ) : null}
        </div>
      </div>
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
            onDecide={onDecide}
          />
        ))}
      </div>
    </div>
  );
}

function StateChip({ conflict }: { conflict: Conflict }) {
  return conflict.open ? <Chip tone="warn">needs a decision</Chip> : <Chip tone="ok">resolved</Chip>;
}

/** One conflict: a summary line with a disclosure; the full card (candidates, diff, actions) below. */
function ConflictRow({ conflict, control }: { conflict: Conflict; control: ListControl }) {
  const titleId = useId();
  const bodyId = useId();
  const expanded = control.expanded.has(conflict.id);
  return (
    <article
      className={`conflict${conflict.open ? ' conflict-open' : ''}${expanded ? ' conflict-expanded' : ''}`}
      aria-labelledby={titleId}
    >
      <h3 id={titleId} className="conflict-summary">
        <button
          ref={(el) => control.register(conflict.id, el)}
          type="button"
          className="conflict-toggle"
          aria-expanded={expanded}
          aria-controls={bodyId}
          onClick={() => control.toggle(conflict.id)}
        >
          <span className="disclosure" aria-hidden="true" />
          <span className="muted conflict-kind">{conflict.kind}</span> <code>{conflict.name}</code>
        </button>
        <span className="conflict-meta">
          <StateChip conflict={conflict} />
          <span className="muted small">
            {conflict.candidates
              .map(
                (c) =>
                  `${c.backend}${c.advertisedAs === null ? ' (hidden)' : c.advertisedAs !== conflict.name ? ` → ${c.advertisedAs}` : ''}`,
              )
              .join(' · ')}
          </span>
        </span>
      </h3>
      <div id={bodyId} hidden={!expanded}>
        {expanded ? <ConflictCard conflict={conflict} control={control} /> : null}
      </div>
    </article>
  );
}

/** Identical definitions from the same backends: one row, decided together or one by one. */
function GroupRow({
  entry,
  control,
}: {
  entry: Extract<ConflictEntry, { type: 'group' }>;
  control: ListControl;
}) {
  const { conflicts } = useDashboard();
  const busy = useConflicts((s) => s.bulk !== null);
  const titleId = useId();
  const listId = useId();
  const expanded = control.expanded.has(entry.key);
  const open = entry.conflicts.filter((c) => c.open).length;
  const kindPlural = `${entry.kind}s`;
  const between = entry.backends.join(' and ');
  return (
    <article className={`conflict conflict-group${open ? ' conflict-open' : ''}`} aria-labelledby={titleId}>
      <h3 id={titleId} className="conflict-summary">
        <button
          ref={(el) => control.register(entry.key, el)}
          type="button"
          className="conflict-toggle"
          aria-expanded={expanded}
          aria-controls={listId}
          onClick={() => control.toggle(entry.key)}
        >
          <span className="disclosure" aria-hidden="true" />
          {entry.conflicts.length} identical {kindPlural} in {between}
        </button>
        <span className="conflict-meta">
          {open ? <Chip tone="warn">{open} need a decision</Chip> : <Chip tone="ok">resolved</Chip>}
          <span className="muted small group-names">
            {entry.conflicts
              .slice(0, 8)
              .map((c) => c.name)
              .join(', ')}
            {entry.conflicts.length > 8 ? `, +${entry.conflicts.length - 8} more` : ''}
          </span>
        </span>
      </h3>
      <div className="group-actions" role="group" aria-label={`Decide all ${entry.conflicts.length} at once`}>
        <span className="muted small">Same definition on each side, so nothing is lost either way:</span>
        {entry.kind !== 'resource' ? (
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            onClick={() =>
              void conflicts
                .getState()
                .resolveMany(
                  `${entry.conflicts.length} ${kindPlural} kept with prefixes`,
                  prefixAll(entry.conflicts),
                )
            }
          >
            Keep all with prefixes
          </button>
        ) : null}
        {entry.backends.map((winner) => (
          <button
            key={winner}
            type="button"
            className="button button-small"
            disabled={busy}
            onClick={() =>
              void conflicts.getState().resolveMany(
                `${winner} keeps ${entry.conflicts.length} ${kindPlural}`,
                entry.backends
                  .filter((b) => b !== winner)
                  .flatMap((loser) => winsAll(entry.conflicts, winner, loser))
                  .filter((item, i, all) => all.findIndex((x) => x.conflict.id === item.conflict.id) === i),
              )
            }
          >
            Use {winner}&apos;s for all
          </button>
        ))}
      </div>
      <div id={listId} hidden={!expanded}>
        {expanded ? (
          <ul className="group-members">
            {entry.conflicts.map((c) => (
              <li key={c.id}>
                <ConflictRow conflict={c} control={control} />
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </article>
  );
}

/** Search, "open only", and the bulk actions over what is shown. */
function Toolbar({ shown }: { shown: readonly Conflict[] }) {
  const { conflicts } = useDashboard();
  const query = useConflicts((s) => s.query);
  const show = useConflicts((s) => s.show);
  const bulk = useConflicts((s) => s.bulk);
  const pairs = useMemo(() => backendPairs(shown), [shown]);
  const [pair, setPair] = useState('');
  const options = pairs.flatMap((p) => [
    { value: `${p.a}\u0000${p.b}`, label: `${p.a} wins all against ${p.b} (${p.count})` },
    { value: `${p.b}\u0000${p.a}`, label: `${p.b} wins all against ${p.a} (${p.count})` },
  ]);
  const selected = options.some((o) => o.value === pair) ? pair : (options[0]?.value ?? '');
  const prefixable = prefixAll(shown);
  const busy = bulk !== null;
  return (
    <div className="conflict-toolbar">
      <form
        className="filters filters-inline"
        role="search"
        aria-label="Find conflicts"
        onSubmit={(e) => e.preventDefault()}
      >
        <div className="field field-grow">
          <label htmlFor="conflict-search">Search</label>
          <input
            id="conflict-search"
            type="search"
            value={query}
            placeholder="name or backend"
            spellCheck={false}
            onChange={(e) => conflicts.getState().setQuery(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="conflict-show">Show</label>
          <select
            id="conflict-show"
            value={show}
            onChange={(e) => conflicts.getState().setShow(e.target.value === 'open' ? 'open' : 'all')}
          >
            <option value="all">All</option>
            <option value="open">Only open</option>
          </select>
        </div>
      </form>
      <div className="bulk" role="group" aria-label="Decide every conflict shown">
        <button
          type="button"
          className="button button-small"
          disabled={busy || prefixable.length === 0}
          onClick={() =>
            void conflicts.getState().resolveMany(`${prefixable.length} kept with prefixes`, prefixable)
          }
        >
          Keep all shown with prefixes ({prefixable.length})
        </button>
        {options.length ? (
          <>
            <label htmlFor="conflict-pair" className="visually-hidden">
              Which backend wins
            </label>
            <select id="conflict-pair" value={selected} onChange={(e) => setPair(e.target.value)}>
              {options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="button button-small"
              disabled={busy || !selected}
              onClick={() => {
                const [winner, loser] = selected.split('\u0000') as [string, string];
                void conflicts
                  .getState()
                  .resolveMany(`${winner} wins against ${loser}`, winsAll(shown, winner, loser));
              }}
            >
              Apply to all
            </button>
          </>
        ) : null}
        {bulk ? (
          <span className="muted small" role="status">
            {bulk.label}: {bulk.done} of {bulk.total}…
          </span>
        ) : null}
      </div>
    </div>
  );
}

/** Entries expanded by default when the list is short enough to read at once. */
const EXPAND_UP_TO = 3;

export function ConflictsView() {
  const list = useGateway(selectConflicts);
  const loaded = useGateway((s) => s.snapshot !== null);
  const query = useConflicts((s) => s.query);
  const show = useConflicts((s) => s.show);
  const { conflicts, gateway } = useDashboard();
  const sorted = useMemo(() => sortConflicts(list), [list]);
  const shown = useMemo(
    () => sorted.filter((c) => (show === 'all' || c.open) && matchesConflict(c, query)),
    [sorted, show, query],
  );
  const entries = useMemo(() => groupConflicts(shown), [shown]);
  const [toggled, setToggled] = useState<ReadonlySet<string>>(new Set());
  /** Where focus goes after the next render (a decision's follow-up); '' = the view's heading. */
  const pendingFocus = useRef<string | null>(null);
  const [, rerender] = useState(0);
  const toggles = useRef(new Map<string, HTMLButtonElement>());
  const headingRef = useRef<HTMLHeadingElement>(null);
  const openCount = list.filter((c) => c.open).length;
  const settled = list.length - openCount;

  // Short lists open every entry; a toggle flips the default for that entry.
  const byDefault = entries.length <= EXPAND_UP_TO;
  const expanded = useMemo(() => {
    const set = new Set<string>();
    const consider = (id: string) => {
      if (byDefault !== toggled.has(id)) set.add(id);
    };
    for (const e of entries) {
      if (e.type === 'single') consider(e.conflict.id);
      else {
        consider(e.key);
        for (const c of e.conflicts) if (toggled.has(c.id)) set.add(c.id);
      }
    }
    return set;
  }, [entries, toggled, byDefault]);

  useEffect(() => {
    const id = pendingFocus.current;
    if (id === null) return;
    pendingFocus.current = null;
    const target = toggles.current.get(id);
    if (target) target.focus();
    else headingRef.current?.focus();
  });

  const control: ListControl = {
    expanded,
    toggle: (id) =>
      setToggled((prev) => {
        const next = new Set(prev);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    register: (id, element) => {
      if (element) toggles.current.set(id, element);
      else toggles.current.delete(id);
    },
    async decide(conflict, decision) {
      const ok = await conflicts.getState().resolve(conflict, decision);
      if (!ok || decision === null) return ok;
      // The list as it is now (the decision applied): the next open conflict gets focus and opens.
      const fresh = sortConflicts(gateway.getState().snapshot?.conflicts ?? []).filter(
        (c) =>
          (conflicts.getState().show === 'all' || c.open) && matchesConflict(c, conflicts.getState().query),
      );
      const next = nextOpen(fresh, conflict.id);
      if (next) {
        const group = groupConflicts(fresh).find(
          (e) => e.type === 'group' && e.conflicts.some((c) => c.id === next.id),
        );
        const id = group && group.type === 'group' && !expanded.has(group.key) ? group.key : next.id;
        pendingFocus.current = id;
        if (!expanded.has(id)) control.toggle(id);
        else rerender((n) => n + 1);
      } else {
        pendingFocus.current = fresh.some((c) => c.id === conflict.id) ? conflict.id : '';
        rerender((n) => n + 1);
      }
      return ok;
    },
  };

  return (
    <div className="conflicts-view">
      <div className="view-head">
        <h2 className="view-title" ref={headingRef} tabIndex={-1}>
          Conflicts{' '}
          <span className="muted">
            ({openCount} open{settled ? `, ${settled} resolved` : ''})
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
          <Toolbar shown={shown} />
          {shown.length === 0 ? (
            <p className="muted" role="status">
              {show === 'open' && !query ? 'Every conflict is resolved.' : 'No conflict matches.'}
            </p>
          ) : (
            <ul className="conflict-list" aria-label={`${shown.length} conflicts`}>
              {entries.map((e) =>
                e.type === 'single' ? (
                  <li key={e.conflict.id}>
                    <ConflictRow conflict={e.conflict} control={control} />
                  </li>
                ) : (
                  <li key={e.key}>
                    <GroupRow entry={e} control={control} />
                  </li>
                ),
              )}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
