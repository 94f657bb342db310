// Each client writer against a temp HOME pre-seeded with another entry: the backup, the entry in
// the client's documented field names, idempotence (byte-identical second run), and disconnect
// restoring the file byte for byte. Plus: files connect creates, JSONC comments, entries the user
// repointed, broken files, and each OS's paths from HOME / XDG_CONFIG_HOME / APPDATA /
// CLAUDE_CONFIG_DIR / CODEX_HOME.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseYaml } from 'yaml';
import { CLIENTS, clientSpec, type ClientId, type ConnectTarget } from '../../core/clients/catalogue.js';
import {
  BACKUP_SUFFIX,
  clientState,
  connectClient,
  disconnectClient,
  isInstalled,
} from '../../core/clients/connector.js';
import { ClientFileError } from '../../core/clients/editor.js';
import type { ClientEnvironment } from '../../core/clients/platform.js';

const TOKEN = 'sy_test-token-123';
const target: ConnectTarget = {
  url: 'http://127.0.0.1:4750/mcp',
  token: TOKEN,
  bridge: { command: '/opt/node/bin/node', args: ['/opt/switchyard/dist/core/cli/main.js', 'bridge'] },
};
const bearer = { Authorization: `Bearer ${TOKEN}` };

let home: string;
let env: ClientEnvironment;

beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'switchyard-clients-'));
  env = { platform: 'linux', home, env: { PATH: '' } };
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

/** A realistic file of each client holding one server of the user's own. */
const SEEDS: Record<ClientId, string> = {
  'claude-desktop': `{
  "mcpServers": {
    "memory": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-memory"]
    }
  },
  "globalShortcut": ""
}
`,
  'claude-code': `{
  "numStartups": 3,
  "mcpServers": {
    "notion": {
      "type": "http",
      "url": "https://mcp.notion.com/mcp"
    }
  },
  "projects": {}
}
`,
  cursor: `{
  "mcpServers": {
    "context7": { "url": "https://mcp.context7.com/mcp" }
  }
}
`,
  vscode: `{
\t"servers": {
\t\t"memory": {
\t\t\t"command": "npx",
\t\t\t"args": ["-y", "@modelcontextprotocol/server-memory"]
\t\t}
\t},
\t"inputs": []
}`,
  windsurf: `{
  "mcpServers": {
    "github": { "serverUrl": "https://api.githubcopilot.com/mcp/" }
  }
}
`,
  zed: `// Zed settings
{
  "theme": "One Dark", // my theme
  "context_servers": {
    "local": { "command": "some-command", "args": ["a"], }, // trailing comma, JSONC
  },
}
`,
  codex: `model = "gpt-5"

# my servers
[mcp_servers.docs]
url = "https://example.com/mcp"

[profiles.fast]
model = "gpt-5-mini"
`,
  'gemini-cli': `{
  "theme": "Dracula",
  "mcpServers": {
    "git": { "command": "uvx", "args": ["mcp-server-git"] }
  }
}
`,
  goose: `GOOSE_PROVIDER: anthropic
extensions:
  developer:
    bundled: true
    enabled: true
    name: developer
    timeout: 300
    type: builtin
  fetch:
    args:
    - mcp-server-fetch
    cmd: uvx
    enabled: true
    envs: {}
    name: fetch
    type: stdio
GOOSE_MODEL: claude-sonnet
`,
  'lm-studio': `{
  "mcpServers": {
    "hf-mcp-server": { "url": "https://huggingface.co/mcp" }
  }
}
`,
  cline: `{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
      "disabled": false,
      "autoApprove": []
    }
  }
}
`,
  continue: `name: Local Config
version: 1.0.0
schema: v1
models:
  - name: Llama
    provider: ollama
    model: llama3
# servers
mcpServers:
  - name: SQLite MCP
    command: npx
    args:
      - "-y"
      - "mcp-sqlite"
`,
};

/** Our entry as the client's documentation spells it. */
const EXPECTED: Record<ClientId, Record<string, unknown>> = {
  'claude-desktop': { command: target.bridge.command, args: target.bridge.args },
  // What `claude mcp add --transport http -s user switchyard URL --header "Authorization: Bearer T"` writes.
  'claude-code': { type: 'http', url: target.url, headers: bearer },
  cursor: { url: target.url, headers: bearer },
  // What `code --add-mcp '{"name":"switchyard","type":"http",...}'` writes.
  vscode: { type: 'http', url: target.url, headers: bearer },
  windsurf: { serverUrl: target.url, headers: bearer },
  zed: { url: target.url, headers: bearer },
  codex: { url: target.url, http_headers: bearer },
  'gemini-cli': { httpUrl: target.url, headers: bearer },
  goose: {
    enabled: true,
    type: 'streamable_http',
    name: 'switchyard',
    description: 'Switchyard: every local MCP server behind one endpoint',
    uri: target.url,
    timeout: 300,
    headers: bearer,
  },
  'lm-studio': { url: target.url, headers: bearer },
  cline: { type: 'streamableHttp', url: target.url, disabled: false, headers: bearer },
  continue: {
    name: 'switchyard',
    type: 'streamable-http',
    url: target.url,
    requestOptions: { headers: bearer },
  },
};

/** The client's file parsed the way the client reads it; returns our entry and the user's. */
function entries(id: ClientId, text: string): { ours: unknown; theirs: unknown } {
  switch (id) {
    case 'codex': {
      // Only what we need of TOML: our table and the user's are found by their headers.
      const ours = /\[mcp_servers\.switchyard\]\n([\s\S]*?)(\n\[|\n*$)/.exec(text)?.[1];
      return {
        ours: ours && {
          url: /^url = "(.*)"$/m.exec(ours)?.[1],
          http_headers: { Authorization: /Authorization = "(.*)"/.exec(ours)?.[1] },
        },
        theirs: /\[mcp_servers\.docs\]\nurl = "(.*)"/.exec(text)?.[1],
      };
    }
    case 'goose': {
      const doc = parseYaml(text) as { extensions: Record<string, unknown> };
      return { ours: doc.extensions.switchyard, theirs: doc.extensions.fetch };
    }
    case 'continue': {
      const doc = parseYaml(text) as { mcpServers: { name: string }[] };
      return {
        ours: doc.mcpServers.find((s) => s.name === 'switchyard'),
        theirs: doc.mcpServers.find((s) => s.name === 'SQLite MCP'),
      };
    }
    default: {
      const spec = clientSpec(id)!;
      const map = (parseJsonc(text) as Record<string, Record<string, unknown>>)[spec.container[0]!]!;
      const own = Object.keys(map).find((k) => k !== 'switchyard');
      return { ours: map.switchyard, theirs: own && map[own] };
    }
  }
}

describe('each client writer, on a file with another entry', () => {
  for (const spec of CLIENTS) {
    it(`${spec.id}: backup, entry in its own field names, idempotent, disconnect restores the file`, async () => {
      const file = spec.file(env);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, SEEDS[spec.id], { mode: 0o644 });
      const before = entries(spec.id, SEEDS[spec.id]);

      const first = await connectClient(spec, target, env);
      expect(first.action).toBe('added');
      const after = await readFile(file, 'utf8');
      expect(await readFile(file + BACKUP_SUFFIX, 'utf8')).toBe(SEEDS[spec.id]);
      expect((await stat(file + BACKUP_SUFFIX)).mode & 0o777).toBe(0o600);
      expect((await stat(file)).mode & 0o777).toBe(0o644); // the user's file keeps its mode
      const { ours, theirs } = entries(spec.id, after);
      expect(ours).toEqual(EXPECTED[spec.id]);
      expect(theirs).toEqual(before.theirs);
      expect(theirs).toBeTruthy();

      const second = await connectClient(spec, target, env);
      expect(second.action).toBe('unchanged');
      expect(await readFile(file, 'utf8')).toBe(after);

      const state = await clientState(spec, env, target);
      expect(state).toMatchObject({ connected: true, current: true });

      const gone = await disconnectClient(spec, env);
      expect(gone).toMatchObject({ action: 'removed', deletedFile: false });
      expect(await readFile(file, 'utf8')).toBe(SEEDS[spec.id]);
      expect((await clientState(spec, env, target)).connected).toBe(false);
      expect((await disconnectClient(spec, env)).action).toBe('absent');
    });
  }
});

describe('connect and disconnect', () => {
  it('creates a missing file readable by the user only, and disconnect deletes it again', async () => {
    for (const spec of CLIENTS) {
      const file = spec.file(env);
      const r = await connectClient(spec, target, env);
      expect(r).toMatchObject({ action: 'added', createdFile: true });
      expect(r.backup).toBeUndefined();
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(entries(spec.id, await readFile(file, 'utf8')).ours).toEqual(EXPECTED[spec.id]);
      expect(await disconnectClient(spec, env)).toMatchObject({ action: 'removed', deletedFile: true });
      await expect(stat(file)).rejects.toThrow(/ENOENT/);
    }
  });

  it('updates an outdated entry (another port or token) in place, keeping the first backup', async () => {
    const spec = clientSpec('cursor')!;
    const file = spec.file(env);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, SEEDS.cursor);
    await connectClient(spec, target, env);
    const moved = { ...target, url: 'http://127.0.0.1:4800/mcp', token: 'sy_other' };
    expect((await clientState(spec, env, moved)).current).toBe(false);
    expect((await connectClient(spec, moved, env)).action).toBe('updated');
    expect(entries('cursor', await readFile(file, 'utf8')).ours).toEqual({
      url: moved.url,
      headers: { Authorization: 'Bearer sy_other' },
    });
    expect(await readFile(file + BACKUP_SUFFIX, 'utf8')).toBe(SEEDS.cursor);
  });

  it('writes no header when auth is off, and the bridge env only when given', async () => {
    const open = { ...target, token: null };
    expect(clientSpec('cursor')!.entry(open)).toEqual({ url: target.url });
    expect(clientSpec('codex')!.entry(open)).toEqual({ url: target.url });
    expect(clientSpec('continue')!.entry(open)).toEqual({
      name: 'switchyard',
      type: 'streamable-http',
      url: target.url,
    });
    const withEnv = { ...target, bridge: { ...target.bridge, env: { SWITCHYARD_TOKEN: TOKEN } } };
    expect(clientSpec('claude-desktop')!.entry(withEnv)).toEqual({
      ...EXPECTED['claude-desktop'],
      env: { SWITCHYARD_TOKEN: TOKEN },
    });
  });

  it('--dry-run writes nothing', async () => {
    const spec = clientSpec('zed')!;
    const r = await connectClient(spec, target, env, { dryRun: true });
    expect(r).toMatchObject({ action: 'added', dryRun: true });
    await expect(stat(spec.file(env))).rejects.toThrow(/ENOENT/);
  });

  it('keeps JSONC comments and trailing commas of the user lines (Zed)', async () => {
    const spec = clientSpec('zed')!;
    const file = spec.file(env);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, SEEDS.zed);
    await connectClient(spec, target, env);
    const text = await readFile(file, 'utf8');
    for (const line of SEEDS.zed.split('\n').filter((l) => l.includes('//')))
      expect(text).toContain(line.split('//')[1]);
    expect(text).toContain('"local": { "command": "some-command", "args": ["a"], }');
  });

  it('neither removes nor overwrites an entry under our name that points elsewhere', async () => {
    const spec = clientSpec('cursor')!;
    const file = spec.file(env);
    await mkdir(path.dirname(file), { recursive: true });
    const mine = '{\n  "mcpServers": {\n    "switchyard": { "url": "https://example.com/mcp" }\n  }\n}\n';
    await writeFile(file, mine);
    expect((await disconnectClient(spec, env)).action).toBe('foreign');
    expect(await readFile(file, 'utf8')).toBe(mine);
    await expect(connectClient(spec, target, env)).rejects.toThrow(/points elsewhere/);
    expect(await readFile(file, 'utf8')).toBe(mine);
    expect((await clientState(spec, env)).connected).toBe(false);
  });

  it('never writes a file it cannot parse', async () => {
    for (const [id, broken] of [
      ['cursor', '{ "mcpServers": { "x": '],
      ['goose', 'extensions: [unclosed'],
      ['claude-code', '[1, 2]'],
    ] as const) {
      const spec = clientSpec(id)!;
      const file = spec.file(env);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, broken);
      await expect(connectClient(spec, target, env)).rejects.toBeInstanceOf(ClientFileError);
      expect(await readFile(file, 'utf8')).toBe(broken);
      await expect(stat(file + BACKUP_SUFFIX)).rejects.toThrow(/ENOENT/);
      expect((await clientState(spec, env)).error).toBeTruthy();
    }
  });

  it('refuses a Codex entry written as dotted keys instead of guessing', async () => {
    const spec = clientSpec('codex')!;
    const file = spec.file(env);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, 'mcp_servers.switchyard.url = "http://127.0.0.1:4750/mcp"\n');
    await expect(connectClient(spec, target, env)).rejects.toThrow(/does not edit/);
  });

  it('writes where a symlinked file points', async () => {
    const { symlink, lstat } = await import('node:fs/promises');
    const spec = clientSpec('gemini-cli')!;
    const real = path.join(home, 'dotfiles', 'settings.json');
    await mkdir(path.dirname(real), { recursive: true });
    await mkdir(path.dirname(spec.file(env)), { recursive: true });
    await writeFile(real, SEEDS['gemini-cli']);
    await symlink(real, spec.file(env));
    await connectClient(spec, target, env);
    expect((await lstat(spec.file(env))).isSymbolicLink()).toBe(true);
    expect(entries('gemini-cli', await readFile(real, 'utf8')).ours).toEqual(EXPECTED['gemini-cli']);
  });
});

describe('paths per OS and environment', () => {
  const at = (
    platform: NodeJS.Platform,
    vars: Record<string, string> = {},
    h = '/home/u',
  ): ClientEnvironment => ({
    platform,
    home: h,
    env: vars,
  });
  const file = (id: ClientId, e: ClientEnvironment) => clientSpec(id)!.file(e);

  it('Linux follows HOME and XDG_CONFIG_HOME', () => {
    const e = at('linux');
    expect(file('claude-desktop', e)).toBe('/home/u/.config/Claude/claude_desktop_config.json');
    expect(file('vscode', e)).toBe('/home/u/.config/Code/User/mcp.json');
    expect(file('zed', e)).toBe('/home/u/.config/zed/settings.json');
    expect(file('goose', e)).toBe('/home/u/.config/goose/config.yaml');
    expect(file('cline', e)).toBe(
      '/home/u/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json',
    );
    const x = at('linux', { XDG_CONFIG_HOME: '/xdg' });
    expect(file('vscode', x)).toBe('/xdg/Code/User/mcp.json');
    expect(file('zed', x)).toBe('/xdg/zed/settings.json');
    expect(file('goose', x)).toBe('/xdg/goose/config.yaml');
    expect(file('cursor', x)).toBe('/home/u/.cursor/mcp.json');
    expect(file('windsurf', x)).toBe('/home/u/.codeium/windsurf/mcp_config.json');
    expect(file('gemini-cli', x)).toBe('/home/u/.gemini/settings.json');
    expect(file('lm-studio', x)).toBe('/home/u/.lmstudio/mcp.json');
    expect(file('continue', x)).toBe('/home/u/.continue/config.yaml');
  });

  it('macOS uses ~/Library/Application Support for desktop apps', () => {
    const e = at('darwin', {}, '/Users/u');
    expect(file('claude-desktop', e)).toBe(
      '/Users/u/Library/Application Support/Claude/claude_desktop_config.json',
    );
    expect(file('vscode', e)).toBe('/Users/u/Library/Application Support/Code/User/mcp.json');
    expect(file('zed', e)).toBe('/Users/u/.config/zed/settings.json');
  });

  it('Windows uses %APPDATA% and %USERPROFILE%', () => {
    const e = at('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u');
    expect(file('claude-desktop', e)).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
    );
    expect(file('vscode', e)).toBe('C:\\Users\\u\\AppData\\Roaming\\Code\\User\\mcp.json');
    expect(file('zed', e)).toBe('C:\\Users\\u\\AppData\\Roaming\\Zed\\settings.json');
    expect(file('goose', e)).toBe('C:\\Users\\u\\AppData\\Roaming\\Block\\goose\\config\\config.yaml');
    expect(file('cursor', e)).toBe('C:\\Users\\u\\.cursor\\mcp.json');
    expect(file('codex', e)).toBe('C:\\Users\\u\\.codex\\config.toml');
  });

  it('CLAUDE_CONFIG_DIR, CODEX_HOME and CONTINUE_GLOBAL_DIR move those clients', () => {
    const e = at('linux', { CLAUDE_CONFIG_DIR: '/c', CODEX_HOME: '/x', CONTINUE_GLOBAL_DIR: '/k' });
    expect(file('claude-code', e)).toBe('/c/.claude.json');
    expect(file('claude-code', at('linux'))).toBe('/home/u/.claude.json');
    expect(file('codex', e)).toBe('/x/config.toml');
    expect(file('continue', e)).toBe('/k/config.yaml');
  });
});

describe('installed', () => {
  it('is a binary on PATH or a folder with something of the client in it, not what connect wrote', async () => {
    const cursor = clientSpec('cursor')!;
    expect(await isInstalled(cursor, env)).toBe(false);
    await connectClient(cursor, target, env);
    expect(await isInstalled(cursor, env)).toBe(false); // ~/.cursor holds only our mcp.json
    await mkdir(path.join(home, '.cursor', 'extensions'));
    expect(await isInstalled(cursor, env)).toBe(true);

    const bin = path.join(home, 'bin');
    await mkdir(bin);
    await writeFile(path.join(bin, 'codex'), '#!/bin/sh\n', { mode: 0o755 });
    expect(await isInstalled(clientSpec('codex')!, { ...env, env: { PATH: bin } })).toBe(true);
  });
});
