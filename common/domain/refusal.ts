// Requests the front door refused, counted per reason (see core/gateway/refusal-counter.ts).

export const REFUSAL_REASONS = ['host', 'origin', 'token-missing', 'token-invalid'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface RefusalSummary {
  /** Refusals in the last 60 minutes, per reason. */
  lastHour: Record<RefusalReason, number>;
  /** Refusals in the last 24 hours, per reason. */
  lastDay: Record<RefusalReason, number>;
  /** When the last one happened, and why. */
  last?: { at: number; reason: RefusalReason };
}
