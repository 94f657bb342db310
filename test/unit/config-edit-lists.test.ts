// Lists written at a key path of the config file (the dashboard's tool switch and profile pick):
// exact text in, exact text out, so every byte the edit does not concern is seen to stay.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_TEXT } from '../../core/config/default-file.js';
import { ConfigEditError } from '../../core/config/edit.js';
import { editConfigLists, withList } from '../../core/config/edit-lists.js';
import { parseConfigText } from '../../core/config/load.js';

const EXCLUDE = ['aggregation', 'backends', 'alpha', 'tools', 'exclude'];

describe('withList on YAML text', () => {
  it('adds the whole path under the deepest mapping that exists, in the block style', () => {
    const text = `# mine
aggregation:
  conflicts: prefix   # keep
backends: []
`;
    expect(withList(text, { path: EXCLUDE, list: ['get-env'] })).toBe(`# mine
aggregation:
  conflicts: prefix   # keep
  backends:
    alpha:
      tools:
        exclude: [get-env]
backends: []
`);
  });

  it('adds a top-level key at the end of the file (after trailing comments)', () => {
    const text = 'backends: []\n# the end\n';
    expect(withList(text, { path: EXCLUDE, list: ['a', 'b'] })).toBe(
      'backends: []\n# the end\naggregation:\n  backends:\n    alpha:\n      tools:\n        exclude: [a, b]\n',
    );
    expect(withList('', { path: ['profiles', 'cursor', 'tools', 'include'], list: ['x'] })).toBe(
      'profiles:\n  cursor:\n    tools:\n      include: [x]\n',
    );
  });

  it('edits a block list item by item, keeping the comments of the other items', () => {
    const text = `aggregation:
  backends:
    alpha:
      tools:
        exclude:
          - a   # why a
          # b next
          - b
          - c
`;
    expect(withList(text, { path: EXCLUDE, list: ['a', 'c', 'd'] })).toBe(`aggregation:
  backends:
    alpha:
      tools:
        exclude:
          - a   # why a
          # b next
          - c
          - d
`);
  });

  it('rewrites only the span of a flow list, keeping the quoting of kept items and the padding', () => {
    const text = 'aggregation: { backends: { alpha: { tools: { exclude: [ "a", b ] } } } }  # one line\n';
    expect(withList(text, { path: EXCLUDE, list: ['a', 'c'] })).toBe(
      'aggregation: { backends: { alpha: { tools: { exclude: [ "a", c ] } } } }  # one line\n',
    );
  });

  it('adds a key inside a flow mapping', () => {
    const text = 'profiles:\n  cursor:\n    tools: { include: [] }   # picked\n';
    expect(withList(text, { path: ['profiles', 'cursor', 'tools', 'exclude'], list: ['x/*'] })).toBe(
      'profiles:\n  cursor:\n    tools: { include: [], exclude: [x/*] }   # picked\n',
    );
  });

  it('removes an emptied list with the mappings it leaves empty, giving back the text it had', () => {
    const original = 'aggregation:\n  conflicts: prefix\nbackends: []\n';
    const added = withList(original, { path: EXCLUDE, list: ['x'] });
    expect(withList(added, { path: EXCLUDE, list: [] })).toBe(original);
    // Down to the last key: the whole block goes.
    const only = 'backends: []\naggregation:\n  backends:\n    alpha:\n      tools:\n        exclude: [x]\n';
    expect(withList(only, { path: EXCLUDE, list: [] })).toBe('backends: []\n');
  });

  it('keeps a mapping that holds a comment (as {}), and the first `keep` keys', () => {
    const text = `aggregation:
  # conflicts: auto
  backends:
    alpha:
      tools:
        exclude: [x]
`;
    expect(withList(text, { path: EXCLUDE, list: [] })).toBe('aggregation: {}\n  # conflicts: auto\n');
    const profile = 'profiles:\n  cursor:\n    tools:\n      exclude: [x]\n';
    expect(withList(profile, { path: ['profiles', 'cursor', 'tools', 'exclude'], list: [], keep: 2 })).toBe(
      'profiles:\n  cursor: {}\n',
    );
    const flow = 'profiles:\n  cursor:\n    client: cursor\n    tools: { exclude: [x] }\n';
    expect(withList(flow, { path: ['profiles', 'cursor', 'tools', 'exclude'], list: [], keep: 2 })).toBe(
      'profiles:\n  cursor:\n    client: cursor\n',
    );
  });

  it('edits a JSON file as JSON', () => {
    const json = `{
  "backends": [],
  "aggregation": {
    "conflicts": "prefix"
  }
}
`;
    const added = withList(json, { path: EXCLUDE, list: ['get-env'] });
    expect(added).toBe(`{
  "backends": [],
  "aggregation": {
    "conflicts": "prefix",
    "backends": {"alpha": {"tools": {"exclude": ["get-env"]}}}
  }
}
`);
    expect(JSON.parse(added)).toBeTruthy();
    const more = withList(added, { path: EXCLUDE, list: ['get-env', 'echo'] });
    expect(JSON.parse(more)).toMatchObject({
      aggregation: { backends: { alpha: { tools: { exclude: ['get-env', 'echo'] } } } },
    });
    expect(withList(more, { path: EXCLUDE, list: [] })).toBe(json);
  });
});

describe('editConfigLists on a file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-lists-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the file (0600) from the default text when there is none', async () => {
    const file = path.join(dir, 'new', 'config.yaml');
    expect(await editConfigLists(file, [{ path: EXCLUDE, list: ['x'] }], {})).toBe(true);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(DEFAULT_CONFIG_TEXT)).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const parsed = parseConfigText(text, {});
    expect(parsed.ok && parsed.config.aggregation.backends.alpha?.tools.exclude).toEqual(['x']);
    // Already so: nothing is written.
    expect(await editConfigLists(file, [{ path: EXCLUDE, list: ['x'] }], {})).toBe(false);
  });

  it('refuses to edit an invalid file, naming the line and key path, and leaves it as it was', async () => {
    const file = path.join(dir, 'bad.yaml');
    const bad = 'backends: []\naggregation:\n  conflicts: sometimes\n';
    await writeFile(file, bad);
    const error = await editConfigLists(file, [{ path: EXCLUDE, list: ['x'] }], {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigEditError);
    expect((error as ConfigEditError).reason).toBe('invalid-file');
    expect((error as Error).message).toContain(`${file}:3:14  aggregation.conflicts:`);
    expect(await readFile(file, 'utf8')).toBe(bad);
    const broken = 'backends: [\n';
    await writeFile(file, broken);
    await expect(editConfigLists(file, [{ path: EXCLUDE, list: ['x'] }], {})).rejects.toThrow(
      /bad\.yaml:\d+/,
    );
    expect(await readFile(file, 'utf8')).toBe(broken);
  });

  it('refuses a path through something that is not a mapping', async () => {
    const file = path.join(dir, 'odd.yaml');
    const odd = 'backends: []\nprofiles:\n  cursor:\n    tools:\n      include: []\n';
    await writeFile(file, odd);
    await expect(
      editConfigLists(file, [{ path: ['profiles', 'cursor', 'tools', 'include', 'x'], list: ['y'] }], {}),
    ).rejects.toThrow(ConfigEditError);
    expect(await readFile(file, 'utf8')).toBe(odd);
  });
});
