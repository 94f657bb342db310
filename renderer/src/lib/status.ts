// What to say about a backend's health, so that what the dashboard shows is true: "Paused" while
// the endpoint is off (not a red "Down"), an error only while the backend is not ready, and for a
// failing backend how long it has been failing, how many attempts and when the next one is.
import type { BackendState, BackendStatus, GatewayState } from '../contract.js';
import { formatRelative } from './format.js';

export type StatusTone = 'ok' | 'warn' | 'bad' | 'muted' | 'busy';

/** Retry bookkeeping the engine may report beside a status (absent from older engines). */
export interface RetryInfo {
  /** Epoch ms of the first failure of the current run of failures (not reset by retries). */
  failingSince?: number;
  /** Connection attempts in the current run of failures. */
  attempts?: number;
  /** Epoch ms of the next connection attempt. */
  nextRetryAt?: number;
}

export type StatusInput = Pick<BackendStatus, 'state' | 'since' | 'lastError'> &
  RetryInfo & { enabled?: boolean };

export interface StatusView {
  /** The chip's text. */
  label: string;
  tone: StatusTone;
  /** The line under the chip: since when, attempts, next retry. */
  detail: string;
  /** The error to show as an error (only while the backend is not ready); null otherwise. */
  error: string | null;
}

const LABEL: Record<BackendState, string> = {
  connecting: 'Connecting',
  ready: 'Ready',
  degraded: 'Degraded',
  down: 'Down',
  disabled: 'Disabled',
};

const TONE: Record<BackendState, StatusTone> = {
  connecting: 'busy',
  ready: 'ok',
  degraded: 'warn',
  down: 'bad',
  disabled: 'muted',
};

/** "in 4 s", "in 2 min", "now". */
export function formatIn(ms: number, now: number): string {
  const s = Math.round((ms - now) / 1000);
  if (s <= 0) return 'now';
  if (s < 60) return `in ${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `in ${m} min`;
  return `in ${Math.round(m / 60)} h`;
}

/** "for 42 s", "for 5 min", "for 3 h". */
export function formatFor(since: number, now: number): string {
  const s = Math.max(0, Math.round((now - since) / 1000));
  if (s < 60) return `for ${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `for ${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `for ${h} h`;
  return `for ${Math.round(h / 24)} d`;
}

export function isPaused(gateway: GatewayState | undefined): boolean {
  return gateway === 'stopped' || gateway === 'stopping';
}

/** The status line of one backend, given the endpoint's state. */
export function describeStatus(
  status: StatusInput,
  gateway: GatewayState | undefined,
  now: number,
): StatusView {
  if (status.enabled === false) {
    return {
      label: 'Disabled',
      tone: 'muted',
      detail: `since ${formatRelative(status.since, now)}`,
      error: null,
    };
  }
  if (isPaused(gateway)) {
    return { label: 'Paused', tone: 'muted', detail: 'the MCP endpoint is off', error: null };
  }
  const label = LABEL[status.state];
  const tone = TONE[status.state];
  if (status.state === 'ready' || status.state === 'disabled') {
    return { label, tone, detail: `since ${formatRelative(status.since, now)}`, error: null };
  }
  const failing = status.state === 'down' || status.state === 'degraded' || (status.attempts ?? 0) > 1;
  const parts: string[] = [];
  if (failing) {
    const since = status.failingSince ?? status.since;
    parts.push(
      status.state === 'degraded' ? `degraded ${formatFor(since, now)}` : `failing ${formatFor(since, now)}`,
    );
  } else {
    parts.push(`since ${formatRelative(status.since, now)}`);
  }
  if (status.attempts !== undefined && status.attempts > 0) {
    parts.push(`${status.attempts} ${status.attempts === 1 ? 'attempt' : 'attempts'}`);
  }
  if (status.nextRetryAt !== undefined && status.state !== 'connecting') {
    parts.push(`next retry ${formatIn(status.nextRetryAt, now)}`);
  }
  return { label, tone, detail: parts.join(' · '), error: status.lastError?.message ?? null };
}

/** Why a backend shows no capabilities right now, or null when it is ready (then "none" is the truth). */
export function emptyReason(
  status: StatusInput,
  gateway: GatewayState | undefined,
  kind: string,
): string | null {
  if (status.enabled === false)
    return `This server is disabled: its ${kind} are not loaded. Enable it to see them.`;
  if (isPaused(gateway))
    return `The MCP endpoint is off, so nothing is loaded. Turn it on to see this server's ${kind}.`;
  switch (status.state) {
    case 'ready':
    case 'degraded':
      return null;
    case 'connecting':
      return `Connecting to this server: its ${kind} show once it answers.`;
    case 'down':
      return `This server is down, so its ${kind} are unknown right now. They show again once it reconnects.`;
    case 'disabled':
      return `This server is disabled: its ${kind} are not loaded.`;
  }
}
