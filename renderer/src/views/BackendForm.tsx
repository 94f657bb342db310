// Add / Edit / Remove a config-file backend from the dashboard, with Test connection before saving,
// and the config file's state (an edit that was not applied, keys waiting for a restart). The
// dialogs edit the config file in place through the control API; container backends are not
// editable here (their labels are their config).
import { useEffect, useMemo, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { CONTAINER_NOT_EDITABLE, SECRET_MASK } from '../../../common/control/backend-edit.js';
import type { BackendStatus } from '../contract.js';
import { backendEditStore, type BackendEditState, type KeyValueRow } from '../stores/backend-edit.js';
import { useDashboard, useGateway } from '../stores/hooks.js';
import '../styles/backend-form.css';

function useEdit<T>(selector: (s: BackendEditState) => T): T {
  const { bridge, ui } = useDashboard();
  const store = useMemo(() => backendEditStore({ bridge, ui }), [bridge, ui]);
  return useStore(store, selector);
}
function useEditStore() {
  const { bridge, ui } = useDashboard();
  return useMemo(() => backendEditStore({ bridge, ui }), [bridge, ui]);
}

/** Where focus goes back when a dialog closes. */
let opener: HTMLElement | null = null;
const remember = () => {
  opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
};

export function AddBackendButton() {
  const store = useEditStore();
  const hasFile = useGateway((s) => Boolean(s.snapshot?.paths?.configFile));
  if (!hasFile) return null;
  return (
    <button
      type="button"
      className="button button-primary button-small add-backend"
      onClick={() => {
        remember();
        store.getState().openAdd();
      }}
    >
      Add backend
    </button>
  );
}

/** Edit and Remove for the backend detail (or why a container backend has neither). */
export function BackendEditActions({ status }: { status: BackendStatus }) {
  const store = useEditStore();
  const hasFile = useGateway((s) => Boolean(s.snapshot?.paths?.configFile));
  if (status.source.kind === 'container')
    return <p className="muted small edit-note">{CONTAINER_NOT_EDITABLE}</p>;
  if (!hasFile) return null;
  return (
    <>
      <button
        type="button"
        className="button"
        onClick={() => {
          remember();
          void store.getState().openEdit(status.name);
        }}
      >
        Edit
      </button>
      <button
        type="button"
        className="button button-danger"
        onClick={() => {
          remember();
          store.getState().openRemove(status.name);
        }}
      >
        Remove
      </button>
    </>
  );
}

/** The config file's state: an edit that was not applied (banner), keys waiting for a restart. */
export function ConfigBanner() {
  const config = useGateway((s) => s.snapshot?.config);
  if (!config) return null;
  return (
    <>
      {config.error ? (
        <div className="callout callout-bad config-banner" role="alert">
          <strong>The config file’s latest edit is not applied</strong> — the running config is kept.
          <p>
            {config.error.message}
            <br />
            <span className="muted">
              <code>{config.file}</code>
              {config.error.line !== undefined ? `, line ${config.error.line}` : ''}
              {config.error.column !== undefined ? `, column ${config.error.column}` : ''}
              {config.error.path ? (
                <>
                  {' '}
                  at <code>{config.error.path}</code>
                </>
              ) : null}
            </span>
          </p>
        </div>
      ) : null}
      {config.restartNeeded?.length ? (
        <div className="callout config-notice" role="status">
          Restart Switchyard to apply:{' '}
          {config.restartNeeded.map((k, i) => (
            <span key={k}>
              {i ? ', ' : ''}
              <code>{k}</code>
            </span>
          ))}
        </div>
      ) : null}
    </>
  );
}

/** A modal dialog: labelled, Escape closes, focus stays inside and goes back to the opener. */
function Dialog({
  title,
  onClose,
  children,
  labelId,
}: {
  title: string;
  labelId: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>(
      'input, select, button:not(.dialog-close), textarea',
    );
    first?.focus();
    return () => {
      // The opener may be gone (a removed backend's detail): the Add button takes focus then.
      if (opener?.isConnected) opener.focus();
      else document.querySelector<HTMLElement>('.add-backend')?.focus();
      opener = null;
    };
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    }
    if (e.key !== 'Tab' || !ref.current) return;
    const focusable = [
      ...ref.current.querySelectorAll<HTMLElement>('input, select, button, textarea'),
    ].filter((el) => !el.hasAttribute('disabled'));
    const [first, last] = [focusable[0], focusable[focusable.length - 1]];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last?.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first?.focus();
    }
  };
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelId}
        onKeyDown={onKeyDown}
      >
        <h2 id={labelId} className="dialog-title">
          {title}
        </h2>
        {children}
      </div>
    </div>
  );
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p id={id} className="field-error">
      {message}
    </p>
  ) : null;
}

function KeyValueRows({
  legend,
  rows,
  onChange,
  error,
  id,
}: {
  legend: string;
  rows: KeyValueRow[];
  onChange: (rows: KeyValueRow[]) => void;
  error: string | undefined;
  id: string;
}) {
  const set = (i: number, patch: Partial<KeyValueRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="kv" aria-describedby={error ? `${id}-error` : `${id}-hint`}>
      <legend>{legend}</legend>
      {rows.map((row, i) => (
        <div className="kv-row" key={i}>
          <input
            aria-label={`${legend} ${i + 1} name`}
            value={row.key}
            spellCheck={false}
            onChange={(e) => set(i, { key: e.target.value })}
          />
          <input
            aria-label={`${legend} ${i + 1} value${row.value.startsWith(SECRET_MASK) ? ' (stored, masked)' : ''}`}
            value={row.value}
            spellCheck={false}
            autoComplete="off"
            className={row.value.startsWith(SECRET_MASK) ? 'masked' : undefined}
            onFocus={(e) => e.target.select()}
            onChange={(e) => set(i, { value: e.target.value })}
          />
          <button
            type="button"
            className="button button-small"
            aria-label={`Remove ${legend.toLowerCase()} ${row.key || i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button button-small"
        onClick={() => onChange([...rows, { key: '', value: '' }])}
      >
        Add {legend === 'Headers' ? 'header' : 'variable'}
      </button>
      <p id={`${id}-hint`} className="muted small">
        Values are secret: a stored value shows as {SECRET_MASK} and is kept unless you type a new one.{' '}
        <code>{'${env:NAME}'}</code> reads it from Switchyard’s environment.
      </p>
      <FieldError id={`${id}-error`} message={error} />
    </fieldset>
  );
}

function TestOutcome() {
  const test = useEdit((s) => s.test);
  const testing = useEdit((s) => s.testing);
  return (
    <div className="test-outcome" role="status" aria-live="polite">
      {testing ? <p className="muted">Connecting…</p> : null}
      {test?.ok ? (
        <div className="callout callout-ok">
          <strong>Connected</strong> —{' '}
          {test.serverInfo ? `${test.serverInfo.name} ${test.serverInfo.version}, ` : ''}
          {test.era} era{test.protocolVersion ? ` (${test.protocolVersion})` : ''}, {test.tools.length} tool
          {test.tools.length === 1 ? '' : 's'}
          {test.tools.length ? (
            <p className="test-tools">
              {test.tools.map((t) => (
                <code key={t}>{t}</code>
              ))}
            </p>
          ) : null}
        </div>
      ) : null}
      {test && !test.ok ? (
        <div className="callout callout-bad">
          <strong>Could not connect</strong>
          <p>{test.error}</p>
        </div>
      ) : null}
    </div>
  );
}

function BackendEditDialog({ mode, name }: { mode: 'add' | 'edit'; name?: string }) {
  const store = useEditStore();
  const form = useEdit((s) => s.form);
  const errors = useEdit((s) => s.fieldErrors);
  const error = useEdit((s) => s.error);
  const loading = useEdit((s) => s.loading);
  const saving = useEdit((s) => s.saving);
  const testing = useEdit((s) => s.testing);
  const formRef = useRef<HTMLFormElement>(null);
  const { update, close } = store.getState();
  // Focus the first invalid field after each refused attempt (a check or the engine named one).
  const refusals = useEdit((s) => s.refusals);
  useEffect(() => {
    if (refusals === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refusals]);
  const described = (field: string, hint?: string) => ({
    'aria-invalid': errors[field] ? true : undefined,
    'aria-describedby': errors[field] ? `bf-${field}-error` : hint,
  });
  const title = mode === 'add' ? 'Add a backend' : `Edit backend ${name ?? ''}`;
  return (
    <Dialog title={title} labelId="backend-form-title" onClose={close}>
      {loading ? (
        <p className="muted">Loading…</p>
      ) : (
        <form
          ref={formRef}
          className="backend-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void store.getState().save();
          }}
        >
          {mode === 'add' ? (
            <div className="form-row">
              <label htmlFor="bf-name">Name</label>
              <input
                id="bf-name"
                value={form.name}
                spellCheck={false}
                autoComplete="off"
                required
                onChange={(e) => update({ name: e.target.value })}
                {...described('name', 'bf-name-hint')}
              />
              <p id="bf-name-hint" className="muted small">
                Also the prefix of its tools when names collide.
              </p>
              <FieldError id="bf-name-error" message={errors.name} />
            </div>
          ) : null}
          <fieldset className="form-row kind">
            <legend>Reached by</legend>
            <label>
              <input
                type="radio"
                name="bf-kind"
                checked={form.kind === 'url'}
                onChange={() => update({ kind: 'url', transport: 'streamable-http' })}
              />{' '}
              URL (HTTP)
            </label>
            <label>
              <input
                type="radio"
                name="bf-kind"
                checked={form.kind === 'command'}
                onChange={() => update({ kind: 'command', transport: 'stdio' })}
              />{' '}
              Command (stdio)
            </label>
          </fieldset>
          {form.kind === 'url' ? (
            <>
              <div className="form-row">
                <label htmlFor="bf-url">URL</label>
                <input
                  id="bf-url"
                  inputMode="url"
                  value={form.url}
                  placeholder="http://127.0.0.1:3001/mcp"
                  spellCheck={false}
                  required
                  onChange={(e) => update({ url: e.target.value })}
                  {...described('url')}
                />
                <FieldError id="bf-url-error" message={errors.url} />
              </div>
              <div className="form-row">
                <label htmlFor="bf-transport">Transport</label>
                <select
                  id="bf-transport"
                  value={form.transport}
                  onChange={(e) => update({ transport: e.target.value as 'streamable-http' | 'sse' })}
                  {...described('transport')}
                >
                  <option value="streamable-http">Streamable HTTP</option>
                  <option value="sse">SSE (legacy)</option>
                </select>
                <FieldError id="bf-transport-error" message={errors.transport} />
              </div>
              <KeyValueRows
                id="bf-headers"
                legend="Headers"
                rows={form.headers}
                error={errors.headers}
                onChange={(headers) => update({ headers })}
              />
            </>
          ) : (
            <>
              <div className="form-row">
                <label htmlFor="bf-command">Command</label>
                <input
                  id="bf-command"
                  value={form.command}
                  placeholder="npx"
                  spellCheck={false}
                  required
                  onChange={(e) => update({ command: e.target.value })}
                  {...described('command')}
                />
                <FieldError id="bf-command-error" message={errors.command} />
              </div>
              <fieldset
                className="form-row args"
                aria-describedby={errors.args ? 'bf-args-error' : undefined}
              >
                <legend>Arguments</legend>
                {form.args.map((arg, i) => (
                  <div className="kv-row" key={i}>
                    <input
                      aria-label={`Argument ${i + 1}`}
                      value={arg}
                      spellCheck={false}
                      onChange={(e) =>
                        update({ args: form.args.map((a, j) => (j === i ? e.target.value : a)) })
                      }
                    />
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Remove argument ${i + 1}`}
                      onClick={() => update({ args: form.args.filter((_, j) => j !== i) })}
                    >
                      ×
                    </button>
                  </div>
                ))}
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => update({ args: [...form.args, ''] })}
                >
                  Add argument
                </button>
                <FieldError id="bf-args-error" message={errors.args} />
              </fieldset>
              <KeyValueRows
                id="bf-env"
                legend="Environment"
                rows={form.env}
                error={errors.env}
                onChange={(env) => update({ env })}
              />
            </>
          )}
          <div className="form-row">
            <label htmlFor="bf-timeout">Timeout</label>
            <input
              id="bf-timeout"
              value={form.timeout}
              placeholder="30s"
              spellCheck={false}
              onChange={(e) => update({ timeout: e.target.value })}
              {...described('timeout', 'bf-timeout-hint')}
            />
            <p id="bf-timeout-hint" className="muted small">
              Per request, e.g. 500ms, 30s, 2m (default 30s).
            </p>
            <FieldError id="bf-timeout-error" message={errors.timeout} />
          </div>
          <TestOutcome />
          {error ? (
            <p className="callout callout-bad" role="alert">
              {error}
            </p>
          ) : null}
          <div className="dialog-actions">
            <button
              type="button"
              className="button"
              disabled={testing || saving}
              onClick={() => void store.getState().testConnection()}
            >
              {testing ? 'Testing…' : 'Test connection'}
            </button>
            <span className="grow" />
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={saving}>
              {saving ? 'Saving…' : mode === 'add' ? 'Add backend' : 'Save'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function RemoveBackendDialog({ name }: { name: string }) {
  const store = useEditStore();
  const saving = useEdit((s) => s.saving);
  const error = useEdit((s) => s.error);
  const status = useGateway((s) => s.snapshot?.backends.find((b) => b.name === name));
  const sessions = useGateway(
    (s) => s.snapshot?.sessions.filter((x) => x.backends.includes(name)).length ?? 0,
  );
  const counts = status?.counts;
  return (
    <Dialog title={`Remove backend ${name}?`} labelId="backend-remove-title" onClose={store.getState().close}>
      <p>
        Its entry is removed from the config file and its connection closes
        {status?.transport === 'stdio' ? ' (its process stops)' : ''}. Clients stop seeing its{' '}
        {counts
          ? `${counts.tools} tool${counts.tools === 1 ? '' : 's'}, ${counts.prompts} prompt${counts.prompts === 1 ? '' : 's'} and ${counts.resources + counts.resourceTemplates} resource${counts.resources + counts.resourceTemplates === 1 ? '' : 's'}`
          : 'tools'}
        {sessions
          ? `; ${sessions} client session${sessions === 1 ? '' : 's'} using it are told the list changed`
          : ''}
        .
      </p>
      {error ? (
        <p className="callout callout-bad" role="alert">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <span className="grow" />
        <button type="button" className="button" onClick={store.getState().close}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={saving}
          onClick={() => void store.getState().remove()}
        >
          {saving ? 'Removing…' : `Remove ${name}`}
        </button>
      </div>
    </Dialog>
  );
}

/** Renders whichever backend dialog is open (mounted once in the Backends view). */
export function BackendEditHost() {
  const dialog = useEdit((s) => s.dialog);
  if (!dialog) return null;
  if (dialog.mode === 'remove') return <RemoveBackendDialog name={dialog.name} />;
  return (
    <BackendEditDialog
      key={dialog.mode === 'edit' ? dialog.name : '+'}
      mode={dialog.mode}
      {...(dialog.mode === 'edit' ? { name: dialog.name } : {})}
    />
  );
}
