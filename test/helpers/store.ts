// Scratch data dirs for store tests: each test's directories and open stores are closed and
// removed after it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { Store } from '../../core/store/sqlite/store.js';

export function useStoreScratch(label: string): { tempDir(): string; stores: Store[] } {
  const dirs: string[] = [];
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    tempDir() {
      const dir = mkdtempSync(path.join(tmpdir(), `switchyard-${label}-`));
      dirs.push(dir);
      return dir;
    },
    stores,
  };
}
