// Fitting advertised names to a client's whole-name rule. A name that fits is kept as it is; a
// longer one keeps a readable head and ends in "_" + a short hash of the full name, so two long
// names that share a head never collapse into one, and the same name always shortens the same way.
import { createHash } from 'node:crypto';
import type { NameRule } from './presets.js';

const HASH_CHARS = 6;
/** Shortest room a rule may leave: a head of one character, "_" and the hash. */
export const MIN_NAME_ROOM = HASH_CHARS + 2;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_CHARS);
}

/** Whether `name` satisfies the rule for a client that registered the server as `serverName`. */
export function fitsRule(name: string, rule: NameRule, serverName: string): boolean {
  return name.length >= 1 && name.length <= rule.maxLength(serverName) && rule.alphabet.test(name);
}

/**
 * The shortened form of `name` in `max` characters: its head, "_", and a hash of the full name.
 * `attempt` > 0 salts the hash, for when the first form is already taken by another name.
 */
export function shortenTo(name: string, max: number, attempt = 0): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '_');
  const hash = shortHash(attempt === 0 ? name : `${name}\u0000${attempt}`);
  const room = Math.max(max, MIN_NAME_ROOM);
  // Never end the head in "_" or "-": "read_file__a1b2c3" reads worse than "read_file_a1b2c3".
  const head = cleaned.slice(0, room - HASH_CHARS - 1).replace(/[_-]+$/, '') || cleaned.slice(0, 1);
  return `${head}_${hash}`;
}

/**
 * Names for a list of items under one rule, with no two alike. `pinned` names (what a client of
 * this profile was already served) are honoured first while they still fit and are free; then
 * names that fit as they are; then everything else is shortened, in list order, so the outcome
 * is deterministic for a given list and pins.
 */
export function assignNames<T>(
  items: readonly T[],
  nameOf: (item: T) => string,
  pinnedOf: (item: T) => string | undefined,
  rule: NameRule,
  serverName: string,
): Map<T, string> {
  const max = rule.maxLength(serverName);
  const fits = (name: string) => fitsRule(name, rule, serverName);
  const taken = new Set<string>();
  const out = new Map<T, string>();
  for (const item of items) {
    const pinned = pinnedOf(item);
    if (pinned !== undefined && !fits(nameOf(item)) && fits(pinned) && !taken.has(pinned)) {
      out.set(item, pinned);
      taken.add(pinned);
    }
  }
  for (const item of items) {
    if (out.has(item)) continue;
    const name = nameOf(item);
    if (fits(name) && !taken.has(name)) {
      out.set(item, name);
      taken.add(name);
    }
  }
  for (const item of items) {
    if (out.has(item)) continue;
    const name = nameOf(item);
    let attempt = 0;
    let candidate = shortenTo(name, max, attempt);
    while (taken.has(candidate)) candidate = shortenTo(name, max, ++attempt);
    out.set(item, candidate);
    taken.add(candidate);
  }
  return out;
}
