// Restarting the gateway is invisible to connected clients: a real `switchyard serve` process is
// stopped and started again (SIGTERM, then SIGKILL at random moments), and SDK v1 and v2 clients
// carry on on the same session, with the same tool names and the decisions made before.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Snapshot } from '../../common/control/snapshot.js';
import { textOf } from '../helpers/gateway.js';
import { RestartableServe } from '../helpers/cli.js';
import {
  fixtureCommand,
  freePort,
  startFixture,
  stopProcess,
  waitFor,
  type RunningServer,
} from '../helpers/processes.js';

let dir: string;
let alpha: RunningServer;
let beta: RunningServer;
let port: number;
let configFile: string;

let engine: RestartableServe;
const serve = () => engine.start();

async function ready(): Promise<void> {
  await waitFor(
    async () => (await engine.api<Snapshot>('GET', '/api/status')).backends.every((b) => b.state === 'ready'),
    {
      what: 'backends ready',
    },
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-restart-'));
  [alpha, beta] = await Promise.all([
    startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo', 'whoami'] }),
    startFixture({ name: 'beta', transport: 'legacy-http', tools: ['echo', 'beta-only'] }),
  ]);
  port = await freePort();
  configFile = path.join(dir, 'config.yaml');
  engine = new RestartableServe({ configFile, dataDir: dir, port });
  const local = fixtureCommand({ name: 'local', transport: 'stdio', tools: ['local-echo'] });
  await writeFile(
    configFile,
    [
      'backends:',
      `  - { name: alpha, url: "${alpha.url}" }`,
      `  - { name: beta, url: "${beta.url}" }`,
      `  - { name: local, command: ${JSON.stringify(local.command)}, args: ${JSON.stringify(local.args)} }`,
    ].join('\n'),
  );
});

afterAll(async () => {
  await Promise.allSettled([alpha?.stop(), beta?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('restarting switchyard serve', () => {
  it('SDK v1 and v2 clients continue on the same session, names and decisions unchanged', async () => {
    let server = await serve();
    await ready();
    const headers = { authorization: `Bearer ${await engine.token()}` };
    const url = new URL(`http://127.0.0.1:${port}/mcp`);
    const v2Transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
    const v2 = new Client({ name: 'desktop-v2', version: '2.0.0' });
    await v2.connect(v2Transport);
    const v1Transport = new TransportV1(url, { requestInit: { headers } });
    const v1 = new ClientV1({ name: 'ide-v1', version: '1.0.0' });
    await v1.connect(v1Transport);
    try {
      const namesBefore = (await v2.listTools()).tools.map((t) => t.name).sort();
      expect(namesBefore).toEqual(['beta-only', 'beta__echo', 'echo', 'local-echo', 'whoami']);
      expect(textOf(await v1.callTool({ name: 'echo', arguments: { message: 'before' } }))).toBe(
        'alpha: before',
      );
      expect(textOf(await v2.callTool({ name: 'local-echo', arguments: {} }))).toBe('local/local-echo');
      const whoBefore = JSON.parse(textOf(await v2.callTool({ name: 'whoami', arguments: {} }))) as {
        sessionId: string;
      };
      // A decision made in the dashboard before the restart.
      await engine.api('POST', `/api/conflicts/${encodeURIComponent('tool:echo')}/decision`, {
        decision: { action: 'prefix' },
      });
      await waitFor(async () => (await v2.listTools()).tools.some((t) => t.name === 'alpha__echo'), {
        what: 'decision applied',
      });
      const namesDecided = (await v2.listTools()).tools.map((t) => t.name).sort();
      const sessions = [v2Transport.sessionId, v1Transport.sessionId];

      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      expect(server.exitCode).toBe(0);
      server = await serve();
      await ready();

      // Same sessions, no new initialize: the transports still hold the ids they were given.
      expect(textOf(await v1.callTool({ name: 'alpha__echo', arguments: { message: 'after' } }))).toBe(
        'alpha: after',
      );
      expect(textOf(await v2.callTool({ name: 'local-echo', arguments: {} }))).toBe('local/local-echo');
      expect([v2Transport.sessionId, v1Transport.sessionId]).toEqual(sessions);
      expect((await v2.listTools()).tools.map((t) => t.name).sort()).toEqual(namesDecided);
      expect((await v1.listTools()).tools.map((t) => t.name).sort()).toEqual(namesDecided);
      // The backend session itself was resumed (alpha kept running), not re-created.
      const whoAfter = JSON.parse(textOf(await v2.callTool({ name: 'whoami', arguments: {} }))) as {
        sessionId: string;
      };
      expect(whoAfter.sessionId).toBe(whoBefore.sessionId);
      const snapshot = await engine.api<Snapshot>('GET', '/api/status');
      expect(snapshot.conflicts.find((c) => c.id === 'tool:echo')).toMatchObject({
        resolvedBy: 'decision',
        decision: { action: 'prefix' },
      });
    } finally {
      await Promise.allSettled([v1.close(), v2.close()]);
      await stopProcess(server);
    }
  });

  it('survives SIGKILL at random moments: sessions restorable, decisions kept, database intact', async () => {
    const rounds = 4;
    const acknowledged: { sessionId: string; decision: string }[] = [];
    let callsAcknowledged = 0;
    let callsBeforeWindow = 0;
    for (let round = 0; round < rounds; round++) {
      const server = await serve();
      await ready();
      // Every session the client was told about so far is restorable.
      for (const { sessionId } of acknowledged) {
        const r = await fetch(`http://127.0.0.1:${port}/mcp`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${await engine.token()}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-session-id': sessionId,
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        });
        expect(r.status, `session ${sessionId} after a SIGKILL`).toBe(200);
      }
      // Every acknowledged decision is there.
      const conflicts = (await engine.api<Snapshot>('GET', '/api/status')).conflicts;
      const decided = conflicts.find((c) => c.id === 'tool:echo');
      if (acknowledged.length) expect(decided?.decision?.action).toBe(acknowledged.at(-1)!.decision);

      const client = new Client({ name: `round-${round}`, version: '1' });
      const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${await engine.token()}` } },
      });
      await client.connect(transport);
      const decision = round % 2 === 0 ? { action: 'winner', backend: 'beta' } : { action: 'prefix' };
      await engine.api('POST', `/api/conflicts/${encodeURIComponent('tool:echo')}/decision`, { decision });
      acknowledged.push({ sessionId: transport.sessionId!, decision: decision.action });
      // Load until a random moment, then SIGKILL.
      const killAt = Date.now() + 2000 + Math.floor(Math.random() * 1500);
      let stop = false;
      const load = (async () => {
        while (!stop) {
          const ok = await client.callTool({ name: 'beta-only', arguments: {} }).then(
            () => true,
            () => false,
          );
          if (ok) {
            callsAcknowledged++;
            if (Date.now() < killAt - 1500) callsBeforeWindow++;
          }
        }
      })();
      await new Promise((r) => setTimeout(r, killAt - Date.now()));
      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));
      stop = true;
      await load;
      await client.close().catch(() => undefined);
    }
    const db = new Database(path.join(dir, 'switchyard.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const audited = db
        .prepare("SELECT count(*) FROM audit WHERE method = 'tools/call' AND name = 'beta-only'")
        .pluck()
        .get() as number;
      // Audit rows are written in batches off the request path: a SIGKILL can lose the last batch
      // window (≈250 ms), so every call acknowledged more than 1.5 s before a kill is on record.
      expect(callsBeforeWindow).toBeGreaterThan(0);
      expect(audited).toBeGreaterThanOrEqual(callsBeforeWindow);
      expect(audited).toBeLessThanOrEqual(callsAcknowledged);
      // Durations come from the monotonic clock at microsecond precision: a relayed call is well
      // under a millisecond on loopback, and must not be recorded as 0.
      const durations = db
        .prepare("SELECT duration_ms FROM audit WHERE method = 'tools/call' AND outcome = 'ok'")
        .pluck()
        .all() as number[];
      expect(Math.min(...durations)).toBeGreaterThan(0);
      expect(durations.some((d) => !Number.isInteger(d))).toBe(true);
    } finally {
      db.close();
    }
  }, 120_000);
});
