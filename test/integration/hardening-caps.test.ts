// Issue 10 item 4: caps that bind everyone. 2026-07-28 clients' pooled identities count against
// sessions.max like legacy sessions; a stdio backend runs at most limits.stdioProcesses processes:
// at the cap, the least recently used session process idle for the grace period is reclaimed (its
// session gets a new one when it next calls), else the session that would need one more gets an
// error naming the limit. Ending a session (DELETE, eviction) stops its processes at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { authHeaders, connectV2, startGateway, textOf, type TestGateway } from '../helpers/gateway.js';
import { fixtureCommand, startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

/** The pid of the stdio process that answered (the fixture's whoami). */
async function pidOf(client: Client): Promise<number> {
  const answer = await client.callTool({ name: 'local__whoami', arguments: {} });
  expect(answer.isError).toBeFalsy();
  return (JSON.parse(textOf(answer)) as { pid: number }).pid;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const idleFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let legacy: RunningServer;
let gateway: TestGateway;
const clients: Client[] = [];

beforeAll(async () => {
  legacy = await startFixture({ name: 'web', transport: 'legacy-http', tools: ['echo'] });
  gateway = await startGateway({
    aggregation: { conflicts: 'prefix' },
    sessions: { max: 3 },
    limits: { stdioProcesses: 2 },
    backends: [
      { name: 'web', url: legacy.url },
      { name: 'local', ...fixtureCommand({ name: 'local', transport: 'stdio', tools: ['echo', 'whoami'] }) },
    ],
  });
  const ready = (name: string) =>
    gateway.app.control.snapshotNow().backends.find((b) => b.name === name)?.state === 'ready';
  await waitFor(() => ready('web') && ready('local'), { what: 'backends ready' });
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await gateway?.stop();
  await legacy?.stop();
});

async function connectModern(name: string): Promise<Client> {
  const client = new Client(
    { name, version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(gateway.url), {
      requestInit: { headers: authHeaders(gateway.token) },
    }),
  );
  clients.push(client);
  return client;
}

describe('caps that bind everyone', () => {
  it('counts 2026-07-28 client identities against sessions.max', async () => {
    for (let i = 0; i < 6; i++) {
      const client = await connectModern(`modern-${i}`);
      // A call to the legacy backend makes the gateway pool a backend session for this identity.
      expect(textOf(await client.callTool({ name: 'web__echo', arguments: { message: `m${i}` } }))).toBe(
        `web: m${i}`,
      );
    }
    expect(gateway.app.control.snapshotNow().sessions.length).toBeLessThanOrEqual(3);
  });

  it('refuses a stdio process beyond limits.stdioProcesses with an error naming it', async () => {
    // The gateway's own connection runs one process; the first session the second.
    const first = await connectV2(gateway);
    clients.push(first);
    const held = await pidOf(first);
    const second = await connectV2(gateway);
    clients.push(second);
    const refused = await second.callTool({ name: 'local__echo', arguments: { message: 'b' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/already runs 2 processes, its limit \(limits\.stdioProcesses\)/);
    // A DELETE of the session holding it stops that process at once: the next call gets one.
    await (first.transport as StreamableHTTPClientTransport).terminateSession();
    await waitFor(() => !running(held), { what: `process ${held} stopped after the DELETE` });
    expect(textOf(await second.callTool({ name: 'local__echo', arguments: { message: 'b' } }))).toBe(
      'local: b',
    );
  });
});

describe('at limits.stdioProcesses, idle sessions make room', () => {
  let gw: TestGateway;
  const own: Client[] = [];

  beforeAll(async () => {
    gw = await startGateway(
      {
        aggregation: { conflicts: 'prefix' },
        sessions: { max: 3 },
        limits: { stdioProcesses: 2 },
        backends: [
          {
            name: 'local',
            ...fixtureCommand({ name: 'local', transport: 'stdio', tools: ['whoami', 'slow'] }),
          },
        ],
      },
      { stdioReclaimGraceMs: 200 },
    );
    await waitFor(
      () => gw.app.control.snapshotNow().backends.find((b) => b.name === 'local')?.state === 'ready',
      { what: 'local ready' },
    );
  });

  afterAll(async () => {
    for (const client of own) await client.close().catch(() => undefined);
    await gw?.stop();
  });

  const connect = async () => {
    const client = await connectV2(gw);
    own.push(client);
    return client;
  };

  it('reclaims the least recently used idle process; its session transparently gets a new one', async () => {
    const a = await connect();
    const b = await connect();
    const pidA = await pidOf(a);
    await idleFor(400); // past the grace period
    const pidB = await pidOf(b); // the cap is full: a's idle process makes room
    expect(pidB).not.toBe(pidA);
    await waitFor(() => !running(pidA), { what: `a's process ${pidA} stopped` });
    await idleFor(400);
    const pidA2 = await pidOf(a); // a is served again, by a new process (b's idle one made room)
    expect(pidA2).not.toBe(pidA);
    expect(pidA2).not.toBe(pidB);
    await waitFor(() => !running(pidB), { what: `b's process ${pidB} stopped` });
    const log = gw.app.registry.get('local')?.history?.read();
    expect(JSON.stringify(log)).toMatch(/to make room for another \(limits\.stdioProcesses\)/);
  });

  it('never reclaims a process with a call in flight', async () => {
    const busy = await connect();
    const other = await connect();
    await idleFor(400); // the process the last test left is idle: busy's call may take its slot
    const slow = busy.callTool({ name: 'local__slow', arguments: { ms: 1500 } });
    await idleFor(500); // busy's call started long past the grace period, and is still running
    const refused = await other.callTool({ name: 'local__whoami', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/its limit \(limits\.stdioProcesses\), and none has been idle/);
    expect(textOf(await slow)).toBe('local: slept 1500');
  });

  it('an evicted session’s process stops at once', async () => {
    // sessions.max is 3: three new sessions evict the older ones, whose links close.
    const holder = await connect();
    await idleFor(300);
    const pid = await pidOf(holder);
    for (let i = 0; i < 3; i++) await connect();
    await waitFor(() => !running(pid), { what: `evicted session's process ${pid} stopped` });
  });
});
