// Text from outside (engine errors, a container's stderr, a backend's reply) shown in status and
// logs: one line, no control characters, bounded. A backend can put anything in an error.

/** At most this many characters of outside text in one status field or log line. */
export const MAX_OUTSIDE_TEXT = 300;

/** One line of at most `max` characters: control characters (C0, DEL, C1) become spaces. */
export function oneLine(text: string, max = MAX_OUTSIDE_TEXT): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.slice(0, max * 4).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  const clean = flat.replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
