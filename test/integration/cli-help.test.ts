// Every subcommand answers --help with its usage (it used to fail with "Unknown option '--help'",
// exit 2), and the README's words about /healthz are what /healthz answers.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnServe } from '../helpers/cli.js';
import { ROOT, stopProcess } from '../helpers/processes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-help-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('switchyard CMD --help', () => {
  it('prints the usage of every subcommand and exits 0', async () => {
    const commands = [
      'serve',
      'bridge',
      'status',
      'config',
      'audit',
      'connect',
      'disconnect',
      'clients',
      'logs',
    ];
    const results = await Promise.all(
      commands.map((c) => runCli([c, c === 'config' ? 'validate' : '--help', '--help'])),
    );
    results.forEach((r, i) => {
      expect(r.code, `${commands[i]}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage:\\n\\s+switchyard ${commands[i]}\\b`));
      expect(r.stderr).toBe('');
    });
    // -h too; and what follows `--` is never taken for our --help.
    const short = await runCli(['connect', '-h']);
    expect(short.code).toBe(0);
    expect(short.stdout).toContain('switchyard connect CLIENT');
    const passThrough = await runCli(['connect', 'nope', '--', '--help']);
    expect(passThrough.code).toBe(2);
  }, 120_000);
});

describe('README and /healthz', () => {
  it('say the same thing', async () => {
    const served = await spawnServe(['--port', '0', '--no-docker', '--data-dir', dir]);
    try {
      const body = await (await fetch(new URL('/healthz', served.url))).text();
      const readme = (await readFile(path.join(ROOT, 'README.md'), 'utf8')).replace(/\s+/g, ' ');
      expect(readme).toContain(`\`/healthz\` is open and answers only \`200 ${body}\``);
    } finally {
      await stopProcess(served.child);
    }
  }, 60_000);
});
