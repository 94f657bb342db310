// What the engine needs from its host, injected by whoever assembles it (CLI, desktop app, tests).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Reconnect pacing: capped exponential backoff with full jitter. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}
