// Conflict decisions in words, and the rename form's validation.
import { NAME_PATTERN, type Conflict, type Decision } from '../contract.js';

export function describeDecision(decision: Decision, conflict?: Pick<Conflict, 'name'>): string {
  switch (decision.action) {
    case 'prefix':
      return 'every candidate kept under its prefixed name';
    case 'winner':
      return `${decision.backend} keeps ${conflict ? `"${conflict.name}"` : 'the name'}; the others are hidden`;
    case 'rename':
      return Object.entries(decision.names)
        .map(([backend, name]) => `${backend}'s is now "${name}"`)
        .join(', ');
    case 'hide':
      return `${decision.backend}'s is hidden`;
  }
}

/** An error message for a proposed advertised name, or null when it is usable. */
export function validateName(
  name: string,
  options: { kind?: Conflict['kind']; taken?: readonly string[] } = {},
): string | null {
  if (options.kind === 'resource') {
    if (!name.trim()) return 'Enter a URI';
  } else {
    if (!name) return 'Enter a name';
    if (name.length > 64) return 'At most 64 characters';
    if (!NAME_PATTERN.test(name)) return 'Use letters, digits, "_" and "-" only';
  }
  if (options.taken?.includes(name)) return `"${name}" is already advertised`;
  return null;
}
