// Runs in its own process (node --expose-gc --import tsx): the engine in-process, so its heap can
// be measured around 1,000 idle legacy sessions, then restarted on the same data dir to time how
// long restoring a stored session takes on its first request. Prints one JSON line.
//
//   node --expose-gc --import tsx test/bench/lib/session-heap.ts <backend url> <sessions> <restores>
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp, type App } from '../../../core/app.js';
import { validateConfig } from '../../../core/config/load.js';
import { percentile } from './stats.js';
import { initializeRequest } from '../../helpers/http.js';

const [backendUrl, sessionsArg, restoresArg] = process.argv.slice(2);
const SESSIONS = Number(sessionsArg ?? 1000);
const RESTORES = Number(restoresArg ?? 200);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !backendUrl) {
  process.stderr.write(
    'usage: node --expose-gc --import tsx session-heap.ts <backend url> <sessions> <restores>\n',
  );
  process.exit(2);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function post(
  port: number,
  body: unknown,
  sessionId?: string,
): Promise<{ status: number; sessionId?: string; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': String(payload.length),
          ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const sid = res.headers['mcp-session-id'];
          resolve({
            status: res.statusCode ?? 0,
            text,
            ...(typeof sid === 'string' ? { sessionId: sid } : {}),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function settleHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage().heapUsed;
}

async function start(dataDir: string): Promise<{ app: App; port: number }> {
  const result = validateConfig({
    server: { port: 0 },
    auth: { token: 'off' },
    discovery: { docker: { enabled: false } },
    sessions: { max: SESSIONS * 2 },
    backends: [{ name: 'echo', url: backendUrl }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const app = buildApp(result.config, { dataDir, healthIntervalMs: 60_000 });
  const started = await app.start();
  for (let i = 0; i < 200 && app.aggregator.current.tools.length === 0; i++)
    await new Promise((r) => setTimeout(r, 50));
  return { app, port: started.port };
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-session-heap-'));
try {
  let { app, port } = await start(dataDir);
  const initialize = initializeRequest('bench');
  // Warm every code path once so lazily created state is not counted per session.
  const warm = await post(port, initialize);
  await post(port, { jsonrpc: '2.0', method: 'notifications/initialized' }, warm.sessionId);
  await post(
    port,
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'w' } } },
    warm.sessionId,
  );

  const before = await settleHeap();
  const ids: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const r = await post(port, initialize);
    ids.push(r.sessionId!);
    await post(port, { jsonrpc: '2.0', method: 'notifications/initialized' }, r.sessionId);
    await post(port, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, r.sessionId);
    // One call each, so every session also holds its own backend session (the realistic idle state).
    const call = await post(
      port,
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: `s${i}` } },
      },
      r.sessionId,
    );
    if (call.status !== 200) throw new Error(`call failed: ${call.status} ${call.text}`);
  }
  const after = await settleHeap();
  const perSessionBytes = (after - before) / SESSIONS;

  // Restart on the same data dir: each stored session is restored on its first request.
  await app.stop();
  ({ app, port } = await start(dataDir));
  const live = ids.slice(0, RESTORES);
  const restoreMs: number[] = [];
  for (const id of live) {
    const t0 = performance.now();
    const r = await post(port, { jsonrpc: '2.0', id: 9, method: 'ping' }, id);
    restoreMs.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`restore failed: HTTP ${r.status} ${r.text}`);
  }
  const liveMs: number[] = [];
  for (const id of live) {
    const t0 = performance.now();
    await post(port, { jsonrpc: '2.0', id: 10, method: 'ping' }, id);
    liveMs.push(performance.now() - t0);
  }
  await app.stop();
  restoreMs.sort((a, b) => a - b);
  liveMs.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      sessions: SESSIONS,
      perSessionBytes: Math.round(perSessionBytes),
      heapBeforeMB: +(before / 1048576).toFixed(1),
      heapAfterMB: +(after / 1048576).toFixed(1),
      restores: RESTORES,
      restoreP50: +percentile(restoreMs, 50).toFixed(3),
      restoreP99: +percentile(restoreMs, 99).toFixed(3),
      livePingP50: +percentile(liveMs, 50).toFixed(3),
    })}\n`,
  );
} finally {
  agent.destroy();
  await rm(dataDir, { recursive: true, force: true });
}
