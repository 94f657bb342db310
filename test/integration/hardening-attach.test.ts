// Issue 10 item 1, container attach: what a stdio server in a container writes counts like every
// other byte from a backend — the per-message cap (`limits.backendResponse`, which discovered
// backends used to ignore: they had a fixed 100 MiB) and the process-wide budget
// (`limits.backendInFlight`), through the same LineFramer as stdio command backends. Against a real
// container under Podman: an over-cap answer fails its request at once and the server lives on; a
// flood of messages (some over the cap) leaves the budget where it was.
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectV2, startGateway, textOf, toolNames, type TestGateway } from '../helpers/gateway.js';
import {
  createContainer,
  FAST_DISCOVERY,
  hostileCommand,
  removeLeftovers,
  removeOwnContainers,
  requireTestEngine,
} from '../helpers/podman.js';
import { waitFor } from '../helpers/processes.js';

const engine = await requireTestEngine('container attach limits (test/integration/hardening-attach.test.ts)');

const GROUP = `sy-attach-${process.pid}`;
const MiB = 1024 * 1024;

describe.skipIf(!engine)('a stdio container sending too much', () => {
  const e = engine!;
  let gateway: TestGateway;
  let client: Client;

  beforeAll(async () => {
    await removeLeftovers(e);
    gateway = await startGateway(
      {
        discovery: { docker: { enabled: true, host: 'auto', group: GROUP } },
        limits: { backendResponse: '2MiB' },
      },
      { docker: FAST_DISCOVERY },
    );
    await createContainer(e, {
      name: `sy-hostile-${process.pid}`,
      labels: { 'mcp.enable': 'true', 'mcp.name': 'hostile', 'mcp.transport': 'stdio', 'mcp.group': GROUP },
      cmd: hostileCommand({}),
      openStdin: true,
    });
    client = await connectV2(gateway, { name: 'attach-limits' });
    await waitFor(async () => (await toolNames(client)).includes('big'), {
      timeoutMs: 45_000,
      intervalMs: 200,
      what: 'the container’s tool listed',
    });
  }, 90_000);

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await gateway?.stop();
    await removeOwnContainers(e);
  });

  const budget = () => gateway.app.inboundBudget;

  it('an answer over limits.backendResponse fails its request, and the server answers the next one', async () => {
    await expect(client.callTool({ name: 'big', arguments: { bytes: 4 * MiB } })).rejects.toThrow(
      /exceeded the 2097152-byte limit \(limits\.backendResponse\)/,
    );
    const small = await client.callTool({ name: 'big', arguments: { bytes: 10 } });
    expect(textOf(small)).toBe('x'.repeat(10));
    // Under the cap but large: relayed as its bytes (skimmed, the id rewritten by the multiplexer).
    const large = await client.callTool({ name: 'big', arguments: { bytes: 1.5 * MiB } });
    expect(textOf(large)).toBe('x'.repeat(1.5 * MiB));
    await waitFor(() => budget().inUse === 0, { what: 'the budget back to 0' });
  }, 60_000);

  it('a flood of messages, some over the cap, leaves the budget where it was', async () => {
    // 200 log lines of 256 KiB (50 MiB), then 8 of 3 MiB (dropped), each time before the answer.
    const first = await client.callTool(
      { name: 'big', arguments: { bytes: 10, flood: 200, lineBytes: 256 * 1024 } },
      { timeout: 60_000 },
    );
    expect(textOf(first)).toBe('x'.repeat(10));
    const second = await client.callTool(
      { name: 'big', arguments: { bytes: 20, flood: 8, lineBytes: 3 * MiB } },
      { timeout: 60_000 },
    );
    expect(textOf(second)).toBe('x'.repeat(20));
    await waitFor(() => budget().inUse === 0, { what: 'the budget back to 0 after the flood' });
    const backend = gateway.app.control.snapshotNow().backends.find((b) => b.name === 'hostile');
    expect(backend?.state).toBe('ready');
  }, 120_000);
});
