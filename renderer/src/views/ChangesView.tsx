// Tool integrity: definitions a backend changed (or new tools, under `newTools: hold`) wait here
// for the user. Each change shows the approved and the new definition side by side (description,
// then a property-level schema diff, the schema diff the Conflicts view uses), what the findings
// scan flagged, and Approve / Reject.
import { useEffect, useId } from 'react';
import { Chip, EmptyState, Spinner } from '../components/controls.js';
import type { Finding, JsonObject, PendingChange } from '../contract.js';
import { DiffList } from '../components/DiffList.js';
import { diffDefinitions } from '../lib/schema-diff.js';
import { revealHidden } from '../lib/hidden-text.js';
import { useChanges, useDashboard } from '../stores/hooks.js';

const SEVERITY_TONE = { high: 'bad', medium: 'warn', low: 'muted' } as const;

function descriptionOf(definition: JsonObject | null): string | undefined {
  return typeof definition?.description === 'string' ? definition.description : undefined;
}

function FindingsList({ findings }: { findings: Finding[] }) {
  if (findings.length === 0) {
    return (
      <p className="muted small findings-none">
        The scan found nothing. That is not an approval: read the change.
      </p>
    );
  }
  return (
    <ul className="findings" aria-label="Findings">
      {findings.map((f, i) => (
        <li key={i} className={`finding finding-${f.severity}`}>
          <Chip tone={SEVERITY_TONE[f.severity]}>{f.severity}</Chip> <strong>{f.kind}</strong>
          {f.path ? <code className="finding-path">{f.path}</code> : null}
          <span className="finding-message">{f.message}</span>
          {f.excerpt ? <q className="finding-excerpt">{f.excerpt}</q> : null}
        </li>
      ))}
    </ul>
  );
}

function DefinitionColumn({
  label,
  definition,
  capability,
}: {
  label: string;
  definition: JsonObject | null;
  capability: PendingChange['capability'];
}) {
  const description = descriptionOf(definition);
  const schema = capability === 'tool' ? definition?.inputSchema : definition?.arguments;
  return (
    <section className="candidate" aria-label={label}>
      <header className="candidate-head">
        <h4>{label}</h4>
      </header>
      {definition === null ? (
        <p className="muted">Nothing approved yet: this is the first time Switchyard sees it.</p>
      ) : (
        <>
          <p className="candidate-description change-description">
            {description !== undefined ? (
              revealHidden(description)
            ) : (
              <span className="muted">No description</span>
            )}
          </p>
          {schema !== undefined ? (
            <details className="schema">
              <summary>{capability === 'tool' ? 'Input schema' : 'Arguments'}</summary>
              <pre tabIndex={0}>{revealHidden(JSON.stringify(schema, null, 2))}</pre>
            </details>
          ) : null}
        </>
      )}
    </section>
  );
}

function SchemaDiff({ change }: { change: PendingChange }) {
  if (!change.before) return null;
  return (
    <DiffList
      diff={diffDefinitions(change.capability, change.before, change.after)}
      reference="the approved definition"
    />
  );
}

function stateChip(change: PendingChange) {
  if (change.decision === 'reject') return <Chip tone="bad">rejected — held</Chip>;
  if (change.held) return <Chip tone="warn">held — clients don&apos;t see it</Chip>;
  return <Chip tone="accent">let through by policy</Chip>;
}

function ChangeCard({ change }: { change: PendingChange }) {
  const { changes } = useDashboard();
  const busy = useChanges((s) => Boolean(s.pending[change.id]));
  const titleId = useId();
  const what = `${change.backend}/${change.tool}`;
  return (
    <article className="conflict change" aria-labelledby={titleId} data-change-id={change.id}>
      <header className="conflict-head">
        <div>
          <h3 id={titleId}>
            <span className="muted">{change.capability}</span> <code>{change.tool}</code>{' '}
            <span className="muted">from</span> {change.backend}
          </h3>
          <p className="conflict-state">
            <Chip tone={change.kind === 'new' ? 'accent' : 'warn'}>
              {change.kind === 'new' ? 'new' : 'changed'}
            </Chip>{' '}
            {stateChip(change)}{' '}
            <span className="muted small">
              seen {new Date(change.seenAt).toLocaleString()} · id <code>{change.id}</code>
            </span>
          </p>
        </div>
        <div className="conflict-actions">
          {busy ? <Spinner label="Applying" /> : null}
          <button
            type="button"
            className="button button-primary button-small"
            disabled={busy}
            aria-label={`Approve the new definition of ${what}`}
            onClick={() => void changes.getState().decide(change, 'approve')}
          >
            Approve
          </button>
          {change.decision !== 'reject' ? (
            <button
              type="button"
              className="button button-small"
              disabled={busy}
              aria-label={`Reject the new definition of ${what}`}
              onClick={() => void changes.getState().decide(change, 'reject')}
            >
              Reject
            </button>
          ) : null}
        </div>
      </header>
      <FindingsList findings={change.findings} />
      <div className="candidates candidates-2">
        <DefinitionColumn label="Approved" definition={change.before} capability={change.capability} />
        <DefinitionColumn label="New" definition={change.after} capability={change.capability} />
      </div>
      <SchemaDiff change={change} />
    </article>
  );
}

export function ChangesView() {
  const { changes } = useDashboard();
  const list = useChanges((s) => s.changes);
  const loaded = useChanges((s) => s.loaded);
  const error = useChanges((s) => s.error);
  useEffect(() => {
    void changes.getState().load();
  }, [changes]);
  return (
    <div className="view view-changes">
      <header className="view-head">
        <h2>Tool changes</h2>
        <p className="muted">
          A tool&apos;s description and schema are instructions to the model. When a backend changes them, the
          tool is held — left out of every client&apos;s list, its calls refused — until you approve the new
          definition.
        </p>
      </header>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {!loaded && !error ? <Spinner label="Loading changes" /> : null}
      {loaded && list.length === 0 ? (
        <EmptyState title="No tool changes to review">
          <p className="muted">Every tool says what it said when you trusted it.</p>
        </EmptyState>
      ) : null}
      {list.map((change) => (
        <ChangeCard key={change.id} change={change} />
      ))}
    </div>
  );
}
