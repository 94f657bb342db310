// A container that was just (re)started usually runs a server that is still booting, so its
// backend is down at first. For a while after the start, a down backend is reconnected sooner
// than the registry's own pacing would: at the policy's initial delay while a server typically
// boots (fastMs), then with capped exponential backoff. A container whose server never comes up
// (or a label pointing at something that is not MCP) costs a couple of dozen attempts in the
// window, not five a second, while a server that boots in a few seconds is still seen at once.
import type { BackendStatus } from '../../../common/domain/backend.js';
import type { BackoffPolicy, Clock } from '../../domain/runtime.js';
import { backoffDelay } from '../../support/backoff.js';

interface Boot {
  startedAt: number;
  /** Until when a down backend is retried here. */
  until: number;
  attempt: number;
  timer?: NodeJS.Timeout;
}

export interface BootRetryOptions {
  windowMs: number;
  /** For this long after the start, retries come at policy.initialMs; backoff after. */
  fastMs: number;
  policy: BackoffPolicy;
  clock: Clock;
  random?: () => number;
  /** Reconnects the backend of this container if it is still down; false when it is gone. */
  retry(containerId: string, backend: string): void;
}

export class BootRetry {
  private readonly boots = new Map<string, Boot>();

  constructor(private readonly o: BootRetryOptions) {}

  /** The container (re)started: its backend gets a fresh window and backoff. */
  started(containerId: string): void {
    this.forget(containerId);
    const now = this.o.clock.now();
    this.boots.set(containerId, { startedAt: now, until: now + this.o.windowMs, attempt: 0 });
  }

  forget(containerId: string): void {
    clearTimeout(this.boots.get(containerId)?.timer);
    this.boots.delete(containerId);
  }

  clear(): void {
    for (const boot of this.boots.values()) clearTimeout(boot.timer);
    this.boots.clear();
  }

  /** Seen for every status change of a container backend that is tracked and usable. */
  observe(containerId: string, status: BackendStatus): void {
    const boot = this.boots.get(containerId);
    if (!boot) return;
    if (status.state === 'ready') {
      this.forget(containerId); // up: the registry's own health checks take over
      return;
    }
    const now = this.o.clock.now();
    if (status.state !== 'down' || boot.timer || now >= boot.until) return;
    const delay =
      now - boot.startedAt < this.o.fastMs
        ? this.o.policy.initialMs
        : backoffDelay(boot.attempt++, this.o.policy, this.o.random);
    boot.timer = setTimeout(() => {
      boot.timer = undefined;
      if (this.boots.get(containerId) === boot) this.o.retry(containerId, status.name);
    }, delay);
    boot.timer.unref();
  }

  /** Backoff steps taken so far in this container's current window (tests). */
  attempts(containerId: string): number {
    return this.boots.get(containerId)?.attempt ?? 0;
  }
}
