// Issue 10 item 4: caps that bind everyone. 2026-07-28 clients' pooled identities count against
// sessions.max like legacy sessions; a stdio backend runs at most limits.stdioProcesses processes,
// and the session that would need one more gets an error naming the limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { authHeaders, connectV2, startGateway, textOf, type TestGateway } from '../helpers/gateway.js';
import { fixtureCommand, startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

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
      { name: 'local', ...fixtureCommand({ name: 'local', transport: 'stdio', tools: ['echo'] }) },
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
    expect(textOf(await first.callTool({ name: 'local__echo', arguments: { message: 'a' } }))).toBe(
      'local: a',
    );
    const second = await connectV2(gateway);
    clients.push(second);
    const refused = await second.callTool({ name: 'local__echo', arguments: { message: 'b' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/already runs 2 processes, its limit \(limits\.stdioProcesses\)/);
  });
});
