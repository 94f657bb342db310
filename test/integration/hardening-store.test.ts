// Issue 10 items 10 and 11: files the user's only, secrets out of status, and a data dir that
// cannot be used refused at start with a reason (real SQLite files, real `switchyard serve`).
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile, open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/support/logger.js';
import { openStore } from '../../core/store/sqlite/store.js';
import { startGateway } from '../helpers/gateway.js';
import { CLI_MAIN } from '../helpers/cli.js';
import { NODE, ROOT } from '../helpers/processes.js';

const dirs: string[] = [];
const scratch = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sy-store-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const mode = async (file: string) => (await stat(file)).mode & 0o777;

/** Runs `switchyard serve` to its exit (or kills it after `ms`: a hang is a failure). */
function serveUntilExit(
  args: string[],
  options: { readOnly?: string; ms?: number } = {},
): Promise<{ code: number | null; hung: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.SWITCHYARD_TOKEN;
    const command = [NODE, '--import', 'tsx', CLI_MAIN, 'serve', '--port', '0', '--no-docker', ...args];
    // Root writes anywhere, even to a 0555 dir: `readOnly` mounts that dir read-only for this one
    // process (a private mount namespace), which is what a read-only data dir is to Switchyard.
    const [file, ...rest] = options.readOnly
      ? [
          'unshare',
          '-m',
          'sh',
          '-c',
          'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"',
          options.readOnly,
          ...command,
        ]
      : command;
    const child = spawn(file!, rest, { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, options.ms ?? 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, hung, stdout, stderr });
    });
  });
}

describe('files and the data dir (item 10)', () => {
  it('creates the database, its -wal and -shm, and the token 0600, and tightens an open data dir', async () => {
    const dataDir = path.join(await scratch(), 'data');
    await mkdir(dataDir, { mode: 0o755 });
    await chmod(dataDir, 0o755);
    const gateway = await startGateway({}, { dataDir });
    try {
      gateway.app.store!.settings.set('x', { enabled: false }, Date.now()); // make sure the WAL exists
      expect(await mode(dataDir)).toBe(0o700);
      for (const name of ['switchyard.db', 'switchyard.db-wal', 'switchyard.db-shm', 'token'])
        expect(await mode(path.join(dataDir, name)), name).toBe(0o600);
    } finally {
      await gateway.stop();
    }
  });

  it('keeps URL passwords, query values and ${env:} arguments out of status', async () => {
    process.env.SY_TEST_SECRET = 'hunter2-from-env';
    const gateway = await startGateway({
      backends: [
        { name: 'web', url: 'http://alice:pa55word@127.0.0.1:9/mcp?api_key=literal-secret&x=1' },
        { name: 'local', command: NODE, args: ['server.js', '--token', '${env:SY_TEST_SECRET}'] },
        { name: 'viaenv', url: 'http://127.0.0.1:9/mcp?key=${env:SY_TEST_SECRET}' },
      ],
    });
    try {
      const response = await fetch(new URL('/api/status', gateway.url), {
        headers: { authorization: `Bearer ${gateway.token}` },
      });
      const text = await response.text();
      for (const secret of ['pa55word', 'literal-secret', 'hunter2-from-env'])
        expect(text).not.toContain(secret);
      const targets = Object.fromEntries(
        (JSON.parse(text) as { backends: { name: string; target: string }[] }).backends.map((b) => [
          b.name,
          b.target,
        ]),
      );
      expect(targets.web).toBe('http://alice:***@127.0.0.1:9/mcp?api_key=***&x=***');
      expect(targets.local).toBe(`${NODE} server.js --token \${env:SY_TEST_SECRET}`);
      expect(targets.viaenv).toBe('http://127.0.0.1:9/mcp?key=***');
    } finally {
      await gateway.stop();
      delete process.env.SY_TEST_SECRET;
    }
  });
});

describe('a data dir that cannot be used (item 11)', () => {
  it('exits non-zero naming a damaged database, without hanging', async () => {
    const dataDir = await scratch();
    const store = openStore(dataDir);
    for (let i = 0; i < 200; i++) store.settings.set(`backend-${i}`, { enabled: i % 2 === 0 }, Date.now());
    await store.close();
    const file = path.join(dataDir, 'switchyard.db');
    const handle = await open(file, 'r+');
    const size = (await handle.stat()).size;
    await handle.write(Buffer.alloc(Math.min(size - 4096, 4096 * 6), 0xa5), 0, undefined, 4096); // header kept
    await handle.close();
    const run = await serveUntilExit(['--data-dir', dataDir]);
    expect(run.hung).toBe(false);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`${file} is damaged`);
  }, 40_000);

  it('refuses to start from a read-only data dir holding -wal and -shm', async () => {
    const dataDir = await scratch();
    const store = openStore(dataDir);
    store.settings.set('x', { enabled: false }, Date.now());
    // Leave the -wal and -shm behind, as a crash would, then make everything read-only for the user.
    const copy = await scratch();
    for (const name of ['switchyard.db', 'switchyard.db-wal', 'switchyard.db-shm', 'config.yaml', 'token']) {
      const from = path.join(dataDir, name);
      const data = await readFile(from).catch(() => undefined);
      if (data) await writeFile(path.join(copy, name), data, { mode: 0o644 });
    }
    await store.close();
    await writeFile(path.join(copy, 'config.yaml'), 'backends: []\n', { mode: 0o644 });
    await writeFile(path.join(copy, 'token'), 'sy_test\n', { mode: 0o644 });
    await chmod(copy, 0o755);
    const run = await serveUntilExit(['--data-dir', copy, '--config', path.join(copy, 'config.yaml')], {
      readOnly: copy,
    });
    expect(run.hung).toBe(false);
    expect(run.code).not.toBe(0);
    expect(run.stdout).not.toContain('listening');
    expect(run.stderr).toMatch(new RegExp(`data dir ${copy} is not writable|cannot be written`));
  }, 40_000);

  it('writes a new token over an empty token file, and says so', async () => {
    const dataDir = await scratch();
    await writeFile(path.join(dataDir, 'token'), '\n', { mode: 0o600 });
    let log = '';
    const logger = createLogger({
      level: 'info',
      stream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          log += chunk.toString();
          done();
        },
      }),
    });
    const gateway = await startGateway({}, { dataDir, logger });
    try {
      expect(log).toContain('the token file was empty: wrote a new token to it');
      expect(gateway.token).toMatch(/^sy_[\w-]{20,}$/);
      expect((await readFile(path.join(dataDir, 'token'), 'utf8')).trim()).toBe(gateway.token);
      const refused = await fetch(new URL('/api/status', gateway.url), {
        headers: { authorization: 'Bearer ' },
      });
      expect(refused.status).toBe(401);
    } finally {
      await gateway.stop();
    }
  });
});
