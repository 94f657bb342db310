// Makes characters a reviewer cannot see visible (⟨U+200B⟩), so a description that smuggles text in
// zero-width, bidirectional or tag characters shows it. Mirrors the character classes of
// core/integrity/findings.ts (the renderer cannot import values from core/).

// Each listed joiner or combining character is a thing to find, hence the lint exception.
const HIDDEN =
  // eslint-disable-next-line no-misleading-character-class
  /[\u{E0000}-\u{E007F}\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060-\u2064\uFEFF\u180E\u034F\u115F\u1160\u3164\uFFA0\u{1D173}-\u{1D17A}\u{E0100}-\u{E01EF}]/gu;

export function revealHidden(text: string): string {
  return text.replace(HIDDEN, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}
