// "Try it": a form built from a tool's input schema; the call goes through the gateway as the
// dashboard's own client (so it is audited as such) and the result is shown as the backend sent it.
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { Spinner } from '../components/controls.js';
import { CloseIcon } from '../components/icons.js';
import {
  buildArguments,
  formFields,
  valuesFrom,
  type FormField,
  type FormValues,
} from '../lib/schema-form.js';
import type { JsonObject } from '../contract.js';

export interface TryResult {
  ok: boolean;
  /** The result (or the JSON-RPC error) as JSON text. */
  text: string;
  durationMs?: number;
}

function Field({
  field,
  value,
  onChange,
  error,
}: {
  field: FormField;
  value: string;
  onChange(value: string): void;
  error: string | null;
}) {
  const id = useId();
  const hint = useId();
  const errorId = useId();
  const described =
    [field.description ? hint : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  const label = (
    <label htmlFor={id}>
      {field.title ?? field.name}
      {field.required ? <span aria-hidden="true"> *</span> : null}
      {field.required ? <span className="visually-hidden"> (required)</span> : null}
      {field.kind === 'json' ? <span className="muted small"> (JSON)</span> : null}
    </label>
  );
  let input;
  if (field.kind === 'boolean') {
    input = (
      <select id={id} value={value} aria-describedby={described} onChange={(e) => onChange(e.target.value)}>
        <option value="false">false</option>
        <option value="true">true</option>
      </select>
    );
  } else if (field.kind === 'enum') {
    input = (
      <select id={id} value={value} aria-describedby={described} onChange={(e) => onChange(e.target.value)}>
        {field.required ? null : <option value="">(none)</option>}
        {field.options!.map((o) => (
          <option key={o} value={o}>
            {o.startsWith('"') ? (JSON.parse(o) as string) : o}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'json') {
    input = (
      <textarea
        id={id}
        value={value}
        rows={3}
        spellCheck={false}
        aria-invalid={error !== null}
        aria-describedby={described}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  } else {
    input = (
      <input
        id={id}
        value={value}
        inputMode={field.kind === 'string' ? undefined : 'decimal'}
        spellCheck={false}
        aria-invalid={error !== null}
        aria-describedby={described}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className="field try-field">
      {label}
      {input}
      {field.description ? (
        <span id={hint} className="muted small">
          {field.description}
        </span>
      ) : null}
      {error ? (
        <span id={errorId} className="form-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function TryTool({
  name,
  backend,
  inputSchema,
  initialArguments,
  run,
  onClose,
}: {
  /** The advertised name the call uses. */
  name: string;
  backend: string;
  inputSchema: unknown;
  /** Values to start with (Run again from the audit trail). */
  initialArguments?: unknown;
  run(args: JsonObject): Promise<TryResult>;
  onClose(): void;
}) {
  const fields = useMemo(() => formFields(inputSchema), [inputSchema]);
  const [values, setValues] = useState<FormValues>(() =>
    fields ? valuesFrom(fields, initialArguments) : {},
  );
  const [raw, setRaw] = useState(() =>
    initialArguments !== undefined ? JSON.stringify(initialArguments, null, 2) : '{}',
  );
  const [problem, setProblem] = useState<{ field: string; error: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<TryResult | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const titleId = useId();
  useEffect(() => heading.current?.focus(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let args: JsonObject;
    if (fields) {
      const built = buildArguments(fields, values);
      if (!built.ok) {
        setProblem({ field: built.field, error: built.error });
        return;
      }
      args = built.arguments;
    } else {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not an object');
        args = parsed as JsonObject;
      } catch {
        setProblem({ field: '', error: 'The arguments must be a JSON object, e.g. {"message": "hi"}' });
        return;
      }
    }
    setProblem(null);
    setBusy(true);
    try {
      setResult(await run(args));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="try-tool detail" aria-labelledby={titleId}>
      <div className="detail-head">
        <div>
          <h2 id={titleId} ref={heading} tabIndex={-1}>
            Try <code>{name}</code>
          </h2>
          <div className="muted small">
            on {backend}, through the gateway as the client &ldquo;switchyard-dashboard&rdquo; (recorded in
            Audit)
          </div>
        </div>
        <button
          type="button"
          className="button button-ghost button-icon"
          aria-label="Close Try it"
          onClick={onClose}
        >
          <CloseIcon />
        </button>
      </div>
      <form onSubmit={(e) => void submit(e)} noValidate className="try-form">
        {fields === null ? (
          <div className="field try-field">
            <label htmlFor={`${titleId}-raw`}>Arguments (JSON object)</label>
            <textarea
              id={`${titleId}-raw`}
              rows={5}
              value={raw}
              spellCheck={false}
              onChange={(e) => setRaw(e.target.value)}
            />
          </div>
        ) : fields.length === 0 ? (
          <p className="muted">This tool takes no arguments.</p>
        ) : (
          fields.map((field) => (
            <Field
              key={field.name}
              field={field}
              value={values[field.name] ?? field.initial}
              error={problem?.field === field.name ? problem.error : null}
              onChange={(value) => setValues({ ...values, [field.name]: value })}
            />
          ))
        )}
        {problem && problem.field === '' ? (
          <p className="form-error" role="alert">
            {problem.error}
          </p>
        ) : null}
        <div className="detail-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Calling…' : 'Call the tool'}
          </button>
          {busy ? <Spinner label="Calling the tool" /> : null}
        </div>
      </form>
      {result ? (
        <div className="try-result" role="status">
          <h3>
            {result.ok ? 'Result' : 'Error'}
            {result.durationMs !== undefined ? (
              <span className="muted small"> ({Math.round(result.durationMs)} ms)</span>
            ) : null}
          </h3>
          <pre className="payload" tabIndex={0} aria-label={result.ok ? 'Result' : 'Error'}>
            {result.text}
          </pre>
        </div>
      ) : null}
    </section>
  );
}
