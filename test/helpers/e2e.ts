// Chromium for end-to-end tests (Debian's /usr/bin/chromium through playwright-core) and the built
// dashboard it loads.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './processes.js';

export const CHROMIUM = process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
export const haveChromium = existsSync(CHROMIUM);

/** Newest modification time of the files under `dir` (ms). */
async function newestIn(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** Builds dist/renderer as `npm run build` does (npm test does not build), unless it is up to date. */
export async function buildRenderer(): Promise<void> {
  const built = await stat(path.join(ROOT, 'dist/renderer/index.html')).catch(() => undefined);
  const sources = Math.max(
    await newestIn(path.join(ROOT, 'renderer')),
    await newestIn(path.join(ROOT, 'common')),
  );
  if (built && built.mtimeMs > sources) return;
  const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
  const child = spawn(
    process.execPath,
    [vite, 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`vite build failed (${code}):\n${output}`);
}
