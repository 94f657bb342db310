// A container that was just (re)started usually runs a server that is still booting, so its
// backend is down at first. For a while after the start, a down backend is reconnected sooner
// than the registry's own pacing would, but with capped exponential backoff: a container whose
// server never comes up (or a label pointing at something that is not MCP) costs a handful of
// attempts a minute, not five a second.
import type { BackendStatus } from '../../domain/backend.js';
import type { BackoffPolicy, Clock } from '../../domain/runtime.js';
import { backoffDelay } from '../../support/backoff.js';

interface Boot {
  /** Until when a down backend is retried here. */
  until: number;
  attempt: number;
  timer?: NodeJS.Timeout;
}

export interface BootRetryOptions {
  windowMs: number;
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
    this.boots.set(containerId, { until: this.o.clock.now() + this.o.windowMs, attempt: 0 });
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
    if (status.state !== 'down' || boot.timer || this.o.clock.now() >= boot.until) return;
    const delay = backoffDelay(boot.attempt++, this.o.policy, this.o.random);
    boot.timer = setTimeout(() => {
      boot.timer = undefined;
      if (this.boots.get(containerId) === boot) this.o.retry(containerId, status.name);
    }, delay);
    boot.timer.unref();
  }

  /** Retries scheduled so far in this container's current window (status, tests). */
  attempts(containerId: string): number {
    return this.boots.get(containerId)?.attempt ?? 0;
  }
}
