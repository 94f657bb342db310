// Advertised names must match what the strictest client accepts (Claude Desktop):
// ^[A-Za-z0-9_-]{1,64}$. Invalid characters become "_" and an over-long name is shortened
// deterministically, keeping a hash of the full name so two long names never collapse into one.
import { createHash } from 'node:crypto';

export const ADVERTISED_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_NAME = 64;
const HASH_CHARS = 6;

export function isValidName(name: string): boolean {
  return ADVERTISED_NAME.test(name);
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_CHARS);
}

/**
 * A valid advertised name for `name`: unchanged when already valid. Two names that clean up to the
 * same result ("a.b", "a/b") then collide, and collisions are the conflict resolver's job.
 */
export function toValidName(name: string): string {
  if (isValidName(name)) return name;
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
  return shorten(cleaned, name);
}

/** Cut to fit 64 characters with "_" + a hash of the original full name at the end. */
function shorten(cleaned: string, original: string): string {
  if (cleaned.length <= MAX_NAME) return cleaned;
  return `${cleaned.slice(0, MAX_NAME - HASH_CHARS - 1)}_${shortHash(original)}`;
}

/** The prefix for a backend from a format such as "{backend}__", made of valid characters. */
export function prefixFor(format: string, backend: string): string {
  return format.replaceAll('{backend}', backend).replace(/[^A-Za-z0-9_-]/g, '_');
}

/** `{backend}__{name}`, valid and at most 64 characters. */
export function prefixedName(format: string, backend: string, name: string): string {
  const full = prefixFor(format, backend) + name;
  return isValidName(full) ? full : toValidName(full);
}

/** Simple glob: `*` matches any run of characters; everything else is literal. */
export function matchesPattern(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return re.test(name);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
