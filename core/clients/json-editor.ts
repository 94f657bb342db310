// JSON and JSONC files (Zed's settings.json and VS Code's mcp.json allow comments and trailing
// commas). jsonc-parser gives the syntax tree with offsets; we then splice only our own property in
// and out, indented like its siblings, so comments, order, spacing and every other line stay
// byte-for-byte (jsonc-parser's own modify() re-formats the neighbouring line, which we avoid), and
// disconnect takes out exactly the bytes connect put in.
import { parse, parseTree, type Node, type ParseError } from 'jsonc-parser';
import { ENTRY_NAME } from './catalogue.js';
import { ClientFileError, type EntryEditor } from './editor.js';

interface Style {
  unit: string;
  eol: string;
}

/** The file's own indentation unit and line ends, so inserted text looks like the rest. */
function styleOf(text: string): Style {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)\S/m.exec(text)?.[1];
  if (indent?.startsWith('\t')) return { unit: '\t', eol };
  return { unit: indent ? ' '.repeat(Math.min(indent.length, 8)) : '  ', eol };
}

function tree(text: string): Node | undefined {
  if (text.trim() === '') return undefined;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length || !root)
    throw new ClientFileError(`not valid JSON (at offset ${errors[0]?.offset ?? 0})`);
  if (root.type !== 'object') throw new ClientFileError('the file is not a JSON object');
  return root;
}

/** The property node named `key` in an object node. */
function property(object: Node, key: string): Node | undefined {
  return object.children?.find((p) => p.children?.[0]?.value === key);
}

/** Whitespace at the start of the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

function render(key: string, value: unknown, indent: string, style: Style): string {
  const body = JSON.stringify(value, null, style.unit)
    .split('\n')
    .join(style.eol + indent);
  return `${JSON.stringify(key)}: ${body}`;
}

function splice(text: string, start: number, end: number, insert = ''): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** Adds property `key` to `object` as its last member. */
function addProperty(text: string, object: Node, key: string, value: unknown, style: Style): string {
  const members = object.children ?? [];
  const last = members[members.length - 1];
  if (last) {
    const indent = lineIndent(text, last.offset);
    return splice(
      text,
      last.offset + last.length,
      last.offset + last.length,
      `,${style.eol}${indent}${render(key, value, indent, style)}`,
    );
  }
  const outer = lineIndent(text, object.offset);
  const indent = outer + style.unit;
  // An empty object: its inside (whitespace, perhaps a comment) becomes our one member.
  return splice(
    text,
    object.offset + 1,
    object.offset + object.length - 1,
    `${style.eol}${indent}${render(key, value, indent, style)}${style.eol}${outer}`,
  );
}

/** Removes property node `prop` from `object`, with the separator that was added with it. */
function removeProperty(text: string, object: Node, prop: Node): string {
  const members = object.children ?? [];
  const i = members.indexOf(prop);
  const before = members[i - 1];
  const after = members[i + 1];
  if (before) return splice(text, before.offset + before.length, prop.offset + prop.length);
  if (after) return splice(text, prop.offset, after.offset);
  return splice(text, object.offset + 1, object.offset + object.length - 1);
}

export function jsonEditor(container: string): EntryEditor {
  const containerNode = (root: Node | undefined): Node | undefined => {
    const prop = root && property(root, container);
    const node = prop?.children?.[1];
    if (node && node.type !== 'object') throw new ClientFileError(`"${container}" is not an object`);
    return node;
  };

  return {
    read(text) {
      const root = tree(text);
      const map = containerNode(root);
      if (!map) return undefined;
      return (parse(text, [], { allowTrailingComma: true }) as Record<string, Record<string, unknown>>)[
        container
      ]?.[ENTRY_NAME];
    },
    hasContainer: (text) => containerNode(tree(text)) !== undefined,
    write(text, value) {
      const style = styleOf(text);
      const root = tree(text);
      if (!root) {
        const body = render(container, { [ENTRY_NAME]: value }, style.unit, style);
        return `{${style.eol}${style.unit}${body}${style.eol}}${style.eol}`;
      }
      const map = containerNode(root);
      if (!map) return addProperty(text, root, container, { [ENTRY_NAME]: value }, style);
      const ours = property(map, ENTRY_NAME);
      if (!ours) return addProperty(text, map, ENTRY_NAME, value, style);
      const node = ours.children![1]!;
      const indent = lineIndent(text, ours.offset);
      const rendered = render(ENTRY_NAME, value, indent, style).slice(JSON.stringify(ENTRY_NAME).length + 2);
      return splice(text, node.offset, node.offset + node.length, rendered);
    },
    remove(text, dropContainer) {
      const root = tree(text);
      const map = containerNode(root);
      const ours = map && property(map, ENTRY_NAME);
      if (!root || !map || !ours) return text;
      const out = removeProperty(text, map, ours);
      if (!dropContainer) return out;
      const root2 = tree(out)!;
      const map2 = containerNode(root2)!;
      if ((map2.children ?? []).length > 0) return out;
      return removeProperty(out, root2, property(root2, container)!);
    },
    isEmptyShell(text) {
      const root = tree(text);
      if (!root) return true;
      const members = root.children ?? [];
      if (members.length === 0) return true;
      const map = containerNode(root);
      return members.length === 1 && !!map && (map.children ?? []).length === 0;
    },
  };
}
