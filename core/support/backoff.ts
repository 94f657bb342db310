import type { BackoffPolicy } from '../domain/runtime.js';

/** Delay before retry number `attempt` (0-based): random in [initial/2, min(max, initial·2^attempt)]. */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  const floor = Math.min(ceiling, policy.initialMs / 2);
  return Math.round(floor + random() * (ceiling - floor));
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000 };
