// The findings scan: what a tool's (or prompt's) text says that the research on tool poisoning
// (Invariant Labs' tool-poisoning and rug-pull write-ups, the MCP security best practices) names
// as an attack. Findings are shown to the user beside a change; they never decide anything on their
// own, and an empty scan is not an approval.
//
// Every text a model reads is scanned: description, title, annotation strings, and all schema text
// (property descriptions, titles, enum strings, defaults, examples). Phrases are matched on a
// normalized copy (NFKC, invisible characters removed, whitespace collapsed) so that zero-width
// characters inside a word do not hide it; all patterns are bounded (no nested quantifiers over
// unbounded text), and the work per definition is capped.
import type { JsonObject } from '../../common/domain/capability.js';
import type { Finding, FindingKind, FindingSeverity, IntegrityKind } from '../../common/domain/integrity.js';

/** Past this many findings per definition, the rest would add nothing a reviewer can use. */
const MAX_FINDINGS = 40;
/** Phrase patterns look at this much of each text (invisible-character checks see all of it). */
const MAX_PHRASE_TEXT = 64 * 1024;
/** Schema walks stop here: a definition deeper than this is itself suspicious, and bounded. */
const MAX_DEPTH = 32;
const MAX_TEXTS = 5000;
const EXCERPT_RADIUS = 60;

/** A size jump is flagged above both: more than twice the approved text, and 500 more characters. */
export const SIZE_JUMP_FACTOR = 2;
export const SIZE_JUMP_MIN_CHARS = 500;

interface Text {
  path: string;
  text: string;
  /** Property names: checked for hidden characters only (a name is not an instruction). */
  keyOnly?: boolean;
}

/** Schema keywords whose values are identifiers, not prose read by the model. */
const NON_PROSE_KEYS = new Set([
  'type',
  '$schema',
  '$ref',
  '$id',
  '$anchor',
  '$dynamicRef',
  '$dynamicAnchor',
  'format',
  'pattern',
  'required',
  'contentEncoding',
  'contentMediaType',
]);

/** The texts of a definition the model reads, with where each is. */
export function definitionTexts(kind: IntegrityKind, definition: JsonObject): Text[] {
  const out: Text[] = [];
  const add = (path: string, value: unknown) => {
    if (typeof value === 'string' && out.length < MAX_TEXTS) out.push({ path, text: value });
  };
  if (typeof definition.name === 'string') out.push({ path: 'name', text: definition.name, keyOnly: true });
  add('title', definition.title);
  add('description', definition.description);
  if (kind === 'tool') {
    walk(definition.annotations, 'annotations', out, 0);
    walk(definition.inputSchema, 'inputSchema', out, 0);
    walk(definition.outputSchema, 'outputSchema', out, 0);
  } else if (Array.isArray(definition.arguments)) {
    definition.arguments.forEach((arg, i) => {
      if (typeof arg !== 'object' || arg === null) return;
      const a = arg as JsonObject;
      if (typeof a.name === 'string') out.push({ path: `arguments[${i}].name`, text: a.name, keyOnly: true });
      add(`arguments[${i}].title`, a.title);
      add(`arguments[${i}].description`, a.description);
    });
  }
  return out;
}

function walk(node: unknown, path: string, out: Text[], depth: number): void {
  if (depth > MAX_DEPTH || out.length >= MAX_TEXTS) return;
  if (typeof node === 'string') {
    out.push({ path, text: node });
  } else if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, `${path}[${i}]`, out, depth + 1));
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      const child = /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      // Property names can smuggle hidden characters too.
      if (out.length < MAX_TEXTS) out.push({ path: `${child} (key)`, text: key, keyOnly: true });
      if (NON_PROSE_KEYS.has(key)) continue;
      walk(value, child, out, depth + 1);
    }
  }
}

// ---- hidden characters -------------------------------------------------------------------------

const TAG = /[\u{E0000}-\u{E007F}]/u;
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;
/**
 * Characters that render as nothing: zero-width space/joiners, word joiner and invisible
 * operators, BOM, Mongolian vowel separator, combining grapheme joiner, Hangul fillers, musical
 * invisible formatting, variation selectors supplement (used to smuggle bytes).
 */
// These classes list joiners and combining characters on purpose: each one is a thing to find.
const INVISIBLE =
  // eslint-disable-next-line no-misleading-character-class
  /[\u200B-\u200D\u2060-\u2064\uFEFF\u180E\u034F\u115F\u1160\u3164\uFFA0\u{1D173}-\u{1D17A}\u{E0100}-\u{E01EF}]/u;
// eslint-disable-next-line no-misleading-character-class
const HIDDEN_ALL = new RegExp(`${TAG.source}|${BIDI.source}|${INVISIBLE.source}`, 'gu');
const EMOJI = /\p{Extended_Pictographic}/u;

function codePointLabel(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The text with hidden characters shown as ⟨U+XXXX⟩, around `index`, bounded. */
function visibleExcerpt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - EXCERPT_RADIUS);
  const end = Math.min(text.length, index + length + EXCERPT_RADIUS);
  let excerpt = text.slice(start, end).replace(HIDDEN_ALL, (c) => `⟨${codePointLabel(c)}⟩`);
  excerpt = excerpt.replace(/\s+/g, ' ');
  if (excerpt.length > 4 * EXCERPT_RADIUS) excerpt = `${excerpt.slice(0, 4 * EXCERPT_RADIUS)}…`;
  return `${start > 0 ? '…' : ''}${excerpt}${end < text.length ? '…' : ''}`;
}

/** A zero-width joiner between emoji builds one glyph (👩‍💻): not hidden text. */
function isEmojiJoiner(text: string, index: number): boolean {
  if (text.charCodeAt(index) !== 0x200d) return false;
  const low = text.charCodeAt(index - 1);
  const prevStart = low >= 0xdc00 && low <= 0xdfff ? index - 2 : index - 1;
  if (prevStart < 0) return false;
  const prev = String.fromCodePoint(text.codePointAt(prevStart)!);
  const next = String.fromCodePoint(text.codePointAt(index + 1) ?? 0x20);
  return (EMOJI.test(prev) || prev === '\uFE0F') && EMOJI.test(next);
}

function scanHidden(t: Text, add: (f: Finding) => void): string | undefined {
  let tags = '';
  let tagAt = -1;
  let bidi = 0;
  let bidiAt = -1;
  let invisible = 0;
  let invisibleAt = -1;
  let invisibleChar = '';
  for (let i = 0; i < t.text.length; i++) {
    const code = t.text.codePointAt(i)!;
    const char = String.fromCodePoint(code);
    if (code > 0xffff) i++;
    if (code < 0x34f) continue; // fast path: nothing below U+034F is flagged
    if (TAG.test(char)) {
      if (tagAt < 0) tagAt = i;
      const ascii = code - 0xe0000;
      if (ascii >= 0x20 && ascii < 0x7f && tags.length < 2000) tags += String.fromCharCode(ascii);
    } else if (BIDI.test(char)) {
      bidi++;
      if (bidiAt < 0) bidiAt = i;
    } else if (INVISIBLE.test(char) && !isEmojiJoiner(t.text, i)) {
      invisible++;
      if (invisibleAt < 0) {
        invisibleAt = i;
        invisibleChar = char;
      }
    }
  }
  if (tagAt >= 0) {
    add({
      kind: 'tag-characters',
      severity: 'high',
      message: `Unicode tag characters (invisible) spell out hidden text: "${tags.slice(0, 200)}${tags.length > 200 ? '…' : ''}"`,
      excerpt: visibleExcerpt(t.text, tagAt, 1),
      path: t.path,
    });
  }
  if (bidi > 0) {
    add({
      kind: 'bidi-control',
      severity: 'high',
      message: `${bidi} bidirectional control character${bidi === 1 ? '' : 's'}: what a reviewer sees is not the order the model reads`,
      excerpt: visibleExcerpt(t.text, bidiAt, 1),
      path: t.path,
    });
  }
  if (invisible > 0) {
    add({
      kind: 'invisible-character',
      severity: 'high',
      message: `${invisible} invisible character${invisible === 1 ? '' : 's'} (first ${codePointLabel(invisibleChar)}): text a reviewer cannot see`,
      excerpt: visibleExcerpt(t.text, invisibleAt, 1),
      path: t.path,
    });
  }
  return tags || undefined;
}

// ---- phrases -----------------------------------------------------------------------------------

interface Pattern {
  kind: FindingKind;
  severity: FindingSeverity;
  re: RegExp;
  message: string;
}

// Bounded gaps (`[^.\n]{0,80}?`) keep each pattern linear and within one sentence.
const PATTERNS: readonly Pattern[] = [
  // Markup posing as instructions.
  {
    kind: 'instruction-tag',
    severity: 'high',
    re: /<\s*\/?\s*(important|system|instructions?|admin|secret|hidden|assistant|prompt|context|sys|tool_instructions?|critical|override)\b[^<>\n]{0,40}>/i,
    message: 'an <IMPORTANT>/<SYSTEM>-style tag posing as instructions to the model',
  },
  {
    kind: 'instruction-tag',
    severity: 'medium',
    re: /\[\s*(important|system|instructions?|admin|assistant)\s*[:\]]/i,
    message: 'a [SYSTEM]/[IMPORTANT]-style marker posing as instructions to the model',
  },
  {
    kind: 'instruction-tag',
    severity: 'high',
    re: /<!--[\s\S]{0,2000}?-->/,
    message: 'an HTML comment: hidden where descriptions are rendered, read by the model',
  },
  {
    kind: 'instruction-tag',
    severity: 'medium',
    re: /(?:^|\n)\s{0,8}(?:#{1,3}\s*)?(system|assistant)\s*(message|prompt)?\s*:/i,
    message: 'a "system:"/"assistant:" role header inside a description',
  },
  // Text addressed to the model.
  {
    kind: 'model-directive',
    severity: 'high',
    re: /\b(ignore|disregard|forget|override|bypass)\s+(all\s+|any\s+)?(of\s+)?(the\s+|your\s+)?(previous|prior|above|earlier|preceding|other|existing|system|original|safety)\s+(instructions?|prompts?|rules|directions|guidelines|context|messages?)\b/i,
    message: 'asks the model to ignore its instructions',
  },
  {
    kind: 'model-directive',
    severity: 'high',
    re: /\bbefore\s+(using|calling|invoking|running|executing)\s+(this|any|the|each|every)\s+(tool|function)\b[^.\n]{0,200}?\b(read|open|load|fetch|call|include|send|cat|get|access|collect)\b/i,
    message: '"before using this tool … read": a precondition addressed to the model',
  },
  {
    kind: 'model-directive',
    severity: 'high',
    re: /\b(otherwise|or\s+else)\b[^.\n]{0,40}?\b(the|this)\s+tool\s+(will\s+not|won'?t|cannot|can'?t)\s+work\b|\b(the|this)\s+tool\s+(will\s+not|won'?t)\s+work\s+(unless|without|if\s+you\s+don'?t)\b/i,
    message: 'coerces the model ("otherwise the tool will not work")',
  },
  {
    kind: 'model-directive',
    severity: 'medium',
    re: /\bbefore\s+(every|each|any)\s+[`'"]?[\w.-]{1,64}[`'"]?\s+call\b|\b(when|whenever)\s+(calling|using|invoking)\s+(?!this\b)(the\s+)?[`'"]?[\w.-]{1,64}[`'"]?(\s+tool)?\b[^.\n]{0,80}?\b(always|must|instead|also|make\s+sure)\b/i,
    message: 'instructs the model about how to use another tool (shadowing)',
  },
  {
    kind: 'model-directive',
    severity: 'medium',
    re: /\b(new|updated|real|actual|hidden)\s+(system\s+)?instructions\b|\bsystem\s+prompt\b|\byou\s+are\s+now\b|\bact\s+as\s+(if|though)\b/i,
    message: 'speaks to the model about its instructions or role',
  },
  {
    kind: 'model-directive',
    severity: 'low',
    re: /\byou\s+(must|have\s+to|are\s+required\s+to|shall)\b/i,
    message: '"you must": a description giving the model orders',
  },
  // Hiding things from the user.
  {
    kind: 'concealment',
    severity: 'high',
    re: /\b(do\s+not|don'?t|never|avoid)\s+(tell|mention|inform|reveal|show|disclose|notify|alert|let)\b[^.\n]{0,60}?\b(user|human|anyone|them)\b|\b(do\s+not|don'?t|never)\s+(mention|reveal|disclose)\s+(this|that|it|these|the\s+fact)\b/i,
    message: 'asks the model to hide something from the user',
  },
  {
    kind: 'concealment',
    severity: 'high',
    re: /\bwithout\s+(telling|informing|notifying|asking|alerting|showing)\s+(the\s+)?user\b|\b(the\s+)?user\s+(must|should|need)\s+(not|never)\s+(know|see|notice|find\s+out|be\s+told)\b/i,
    message: 'asks the model to act without the user knowing',
  },
  {
    kind: 'concealment',
    severity: 'medium',
    re: /\b(secretly|covertly|surreptitiously)\b|\bupset\s+the\s+user\b|\b(hide|conceal)\s+(this|it|that)\s+from\b/i,
    message: 'speaks of doing something unseen',
  },
  // Credentials and sensitive files.
  {
    kind: 'credential-access',
    severity: 'high',
    re: /(~|\$HOME|%USERPROFILE%)?[\\/]?\.ssh\b|\bid_(rsa|dsa|ecdsa|ed25519)\b|\bauthorized_keys\b|\.aws[\\/](credentials|config)\b|\.config[\\/]gcloud\b|\.kube[\\/]config\b|\.docker[\\/]config\.json\b|(^|[\s'"`(~\\/])\.(npmrc|pypirc|netrc|pgpass|git-credentials|bash_history|zsh_history)\b|\/etc\/(passwd|shadow|sudoers)\b|\bmcp\.json\b|\bclaude_desktop_config\.json\b|(^|[\s'"`(~\\/])\.cursor[\\/]|\bwallet\.dat\b|\bkeychain\b/i,
    message: 'names a credential or sensitive file (SSH keys, cloud credentials, MCP client config)',
  },
  {
    kind: 'credential-access',
    severity: 'high',
    re: /(^|[\s'"`(~\\/])\.env(\.[a-z]{1,20})?(?![\w-])/i,
    message: 'names a .env file (where secrets live)',
  },
  {
    kind: 'credential-access',
    severity: 'medium',
    re: /\b(read|include|pass|send|provide|attach|copy|extract|collect|append|paste|output|print|dump|upload|share|give|return|list)\b[^.\n]{0,60}?\b(api[\s_-]?keys?|access[\s_-]?tokens?|auth(entication)?[\s_-]?tokens?|bearer\s+tokens?|secret[\s_-]?keys?|passwords?|passphrases?|private[\s_-]?keys?|credentials|session\s+cookies?|seed\s+phrases?|mnemonics?)\b/i,
    message: 'asks for secrets (API keys, tokens, passwords, private keys)',
  },
  // Sending data elsewhere.
  {
    kind: 'exfiltration',
    severity: 'high',
    re: /\b(send|post|upload|exfiltrate|forward|transmit|submit|report|bcc|cc|mirror|deliver|leak|beacon|ping|notify)\b[^.\n]{0,80}?\b(https?|wss?|ftp):\/\/[^\s'"`)<>]{1,200}/i,
    message: 'asks to send data to a URL',
  },
  {
    kind: 'exfiltration',
    severity: 'high',
    re: /\b(send|forward|bcc|cc|copy|redirect|deliver|email|mail|report)\b[^.\n]{0,80}?\b[\w.+-]{1,64}@[\w-]{1,63}(\.[\w-]{1,63})+\b/i,
    message: 'asks to send or copy data to an email address',
  },
  {
    kind: 'exfiltration',
    severity: 'high',
    re: /\b(change|set|replace|redirect|must\s+be|always\s+use|instead)\b[^.\n]{0,60}?\+\d[\d\s().-]{6,20}\d/i,
    message: 'redirects messages to a phone number',
  },
  {
    kind: 'exfiltration',
    severity: 'high',
    re: /\bpass\b[^.\n]{0,80}?\bas\s+(the\s+)?['"`]?(sidenote|side_note|note|notes|metadata|context|extra|comment|details|debug)['"`]?/i,
    message: 'asks the model to smuggle content in a parameter ("pass … as sidenote")',
  },
  {
    kind: 'exfiltration',
    severity: 'high',
    re: /\b(include|put|place|insert|append|concatenate|add|embed)\b[^.\n]{0,80}?\b(contents?|history|messages|conversation|files?|keys?|values?|them|those|these)\b[^.\n]{0,60}?\b(in|into|as)\s+(the\s+)?['"`]?[\w-]{1,64}['"`]?\s+(parameter|argument|field)\b/i,
    message: 'asks the model to put file contents or history into a parameter',
  },
  {
    kind: 'exfiltration',
    severity: 'high',
    re: /\bexfiltrat(e|es|ed|ing|ion)\b/i,
    message: 'mentions exfiltration',
  },
];

const PADDING = /[ \t\u00A0\u2000-\u200A\u3000]{40,}|(?:\r?\n[ \t]*){12,}/;

/** Normalized for phrase matching: NFKC, hidden characters removed, whitespace collapsed. */
function normalize(text: string): string {
  return text
    .slice(0, MAX_PHRASE_TEXT)
    .normalize('NFKC')
    .replace(HIDDEN_ALL, '')
    .replace(/[ \t\u00A0\u2000-\u200A\u3000]+/g, ' ');
}

function excerptAround(text: string, index: number, length: number): string {
  const start = Math.max(0, index - EXCERPT_RADIUS);
  const end = Math.min(text.length, index + Math.min(length, 3 * EXCERPT_RADIUS) + EXCERPT_RADIUS);
  return `${start > 0 ? '…' : ''}${text.slice(start, end).replace(/\s+/g, ' ').trim()}${end < text.length ? '…' : ''}`;
}

function scanPhrases(path: string, text: string, add: (f: Finding) => void): void {
  const padding = PADDING.exec(text.slice(0, MAX_PHRASE_TEXT));
  if (padding) {
    add({
      kind: 'whitespace-padding',
      severity: 'medium',
      message: 'a long run of whitespace that pushes text out of view',
      excerpt: excerptAround(text, padding.index, padding[0].length),
      path,
    });
  }
  const normalized = normalize(text);
  for (const pattern of PATTERNS) {
    const match = pattern.re.exec(normalized);
    if (!match) continue;
    add({
      kind: pattern.kind,
      severity: pattern.severity,
      message: pattern.message,
      excerpt: excerptAround(normalized, match.index, match[0].length),
      path,
    });
  }
}

// ---- the scan ----------------------------------------------------------------------------------

/** Total characters of the text a model reads (for the size-jump check). */
export function textSize(kind: IntegrityKind, definition: JsonObject): number {
  let size = 0;
  for (const t of definitionTexts(kind, definition)) if (!t.keyOnly) size += t.text.length;
  return size;
}

/**
 * Scans a definition. `approved` (the pinned definition, when there is one) adds the size-jump
 * check. At most MAX_FINDINGS findings, one per kind and message per place.
 */
export function scanDefinition(
  kind: IntegrityKind,
  definition: JsonObject,
  approved?: JsonObject | null,
): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const add = (finding: Finding) => {
    const key = `${finding.path}\u0000${finding.kind}\u0000${finding.message}`;
    if (findings.length >= MAX_FINDINGS || seen.has(key)) return;
    seen.add(key);
    findings.push(finding);
  };
  for (const t of definitionTexts(kind, definition)) {
    const hidden = scanHidden(t, add);
    if (t.keyOnly) continue;
    scanPhrases(t.path, t.text, add);
    // Tag characters decode to ASCII the model can read: scan what they say as well.
    if (hidden) scanPhrases(`${t.path} (hidden text)`, hidden, add);
  }
  if (approved) {
    const before = textSize(kind, approved);
    const after = textSize(kind, definition);
    if (after > SIZE_JUMP_FACTOR * before && after - before > SIZE_JUMP_MIN_CHARS) {
      add({
        kind: 'size-jump',
        severity: 'medium',
        message: `its text grew from ${before} to ${after} characters since it was approved`,
        excerpt: '',
        path: '',
      });
    }
  }
  return findings;
}
