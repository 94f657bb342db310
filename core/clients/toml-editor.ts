// Codex's config.toml: a careful text edit of our own table only. `[mcp_servers.switchyard]` (and
// any sub-table of it) is replaced, appended or cut out as whole lines; every other line of the
// user's file, comments included, is left as it is. No TOML library round-trips the file.
import { ENTRY_NAME } from './catalogue.js';
import { ClientFileError, type EntryEditor } from './editor.js';

const KEY = String.raw`(?:${ENTRY_NAME}|"${ENTRY_NAME}"|'${ENTRY_NAME}')`;

interface Block {
  /** First line index (the header) and one past the last line of our table. */
  start: number;
  end: number;
}

function splitLines(text: string): { lines: string[]; eol: string } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return { lines: text.split(eol), eol };
}

function findBlock(lines: string[], container: string): Block | undefined {
  const header = new RegExp(String.raw`^\s*\[\s*${container}\s*\.\s*${KEY}\s*\]\s*(#.*)?$`);
  const ownSub = new RegExp(String.raw`^\s*\[\s*${container}\s*\.\s*${KEY}\s*\.`);
  const start = lines.findIndex((l) => header.test(l));
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && !(/^\s*\[/.test(lines[end]!) && !ownSub.test(lines[end]!))) end++;
  // Blank lines before the next table separate tables; they are not ours.
  while (end > start + 1 && lines[end - 1]!.trim() === '') end--;
  return { start, end };
}

/** Our entry defined some other way (dotted keys, an inline table): refuse rather than guess. */
function definedElsewhere(text: string, container: string): boolean {
  if (new RegExp(String.raw`^\s*${container}\s*\.\s*${KEY}\s*[.=]`, 'm').test(text)) return true;
  const table = new RegExp(String.raw`^\s*\[\s*${container}\s*\]\s*(#.*)?$`, 'm').exec(text);
  if (!table) return false;
  const after = text.slice(table.index + table[0].length);
  const body = after.slice(0, after.search(/^\s*\[/m) < 0 ? undefined : after.search(/^\s*\[/m));
  return new RegExp(String.raw`^\s*${KEY}\s*[.=]`, 'm').test(body);
}

function tomlString(value: string): string {
  return JSON.stringify(value); // JSON's escapes are valid TOML basic-string escapes
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

function tomlValue(value: unknown): string {
  if (typeof value === 'string') return tomlString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (value && typeof value === 'object')
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`)
      .join(', ')} }`;
  throw new Error(`cannot write ${typeof value} to TOML`);
}

function render(container: string, value: Record<string, unknown>, eol: string): string[] {
  return [
    `[${container}.${ENTRY_NAME}]`,
    ...Object.entries(value).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`),
  ]
    .join(eol)
    .split(eol);
}

/** Reads the values of our table: strings, booleans, numbers and inline tables of those. */
function readBlock(lines: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of lines.slice(1)) {
    if (/^\s*(#|$)/.test(line)) continue;
    const m = /^\s*([A-Za-z0-9_-]+|"[^"]*")\s*=\s*(.+?)\s*$/.exec(line);
    if (!m) {
      out[`#${line}`] = true; // something we did not write: keeps the entry "different"
      continue;
    }
    out[m[1]!.replace(/^"|"$/g, '')] = parseValue(m[2]!);
  }
  return out;
}

function parseValue(raw: string): unknown {
  const text = raw.replace(/\s+#[^"']*$/, '');
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) return JSON.parse(text) as string;
  if (/^'[^']*'$/.test(text)) return text.slice(1, -1);
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  const inline = /^\{(.*)\}$/.exec(text);
  if (inline) {
    const table: Record<string, unknown> = {};
    const pair =
      /\s*([A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*")\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*'|true|false|-?\d+)\s*(,|$)/gy;
    const body = inline[1]!.trim();
    let m: RegExpExecArray | null;
    while ((m = pair.exec(body))) {
      const key = m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : m[1]!;
      table[key] = parseValue(m[2]!);
      if (pair.lastIndex >= body.length) break;
    }
    return table;
  }
  return { unparsed: raw };
}

export function tomlEditor(container: string): EntryEditor {
  const check = (text: string, lines: string[]) => {
    if (!findBlock(lines, container) && definedElsewhere(text, container))
      throw new ClientFileError(
        `${container}.${ENTRY_NAME} is defined in a form switchyard does not edit (use a [${container}.${ENTRY_NAME}] table, or remove it by hand)`,
      );
  };
  return {
    read(text) {
      const { lines } = splitLines(text);
      check(text, lines);
      const block = findBlock(lines, container);
      return block ? readBlock(lines.slice(block.start, block.end)) : undefined;
    },
    hasContainer: () => true,
    write(text, value) {
      const { lines, eol } = splitLines(text);
      check(text, lines);
      const ours = render(container, value, eol);
      const block = findBlock(lines, container);
      if (block) return [...lines.slice(0, block.start), ...ours, ...lines.slice(block.end)].join(eol);
      if (text.trim() === '') return ours.join(eol) + eol;
      const base = text.endsWith(eol) ? text : text + eol;
      return `${base}${eol}${ours.join(eol)}${eol}`;
    },
    remove(text) {
      const { lines, eol } = splitLines(text);
      const block = findBlock(lines, container);
      if (!block) return text;
      // Take the blank line connect put before the table with it.
      const start = block.start > 0 && lines[block.start - 1]!.trim() === '' ? block.start - 1 : block.start;
      return [...lines.slice(0, start), ...lines.slice(block.end)].join(eol);
    },
    isEmptyShell: (text) => text.trim() === '',
  };
}
