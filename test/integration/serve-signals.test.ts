// `switchyard serve` and signals, with real processes: SIGTERM after an SSE backend reconnected
// ends the process (it used to stay alive holding the new connection), and SIGHUP re-reads the
// config without stopping serve.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../common/control/snapshot.js';
import { spawnServe, type Served } from '../helpers/cli.js';
import { connectV1 } from '../helpers/gateway.js';
import { startEverything, stopProcess, waitFor, type RunningServer } from '../helpers/processes.js';

let sse: RunningServer;
let dir: string;
const served: Served[] = [];

beforeAll(async () => {
  sse = await startEverything('sse');
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-signals-'));
});

afterAll(async () => {
  for (const s of served) await stopProcess(s.child, 'SIGKILL');
  await sse?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function snapshot(s: Served): Promise<Snapshot> {
  const response = await fetch(new URL('/api/status', s.url));
  return (await response.json()) as Snapshot;
}

/** Resolves with how the process ended, or undefined if it is still alive after `ms`. */
function exited(
  child: ChildProcess,
  ms: number,
): Promise<{ code: number | null; signal: string | null } | undefined> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe('serve and signals', () => {
  it('exits on the first SIGTERM after an SSE backend has reconnected', async () => {
    const config = path.join(dir, 'sse.yaml');
    await writeFile(config, `backends:\n  - { name: legacy, url: "${sse.url}", transport: sse }\n`);
    const s = await spawnServe([
      '--config',
      config,
      '--data-dir',
      path.join(dir, 'data-sse'),
      '--port',
      '0',
      '--no-docker',
      '--no-auth',
    ]);
    served.push(s);
    const ready = async () =>
      (await snapshot(s)).backends.find((b) => b.name === 'legacy')?.state === 'ready';
    await waitFor(ready, { timeoutMs: 20_000, what: 'the SSE backend ready' });
    // A client session has its own link to the backend (SSE streams are per session).
    const client = await connectV1({ url: s.url, token: null } as never);
    const echo = (await client.listTools()).tools.find((t) => t.name.endsWith('echo'))!.name;
    await client.callTool({ name: echo, arguments: { message: 'before' } });
    // Down long enough for the gateway to retry (and fail) a few connections, then back.
    await stopProcess(sse.process, 'SIGKILL');
    await waitFor(async () => !(await ready()), { timeoutMs: 40_000, what: 'the SSE backend seen down' });
    // Each failed attempt meanwhile used to leave an EventSource retrying on its own.
    await new Promise((r) => setTimeout(r, 8000));
    await sse.restart();
    await waitFor(ready, { timeoutMs: 30_000, what: 'the SSE backend reconnected' });
    // The session's own link reconnects on its next call (the first may fail while it finds out).
    await waitFor(
      () =>
        client.callTool({ name: echo, arguments: { message: 'after' } }).then(
          (r) => !r.isError,
          () => false,
        ),
      { timeoutMs: 20_000, what: 'a call after the reconnect' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; serve's stderr ends: ${s.stderr().slice(-2000)}`);
    });
    // Time for such leftovers' own retry (every 3 s) to reach the backend again.
    await new Promise((r) => setTimeout(r, 4000));
    s.child.kill('SIGTERM');
    const end = await exited(s.child, 15_000);
    expect(end, `serve still alive after SIGTERM; stderr: ${s.stderr().slice(-800)}`).toEqual({
      code: 0,
      signal: null,
    });
    expect(s.stderr()).not.toMatch(/again: exiting now/);
  }, 90_000);
});
