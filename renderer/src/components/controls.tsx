// Small shared controls: status chips, a switch, copy buttons, code blocks, empty states.
import type { ReactNode } from 'react';
import type { BackendState, GatewayState } from '../contract.js';
import { useDashboard } from '../stores/hooks.js';
import { CopyIcon } from './icons.js';

const STATE_LABEL: Record<BackendState | GatewayState, string> = {
  connecting: 'Connecting',
  ready: 'Ready',
  degraded: 'Degraded',
  down: 'Down',
  disabled: 'Disabled',
  starting: 'Starting',
  running: 'Running',
  stopping: 'Stopping',
  stopped: 'Off',
  error: 'Error',
};

const STATE_TONE: Record<BackendState | GatewayState, 'ok' | 'warn' | 'bad' | 'muted' | 'busy'> = {
  connecting: 'busy',
  ready: 'ok',
  degraded: 'warn',
  down: 'bad',
  disabled: 'muted',
  starting: 'busy',
  running: 'ok',
  stopping: 'busy',
  stopped: 'muted',
  error: 'bad',
};

export function StatusChip({ state }: { state: BackendState | GatewayState }) {
  return <ToneChip tone={STATE_TONE[state]} label={STATE_LABEL[state]} />;
}

/** A status chip with a dot: its words carry the meaning, the colour only repeats it. */
export function ToneChip({ tone, label }: { tone: 'ok' | 'warn' | 'bad' | 'muted' | 'busy'; label: string }) {
  return (
    <span className={`chip chip-${tone}`}>
      <span className="chip-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

export function Chip({
  tone = 'muted',
  children,
}: {
  /** `outline`: a neutral fact (a transport, an era), not a state. */
  tone?: 'ok' | 'warn' | 'bad' | 'muted' | 'busy' | 'accent' | 'outline';
  children: ReactNode;
}) {
  return <span className={`chip chip-${tone}`}>{children}</span>;
}

export interface SwitchProps {
  checked: boolean;
  onChange(checked: boolean): void;
  label: string;
  /** Visible text next to the switch (the accessible name stays `label`). */
  text?: ReactNode;
  disabled?: boolean;
  busy?: boolean;
}

export function Switch({ checked, onChange, label, text, disabled, busy }: SwitchProps) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      aria-busy={busy || undefined}
      disabled={disabled}
      className="switch"
      onClick={() => onChange(!checked)}
    >
      <span className="switch-track" aria-hidden="true">
        <span className="switch-thumb" />
      </span>
      {text ? <span className="switch-text">{text}</span> : null}
    </button>
  );
}

export function CopyButton({ text, what, label }: { text: string; what: string; label?: string }) {
  const { ui } = useDashboard();
  return (
    <button
      type="button"
      className="button button-ghost button-icon"
      aria-label={label ?? `Copy ${what.toLowerCase()}`}
      title={label ?? `Copy ${what.toLowerCase()}`}
      onClick={() => void ui.getState().copy(text, what)}
    >
      <CopyIcon />
    </button>
  );
}

/** Preformatted text with a copy button; `copyText` is what is copied when it differs from what is shown. */
export function CodeBlock({
  text,
  copyText,
  what,
  label,
  caption,
}: {
  text: string;
  copyText?: string;
  what: string;
  label: string;
  caption?: ReactNode;
}) {
  const { ui } = useDashboard();
  return (
    <div className="code-block">
      <div className="code-bar">
        <span className="muted small">{caption}</span>
        <button
          type="button"
          className="button button-small"
          aria-label={`Copy: ${label}`}
          onClick={() => void ui.getState().copy(copyText ?? text, what)}
        >
          <CopyIcon /> Copy
        </button>
      </div>
      <pre tabIndex={0} aria-label={label}>
        <code>{text}</code>
      </pre>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span className="spinner" role="status">
      <span className="visually-hidden">{label}</span>
    </span>
  );
}
