// Container discovery on a real engine (Podman here): how quickly a started container's tools
// reach a connected client, and how quickly a machine full of MCP containers is discovered.
//
// 1. Start → list_changed (issue target: ≤ 1.5 s beyond the server's own boot time). A
//    server-everything container (streamable HTTP, port published on 127.0.0.1) is created, then
//    started; at the same time this process polls the server directly (an `initialize` every 25 ms)
//    to time its own boot, and an MCP client connected to Switchyard waits for the
//    `tools/list_changed` after which the container's tools are listed. Overhead = list_changed −
//    direct first answer. Product timings (registry backoff 500 ms…, discovery defaults).
// 2. 50 backends discovered and advertised (issue target: ≤ 2 s). 50 SDK servers run in one
//    process on the host (test/bench/multi-fixture.ts: 50 Node processes would swamp 2 cores), and
//    50 containers (busybox sleep, host network) carry the labels pointing at them: to Switchyard
//    they are 50 independent container backends. Measured from Switchyard's start (engine search,
//    list, 50 inspects, 50 MCP handshakes and listings, aggregation) to the advertised set holding
//    every backend's tools.
// Without a container engine the module reports itself skipped (set one up with
// `sudo bash test/setup/podman.sh`).
import http from 'node:http';
import type { Client } from '@modelcontextprotocol/client';
import type Docker from 'dockerode';
import { DEFAULT_BACKOFF } from '../../core/support/backoff.js';
import { connectV2, startGateway, type TestGateway } from '../helpers/gateway.js';
import {
  createContainer,
  everythingCommand,
  findTestEngine,
  removeLeftovers,
  removeOwnContainers,
  SLEEP_COMMAND,
  type TestEngine,
} from '../helpers/podman.js';
import { freePort } from './lib/procs.js';
import { startMultiFixture } from './lib/servers.js';
import { median, round } from './lib/stats.js';
import type { BenchContext, BenchResult } from './types.js';
import { initializeRequest } from '../helpers/http.js';

const LIST_CHANGED_TARGET_MS = 1500;
const DISCOVERY_TARGET_MS = 2000;

/** One `initialize` straight to the server; true when it answers 200. */
function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const body = JSON.stringify(initializeRequest('probe'));
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        agent: false,
        timeout: 1000,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

async function until<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

async function startToListChanged(
  ctx: BenchContext,
  engine: TestEngine,
  runs: number,
): Promise<{ rows: Array<Record<string, string | number>>; overheads: number[] }> {
  const group = `sy-bench-${process.pid}-lc`;
  const gateway: TestGateway = await startGateway(
    { discovery: { docker: { enabled: true, host: 'auto', group } }, aggregation: { conflicts: 'prefix' } },
    { backoff: DEFAULT_BACKOFF, healthIntervalMs: 15_000, coalesceMs: 15, docker: {} },
  );
  const client: Client = await connectV2(gateway, { name: 'bench-discovery' });
  const notices: number[] = [];
  client.setNotificationHandler('notifications/tools/list_changed', () => {
    notices.push(performance.now());
  });
  const rows: Array<Record<string, string | number>> = [];
  const overheads: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const name = `lat-${i}`;
      const port = await freePort();
      const container: Docker.Container = await createContainer(engine, {
        labels: { 'mcp.enable': 'true', 'mcp.name': name, 'mcp.group': group },
        cmd: everythingCommand('streamableHttp'),
        env: { PORT: '3001' },
        publish: { containerPort: 3001, hostPort: port },
        start: false,
      });
      const seen = notices.length;
      const t0 = performance.now();
      await container.start();
      const started = performance.now();
      const boot = until(
        async () => ((await probe(port)) ? performance.now() : undefined),
        30_000,
        'server boot',
      );
      // The first list_changed after which the container's tools are listed.
      let checked = seen;
      const listed = until(
        async () => {
          while (checked < notices.length) {
            const at = notices[checked++]!;
            const tools = (await client.listTools()).tools.map((t) => t.name);
            if (tools.includes(`${name}__echo`)) return at;
          }
          return undefined;
        },
        30_000,
        'list_changed with the new tools',
      );
      const [tBoot, tList] = await Promise.all([boot, listed]);
      const overhead = tList - tBoot;
      overheads.push(overhead);
      rows.push({
        scenario: 'start → list_changed',
        run: i + 1,
        'start call ms': round(started - t0, 0),
        'server boot ms': round(tBoot - t0, 0),
        'list_changed ms': round(tList - t0, 0),
        'overhead ms': round(overhead, 0),
      });
      ctx.log(`run ${i + 1}: boot ${round(tBoot - t0, 0)} ms, list_changed ${round(tList - t0, 0)} ms`);
      const before = notices.length;
      await container.remove({ force: true });
      await until(() => (notices.length > before ? true : undefined), 15_000, 'list_changed after rm');
    }
  } finally {
    await client.close().catch(() => undefined);
    await gateway.stop();
  }
  return { rows, overheads };
}

async function discoverMany(
  ctx: BenchContext,
  engine: TestEngine,
  count: number,
  toolsEach: number,
): Promise<{ row: Record<string, string | number>; ms: number }> {
  const group = `sy-bench-${process.pid}-many`;
  const servers = await startMultiFixture(ctx.root, count, toolsEach);
  try {
    const ports = servers.urls.map((u) => Number(new URL(u).port));
    const made = performance.now();
    await mapLimit(ports, 6, (port, i) =>
      createContainer(engine, {
        labels: {
          'mcp.enable': 'true',
          'mcp.name': `b${String(i).padStart(2, '0')}`,
          'mcp.port': String(port),
          'mcp.group': group,
        },
        cmd: SLEEP_COMMAND,
        network: 'host',
      }),
    );
    ctx.log(`${count} labelled containers running (${round(performance.now() - made, 0)} ms to create)`);
    const t0 = performance.now();
    const gateway = await startGateway(
      { discovery: { docker: { enabled: true, host: 'auto', group } }, aggregation: { conflicts: 'prefix' } },
      { backoff: DEFAULT_BACKOFF, healthIntervalMs: 15_000, coalesceMs: 15, docker: {} },
    );
    try {
      const started = performance.now();
      const ready = await until(
        () =>
          gateway.app.aggregator.current.tools.length >= count * toolsEach ? performance.now() : undefined,
        60_000,
        `${count * toolsEach} tools advertised`,
      );
      const client = await connectV2(gateway, { name: 'bench-many' });
      const listed = (await client.listTools()).tools.length;
      await client.close();
      const ms = ready - t0;
      const backends = gateway.app.control.snapshotNow().backends.filter((b) => b.state === 'ready').length;
      return {
        ms,
        row: {
          scenario: `${count} container backends`,
          'gateway start ms': round(started - t0, 0),
          'all advertised ms': round(ms, 0),
          'backends ready': backends,
          'tools listed': listed,
        },
      };
    } finally {
      await gateway.stop();
    }
  } finally {
    await servers.stop();
  }
}

export default async function discoveryBench(ctx: BenchContext): Promise<BenchResult> {
  const { engine, reason } = await findTestEngine();
  if (!engine) {
    ctx.log(`SKIPPED: ${reason}`);
    return {
      name: 'discovery',
      rows: [],
      targets: [
        {
          metric: 'container start → list_changed, beyond server boot',
          target: `≤ ${LIST_CHANGED_TARGET_MS} ms`,
          value: 'skipped',
          pass: false,
        },
        {
          metric: '50 container backends discovered and advertised',
          target: `≤ ${DISCOVERY_TARGET_MS} ms`,
          value: 'skipped',
          pass: false,
        },
      ],
      notes: [`skipped: ${reason}; set the engine up with: sudo bash test/setup/podman.sh`],
    };
  }
  await removeLeftovers(engine);
  const runs = ctx.quick ? 2 : 5;
  const many = ctx.quick ? 10 : 50;
  try {
    const latency = await startToListChanged(ctx, engine, runs);
    const worst = Math.max(...latency.overheads);
    const discovery = await discoverMany(ctx, engine, many, 10);
    return {
      name: 'discovery',
      rows: [...latency.rows, discovery.row],
      targets: [
        {
          metric: 'container start → list_changed, beyond server boot (worst run)',
          target: `≤ ${LIST_CHANGED_TARGET_MS} ms`,
          value: round(worst, 0),
          pass: worst <= LIST_CHANGED_TARGET_MS,
        },
        {
          metric: `${many} container backends discovered and advertised`,
          target: `≤ ${DISCOVERY_TARGET_MS} ms`,
          value: round(discovery.ms, 0),
          pass: discovery.ms <= DISCOVERY_TARGET_MS,
        },
      ],
      notes: [
        `engine: ${engine.info.kind} ${engine.info.version} at ${engine.info.host}`,
        `start → list_changed: median overhead ${round(median(latency.overheads), 0)} ms over ${runs} runs (server-everything in a container, port published on 127.0.0.1)`,
        `${many} backends: ${many} SDK servers in one host process, ${many} busybox containers (host network) labelled to point at them; 10 tools each`,
        ...(ctx.quick ? ['--quick: 2 latency runs and 10 backends instead of 5 and 50'] : []),
      ],
    };
  } finally {
    await removeOwnContainers(engine);
  }
}
