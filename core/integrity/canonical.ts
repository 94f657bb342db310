// Canonical form and hash of a tool or prompt definition. Only the fields that reach the model as
// instructions (or shape what it sends) are hashed; object keys are sorted so a backend that
// re-serializes an equal definition in another key order is not a change, while arrays keep their
// order (an enum or `required` list in another order is a different definition).
import { createHash } from 'node:crypto';
import type { JsonObject } from '../domain/capability.js';
import type { IntegrityKind } from '../domain/integrity.js';

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

/**
 * JSON with object keys sorted at every depth. `undefined` members are dropped (as
 * JSON.stringify does), so `{a: undefined}` and `{}` are the same definition.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    // UTF-16 code-unit order (the default sort): defined by the language, so the same everywhere.
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** sha256 (hex) of the canonical JSON of a definition's pinned fields. */
export function definitionHash(kind: IntegrityKind, definition: JsonObject): string {
  return sha256Hex(canonicalJson(pinnedDefinition(kind, definition)));
}
