// Edits of the config file in place, for `switchyard add|remove` (and later the dashboard through
// the control API): the YAML Document API keeps the user's comments, order and formatting of the
// parts not touched. The result is validated with the config schema before anything is written,
// and written atomically (a temporary file renamed over the original) so a running serve's watcher
// never reads half a file. A new file is created 0600; an existing file keeps its mode.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Document, isMap, isNode, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { DEFAULT_CONFIG_TEXT } from './default-file.js';
import { formatConfigErrors, parseConfigText } from './load.js';
import { BACKEND_NAME } from './schema.js';

/** A backend as `switchyard add` (or the dashboard's form) describes it. */
export type NewBackend =
  | {
      name: string;
      url: string;
      transport?: 'streamable-http' | 'sse';
      headers?: Record<string, string>;
    }
  | { name: string; command: string; args?: string[]; env?: Record<string, string> };

/** An edit that cannot be made (duplicate or unknown name, invalid value); the file is unchanged. */
export class ConfigEditError extends Error {
  constructor(
    message: string,
    /** What went wrong, for callers that answer with a status (the control API). */
    readonly reason: 'duplicate' | 'unknown' | 'invalid' | 'invalid-file' = 'invalid',
  ) {
    super(message);
    this.name = 'ConfigEditError';
  }
}

const locks = new Map<string, Promise<unknown>>();

/**
 * Runs `edit` (read the file, decide, write, apply) after every edit of `file` started before it:
 * two dashboard edits at once (two switches flipped quickly) must not both read the old text and
 * the second write drop the first's change.
 */
export function withConfigLock<T>(file: string, edit: () => Promise<T>): Promise<T> {
  const previous = locks.get(file) ?? Promise.resolve();
  const run = previous.then(edit, edit);
  const settled = run.catch(() => undefined);
  locks.set(file, settled);
  void settled.then(() => {
    if (locks.get(file) === settled) locks.delete(file);
  });
  return run;
}

export interface Loaded {
  doc: Document;
  text: string;
  mode: number | undefined;
}

/** The file's text and YAML document, for an edit (the default file's text when it is missing and may be created). */
export async function loadForEdit(file: string, createIfMissing: boolean): Promise<Loaded> {
  let text: string;
  let mode: number | undefined;
  try {
    text = await readFile(file, 'utf8');
    mode = (await stat(file)).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!createIfMissing) throw new ConfigEditError(`${file}: no such config file`);
    text = DEFAULT_CONFIG_TEXT;
  }
  const doc = parseDocument(text, { uniqueKeys: true, keepSourceTokens: false });
  if (doc.errors.length > 0) {
    // Where, as serve reports it (file:line:column), so the user can go straight there.
    const parsed = parseConfigText(text, {});
    const where = parsed.ok ? `${file} is not valid YAML` : formatConfigErrors(file, parsed.errors);
    throw new ConfigEditError(`${where}\nFix the file first; it was not changed.`, 'invalid-file');
  }
  if (doc.contents !== null && !isMap(doc.contents))
    throw new ConfigEditError(`${file}: the document is not a mapping of settings; fix it first`);
  return { doc, text, mode };
}

function nameOf(item: unknown): string | undefined {
  if (!isMap(item)) return undefined;
  const name = item.get('name');
  return typeof name === 'string' ? name : undefined;
}

/** Validates the edited text as serve would (an unset ${env:} variable is serve's business, not ours). */
function validate(
  file: string,
  text: string,
  env: NodeJS.ProcessEnv,
  expected: (names: string[]) => boolean,
): void {
  const result = parseConfigText(text, env);
  if (result.ok) {
    // The text edit must have done exactly what was asked (a guard on the splicing above).
    if (!expected(result.config.backends.map((b) => b.name)))
      throw new ConfigEditError(`${file}: the edit could not be made safely; edit the file by hand`);
    return;
  }
  const errors = result.errors.filter((e) => !/^environment variable .* is not set$/.test(e.message));
  if (errors.length > 0) throw new ConfigEditError(formatConfigErrors(file, errors));
}

export async function writeAtomically(file: string, text: string, mode: number | undefined): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { mode: mode ?? 0o600, flag: 'wx' });
    await chmod(temp, mode ?? 0o600); // the umask may have narrowed it
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;
export const lineEnd = (text: string, at: number) => {
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl + 1;
};

/** `name: x\nurl: y\n` as a block sequence item at `indent`: `  - name: x\n    url: y\n`. */
function asSeqItem(entry: Record<string, unknown>, indent: string): string {
  const doc = new Document(entry);
  const args = doc.getIn(['args'], true);
  if (isSeq(args)) args.flow = true; // argument lists read best on one line
  const lines = doc.toString({ lineWidth: 0, flowCollectionPadding: false }).replace(/\n$/, '').split('\n');
  return lines.map((line, i) => `${indent}${i === 0 ? '- ' : '  '}${line}`).join('\n') + '\n';
}

/**
 * The new text with `entry` added. The edit is made on the text, at the places the parsed document
 * points to, so every byte the edit does not concern stays as the user wrote it.
 */
function withBackendAdded(text: string, doc: Document, entry: Record<string, unknown>): string {
  const node = doc.get('backends', true);
  if (isSeq(node) && !node.flow && node.items.length > 0) {
    const first = node.items[0] as { range?: [number, number, number] };
    const last = node.items[node.items.length - 1] as { range?: [number, number, number] };
    const dashLine = text.slice(lineStart(text, first.range![0]), first.range![0]);
    const indent = /^(\s*)-/.exec(dashLine)?.[1] ?? '  ';
    const at = lineEnd(text, last.range![1] - 1);
    const before = text.slice(0, at);
    return `${before}${before.endsWith('\n') ? '' : '\n'}${asSeqItem(entry, indent)}${text.slice(at)}`;
  }
  const pair = isMap(doc.contents)
    ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'backends')
    : undefined;
  const emptyValue =
    node === undefined ||
    node === null ||
    (isScalar(node) && node.value === null) ||
    (isSeq(node) && node.items.length === 0);
  if (pair && emptyValue && isScalar(pair.key) && pair.key.range) {
    // `backends:` or `backends: []` (the default file): the list starts on the next line; a comment
    // after it on the same line stays there.
    const keyEnd = pair.key.range[1];
    const colon = text.indexOf(':', keyEnd);
    const end = lineEnd(text, colon);
    const rest = text
      .slice(colon + 1, end)
      .replace(/^\s*\[\s*\]/, '')
      .replace(/\n$/, '');
    return `${text.slice(0, colon + 1)}${rest}\n${asSeqItem(entry, '  ')}${text.slice(end)}`;
  }
  if (node === undefined && (doc.contents === null || isMap(doc.contents))) {
    const sep = text === '' || text.endsWith('\n') ? '' : '\n';
    return `${text}${sep}backends:\n${asSeqItem(entry, '  ')}`;
  }
  // A flow list with entries, or something unusual: let the Document API write it.
  if (!isSeq(node)) throw new ConfigEditError('"backends" is not a list in the config file; fix it first');
  node.add(doc.createNode(entry));
  return doc.toString();
}

/** The new text without backends[index] (and the comment lines right above it). */
function withBackendRemoved(text: string, doc: Document, seq: YAMLSeq, index: number): string {
  if (seq.flow) {
    seq.delete(index);
    return doc.toString();
  }
  const ranges = seq.items.map((item) => (item as { range?: [number, number, number] }).range!);
  let start = lineStart(text, ranges[index]![0]);
  // Comment lines directly above the item belong to it.
  while (start > 0) {
    const prev = lineStart(text, start - 1);
    if (!/^\s*#/.test(text.slice(prev, start))) break;
    start = prev;
  }
  let end: number;
  if (index + 1 < ranges.length) {
    end = lineStart(text, ranges[index + 1]![0]);
    while (end > start) {
      const prev = lineStart(text, end - 1);
      if (!/^\s*#/.test(text.slice(prev, end))) break;
      end = prev;
    }
  } else end = lineEnd(text, ranges[index]![1] - 1);
  let next = text.slice(0, start) + text.slice(end);
  if (seq.items.length === 1) {
    // The last one gone: `backends: []`, since an empty `backends:` would read as null.
    const pair = isMap(doc.contents)
      ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'backends')
      : undefined;
    if (pair && isScalar(pair.key) && pair.key.range) {
      const colon = next.indexOf(':', pair.key.range[1]);
      next = `${next.slice(0, colon + 1)} []${next.slice(colon + 1)}`;
    }
  }
  return next;
}

/** Adds a backend at the end of `backends`; the file is created (0600) if there is none. */
export async function addBackend(file: string, backend: NewBackend, env: NodeJS.ProcessEnv): Promise<void> {
  if (!BACKEND_NAME.test(backend.name)) {
    throw new ConfigEditError(
      `"${backend.name}" is not a backend name: start with a letter or digit, then letters, digits, "_", "-" or "." (max 63)`,
    );
  }
  if ('url' in backend) {
    let url: URL | undefined;
    try {
      url = new URL(backend.url);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new ConfigEditError(`"${backend.url}" is not an http:// or https:// URL`);
  }
  const entry: Record<string, unknown> & { name: string } = { name: backend.name };
  if ('url' in backend) {
    entry.url = backend.url;
    if (backend.transport && backend.transport !== 'streamable-http') entry.transport = backend.transport;
    if (backend.headers && Object.keys(backend.headers).length) entry.headers = backend.headers;
  } else {
    entry.command = backend.command;
    if (backend.args?.length) entry.args = backend.args;
    if (backend.env && Object.keys(backend.env).length) entry.env = backend.env;
  }
  await addBackendEntry(file, entry, env);
}

/** Adds a config entry (`{ name, url | command, … }`, as the file holds it) at the end of `backends`. */
export async function addBackendEntry(
  file: string,
  entry: Record<string, unknown> & { name: string },
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const { doc, text, mode } = await loadForEdit(file, true);
  const node = doc.get('backends', true);
  const index = isSeq(node) ? node.items.findIndex((item) => nameOf(item) === entry.name) : -1;
  if (index >= 0)
    throw new ConfigEditError(
      `a backend named "${entry.name}" already exists (backends[${index}] in ${file})`,
      'duplicate',
    );
  const next = withBackendAdded(text, doc, entry);
  validate(file, next, env, (names) => names.at(-1) === entry.name);
  await writeAtomically(file, next, mode);
}

/** Removes the backend named `name` (its comments go with it; everything else stays). */
export async function removeBackend(file: string, name: string, env: NodeJS.ProcessEnv): Promise<void> {
  const { doc, text, mode } = await loadForEdit(file, false);
  const node = doc.get('backends', true);
  const index = isSeq(node) ? node.items.findIndex((item) => nameOf(item) === name) : -1;
  if (!isSeq(node) || index < 0) {
    const known = isSeq(node) ? node.items.map(nameOf).filter((n): n is string => n !== undefined) : [];
    throw new ConfigEditError(
      `no backend named "${name}" in ${file}${known.length ? ` (there are: ${known.join(', ')})` : ''}`,
      'unknown',
    );
  }
  const next = withBackendRemoved(text, doc, node, index);
  validate(file, next, env, (names) => !names.includes(name));
  await writeAtomically(file, next, mode);
}

/** The keys of an entry the dashboard's form edits; others (`enabled`, `cwd`, unknown) are kept. */
const FORM_KEYS = ['url', 'command', 'args', 'transport', 'headers', 'env', 'timeout'] as const;

/** A backend's entry exactly as the file holds it (before ${env:} expansion); undefined when absent. */
export async function readBackendEntry(
  file: string,
  name: string,
): Promise<Record<string, unknown> | undefined> {
  const { doc } = await loadForEdit(file, false);
  const node = doc.get('backends', true);
  const item = isSeq(node) ? node.items.find((i) => nameOf(i) === name) : undefined;
  return isMap(item) ? (item.toJSON() as Record<string, unknown>) : undefined;
}

/** `value` as the file would hold it, for comparing a node with a new value. */
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Replaces the form's keys of backend `name` with those of `entry` (a key absent from `entry` is
 * removed). Only that entry's text is rewritten, through the Document API on the entry alone, so
 * comments inside it on kept keys stay, and every byte outside it is unchanged.
 */
export async function updateBackendEntry(
  file: string,
  name: string,
  entry: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const { doc, text, mode } = await loadForEdit(file, false);
  const node = doc.get('backends', true);
  const index = isSeq(node) ? node.items.findIndex((item) => nameOf(item) === name) : -1;
  if (!isSeq(node) || index < 0)
    throw new ConfigEditError(`no backend named "${name}" in ${file}`, 'unknown');
  let next: string;
  if (node.flow) {
    const item = node.items[index];
    if (!isMap(item)) throw new ConfigEditError(`backends[${index}] is not a mapping; fix it first`);
    applyFormKeys(doc, item, entry);
    next = doc.toString();
  } else {
    const range = (node.items[index] as { range?: [number, number, number] }).range!;
    const start = lineStart(text, range[0]);
    const end = lineEnd(text, range[1] - 1);
    const slice = text.slice(start, end);
    const indent = /^(\s*)-/.exec(slice)?.[1] ?? '';
    // The entry alone, dedented, as its own document: a list of one mapping.
    const own = parseDocument(
      slice
        .split('\n')
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .join('\n'),
    );
    const seq = own.contents;
    const item = isSeq(seq) ? seq.items[0] : undefined;
    if (own.errors.length > 0 || !isMap(item))
      throw new ConfigEditError(`backends[${index}] could not be edited safely; edit the file by hand`);
    applyFormKeys(own, item, entry);
    const written = own
      .toString({ lineWidth: 0, flowCollectionPadding: false })
      .replace(/\n$/, '')
      .split('\n')
      .map((line) => (line === '' ? line : indent + line))
      .join('\n');
    next = `${text.slice(0, start)}${written}\n${text.slice(end)}`;
  }
  validate(file, next, env, (names) => names[index] === name);
  await writeAtomically(file, next, mode);
}

/** Sets the form's keys on `item` from `entry`, touching only what changed (so kept nodes keep their comments). */
function applyFormKeys(doc: Document, item: YAMLMap, entry: Record<string, unknown>): void {
  for (const key of FORM_KEYS) {
    const value = entry[key];
    const current: unknown = item.get(key, true);
    const currentJs: unknown = isNode(current) ? current.toJSON() : current;
    if (value === undefined) {
      if (item.has(key)) item.delete(key);
      continue;
    }
    if (same(currentJs, value)) continue;
    if ((key === 'headers' || key === 'env') && isMap(current)) {
      // Key by key: the rows the user did not change keep their comments and quoting.
      const map = value as Record<string, unknown>;
      for (const pair of [...current.items]) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (!(k in map)) current.delete(pair.key);
      }
      for (const [k, v] of Object.entries(map)) {
        const node: unknown = current.get(k, true);
        if (isScalar(node)) node.value = v;
        else current.set(k, v);
      }
      continue;
    }
    if (isScalar(current) && typeof value !== 'object') {
      current.value = value; // the same node: a comment after it stays
      continue;
    }
    const created = doc.createNode(value);
    if (key === 'args' && isSeq(created)) created.flow = true;
    item.set(key, created);
  }
}
