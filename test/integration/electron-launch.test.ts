// `npm start` on a machine without an Electron binary and without a display (this one, and CI):
// one line says why, then the headless engine runs and prints the dashboard URL; SIGTERM stops it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE, ROOT, waitFor } from '../helpers/processes.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('npm start without Electron', () => {
  it('falls back to headless in one line and prints the dashboard URL', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-launch-'));
    dirs.push(dataDir);
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    delete env.SWITCHYARD_TOKEN;
    delete env.SWITCHYARD_CONFIG;
    const child = spawn(
      NODE,
      ['--import', 'tsx', 'electron/launch.ts', '--port', '0', '--data-dir', dataDir, '--no-docker'],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const dashboard = await waitFor(
        // A one-time login link: the token itself is never printed.
        () => /^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/login\?code=\S+) /m.exec(stdout)?.[1],
        {
          what: `the dashboard URL (stdout: ${stdout}, stderr: ${stderr})`,
          timeoutMs: 30_000,
        },
      );
      const lines = stdout.split('\n');
      expect(lines[0]).toMatch(
        /^Electron binary not installed \(.+\), and no display \(DISPLAY and WAYLAND_DISPLAY are unset\); running headless — the dashboard URL follows \(open it in a browser\)\.$/,
      );
      expect(lines[1]).toMatch(/^Switchyard listening on http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      // The dashboard is served there (or says how to build it, in a checkout that was not built).
      expect(stdout).not.toContain('token=');
      const page = await fetch(new URL('/', dashboard));
      expect(await page.text()).toMatch(/<html|The dashboard is not built/i);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
