// Issue 10 item 1 (and the backend-body part of 14): every byte from a backend counts against a cap.
// A backend that floods its GET stream or its stdout with one giant message cannot kill `serve` or
// grow it without bound; an oversize answer fails the request it belongs to, and the backend stays
// usable; a body that is not JSON-RPC reads as such.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { spawnServe, type Served } from '../helpers/cli.js';
import { connectV2, startGateway, textOf, type TestGateway } from '../helpers/gateway.js';
import {
  hostileCommand,
  startHostile,
  stopProcess,
  waitFor,
  type RunningServer,
} from '../helpers/processes.js';

const MiB = 1024 * 1024;

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
}

describe('a backend sending a 600 MiB message', () => {
  let flood: RunningServer;
  let served: Served;
  let dir: string;

  beforeAll(async () => {
    flood = await startHostile({ getEventBytes: 600 * MiB });
    dir = await mkdtemp(path.join(os.tmpdir(), 'sy-inbound-'));
    const config = path.join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        server: { port: 0 },
        discovery: { docker: { enabled: false } },
        limits: { backendResponse: '16MiB' },
        backends: [
          { name: 'getflood', url: flood.url },
          { name: 'lineflood', ...hostileCommand({ hugeLineBytes: 600 * MiB, stderrBytes: 64 * MiB }) },
        ],
      }),
    );
    served = await spawnServe(['--config', config, '--data-dir', dir, '--no-auth', '--log-level', 'debug']);
  });

  afterAll(async () => {
    if (served) await stopProcess(served.child);
    await flood?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('drops it on the GET stream and on stdio; serve stays up with bounded memory', async () => {
    const exceeded = (backend: string) =>
      served
        .stderr()
        .split('\n')
        .some((line) => line.includes(backend) && line.includes('exceeded the 16777216-byte limit'));
    await waitFor(() => served.child.exitCode === null && exceeded('getflood') && exceeded('lineflood'), {
      timeoutMs: 60_000,
      what: `both floods refused (stderr: ${served.stderr().slice(-400)})`,
    });
    expect(served.child.exitCode).toBeNull();
    const health = await fetch(new URL('/healthz', served.url));
    expect(health.status).toBe(200);
    // Two 600 MiB messages (and 64 MiB of stderr on one line) went through a 16 MiB cap.
    expect(await peakRssMiB(served.child.pid!)).toBeLessThan(450);
    // The stdio server's framing survives: once its 600 MiB line is skipped it answers and is ready.
    await waitFor(
      async () => {
        const status = (await (await fetch(new URL('/api/status', served.url))).json()) as {
          backends: { name: string; state: string }[];
        };
        return status.backends.find((b) => b.name === 'lineflood')?.state === 'ready';
      },
      { timeoutMs: 60_000, what: 'lineflood ready after its flood' },
    );
    expect(served.child.exitCode).toBeNull();
  }, 90_000);
});

describe('oversize and malformed answers', () => {
  let gateway: TestGateway;
  let client: Client;
  let sse: RunningServer;
  let junk: RunningServer;

  beforeAll(async () => {
    [sse, junk] = await Promise.all([
      startHostile({ sseResults: true }),
      startHostile({ listBody: '[1,2,3]' }),
    ]);
    gateway = await startGateway({
      aggregation: { conflicts: 'prefix' },
      limits: { backendResponse: '1MiB' },
      backends: [
        { name: 'stdio', ...hostileCommand({}), timeout: '20s' },
        { name: 'sse', url: sse.url, timeout: '20s' },
        { name: 'junk', url: junk.url },
      ],
    });
    const state = (name: string) => gateway.app.control.snapshotNow().backends.find((b) => b.name === name);
    await waitFor(() => state('stdio')?.state === 'ready' && state('sse')?.state === 'ready', {
      what: 'backends ready',
    });
    client = await connectV2(gateway);
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.stop();
    await Promise.all([sse?.stop(), junk?.stop()]);
  });

  it('fails an oversize stdio answer at once with the limit named, and the process lives on', async () => {
    // The request it answered is named at the start of the line: it fails now, not at its timeout.
    await expect(client.callTool({ name: 'stdio__big', arguments: { bytes: 4 * MiB } })).rejects.toThrow(
      /exceeded the 1048576-byte limit/,
    );
    const small = await client.callTool({ name: 'stdio__big', arguments: { bytes: 10 } });
    expect(small.isError).toBeFalsy();
    expect(textOf(small)).toBe('x'.repeat(10));
  });

  it('fails an oversize SSE answer with the limit named', async () => {
    const big = await client.callTool({ name: 'sse__big', arguments: { bytes: 4 * MiB } });
    expect(big.isError).toBe(true);
    expect(textOf(big)).toMatch(/exceeded the 1048576-byte limit/);
    const small = await client.callTool({ name: 'sse__big', arguments: { bytes: 10 } });
    expect(textOf(small)).toBe('x'.repeat(10));
  });

  it('says a body of [1,2,3] is not JSON-RPC', async () => {
    await waitFor(
      () =>
        /not a JSON-RPC message: \[1,2,3\]/.test(
          gateway.app.control.snapshotNow().backends.find((b) => b.name === 'junk')?.lastError?.message ?? '',
        ),
      { what: 'junk backend error' },
    );
  });
});
