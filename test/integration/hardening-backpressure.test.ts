// Issue 10 item 2: a client that opens its GET stream and never reads, while a backend floods
// notifications, does not grow `serve` without bound: past a small queue, what the client can do
// without (log messages) is dropped, and a stream that stays stuck is closed.
import http from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServe, type Served } from '../helpers/cli.js';
import { startHostile, stopProcess, waitFor } from '../helpers/processes.js';
import { initializeRequest } from '../helpers/http.js';

const MiB = 1024 * 1024;

async function rssMiB(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)![1]) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function post(
  url: URL,
  body: unknown,
  session?: string,
): Promise<{ status: number; session?: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } : {}),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text,
          ...(typeof res.headers['mcp-session-id'] === 'string'
            ? { session: res.headers['mcp-session-id'] }
            : {}),
        }),
      );
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('a client that stops reading its GET stream', () => {
  let flood: Awaited<ReturnType<typeof startHostile>>;
  let served: Served;
  let dir: string;
  let stuck: http.ClientRequest | undefined;

  beforeAll(async () => {
    flood = await startHostile({ getFloodBytes: 400 * MiB });
    dir = await mkdtemp(path.join(os.tmpdir(), 'sy-backpressure-'));
    const config = path.join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        server: { port: 0 },
        discovery: { docker: { enabled: false } },
        backends: [{ name: 'flood', url: flood.url }],
      }),
    );
    served = await spawnServe(['--config', config, '--data-dir', dir, '--no-auth']);
  });

  afterAll(async () => {
    stuck?.destroy();
    if (served) await stopProcess(served.child);
    await flood?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps serve bounded while a backend floods it with notifications', async () => {
    const url = new URL(served.url);
    const init = await post(url, initializeRequest('stuck'));
    const session = init.session!;
    await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, session);
    // The GET stream, opened and then never read.
    await new Promise<void>((resolve) => {
      stuck = http.request(url, {
        method: 'GET',
        headers: {
          accept: 'text/event-stream',
          'mcp-session-id': session,
          'mcp-protocol-version': '2025-06-18',
        },
      });
      stuck.on('response', (res) => {
        res.pause();
        resolve();
      });
      stuck.on('error', () => undefined);
      stuck.end();
    });
    const before = await rssMiB(served.child.pid!);
    // A call opens this session's own backend session, whose GET stream the backend floods.
    const call = await post(
      url,
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'big', arguments: { bytes: 10 } } },
      session,
    );
    expect(call.status).toBe(200);
    await waitFor(() => (flood.output().match(/FLOODED/g) ?? []).length >= 2, {
      timeoutMs: 120_000,
      what: 'the backend to finish flooding both backend sessions',
    });
    const after = await rssMiB(served.child.pid!);
    process.stderr.write(
      `backpressure: serve RSS ${before.rss.toFixed(0)} MiB before, peak ${after.peak.toFixed(0)}, now ${after.rss.toFixed(0)}\n`,
    );
    expect(served.child.exitCode).toBeNull();
    // 400 MiB went to a client that read nothing; serve held on to almost none of it.
    expect(after.peak - before.rss).toBeLessThan(120);
  }, 180_000);
});
