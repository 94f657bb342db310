// One backend in detail: what it offers under which names, where it comes from, its last error,
// its actions (enable/disable, reconnect, the name shown for it), and its live log (BackendLog.tsx).
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Chip, Spinner, Switch, ToneChip } from '../components/controls.js';
import { CloseIcon, PencilIcon, RefreshIcon } from '../components/icons.js';
import { DISPLAY_NAME_MAX, type CapabilityEntry, type Snapshot } from '../contract.js';
import { formatDuration, formatTimestamp } from '../lib/format.js';
import { describeStatus, emptyReason, type RetryInfo } from '../lib/status.js';
import { useBackends, useDashboard, useGateway, useUi } from '../stores/hooks.js';
import { BackendEditActions } from './BackendForm.js';
import { BackendLogSection } from './BackendLog.js';
import { sourceLabel } from './BackendsView.js';

type Section = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

const SECTION_TITLES: Record<Section, string> = {
  tools: 'Tools',
  prompts: 'Prompts',
  resources: 'Resources',
  resourceTemplates: 'Templates',
};

function CapabilityTable({
  entries,
  kind,
  whyEmpty,
}: {
  entries: CapabilityEntry[];
  kind: Section;
  /** Why the list is empty when it is not the server's own answer (down, disabled, paused). */
  whyEmpty: string | null;
}) {
  if (entries.length === 0)
    return (
      <p className="muted" role="status">
        {whyEmpty ?? `This server offers no ${SECTION_TITLES[kind].toLowerCase()}.`}
      </p>
    );
  const isResource = kind === 'resources' || kind === 'resourceTemplates';
  return (
    <table className="table table-compact">
      <thead>
        <tr>
          <th scope="col">Advertised as</th>
          <th scope="col">{isResource ? 'URI' : 'Original name'}</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.originalName} className={entry.advertisedAs === null ? 'row-hidden' : undefined}>
            <td>
              {entry.advertisedAs === null ? (
                <Chip tone="muted">hidden</Chip>
              ) : (
                <code className={entry.advertisedAs !== entry.originalName ? 'renamed' : undefined}>
                  {entry.advertisedAs}
                </code>
              )}
            </td>
            <td>
              <code>{entry.originalName}</code>
            </td>
            <td className="description">
              {entry.title ? <strong>{entry.title}. </strong> : null}
              {entry.description}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The name the dashboard and the tray show for a backend; clients' tool names do not change. */
function DisplayNameForm({
  name,
  current,
  busy,
  onDone,
}: {
  name: string;
  current: string | undefined;
  busy: boolean;
  onDone(): void;
}) {
  const { backends } = useDashboard();
  const [value, setValue] = useState(current ?? '');
  const inputId = useId();
  const hintId = useId();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await backends.getState().setDisplayName(name, value)) onDone();
  };
  return (
    <form
      className="rename-form"
      aria-label={`Display name of ${name}`}
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        onDone();
      }}
    >
      <label htmlFor={inputId}>Display name</label>
      <div className="rename-row">
        <input
          id={inputId}
          value={value}
          placeholder={name}
          maxLength={DISPLAY_NAME_MAX}
          aria-describedby={hintId}
          onChange={(e) => setValue(e.target.value)}
          autoFocus
        />
        <button type="submit" className="button button-primary button-small" disabled={busy}>
          Save
        </button>
        {current ? (
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            onClick={() =>
              void backends
                .getState()
                .setDisplayName(name, null)
                .then((ok) => ok && onDone())
            }
          >
            Use &ldquo;{name}&rdquo;
          </button>
        ) : null}
        <button type="button" className="button button-small" onClick={onDone}>
          Cancel
        </button>
      </div>
      <p id={hintId} className="muted small">
        Shown here and in the tray. Clients keep seeing the same tool names and prefixes.
      </p>
    </form>
  );
}

/** Closes the detail panel and gives focus back to the backend's button in the list. */
function closeDetail(select: (name: string | null) => void, name: string) {
  select(null);
  requestAnimationFrame(() =>
    document
      .querySelector<HTMLElement>(`[aria-controls="backend-detail"][data-backend="${CSS.escape(name)}"]`)
      ?.focus(),
  );
}

export function BackendDetailPanel({ name }: { name: string }) {
  const { backends } = useDashboard();
  const present = useGateway((s) => s.snapshot?.backends.some((b) => b.name === name) ?? false);
  return present ? <DetailBody name={name} select={(n) => backends.getState().select(n)} /> : null;
}

function DetailBody({ name, select }: { name: string; select: (name: string | null) => void }) {
  const status = useGateway((s) => s.snapshot?.backends.find((b) => b.name === name)) as
    (Snapshot['backends'][number] & RetryInfo) | undefined;
  const gatewayState = useGateway((s) => s.snapshot?.gateway.state);
  const entry = useBackends((s) => s.details[name]);
  const pending = useBackends((s) => s.pending[name]);
  const { backends } = useDashboard();
  const now = useUi((s) => s.now);
  const [section, setSection] = useState<Section>('tools');
  const [renaming, setRenaming] = useState(false);
  const pencil = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const panel = useRef<HTMLElement>(null);
  const wasRenaming = useRef(false);
  useEffect(() => {
    // Closing the form (saved, cancelled, Escape) puts focus back on the pencil, not on <body>.
    if (wasRenaming.current && !renaming) pencil.current?.focus();
    wasRenaming.current = renaming;
  }, [renaming]);
  useEffect(() => {
    // Opened: in view (below the list in a narrow window) and focused, so keyboard users land in it.
    panel.current?.scrollIntoView?.({ block: 'nearest' });
    heading.current?.focus({ preventScroll: true });
  }, []);
  if (!status) return null;
  const detail = entry?.detail ?? null;
  const source = status.source;
  const view = describeStatus(status, gatewayState, now);
  const whyEmpty = emptyReason(status, gatewayState, SECTION_TITLES[section].toLowerCase());

  return (
    <aside
      id="backend-detail"
      ref={panel}
      className="detail"
      aria-labelledby="backend-detail-title"
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || e.defaultPrevented) return;
        e.preventDefault();
        closeDetail(select, name);
      }}
    >
      <div className="detail-head">
        <div>
          <div className="detail-title">
            <h2 id="backend-detail-title" ref={heading} tabIndex={-1}>
              {status.displayName ?? name}
            </h2>
            {renaming ? null : (
              <button
                ref={pencil}
                type="button"
                className="button button-ghost button-icon"
                aria-label={`Rename ${status.displayName ?? name}`}
                title="Change the name shown for this server"
                onClick={() => setRenaming(true)}
              >
                <PencilIcon />
              </button>
            )}
          </div>
          {status.displayName ? (
            <div className="muted small">
              backend <code>{name}</code>
            </div>
          ) : null}
          {renaming ? (
            <DisplayNameForm
              name={name}
              current={status.displayName}
              busy={pending === 'renaming'}
              onDone={() => setRenaming(false)}
            />
          ) : null}
          <div className="detail-sub">
            <ToneChip tone={view.tone} label={view.label} />
            <span className="muted">{view.detail}</span>
            {entry?.loading ? <Spinner label="Loading details" /> : null}
          </div>
        </div>
        <button
          type="button"
          className="button button-ghost button-icon"
          aria-label="Close details"
          onClick={() => closeDetail(select, name)}
        >
          <CloseIcon />
        </button>
      </div>

      <div className="detail-actions">
        <Switch
          checked={status.enabled}
          label={`${name} enabled`}
          text={status.enabled ? 'Enabled' : 'Disabled'}
          disabled={pending !== undefined}
          busy={pending === 'enabling' || pending === 'disabling'}
          onChange={(enabled) => void backends.getState().setEnabled(name, enabled)}
        />
        <button
          type="button"
          className="button"
          disabled={pending !== undefined || !status.enabled}
          onClick={() => void backends.getState().reconnect(name)}
        >
          <RefreshIcon /> {pending === 'reconnecting' ? 'Reconnecting…' : 'Reconnect'}
        </button>
        <BackendEditActions status={status} />
      </div>

      {view.error && status.lastError ? (
        <div className="callout callout-bad" role="note" aria-label="Last error">
          <strong>Last error</strong> <span className="muted">({formatTimestamp(status.lastError.at)})</span>
          <p>{view.error}</p>
        </div>
      ) : null}

      <dl className="facts">
        <dt>Transport</dt>
        <dd>
          {status.transport}
          {status.era ? ` · ${status.era} era` : ''}
          {status.protocolVersion ? ` · ${status.protocolVersion}` : ''}
        </dd>
        <dt>Target</dt>
        <dd>
          <code className="wrap">{status.target}</code>
        </dd>
        <dt>Source</dt>
        <dd>{sourceLabel(source)}</dd>
        {source.kind === 'container' ? (
          <>
            <dt>Container</dt>
            <dd>
              {source.containerName} <span className="muted">({source.containerId.slice(0, 12)})</span>
            </dd>
            <dt>Image</dt>
            <dd>
              <code className="wrap">{source.image}</code>
            </dd>
            <dt>Labels</dt>
            <dd>{source.convention === 'toolhive' ? 'ToolHive workload' : 'mcp.* labels'}</dd>
          </>
        ) : null}
        {status.serverInfo ? (
          <>
            <dt>Server</dt>
            <dd>
              {status.serverInfo.title ?? status.serverInfo.name} {status.serverInfo.version}
            </dd>
          </>
        ) : null}
        {status.latencyMs !== undefined ? (
          <>
            <dt>Ping</dt>
            <dd>{formatDuration(status.latencyMs)}</dd>
          </>
        ) : null}
        {!view.error && status.lastError ? (
          // An error from before the backend recovered: history, not a current problem.
          <>
            <dt>Earlier error</dt>
            <dd className="muted">
              {status.lastError.message} ({formatTimestamp(status.lastError.at)})
            </dd>
          </>
        ) : null}
      </dl>

      {detail?.instructions ? (
        <details className="instructions">
          <summary>Instructions from the server</summary>
          <p>{detail.instructions}</p>
        </details>
      ) : null}

      {entry?.error && !detail ? (
        <p className="form-error" role="alert">
          Could not load the details: {entry.error}
        </p>
      ) : null}

      <div className="subtabs" role="group" aria-label="Capabilities">
        {(Object.keys(SECTION_TITLES) as Section[]).map((key) => (
          <button
            key={key}
            type="button"
            className="subtab"
            aria-pressed={section === key}
            onClick={() => setSection(key)}
          >
            {SECTION_TITLES[key]}{' '}
            <span className="muted">
              {detail
                ? detail[key].length
                : key === 'resourceTemplates'
                  ? status.counts.resourceTemplates
                  : status.counts[key]}
            </span>
          </button>
        ))}
      </div>
      {detail ? (
        <CapabilityTable entries={detail[section]} kind={section} whyEmpty={whyEmpty} />
      ) : (
        <p className="muted">Loading…</p>
      )}

      <BackendLogSection key={name} name={name} />
    </aside>
  );
}
