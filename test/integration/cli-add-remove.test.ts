// `switchyard add` / `switchyard remove` as real processes on a real, commented YAML file: the
// user's bytes outside the edit stay exactly as written, the new file is 0600 and an existing
// file keeps its mode, and bad requests (duplicate or unknown name, invalid URL) change nothing.
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../core/config/load.js';
import { runCli } from '../helpers/cli.js';

const ORIGINAL = `# Switchyard config — hand-written
server:
  port: 4750   # the default

backends:
  # the team's search server
  - name: search
    url: http://127.0.0.1:3001/mcp   # local
  - { name: memory, command: npx, args: ["-y", "@modelcontextprotocol/server-memory"] }

# conflicts are rare here
aggregation:
  conflicts: prefix   # keep names stable
`;
const HEAD = ORIGINAL.slice(0, ORIGINAL.indexOf('\n# conflicts') + 1);
const TAIL = ORIGINAL.slice(ORIGINAL.indexOf('\n# conflicts') + 1);

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-add-'));
  file = path.join(dir, 'config.yaml');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('switchyard add / remove', () => {
  it('adds URL and command backends keeping every other byte, then removes them back to the original', async () => {
    await writeFile(file, ORIGINAL);
    await chmod(file, 0o640);
    const added = await runCli([
      'add',
      'github',
      'https://api.example.com/mcp',
      '--header',
      'Authorization=Bearer ${env:GH_TOKEN}',
      '--config',
      file,
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const fs = await runCli(['add', 'files', '--config', file, '--', 'npx', '-y', 'server-fs', '/tmp']);
    expect(fs.code).toBe(0);
    const legacy = await runCli([
      'add',
      'old',
      'http://127.0.0.1:3002/sse',
      '--transport',
      'sse',
      '--config',
      file,
    ]);
    expect(legacy.code).toBe(0);

    const text = await readFile(file, 'utf8');
    // Everything before the new entries and after them is the user's text, byte for byte.
    expect(text.startsWith(HEAD.slice(0, HEAD.lastIndexOf('\n\n') + 1))).toBe(true);
    expect(text.endsWith(`\n${TAIL}`)).toBe(true);
    expect(text).toContain(
      [
        '  - name: github',
        '    url: https://api.example.com/mcp',
        '    headers:',
        '      Authorization: Bearer ${env:GH_TOKEN}',
        '  - name: files',
        '    command: npx',
        '    args: [-y, server-fs, /tmp]',
        '  - name: old',
        '    url: http://127.0.0.1:3002/sse',
        '    transport: sse',
      ].join('\n'),
    );
    const config = await loadConfigFile(file, { GH_TOKEN: 't' });
    expect(config.backends.map((b) => b.name)).toEqual(['search', 'memory', 'github', 'files', 'old']);
    expect((await stat(file)).mode & 0o777).toBe(0o640);

    for (const name of ['github', 'files', 'old']) {
      const removed = await runCli(['remove', name, '--config', file]);
      expect(removed.code).toBe(0);
    }
    expect(await readFile(file, 'utf8')).toBe(ORIGINAL);
  });

  it('removing a commented entry takes its comment along and leaves the rest as written', async () => {
    await writeFile(file, ORIGINAL);
    expect((await runCli(['remove', 'search', '--config', file])).code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(
      ORIGINAL.replace(/ {2}# the team's[^\n]*\n {2}- name: search\n[^\n]*\n/, ''),
    );
    expect((await runCli(['remove', 'memory', '--config', file])).code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('\nbackends: []\n');
    expect((await loadConfigFile(file, {})).backends).toEqual([]);
  });

  it('refuses a duplicate name, an unknown name and an invalid URL, changing nothing', async () => {
    await writeFile(file, ORIGINAL);
    const duplicate = await runCli(['add', 'search', 'http://127.0.0.1:1/mcp', '--config', file]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/a backend named "search" already exists \(backends\[0\]/);
    const unknown = await runCli(['remove', 'nope', '--config', file]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no backend named "nope".*there are: search, memory/);
    const badUrl = await runCli(['add', 'x', 'ftp://example.com', '--config', file]);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toMatch(/not an http:\/\/ or https:\/\/ URL/);
    const usage = await runCli(['add', 'x', '--config', file]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/needs a URL or "-- COMMAND/);
    expect(await readFile(file, 'utf8')).toBe(ORIGINAL);
  });

  it('creates a missing config file (0600, with the commented defaults) and answers --help', async () => {
    const dataDir = path.join(dir, 'data');
    const created = await runCli(['add', 'mem', '--data-dir', dataDir, '--', 'npx', 'server-memory'], {
      SWITCHYARD_CONFIG: '',
    });
    expect(created.code, created.stderr).toBe(0);
    const newFile = path.join(dataDir, 'config.yaml');
    expect((await stat(newFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(newFile, 'utf8')).toMatch(/^# Switchyard configuration/);
    expect((await loadConfigFile(newFile, {})).backends.map((b) => b.name)).toEqual(['mem']);
    const help = await runCli(['add', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: switchyard add NAME/);
    expect((await runCli(['remove', '--help'])).stdout).toMatch(/Usage: switchyard remove NAME/);
  });
});
