// Name conflicts and the decisions that resolve them. Conflicts are data the GUI shows; they never
// stop the gateway.
import type { CapabilityKind, JsonObject } from './capability.js';

export interface ConflictCandidate {
  backend: string;
  /** The name (or URI) the backend itself uses. */
  originalName: string;
  definition: JsonObject;
  /** What the candidate is advertised as now; null when it is hidden. */
  advertisedAs: string | null;
}

export type Decision =
  /** Keep every candidate, each under its prefixed name. */
  | { action: 'prefix' }
  /** One backend keeps the name; the others are hidden. */
  | { action: 'winner'; backend: string }
  /** Each listed backend's candidate gets the given name (others are prefixed). */
  | { action: 'rename'; names: Record<string, string> }
  /** Hide one backend's candidate; the rest follow the strategy. */
  | { action: 'hide'; backend: string };

export interface DecisionRecord {
  kind: CapabilityKind;
  /** The contested name (tool/prompt name, or resource URI). */
  name: string;
  decision: Decision;
  decidedAt: number;
}

export interface Conflict {
  /** Stable id: `${kind}:${name}`. */
  id: string;
  kind: CapabilityKind;
  name: string;
  candidates: ConflictCandidate[];
  /** How it is resolved right now. */
  resolvedBy: 'strategy' | 'decision';
  strategy: string;
  decision?: Decision;
  /** Needs the user's attention: auto-prefixed or unresolved (manual). */
  open: boolean;
}

/** A name once advertised for a backend's capability; it is not given to anyone else. */
export interface Pin {
  kind: CapabilityKind;
  backend: string;
  originalName: string;
  advertisedName: string;
  pinnedAt: number;
}

export function conflictId(kind: CapabilityKind, name: string): string {
  return `${kind}:${name}`;
}
