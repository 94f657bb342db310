// Profiles as pure functions: config validation, each client's whole-name rule, selection and the
// budget, search mode and its index, and per-profile name pins (in memory and in a real SQLite file
// reopened as after a restart).
import { describe, expect, it } from 'vitest';
import { buildAdvertisedSet, type AggregationConfig } from '../../core/aggregate/build.js';
import type { BackendCatalog, ToolDef } from '../../common/domain/capability.js';
import type { AdvertisedSet } from '../../core/domain/advertised.js';
import { validateConfig, parseConfigText } from '../../core/config/load.js';
import type { ProfileConfig } from '../../core/config/schema.js';
import { PRESETS, presetFor, CLIENT_KINDS } from '../../core/profiles/presets.js';
import { assignNames, fitsRule, shortenTo } from '../../core/profiles/names.js';
import { buildProfileView, type ProfilePin } from '../../core/profiles/view.js';
import {
  ToolIndex,
  callArguments,
  findArguments,
  FIND_TOOLS,
  CALL_TOOL,
} from '../../core/profiles/search.js';
import { MemoryProfilePinStore } from '../../core/store/memory.js';
import { openStore } from '../../core/store/sqlite/store.js';
import { useStoreScratch } from '../helpers/store.js';

const NOW = 1_700_000_000_000;
const NO_ENV = {};
const AGG: AggregationConfig = { conflicts: 'auto', prefixFormat: '{backend}__', priority: [], backends: {} };

function tool(name: string, description = `the ${name} tool`): ToolDef {
  return { name, description, inputSchema: { type: 'object', properties: { q: { type: 'string' } } } };
}

function catalog(backend: string, names: (string | ToolDef)[], prompts: string[] = []): BackendCatalog {
  return {
    backend,
    serverCapabilities: { tools: {} },
    tools: names.map((n) => (typeof n === 'string' ? tool(n) : n)),
    prompts: prompts.map((name) => ({ name, description: `the ${name} prompt` })),
    resources: [{ uri: `${backend}://readme`, name: 'readme' }],
    resourceTemplates: [],
  };
}

function setOf(...catalogs: BackendCatalog[]): AdvertisedSet {
  const { set } = buildAdvertisedSet(
    {
      catalogs,
      knownBackends: new Set(catalogs.map((c) => c.backend)),
      config: AGG,
      pins: [],
      decisions: [],
    },
    NOW,
  );
  return { ...set, version: 1 };
}

/** A profile config as the schema would produce it from a partial YAML block. */
function profileConfig(input: Record<string, unknown> = {}): ProfileConfig {
  const result = validateConfig({ profiles: { p: input } }, NO_ENV);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config.profiles.p!;
}

function view(set: AdvertisedSet, input: Record<string, unknown> = {}, pins: ProfilePin[] = [], name = 'p') {
  return buildProfileView(set, { name, config: profileConfig(input) }, pins, NOW);
}

const sixty = 'a_tool_name_that_is_exactly_sixty_characters_long_for_tests_'.slice(0, 60);

describe('profiles config', () => {
  it('accepts the contract block and fills defaults', () => {
    const config = profileConfig({
      client: 'cursor',
      backends: ['github', 'memory'],
      tools: { include: ['github/*'], exclude: ['delete_*'] },
      maxTools: 80,
      search: 'auto',
    });
    expect(config).toEqual({
      client: 'cursor',
      serverName: 'switchyard',
      backends: ['github', 'memory'],
      tools: { include: ['github/*'], exclude: ['delete_*'] },
      maxTools: 80,
      search: 'auto',
    });
    expect(profileConfig({})).toEqual({
      serverName: 'switchyard',
      tools: { include: [], exclude: [] },
      search: 'auto',
    });
  });

  it('names the key path of each error', () => {
    const result = validateConfig(
      {
        profiles: {
          default: {},
          'Bad Name': {},
          ok: { client: 'netscape', search: 'sometimes', maxTools: 0, tools: { only: [] }, colour: 'red' },
        },
      },
      NO_ENV,
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^profiles\.default: "default" is reserved/),
        expect.stringMatching(/^profiles\["Bad Name"\]: a profile name must be/),
        expect.stringMatching(/^profiles\.ok\.client: /),
        expect.stringMatching(/^profiles\.ok\.search: /),
        expect.stringMatching(/^profiles\.ok\.maxTools: /),
        'profiles.ok.tools.only: unknown key',
        'profiles.ok.colour: unknown key',
      ]),
    );
  });

  it('points at the line of a bad profile key in YAML', () => {
    const result = parseConfigText('profiles:\n  cursor:\n    client: cursor\n    serch: on\n', NO_ENV);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ path: 'profiles.cursor.serch', line: 4 });
  });
});

describe('client presets', () => {
  it('covers every client `connect` knows', () => {
    for (const kind of CLIENT_KINDS) expect(PRESETS[kind].kind).toBe(kind);
    expect(presetFor(undefined).kind).toBe('generic');
  });

  it("encodes each client's whole-name rule for the registered server name", () => {
    expect(PRESETS['claude-code'].names.maxLength('switchyard')).toBe(64 - 'mcp__switchyard__'.length); // 47
    expect(PRESETS.cursor.names.maxLength('switchyard')).toBe(59 - 10);
    expect(PRESETS['gemini-cli'].names.maxLength('switchyard')).toBe(63 - 'mcp_switchyard_'.length);
    expect(PRESETS['claude-desktop'].names.maxLength('switchyard')).toBe(64);
    expect(PRESETS.windsurf.maxTools).toBe(100);
    expect(PRESETS.vscode.maxTools).toBe(128);
    expect(PRESETS.cursor).toMatchObject({ maxTools: 80, limitKind: 'soft' });
    for (const kind of ['claude-code', 'codex', 'vscode'] as const)
      expect(PRESETS[kind].ownToolSearch).toBe(true);
    for (const kind of ['cursor', 'windsurf', 'claude-desktop', 'gemini-cli'] as const)
      expect(PRESETS[kind].ownToolSearch).toBe(false);
  });
});

describe('fitting names', () => {
  const rule = PRESETS['claude-code'].names;

  it('keeps a head and a hash, always the same for the same name', () => {
    const short = shortenTo(sixty, 47);
    expect(short).toHaveLength(47);
    expect(short.slice(0, 40)).toBe(sixty.slice(0, 40));
    expect(short).toMatch(/_[0-9a-f]{6}$/);
    expect(shortenTo(sixty, 47)).toBe(short);
    expect(fitsRule(short, rule, 'switchyard')).toBe(true);
    expect(`mcp__switchyard__${short}`.length).toBeLessThanOrEqual(64);
  });

  it('gives two names with the same head different names, and never a name already taken', () => {
    const a = `${sixty}_alpha`;
    const b = `${sixty}_beta`;
    const names = assignNames(
      [a, b, 'short'],
      (n) => n,
      () => undefined,
      rule,
      'switchyard',
    );
    expect(new Set(names.values()).size).toBe(3);
    expect(names.get('short')).toBe('short');
    // A shortened name equal to another item's own name: the own name keeps it, the other is salted.
    const clash = shortenTo(a, 47);
    const again = assignNames(
      [a, clash],
      (n) => n,
      () => undefined,
      rule,
      'switchyard',
    );
    expect(again.get(clash)).toBe(clash);
    expect(again.get(a)).not.toBe(clash);
    expect(again.get(a)).toHaveLength(47);
  });

  it('honours a pin while it fits, and only for names that need shortening', () => {
    const names = assignNames(
      [sixty, 'echo'],
      (n) => n,
      (n) => (n === sixty ? 'my_pinned' : 'other'),
      rule,
      'switchyard',
    );
    expect(names.get(sixty)).toBe('my_pinned');
    expect(names.get('echo')).toBe('echo');
  });
});

describe('profile views', () => {
  const set = setOf(
    catalog('github', ['search_code', 'create_issue', 'delete_repo', sixty], ['review']),
    catalog('memory', ['read_graph', 'search_nodes']),
    catalog('files', ['read_file', 'write_file']),
  );

  it("fits every name to Claude Code's mcp__<server>__<tool> ≤ 64, mapped back to the original", () => {
    const { view: v, pins } = view(set, { client: 'claude-code' });
    for (const t of v.tools) expect(`mcp__switchyard__${t.name}`.length).toBeLessThanOrEqual(64);
    const long = v.tools.find((t) => t.name.startsWith('a_tool_name'))!;
    expect(long.name).toHaveLength(47);
    expect(v.toolRoutes.get(long.name)).toMatchObject({ backend: 'github', originalName: sixty });
    expect(v.aliases.get(sixty)).toBe(long.name);
    expect(v.report.shortened).toEqual([{ from: sixty, to: long.name, backend: 'github' }]);
    expect(pins).toEqual([
      {
        profile: 'p',
        kind: 'tool',
        backend: 'github',
        originalName: sixty,
        advertisedName: long.name,
        pinnedAt: NOW,
      },
    ]);
    // A longer server name leaves less room.
    const { view: tight } = view(set, { client: 'claude-code', serverName: 'my-switchyard-gateway' });
    for (const t of tight.tools)
      expect(`mcp__my-switchyard-gateway__${t.name}`.length).toBeLessThanOrEqual(64);
  });

  it('fits Cursor (server + tool < 60), Gemini CLI (mcp_<server>_<tool> ≤ 63) and the plain rule', () => {
    for (const t of view(set, { client: 'cursor' }).view.tools) expect(10 + t.name.length).toBeLessThan(60);
    for (const t of view(set, { client: 'gemini-cli' }).view.tools)
      expect(`mcp_switchyard_${t.name}`.length).toBeLessThanOrEqual(63);
    const plain = view(set, { client: 'claude-desktop' }).view;
    expect(plain.tools.map((t) => t.name)).toContain(sixty);
    for (const t of plain.tools) expect(t.name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it("selects backends in the profile's order, then include/exclude by name or backend/tool glob", () => {
    const a = view(set, { backends: ['files', 'github'] }).view;
    expect(a.tools.map((t) => t.name)).toEqual([
      'read_file',
      'write_file',
      'search_code',
      'create_issue',
      'delete_repo',
      sixty,
    ]);
    expect([...a.resourceOwners.values()]).toEqual(['github', 'files']);
    expect(a.prompts.map((p) => p.name)).toEqual(['review']);
    expect(a.backendCapabilities.has('memory')).toBe(false);

    const b = view(set, {
      tools: { include: ['github/*', 'read_*'], exclude: ['delete_*', 'files/read_file'] },
    }).view;
    expect(b.tools.map((t) => t.name)).toEqual(['search_code', 'create_issue', sixty, 'read_graph']);
    expect(b.toolRoutes.has('delete_repo')).toBe(false);
  });

  it('cuts over budget in a deterministic order and reports what was cut', () => {
    const { view: v } = view(set, { maxTools: 3, search: 'off', backends: ['memory', 'github', 'files'] });
    expect(v.tools.map((t) => t.name)).toEqual(['read_graph', 'search_nodes', 'search_code']);
    expect(v.toolRoutes.has('create_issue')).toBe(false);
    expect(v.report).toMatchObject({
      selected: 8,
      advertised: 3,
      budget: 3,
      search: false,
      cut: [
        'github/create_issue',
        'github/delete_repo',
        `github/${sixty}`,
        'files/read_file',
        'files/write_file',
      ],
    });
    expect(JSON.parse(v.serialized.tools).tools).toHaveLength(3);
  });

  it('turns search on when over budget for a client without its own tool search (auto)', () => {
    const cursor = view(set, { client: 'cursor', maxTools: 4 }).view;
    expect(cursor.search).toBe(true);
    expect(cursor.tools.map((t) => t.name)).toEqual([FIND_TOOLS, CALL_TOOL]);
    expect(cursor.toolRoutes.size).toBe(8); // every selected tool stays reachable through call_tool
    expect(cursor.report).toMatchObject({ advertised: 2, reachable: 8, selected: 8, cut: [], search: true });
    // Claude Code searches its own tools: auto stays off and the budget cuts instead.
    const code = view(set, { client: 'claude-code', maxTools: 4 }).view;
    expect(code.search).toBe(false);
    expect(code.tools).toHaveLength(4);
    expect(view(set, { client: 'claude-code', search: 'on' }).view.search).toBe(true);
    expect(view(set, { client: 'cursor', maxTools: 4, search: 'off' }).view.search).toBe(false);
    expect(view(set, { client: 'cursor' }).view.search).toBe(false); // 8 tools, budget 80
  });

  it('keeps a pinned name across rebuilds even when a newcomer would take its shortened form', () => {
    const first = view(set, { client: 'claude-code' });
    const pinnedName = first.view.aliases.get(sixty)!;
    const crowded = setOf(
      catalog('github', ['search_code', 'create_issue', 'delete_repo', sixty], ['review']),
      catalog('memory', ['read_graph', 'search_nodes', pinnedName]),
    );
    const second = view(crowded, { client: 'claude-code' }, first.pins);
    expect(second.view.aliases.get(sixty)).toBe(pinnedName);
    expect(second.view.toolRoutes.get(pinnedName)?.originalName).toBe(sixty);
    const newcomer = [...second.view.toolRoutes].find(
      ([, r]) => r.backend === 'memory' && r.originalName === pinnedName,
    )!;
    expect(newcomer[0]).not.toBe(pinnedName);
    expect(second.pins.map((p) => p.originalName)).toEqual([pinnedName]);
  });
});

describe('search index', () => {
  const tools = [
    tool('create_issue', 'Create a new issue in a GitHub repository'),
    tool('search_code', 'Search code across GitHub repositories'),
    tool('read_file', 'Read the complete contents of a file from disk'),
    tool('writeFile', 'Create or overwrite a file'),
    { ...tool('get_weather', 'Current conditions'), title: 'Weather forecast' },
  ];
  const index = new ToolIndex(tools);

  it('ranks by names, titles and descriptions, with prefixes, camelCase and typos', () => {
    expect(index.find('github issue')[0]!.name).toBe('create_issue');
    expect(index.find('read file')[0]!.name).toBe('read_file');
    expect(index.find('forecast')[0]!.name).toBe('get_weather');
    expect(index.find('writ').map((t) => t.name)).toContain('writeFile');
    expect(index.find('repositry')[0]!.name).toMatch(/create_issue|search_code/);
    expect(index.find('zzzz')).toEqual([]);
  });

  it('returns input schemas and honours the limit', () => {
    const found = index.find('file', 1);
    expect(found).toHaveLength(1);
    expect(found[0]!.inputSchema).toEqual(tools[2]!.inputSchema);
  });

  it("checks the meta-tools' arguments", () => {
    expect(findArguments({ query: 'x' })).toEqual({ query: 'x', limit: 10 });
    expect(findArguments({ query: '' })).toHaveProperty('error');
    expect(findArguments({ query: 'x', limit: 0 })).toHaveProperty('error');
    expect(callArguments({ name: 'a', arguments: { b: 1 } })).toEqual({ name: 'a', arguments: { b: 1 } });
    expect(callArguments({ name: 'a', arguments: [1] })).toHaveProperty('error');
    expect(callArguments({})).toHaveProperty('error');
  });
});

describe('profile pins', () => {
  const scratch = useStoreScratch('profile-pins');
  const pin = (profile: string, advertisedName: string): ProfilePin => ({
    profile,
    kind: 'tool',
    backend: 'github',
    originalName: sixty,
    advertisedName,
    pinnedAt: NOW,
  });

  it('are kept per profile in memory', () => {
    const store = new MemoryProfilePinStore();
    store.upsert([pin('cursor', 'a'), pin('code', 'b')]);
    expect(store.forProfile('cursor').map((p) => p.advertisedName)).toEqual(['a']);
    store.remove({ profile: 'cursor' });
    expect(store.forProfile('cursor')).toEqual([]);
    expect(store.forProfile('code')).toHaveLength(1);
  });

  it('survive a restart in SQLite, per profile', async () => {
    const dir = scratch.tempDir();
    const first = openStore(dir);
    first.profilePins.upsert([pin('cursor', 'cursor_name'), pin('code', 'code_name')]);
    first.profilePins.upsert([pin('cursor', 'cursor_name2')]);
    await first.close();
    const second = openStore(dir);
    scratch.stores.push(second);
    expect(second.profilePins.forProfile('cursor')).toEqual([pin('cursor', 'cursor_name2')]);
    expect(second.profilePins.forProfile('code')).toEqual([pin('code', 'code_name')]);
    second.profilePins.remove({ profile: 'code', backend: 'github' });
    expect(second.profilePins.forProfile('code')).toEqual([]);
  });
});
