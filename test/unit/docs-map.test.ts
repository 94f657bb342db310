// docs/architecture.md stays a true map: every file or folder it names (in backticks, or as a file
// name in a mermaid diagram; MCP method names like `tools/list` are not paths) exists in the repository. A bare name (`rpc-peer.ts`) or a partial
// path (`docker/`, `control/methods.ts`) must match the end of some tracked path; a path from a
// top-level folder (`core/...`) must exist as written.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOC = 'docs/architecture.md';
const TOP = ['common/', 'core/', 'electron/', 'renderer/', 'resources/', 'test/', 'docs/'];
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'test-results']);

/** Every file and folder under the root, as `a/b.ts` and `a/` (repo-relative, `/`-separated). */
function repoPaths(): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIP_DIRS.has(entry.name)) continue;
      const relPath = `${rel}${entry.name}`;
      if (entry.isDirectory()) {
        out.push(`${relPath}/`);
        walk(path.join(dir, entry.name), `${relPath}/`);
      } else out.push(relPath);
    }
  };
  walk(ROOT, '');
  return out;
}

/** Names in the doc that look like files or folders. */
function namedPaths(markdown: string): string[] {
  const names = new Set<string>();
  const looksLikePath = (text: string) =>
    /^[\w.*-]+(\/[\w.*-]+)*\/?$/.test(text) &&
    (text.endsWith('/') ||
      /\.(ts|tsx|md|sh|json|mjs|yml)$/.test(text) ||
      TOP.some((top) => text.startsWith(top)));
  for (const [, code] of markdown.matchAll(/`([^`\n]+)`/g)) {
    const text = code!.trim();
    if (looksLikePath(text)) names.add(text);
  }
  for (const [, diagram] of markdown.matchAll(/```mermaid\n([\s\S]*?)```/g)) {
    for (const [file] of diagram!.matchAll(/[\w/.-]+\.tsx?\b/g)) names.add(file);
  }
  return [...names];
}

function exists(name: string, all: readonly string[]): boolean {
  if (TOP.some((top) => name.startsWith(top))) return existsSync(path.join(ROOT, name));
  const pattern = new RegExp(`(^|/)${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  return all.some((p) => pattern.test(p));
}

describe('docs/architecture.md', () => {
  const markdown = readFileSync(path.join(ROOT, DOC), 'utf8');
  const names = namedPaths(markdown);

  it('names files (the extraction finds them)', () => {
    expect(names).toContain('core/gateway/');
    expect(names).toContain('rpc-peer.ts');
    expect(names.length).toBeGreaterThan(40);
  });

  it('names only files and folders that exist', () => {
    const all = repoPaths();
    expect(names.filter((name) => !exists(name, all))).toEqual([]);
  });

  it('has one folder table', () => {
    expect(markdown.match(/^\| Folder /gm)).toHaveLength(1);
  });

  it('has no table row broken by an unescaped pipe', () => {
    const rows = markdown.split('\n').filter((line) => line.startsWith('|'));
    // A `|` inside backticks still ends a cell in GitHub's tables unless written `\|`.
    const pipes = (line: string) => line.replace(/\\\|/g, '').split('|').length - 1;
    for (const row of rows) expect(pipes(row), row.slice(0, 80)).toBe(3); // | folder | what |
  });
});
