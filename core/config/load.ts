// Loading a config file: YAML or JSON text → ${env:} expansion → schema validation with defaults.
// Every error names its key path (and line:column in the file) so a user can fix all of them at once.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isNode, isPair, isScalar, isSeq, visit } from 'yaml';
import { expandEnv } from './expand.js';
import { configSchema, type BackendConfig, type SwitchyardConfig } from './schema.js';

export interface ConfigError {
  /** Key path such as `backends[0].url`; empty for the document itself. */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly errors: ConfigError[],
  ) {
    super(formatConfigErrors(file, errors));
    this.name = 'ConfigFileError';
  }
}

export type ConfigResult = { ok: true; config: SwitchyardConfig } | { ok: false; errors: ConfigError[] };

/** `backends[0].headers.Authorization`, with quoted brackets for keys that are not identifiers. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(part))) out += out ? `.${String(part)}` : String(part);
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

/** Validate an already-parsed config object (from YAML, JSON or code). */
export function validateConfig(
  input: unknown,
  env: Record<string, string | undefined> = process.env,
): ConfigResult {
  const expanded = expandEnv(input ?? {}, env);
  const errors: ConfigError[] = expanded.errors.map((e) => ({
    path: formatPath(e.path),
    message: e.message,
  }));
  const parsed = configSchema.safeParse(expanded.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = (issue as { keys?: string[] }).keys;
      if (Array.isArray(keys) && keys.length > 0) {
        for (const key of keys)
          errors.push({ path: formatPath([...issue.path, key]), message: 'unknown key' });
      } else {
        errors.push({ path: formatPath(issue.path), message: plainMessage(issue.message) });
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  rememberDisplays(input, parsed.data!);
  return { ok: true, config: parsed.data! };
}

/**
 * How each backend's target reads before ${env:} expansion: what a secret passed through the
 * environment looks like in status and the dashboard ("--token ${env:GH_TOKEN}", not its value).
 * Kept beside the parsed config (keyed by the backend object) rather than in it: it is for display only.
 */
const displays = new WeakMap<BackendConfig, string>();

export function displayTarget(backend: BackendConfig): string | undefined {
  return displays.get(backend);
}

function rememberDisplays(input: unknown, config: SwitchyardConfig): void {
  const raw = (input as { backends?: unknown } | null | undefined)?.backends;
  if (!Array.isArray(raw)) return;
  config.backends.forEach((backend, i) => {
    const source = raw[i] as { url?: unknown; command?: unknown; args?: unknown } | undefined;
    if (!source || typeof source !== 'object') return;
    const unexpanded = (value: unknown, expanded: string) =>
      typeof value === 'string' && value.includes('${env:') ? value : expanded;
    if ('url' in backend) {
      if (typeof source.url === 'string' && source.url.includes('${env:')) displays.set(backend, source.url);
      return;
    }
    const rawArgs = Array.isArray(source.args) ? (source.args as unknown[]) : [];
    if (![source.command, ...rawArgs].some((v) => typeof v === 'string' && v.includes('${env:'))) return;
    displays.set(
      backend,
      [
        unexpanded(source.command, backend.command),
        ...backend.args.map((a, j) => unexpanded(rawArgs[j], a)),
      ].join(' '),
    );
  });
}

function plainMessage(message: string): string {
  return message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '');
}

/** Parse YAML or JSON text (JSON is read by the YAML parser, which also reports duplicate keys). */
export function parseConfigText(
  text: string,
  env: Record<string, string | undefined> = process.env,
): ConfigResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { path: '', message: e.message.split('\n')[0]!, line: pos.line, column: pos.col };
      }),
    };
  }
  const cycle = aliasCycle(doc);
  if (cycle) {
    const pos = lines.linePos(cycle.offset);
    return {
      ok: false,
      errors: [
        {
          path: formatPath(cycle.path),
          message: `alias *${cycle.name} refers to a value that contains it (a config must not refer to itself)`,
          line: pos.line,
          column: pos.col,
        },
      ],
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, errors: [{ path: '', message: (error as Error).message.split('\n')[0]! }] };
  }
  const result = validateConfig(data === null ? {} : data, env);
  if (result.ok) return result;
  // Attach a position to each error: an unknown key points at the key itself, a bad value at the value.
  for (const error of result.errors) {
    const range = rangeOf(doc, parsePath(error.path), error.message === 'unknown key');
    if (range !== undefined) {
      const pos = lines.linePos(range);
      error.line = pos.line;
      error.column = pos.col;
    }
  }
  return result;
}

/**
 * The first alias that points at one of its own ancestors (`a: &x { b: *x }`): YAML allows it, but
 * it makes the config an endless structure, which no walk over it survives.
 */
function aliasCycle(
  doc: ReturnType<typeof parseDocument>,
): { name: string; offset: number; path: (string | number)[] } | undefined {
  let found: { name: string; offset: number; path: (string | number)[] } | undefined;
  visit(doc, {
    Alias(_key, node, ancestors) {
      const target = node.resolve(doc);
      if (target && ancestors.includes(target as never)) {
        found = { name: node.source, offset: node.range?.[0] ?? 0, path: keyPath(ancestors, node) };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** The key path of `node` given its ancestors (as `visit` hands them over). */
function keyPath(ancestors: readonly unknown[], node: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isSeq(parent)) path.push(parent.items.indexOf(child as never));
    else if (isPair(parent) && parent.value === child && isScalar(parent.key))
      path.push(String(parent.key.value));
  }
  return path;
}

/** Where the deepest existing part of `path` starts in the document (its key, or its value). */
function rangeOf(
  doc: ReturnType<typeof parseDocument>,
  path: (string | number)[],
  atKey: boolean,
): number | undefined {
  let node: unknown = doc.contents;
  let at: number | undefined = isNode(node) ? node.range?.[0] : undefined;
  for (const [i, part] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === part);
      if (!pair) break;
      const keyAt = isNode(pair.key) ? pair.key.range?.[0] : undefined;
      const valueAt = isNode(pair.value) ? pair.value.range?.[0] : undefined;
      at = (last && atKey ? keyAt : (valueAt ?? keyAt)) ?? at;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item: unknown = node.items[part];
      if (!isNode(item)) break;
      at = item.range?.[0] ?? at;
      node = item;
    } else break;
  }
  return at;
}

/** Inverse of formatPath, for looking nodes up in the YAML document. */
function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  return out;
}

export async function loadConfigFile(
  file: string,
  env: Record<string, string | undefined> = process.env,
): Promise<SwitchyardConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigFileError(file, [
      {
        path: '',
        message: code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`,
      },
    ]);
  }
  const result = parseConfigText(text, env);
  if (!result.ok) throw new ConfigFileError(file, result.errors);
  return result.config;
}

export function formatConfigErrors(file: string, errors: readonly ConfigError[]): string {
  const lines = errors.map((e) => {
    const where = e.line !== undefined ? `${file}:${e.line}:${e.column ?? 1}` : file;
    return `  ${where}  ${e.path ? `${e.path}: ` : ''}${e.message}`;
  });
  return `Invalid config (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}
