// YAML files (Goose's config.yaml, Continue's config.yaml), edited through the `yaml` Document
// API so comments, key order and scalar styles survive. Output options follow the file: Goose's
// file is written by serde_yaml, whose sequences sit at their key's indentation.
import type { YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isSeq, parseDocument, type Document, type ToStringOptions } from 'yaml';
import { ENTRY_NAME } from './catalogue.js';
import { ClientFileError, type EntryEditor } from './editor.js';

function load(text: string): Document {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length)
    throw new ClientFileError(`not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (doc.contents !== null && !isMap(doc.contents)) throw new ClientFileError('the file is not a YAML map');
  return doc;
}

function options(text: string): ToStringOptions {
  const indent = /^( +)\S/m.exec(text)?.[1]?.length ?? 2;
  // `key:\n- item` (sequence not indented under its key) anywhere in the file → keep that style.
  const indentSeq = !/^( *)[^\s#-][^\n]*:[ \t]*\r?\n\1- /m.test(text);
  return { indent, indentSeq, lineWidth: 0, minContentWidth: 0 };
}

function dump(doc: Document, text: string): string {
  if (
    doc.contents &&
    isMap(doc.contents) &&
    doc.contents.items.length === 0 &&
    !doc.commentBefore &&
    !doc.comment
  )
    return '';
  return doc.toString(options(text));
}

/** A map of servers keyed by name (Goose's `extensions`). */
export function yamlMapEditor(container: string): EntryEditor {
  const mapOf = (doc: Document): YAMLMap | undefined => {
    const node = doc.get(container, true);
    if (node === undefined || node === null) return undefined;
    if (!isMap(node)) throw new ClientFileError(`"${container}" is not a map`);
    return node;
  };
  return {
    read(text) {
      const doc = load(text);
      const map = mapOf(doc);
      const node: unknown = map?.get(ENTRY_NAME, true);
      return node && typeof node === 'object' && 'toJSON' in node
        ? (node as { toJSON(): unknown }).toJSON()
        : node;
    },
    hasContainer: (text) => mapOf(load(text)) !== undefined,
    write(text, value) {
      const doc = load(text);
      const map = mapOf(doc);
      if (map) map.set(ENTRY_NAME, doc.createNode(value));
      else doc.set(container, doc.createNode({ [ENTRY_NAME]: value }));
      return dump(doc, text);
    },
    remove(text, dropContainer) {
      const doc = load(text);
      const map = mapOf(doc);
      if (!map?.has(ENTRY_NAME)) return text;
      map.delete(ENTRY_NAME);
      if (dropContainer && map.items.length === 0) doc.delete(container);
      return dump(doc, text);
    },
    isEmptyShell(text) {
      const doc = load(text);
      const root = doc.contents;
      if (!root || !isMap(root) || root.items.length === 0) return true;
      const map = mapOf(doc);
      return root.items.length === 1 && !!map && map.items.length === 0;
    },
  };
}

/** A list of servers each carrying `name` (Continue's `mcpServers`). */
export function yamlListEditor(container: string, skeleton: string): EntryEditor {
  const seqOf = (doc: Document): YAMLSeq | undefined => {
    const node = doc.get(container, true);
    if (node === undefined || node === null) return undefined;
    if (!isSeq(node)) throw new ClientFileError(`"${container}" is not a list`);
    return node;
  };
  const indexOf = (seq: YAMLSeq) =>
    seq.items.findIndex((item) => isMap(item) && item.get('name') === ENTRY_NAME);
  return {
    read(text) {
      const seq = seqOf(load(text));
      const i = seq ? indexOf(seq) : -1;
      return i < 0 ? undefined : (seq!.items[i] as YAMLMap).toJSON();
    },
    hasContainer: (text) => seqOf(load(text)) !== undefined,
    write(text, value) {
      const base = text.trim() === '' ? skeleton : text;
      const doc = load(base);
      const seq = seqOf(doc);
      if (!seq) doc.set(container, doc.createNode([value]));
      else {
        const i = indexOf(seq);
        if (i < 0) seq.items.push(doc.createNode(value));
        else seq.items[i] = doc.createNode(value);
      }
      return dump(doc, base);
    },
    remove(text, dropContainer) {
      const doc = load(text);
      const seq = seqOf(doc);
      const i = seq ? indexOf(seq) : -1;
      if (i < 0) return text;
      seq!.items.splice(i, 1);
      if (dropContainer && seq!.items.length === 0) doc.delete(container);
      return dump(doc, text);
    },
    isEmptyShell(text) {
      // Nothing left but the skeleton connect started the file from (and perhaps an empty list).
      const doc = load(text);
      const seq = seqOf(doc);
      if (seq && seq.items.length > 0) return false;
      const rest = { ...((doc.toJSON() as Record<string, unknown> | null) ?? {}) };
      delete rest[container];
      return (
        Object.keys(rest).length === 0 || JSON.stringify(rest) === JSON.stringify(load(skeleton).toJSON())
      );
    },
  };
}
