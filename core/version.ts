// The package version and root, read once from the package.json above this file (from core/ and dist/).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackage(): { root: string; version: string } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'switchyard' && pkg.version) return { root: dir, version: pkg.version };
    }
    dir = path.dirname(dir);
  }
  return { root: process.cwd(), version: '0.0.0' };
}

const found = findPackage();
export const VERSION = found.version;
/** The folder holding package.json (and dist/ once built). */
export const PACKAGE_ROOT = found.root;
