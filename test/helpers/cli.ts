// The `switchyard` command as a child process, run from source (tsx), for tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NODE, ROOT, waitFor } from './processes.js';

export const CLI_MAIN = path.join(ROOT, 'core/cli/main.ts');
/** Node's arguments before the command: the source through tsx, or a built entry (`[file]`). */
const FROM_SOURCE = ['--import', 'tsx', CLI_MAIN];

/** Runs a command to completion. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  entry: string[] = FROM_SOURCE,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE, [...entry, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Served {
  child: ChildProcess;
  /** The MCP endpoint from the banner. */
  url: string;
  stdout: () => string;
  stderr: () => string;
}

/** Starts `switchyard serve …` and resolves once it prints its banner. An `undefined` in `env` unsets a variable. */
export async function spawnServe(
  args: string[],
  env: Record<string, string | undefined> = {},
  entry: string[] = FROM_SOURCE,
): Promise<Served> {
  const child = spawn(NODE, [...entry, 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await waitFor(() => /Switchyard listening on (\S+)/.exec(stdout)?.[1], {
    timeoutMs: 20_000,
    what: `serve banner (stderr: ${stderr.slice(-500)})`,
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr };
}

/**
 * A `switchyard serve` that a test stops and starts again: always the same port (so clients come
 * back to the same address), config file and data dir, with the control API as its token opens it.
 */
export class RestartableServe {
  constructor(private readonly options: { configFile: string; dataDir: string; port: number }) {}

  /** Starts it (resolves once it listens); the test stops the child itself. */
  async start(): Promise<ChildProcess> {
    const { configFile, dataDir, port } = this.options;
    const args = ['--config', configFile, '--port', String(port), '--data-dir', dataDir, '--no-docker'];
    return (await spawnServe(args)).child;
  }

  /** The token it keeps in its data dir. */
  async token(): Promise<string> {
    return (await readFile(path.join(this.options.dataDir, 'token'), 'utf8')).trim();
  }

  /** A control API call with the token; an HTTP error throws. */
  async api<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${this.options.port}${route}`, {
      method,
      headers: { authorization: `Bearer ${await this.token()}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!response.ok) throw new Error(`${method} ${route}: HTTP ${response.status}`);
    return (await response.json()) as T;
  }
}
