// Canonical form and hash of a tool or prompt definition. Only the fields that reach the model as
// instructions (or shape what it sends) are hashed; object keys are sorted so a backend that
// re-serializes an equal definition in another key order is not a change, while arrays keep their
// order (an enum or `required` list in another order is a different definition).
import { hash } from 'node:crypto';
import type { JsonObject } from '../../common/domain/capability.js';
import type { IntegrityKind } from '../../common/domain/integrity.js';

/** The fields of a definition that are pinned, per the contract. */
export const HASHED_FIELDS: Readonly<Record<IntegrityKind, readonly string[]>> = {
  tool: ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'],
  prompt: ['name', 'description', 'arguments'],
};

/** The pinned fields of a definition (absent fields stay absent). */
export function pinnedDefinition(kind: IntegrityKind, definition: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const field of HASHED_FIELDS[kind]) {
    if (definition[field] !== undefined) out[field] = definition[field];
  }
  return out;
}

/** JSON.stringify replacer: each plain object comes back with its keys sorted. */
function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return value; // common for small objects: no copy
  keys.sort();
  const copy: Record<string, unknown> = {};
  for (const key of keys) copy[key] = (value as Record<string, unknown>)[key];
  return copy;
}

/**
 * JSON with object keys sorted at every depth (UTF-16 code-unit order, the default sort: defined
 * by the language). Integer-like keys ("10", "9") come first in numeric order, as JavaScript
 * objects keep them: still a function of the key set alone, so equal definitions serialize equal.
 * `undefined` members are dropped and arrays keep their order, as JSON.stringify does. It runs over
 * every tool a backend lists, so it leaves the walk to JSON.stringify (about twice as fast as a
 * hand-written one).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortedKeys) ?? 'null';
}

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex'); // one-shot: no Hash object per definition
}

/** sha256 (hex) of the canonical JSON of a definition's pinned fields. */
export function definitionHash(kind: IntegrityKind, definition: JsonObject): string {
  return sha256Hex(canonicalJson(pinnedDefinition(kind, definition)));
}
