// Lists of names set at a key path of the config file, in place: the dashboard's tool switch
// (`aggregation.backends.<backend>.tools.include|exclude`) and its per-profile tool pick
// (`profiles.<name>.tools.include|exclude`) both write through here. Like the rest of edit.ts the
// edit is made on the text, at the places the parsed YAML document points to, so every byte the
// edit does not concern stays as the user wrote it (comments included):
// - a list that exists is edited item by item (a block list keeps its other lines and their
//   comments; a flow list `[a, b]` is rewritten on its own span, keeping each kept item's text);
// - a list that does not exist is added under the deepest mapping of its path that does, as
//   `key: [a, b]` (new mappings in the block style of the file, or inline in a flow mapping);
// - an emptied list is removed with its key, and so is each mapping on its path that it leaves
//   empty (down to `keep` levels), unless that mapping holds a comment of the user's: then it is
//   written `{}` and the comment stays.
// A JSON file is a flow mapping to YAML: it is edited the same way, with double-quoted keys and
// values. The file must be a valid config before the edit (else the error names the key path and
// line, and nothing is written), and the result is checked to be exactly the intended change.
import {
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  stringify,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { ConfigEditError, lineEnd, lineStart, loadForEdit, writeAtomically } from './edit.js';
import { formatConfigErrors, formatPath, parseConfigText } from './load.js';

/** One list to write: `list` at `path`; an empty list removes the key. */
export interface ListEdit {
  path: readonly string[];
  list: readonly string[];
  /**
   * How many leading keys of `path` are never removed when the list empties them (e.g. 2 for
   * `profiles.<name>.…`: the profile stays, as `{}` if nothing else is left in it). Default 0.
   */
  keep?: number;
}

const UNSET_ENV = /^environment variable .* is not set$/;

type Node = YAMLMap | YAMLSeq | null | unknown;
type Range = [number, number, number];
const rangeOf = (node: unknown): Range => (node as { range: Range }).range;

/** The keys of a mapping as plain strings. */
const keyOf = (pair: Pair): string => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key));

/** Whether a mapping is written JSON style (double-quoted keys): then so is what we add to it. */
const jsonStyle = (map: YAMLMap): boolean =>
  map.items.length > 0 && map.items.every((p) => isScalar(p.key) && p.key.type === 'QUOTE_DOUBLE');

/** A key or a list item as YAML (plain when it can be) or JSON. */
function scalarText(value: string, json: boolean): string {
  if (json) return JSON.stringify(value);
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

const keyText = (key: string, json: boolean) =>
  !json && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(key) ? key : JSON.stringify(key);

function flowList(items: readonly string[], json: boolean, padded = false): string {
  if (items.length === 0) return '[]';
  const inner = items.join(', ');
  return padded ? `[ ${inner} ]` : `[${inner}]`;
}

/** `{ a: { b: [x] } }` (or JSON) for a path's remaining keys and its list, on one line. */
function flowValue(keys: readonly string[], list: readonly string[], json: boolean): string {
  const items = list.map((v) => scalarText(v, json));
  let out = flowList(items, json);
  for (const key of [...keys].reverse())
    out = json ? `{${JSON.stringify(key)}: ${out}}` : `{ ${key}: ${out} }`;
  return out;
}

/** The file's indentation step (its smallest indentation of a line of content), default two spaces. */
function indentUnit(text: string): string {
  let unit = 0;
  for (const m of text.matchAll(/^( +)[^\s#]/gm)) {
    const width = m[1]!.length;
    if (unit === 0 || width < unit) unit = width;
  }
  return unit > 0 && unit <= 8 ? ' '.repeat(unit) : '  ';
}

/** The whitespace before a block mapping's keys (a key after `- ` counts as indentation). */
function blockIndent(text: string, map: YAMLMap): string {
  const first = map.items[0]!;
  const at = rangeOf(first.key)[0];
  return ' '.repeat(at - lineStart(text, at));
}

/** Where a pair's text ends (its value's end, or the key's when it has none). */
function pairEnd(pair: Pair): number {
  return pair.value && (pair.value as { range?: Range }).range
    ? rangeOf(pair.value)[1]
    : rangeOf(pair.key)[1];
}

interface Splice {
  start: number;
  end: number;
  insert: string;
}

const apply = (text: string, s: Splice) => text.slice(0, s.start) + s.insert + text.slice(s.end);

/** Adds keys…: list under `map` (the deepest mapping of the path that exists). */
function insertUnder(
  text: string,
  map: YAMLMap | null,
  root: boolean,
  keys: readonly string[],
  list: readonly string[],
): Splice {
  if (map === null || (root && !map.flow)) {
    // An empty document (nothing, or only comments): the keys go at the end.
    const sep = text === '' || text.endsWith('\n') ? '' : '\n';
    return {
      start: text.length,
      end: text.length,
      insert: `${sep}${blockLines(keys, list, '', indentUnit(text))}`,
    };
  }
  if (map.flow) {
    const json = jsonStyle(map);
    const [start, end] = rangeOf(map);
    const value = flowValue(keys.slice(1), list, json);
    const pairText = `${keyText(keys[0]!, json)}: ${value}`;
    const last = map.items[map.items.length - 1];
    if (!last) {
      const close = text.lastIndexOf('}', end);
      return { start: start + 1, end: close, insert: json ? pairText : ` ${pairText} ` };
    }
    const at = pairEnd(last);
    const own = text.slice(start, end);
    if (own.includes('\n')) {
      // A mapping over several lines (a pretty-printed JSON file): the new key on its own line.
      const lastAt = rangeOf(last.key)[0];
      const indent = text.slice(lineStart(text, lastAt), lastAt);
      return { start: at, end: at, insert: `,\n${indent}${pairText}` };
    }
    return { start: at, end: at, insert: `, ${pairText}` };
  }
  const indent = blockIndent(text, map);
  const at = lineEnd(text, rangeOf(map)[1] - 1);
  const before = text.slice(0, at);
  const sep = before.endsWith('\n') ? '' : '\n';
  return { start: at, end: at, insert: `${sep}${blockLines(keys, list, indent, indentUnit(text))}` };
}

/** `a:\n  b: [x, y]\n` at `indent`. */
function blockLines(keys: readonly string[], list: readonly string[], indent: string, unit: string): string {
  const lines = keys.map((key, i) => {
    const pad = indent + unit.repeat(i);
    const last = i === keys.length - 1;
    return `${pad}${keyText(key, false)}:${
      last
        ? ` ${flowList(
            list.map((v) => scalarText(v, false)),
            false,
          )}`
        : ''
    }`;
  });
  return `${lines.join('\n')}\n`;
}

/** The list's text with items removed and added, item by item (see the header). */
function editList(text: string, seq: YAMLSeq, list: readonly string[], json: boolean): Splice[] {
  const values = seq.items.map((item) => {
    if (!isScalar(item) || typeof item.value !== 'string')
      throw new ConfigEditError('a list item is not a plain name; edit the file by hand');
    return item.value;
  });
  const wanted = new Set(list);
  const added = [...new Set(list)].filter((v) => !values.includes(v));
  const kept = seq.items.filter((_, i) => wanted.has(values[i]!));
  if (seq.flow || seq.items.length === 0) {
    const [start, end] = rangeOf(seq);
    const own = text.slice(start, end);
    const items = [
      ...kept.map((item) => text.slice(rangeOf(item)[0], rangeOf(item)[1])),
      ...added.map((v) => scalarText(v, json)),
    ];
    return [{ start, end, insert: flowList(items, json, /^\[ \S/.test(own)) }];
  }
  const splices: Splice[] = [];
  seq.items.forEach((item, i) => {
    if (wanted.has(values[i]!)) return;
    const [s, e] = rangeOf(item);
    splices.push({ start: lineStart(text, s), end: lineEnd(text, e - 1), insert: '' });
  });
  if (added.length > 0) {
    const first = rangeOf(seq.items[0])[0];
    const dash = text.lastIndexOf('-', first);
    const indent = ' '.repeat(dash - lineStart(text, dash));
    const last = rangeOf(seq.items[seq.items.length - 1])[1];
    const at = lineEnd(text, last - 1);
    const sep = text.slice(0, at).endsWith('\n') ? '' : '\n';
    splices.push({
      start: at,
      end: at,
      insert: sep + added.map((v) => `${indent}- ${scalarText(v, false)}\n`).join(''),
    });
  }
  return splices;
}

/**
 * Removes pairs[depth] from maps[depth], or a pair above it that it leaves empty (never one of the
 * first `keep` keys; never a mapping that holds something else, such as a comment).
 */
function removePair(text: string, maps: YAMLMap[], pairs: Pair[], keep: number): Splice {
  let d = pairs.length - 1;
  while (d > keep && maps[d]!.items.length === 1 && onlyHolds(text, pairs[d - 1]!, pairs[d]!)) d--;
  const map = maps[d]!;
  const pair = pairs[d]!;
  if (map.flow) {
    const i = map.items.indexOf(pair);
    const before = map.items[i - 1];
    const after = map.items[i + 1];
    if (before) return { start: pairEnd(before), end: pairEnd(pair), insert: '' };
    if (after) return { start: rangeOf(pair.key)[0], end: rangeOf(after.key)[0], insert: '' };
    const [start, end] = rangeOf(map);
    return { start: start + 1, end: text.lastIndexOf('}', end), insert: '' };
  }
  const start = lineStart(text, rangeOf(pair.key)[0]);
  const end = lineEnd(text, pairEnd(pair) - 1);
  if (map.items.length > 1 || d === 0) return { start, end, insert: '' };
  // The mapping would be left with nothing but a comment (or is one we keep): `owner: {}`, and the
  // child's lines go; what lies between (the rest of the owner's line, a comment) stays.
  const owner = pairs[d - 1]!;
  const colon = text.indexOf(':', rangeOf(owner.key)[1]);
  return { start: colon + 1, end, insert: ` {}${text.slice(colon + 1, start)}` };
}

/** Whether `owner`'s mapping value is exactly `child`'s lines (nothing else to keep in it). */
function onlyHolds(text: string, owner: Pair, child: Pair): boolean {
  if (isMap(owner.value) && owner.value.flow) return true;
  const keyLineEnd = lineEnd(text, rangeOf(owner.key)[0]);
  return keyLineEnd === lineStart(text, rangeOf(child.key)[0]);
}

/** The new text with `edit` made (unchanged when the list is already so). */
export function withList(text: string, edit: ListEdit): string {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length)
    throw new ConfigEditError(`not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const { path, list } = edit;
  const maps: YAMLMap[] = [];
  const pairs: Pair[] = [];
  let node: Node = doc.contents;
  for (let i = 0; i < path.length; i++) {
    if (node === null && i === 0) break;
    if (!isMap(node))
      throw new ConfigEditError(
        `${formatPath(path.slice(0, i)) || 'the document'} is not a mapping; edit the file by hand`,
      );
    maps.push(node);
    const pair = node.items.find((p) => keyOf(p) === path[i]);
    if (!pair) break;
    pairs.push(pair);
    node = pair.value;
  }
  if (pairs.length === path.length) {
    if (list.length === 0) return apply(text, removePair(text, maps, pairs, edit.keep ?? 0));
    if (!isSeq(node)) throw new ConfigEditError(`${formatPath(path)} is not a list; edit the file by hand`);
    const json = isMap(doc.contents) && doc.contents.flow === true && jsonStyle(doc.contents);
    const splices = editList(text, node, list, json).sort((a, b) => b.start - a.start);
    return splices.reduce(apply, text);
  }
  if (list.length === 0) return text;
  const under = maps[pairs.length] ?? null;
  return apply(text, insertUnder(text, under, under === doc.contents, path.slice(pairs.length), list));
}

/** Whether two raw config values are equal (key order aside). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b))
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]))
    );
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      sameValue(ka, kb) &&
      ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

/** Empty lists and mappings dropped (an emptied key is removed, or written `{}`: the same meaning). */
function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmpty);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const inner = withoutEmpty(v);
    if (Array.isArray(inner) && inner.length === 0) continue;
    if (inner && typeof inner === 'object' && !Array.isArray(inner) && Object.keys(inner).length === 0)
      continue;
    out[k] = inner;
  }
  return out;
}

function setIn(root: Record<string, unknown>, path: readonly string[], list: readonly string[]): void {
  let at = root;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (!next || typeof next !== 'object') at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = [...list];
}

function getIn(root: unknown, path: readonly string[]): unknown {
  let at = root;
  for (const key of path)
    at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

const rawOf = (text: string): Record<string, unknown> =>
  (parseDocument(text).toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null) ?? {};

/**
 * The config file as written (before `${env:}` expansion and defaults), once it is known to be a
 * valid config; a ConfigEditError naming the file, line and key path of each problem otherwise.
 */
export function checkedRaw(file: string, text: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const result = parseConfigText(text, env);
  if (!result.ok) {
    const errors = result.errors.filter((e) => !UNSET_ENV.test(e.message));
    if (errors.length > 0)
      throw new ConfigEditError(
        `${formatConfigErrors(file, errors)}\nFix the file first; it was not changed.`,
        'invalid-file',
      );
  }
  return rawOf(text);
}

/** The config file as written, checked (see checkedRaw); a missing file reads as the default one. */
export async function readConfigRaw(file: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const { text } = await loadForEdit(file, true);
  return checkedRaw(file, text, env);
}

/**
 * Writes each list at its path (see the header), in one atomic write; the file is created (0600)
 * if there is none. Returns false when the file already said so (nothing written).
 */
export async function editConfigLists(
  file: string,
  edits: readonly ListEdit[],
  env: NodeJS.ProcessEnv,
): Promise<boolean> {
  const loaded = await loadForEdit(file, true);
  const before = checkedRaw(file, loaded.text, env);
  let text = loaded.text;
  for (const edit of edits) text = withList(text, edit);
  if (text === loaded.text) return false;
  // A guard on the splicing: the new file must be valid and differ by exactly the lists asked for.
  const expected = structuredClone(before);
  for (const edit of edits) setIn(expected, edit.path, edit.list);
  const result = parseConfigText(text, env);
  const errors = result.ok ? [] : result.errors.filter((e) => !UNSET_ENV.test(e.message));
  const after = errors.length ? undefined : rawOf(text);
  const kept = edits.every((e) => {
    const floor = e.path.slice(0, e.keep ?? 0);
    return floor.length === 0 || getIn(before, floor) === undefined || getIn(after, floor) !== undefined;
  });
  if (!after || !kept || !sameValue(withoutEmpty(expected), withoutEmpty(after)))
    throw new ConfigEditError(`${file}: the edit could not be made safely; edit the file by hand`);
  await writeAtomically(file, text, loaded.mode);
  return true;
}
