// RSS of `switchyard serve` under the memory attacks of issue 10 (items 1 and 3): each scenario
// starts a hostile backend (test/fixtures/hostile-backend.ts) and a fresh `serve` (from source)
// pointed at it, runs the attack, and measures serve's RSS before, its peak (VmHWM) and after, and
// whether serve is still alive and answering /healthz. Used by test/bench/rss-attacks.ts (by hand)
// and test/bench/large-results.bench.ts (`npm run bench -- large`).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { NODE, ROOT, stopProcess, waitFor } from '../../helpers/processes.js';
import { spawnServe } from '../../helpers/cli.js';
import type { HostileSpec } from '../../fixtures/hostile-backend.js';

const HOSTILE = path.join(ROOT, 'test/fixtures/hostile-backend.ts');
const MiB = 1024 * 1024;

async function memory(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function startHostile(spec: HostileSpec): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(NODE, ['--import', 'tsx', HOSTILE, JSON.stringify(spec)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const port = await waitFor(() => /LISTENING (\d+)/.exec(out)?.[1], { what: 'hostile backend' });
  return { child, url: `http://127.0.0.1:${port}/mcp` };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/healthz', url));
    return res.ok;
  } catch {
    return false;
  }
}

export interface Figures {
  scenario: string;
  beforeMiB: number;
  peakMiB: number;
  afterMiB: number;
  alive: boolean;
  note: string;
}

/** The scenarios, by name. */
export const SCENARIOS = [
  'get-flood',
  'stdio-line',
  'big-result',
  'big-result-x4',
  'big-result-stdio',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export async function scenario(name: Scenario): Promise<Figures> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sy-rss-'));
  const children: ChildProcess[] = [];
  try {
    let backend: Record<string, unknown>;
    if (name === 'stdio-line' || name === 'big-result-stdio') {
      const spec: HostileSpec =
        name === 'stdio-line'
          ? { transport: 'stdio', hugeLineBytes: 600 * MiB }
          : { transport: 'stdio', resultBytes: 90 * 1000 * 1000 };
      backend = { name: 'hostile', command: NODE, args: ['--import', 'tsx', HOSTILE, JSON.stringify(spec)] };
    } else {
      const spec: HostileSpec =
        name === 'get-flood'
          ? { transport: 'http', getEventBytes: 600 * MiB }
          : { transport: 'http', resultBytes: 90 * 1000 * 1000 };
      const hostile = await startHostile(spec);
      children.push(hostile.child);
      backend = { name: 'hostile', url: hostile.url };
    }
    const config = path.join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({ server: { port: 0 }, discovery: { docker: { enabled: false } }, backends: [backend] }),
    );
    const served = await spawnServe(['--config', config, '--data-dir', dir, '--no-auth']);
    children.push(served.child);
    const pid = served.child.pid!;
    const exited = new Promise<number | null>((resolve) =>
      served.child.once('exit', (code) => resolve(code)),
    );
    await new Promise((r) => setTimeout(r, 1500));
    const before = await memory(pid);
    let note = '';
    if (name === 'get-flood' || name === 'stdio-line') {
      // The backend connects on its own (control connection); give the flood time to arrive.
      const deadline = Date.now() + 25_000;
      while (Date.now() < deadline && served.child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 500));
      }
    } else {
      const calls = name === 'big-result-x4' ? 4 : 1;
      const clients = await Promise.all(
        Array.from({ length: calls }, async () => {
          const client = new Client({ name: 'rss', version: '1' });
          await client.connect(new StreamableHTTPClientTransport(new URL(served.url)));
          return client;
        }),
      );
      const results = await Promise.allSettled(
        clients.map((c) => c.callTool({ name: 'big', arguments: {} }, { timeout: 120_000 })),
      );
      note = results
        .map((r) =>
          r.status === 'fulfilled'
            ? `ok ${JSON.stringify(r.value).length} B${(r.value as { isError?: boolean }).isError ? ' (isError)' : ''}`
            : `failed: ${String(r.reason).slice(0, 80)}`,
        )
        .join('; ');
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await new Promise((r) => setTimeout(r, 3000));
    }
    const alive = served.child.exitCode === null && (await healthy(served.url));
    const after = alive ? await memory(pid) : { rss: 0, hwm: 0 };
    const peak = alive ? after.hwm : 0;
    if (!alive)
      note += ` serve exited with ${await Promise.race([exited, Promise.resolve('?')])}: ${served.stderr().slice(-300)}`;
    return {
      scenario: name,
      beforeMiB: Math.round(before.rss / MiB),
      peakMiB: Math.round(peak / MiB),
      afterMiB: Math.round(after.rss / MiB),
      alive,
      note: note.trim(),
    };
  } finally {
    for (const child of children) await stopProcess(child, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}
