// The masking rule and the in-place update of one config entry (real files in a temp folder).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { maskSecret, unmaskSecrets } from '../../common/control/backend-edit.js';
import { ConfigEditError, readBackendEntry, updateBackendEntry } from '../../core/config/edit.js';

describe('masking', () => {
  it('shows the last two characters of a long value, nothing of a short one, references as written', () => {
    expect(maskSecret('Bearer abcdef12')).toBe('••••12');
    expect(maskSecret('short')).toBe('••••');
    expect(maskSecret('')).toBe('');
    expect(maskSecret('Bearer ${env:GH_TOKEN}')).toBe('Bearer ${env:GH_TOKEN}');
  });
  it('a mask sent back under the same key keeps the stored value; anything else is taken as typed', () => {
    const stored = { A: 'Bearer abcdef12', B: 'other-secret-99' };
    expect(unmaskSecrets({ A: '••••12', B: 'new', C: 'x' }, stored)).toEqual({
      A: 'Bearer abcdef12',
      B: 'new',
      C: 'x',
    });
    // The mask of A under key B is not B's mask: it stays a mask (the engine refuses it).
    expect(unmaskSecrets({ B: '••••12' }, stored)).toEqual({ B: '••••12' });
  });
});

describe('updateBackendEntry', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const TEXT = `# top
backends:
  - name: one   # first
    url: http://127.0.0.1:1/mcp
  # two is a command
  - name: two
    command: node
    args: [a.js]
    env:
      KEY: v1 # keep me
      DROP: x
    enabled: false
# end
`;

  it('switches an entry from a command to a URL, keeping other keys and every byte outside it', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-upd-'));
    const file = path.join(dir, 'config.yaml');
    await writeFile(file, TEXT);
    await updateBackendEntry(file, 'two', { url: 'http://127.0.0.1:2/mcp', transport: 'sse' }, {});
    const text = await readFile(file, 'utf8');
    const start = TEXT.indexOf('  - name: two');
    expect(text.slice(0, start)).toBe(TEXT.slice(0, start));
    expect(text.endsWith('# end\n')).toBe(true);
    expect(await readBackendEntry(file, 'two')).toEqual({
      name: 'two',
      url: 'http://127.0.0.1:2/mcp',
      transport: 'sse',
      enabled: false,
    });
  });

  it('edits env key by key: a kept row keeps its comment', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-upd-'));
    const file = path.join(dir, 'config.yaml');
    await writeFile(file, TEXT);
    await updateBackendEntry(file, 'two', { command: 'node', args: ['a.js', '--x'], env: { KEY: 'v1' } }, {});
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/KEY: v1 +# keep me/);
    expect(text).not.toContain('DROP');
    expect(text).toContain('args: [a.js, --x]');
    expect(text.startsWith(TEXT.slice(0, TEXT.indexOf('  - name: two')))).toBe(true);
  });

  it('refuses an unknown name and an invalid result, leaving the file as it was', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-upd-'));
    const file = path.join(dir, 'config.yaml');
    await writeFile(file, TEXT);
    await expect(updateBackendEntry(file, 'ghost', { url: 'http://x' }, {})).rejects.toMatchObject({
      reason: 'unknown',
    });
    await expect(updateBackendEntry(file, 'one', { url: 'ftp://x' }, {})).rejects.toBeInstanceOf(
      ConfigEditError,
    );
    expect(await readFile(file, 'utf8')).toBe(TEXT);
  });
});
