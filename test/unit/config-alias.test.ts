// Issue 10 item 14: a YAML alias that refers to its own ancestor is an error naming the file and
// line, not a stack overflow.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigFileError, loadConfigFile, parseConfigText } from '../../core/config/load.js';

let dir: string;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('self-referential YAML aliases', () => {
  it('are refused with the file, line and key path', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sy-alias-'));
    const file = path.join(dir, 'config.yaml');
    await writeFile(
      file,
      'backends:\n  - &b\n    name: x\n    url: http://127.0.0.1:1/mcp\n    headers: *b\n',
    );
    const error = await loadConfigFile(file, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as Error).message).toContain(`${file}:5:14`);
    expect((error as Error).message).toContain(
      'backends[0].headers: alias *b refers to a value that contains it',
    );
  });

  it('leaves ordinary aliases alone', () => {
    const result = parseConfigText(
      'x-headers: &h { A: "1" }\nbackends: [{ name: a, url: "http://127.0.0.1:1/mcp", headers: *h }]\n',
      {},
    );
    expect(result.ok).toBe(false); // x-headers is an unknown key, but the alias itself is fine
    if (!result.ok) expect(result.errors.map((e) => e.message)).toEqual(['unknown key']);
  });
});
