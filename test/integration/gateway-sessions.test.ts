// Per-session isolation and routing of everything that is not a plain call: each client session has
// its own backend sessions; sampling, elicitation and roots go to the session whose call caused
// them; progress and log messages reach the caller; cancellation reaches the backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import { connectV1, connectV2, startGateway, textOf, type TestGateway } from '../helpers/gateway.js';
import { fixtureCommand, startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

let backend: RunningServer;
let gateway: TestGateway;

const TOOLS = ['echo', 'whoami', 'elicit', 'sample', 'roots', 'progress', 'log', 'slow', 'stats'];

beforeAll(async () => {
  backend = await startFixture({ name: 'rich', transport: 'legacy-http', tools: TOOLS });
  gateway = await startGateway({
    aggregation: { conflicts: 'prefix' },
    backends: [
      { name: 'rich', url: backend.url },
      {
        name: 'pipe',
        ...fixtureCommand({ name: 'pipe', transport: 'stdio', tools: ['whoami', 'elicit', 'slow', 'stats'] }),
      },
    ],
  });
  await waitFor(() => gateway.app.aggregator.current.tools.length === TOOLS.length + 4, { what: 'tools' });
});

afterAll(async () => {
  await gateway?.stop();
  await backend?.stop();
});

interface Who {
  server: string;
  client: { name: string; version: string } | null;
  sessionId: string | null;
  pid: number;
}

async function whoami(client: Client, tool = 'rich__whoami'): Promise<Who> {
  return JSON.parse(textOf(await client.callTool({ name: tool, arguments: {} }))) as Who;
}

describe('one backend session per client session', () => {
  it('never shares a backend session (or a stdio process) between two clients', async () => {
    const a = await connectV2(gateway, { name: 'client-a' });
    const b = await connectV2(gateway, { name: 'client-b' });
    const [wa, wb, wa2] = [await whoami(a), await whoami(b), await whoami(a)];
    expect(wa.sessionId).toBeTruthy();
    expect(wa.sessionId).not.toBe(wb.sessionId);
    expect(wa2.sessionId).toBe(wa.sessionId); // reused within the session
    // Each hop negotiates on its own, with the client's identity passed through.
    expect(wa.client?.name).toBe('client-a');
    expect(wb.client?.name).toBe('client-b');
    const [pa, pb] = [await whoami(a, 'pipe__whoami'), await whoami(b, 'pipe__whoami')];
    expect(pa.pid).not.toBe(pb.pid);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('server-to-client requests go to the session that caused them', () => {
  it('elicitation, over HTTP and over stdio', async () => {
    const asked: string[] = [];
    const a = await connectV2(gateway, { name: 'asker', capabilities: { elicitation: { form: {} } } });
    const b = await connectV2(gateway, { name: 'bystander', capabilities: { elicitation: { form: {} } } });
    a.setRequestHandler('elicitation/create', async () => {
      asked.push('a');
      return { action: 'accept', content: { name: 'Ada' } };
    });
    b.setRequestHandler('elicitation/create', async () => {
      asked.push('b');
      return { action: 'accept', content: { name: 'Bob' } };
    });
    expect(textOf(await a.callTool({ name: 'rich__elicit', arguments: {} }))).toBe(
      'rich: accept {"name":"Ada"}',
    );
    expect(textOf(await b.callTool({ name: 'pipe__elicit', arguments: {} }))).toBe(
      'pipe: accept {"name":"Bob"}',
    );
    expect(asked).toEqual(['a', 'b']);
    await Promise.all([a.close(), b.close()]);
  });

  it('sampling and roots', async () => {
    const client = await connectV2(gateway, { capabilities: { sampling: {}, roots: {} } });
    client.setRequestHandler('sampling/createMessage', async () => ({
      role: 'assistant',
      content: { type: 'text', text: 'hi there' },
      model: 'test-model',
    }));
    client.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }));
    expect(textOf(await client.callTool({ name: 'rich__sample', arguments: {} }))).toBe(
      'rich: sampled hi there',
    );
    expect(textOf(await client.callTool({ name: 'rich__roots', arguments: {} }))).toContain('file:///work');
    await client.close();
  });

  it('a client without the capability gets the backend’s own error, not a hang', async () => {
    const client = await connectV1(gateway);
    const result = await client.callTool({ name: 'rich__elicit', arguments: {} });
    expect(result.isError).toBe(true);
    await client.close();
  });
});

describe('notifications and cancellation', () => {
  it('relays progress to the caller', async () => {
    const client = await connectV2(gateway);
    const seen: number[] = [];
    const result = await client.callTool(
      { name: 'rich__progress', arguments: { steps: 3 } },
      { onprogress: (p: { progress: number }) => seen.push(p.progress) },
    );
    expect(textOf(result)).toBe('rich: 3 steps');
    expect(seen).toEqual([1, 2, 3]);
    await client.close();
  });

  it('forwards logging/setLevel and relays log messages', async () => {
    const client = await connectV2(gateway);
    const messages: unknown[] = [];
    client.setNotificationHandler('notifications/message', (n) => {
      messages.push(n.params.data);
    });
    await client.setLoggingLevel('info');
    await client.callTool({ name: 'rich__log', arguments: {} });
    await waitFor(() => messages.includes('hello from rich'), { what: 'log message' });
    await client.close();
  });

  it.each(['rich', 'pipe'])('a cancelled call is cancelled at the backend too (%s)', async (backend) => {
    const client = await connectV2(gateway);
    const stats = async () =>
      (
        JSON.parse(textOf(await client.callTool({ name: `${backend}__stats`, arguments: {} }))) as {
          cancelled: number;
        }
      ).cancelled;
    const before = await stats();
    const controller = new AbortController();
    const call = client.callTool(
      { name: `${backend}__slow`, arguments: { ms: 5000 } },
      { signal: controller.signal },
    );
    await new Promise((r) => setTimeout(r, 200));
    controller.abort('user pressed stop');
    await expect(call).rejects.toThrow();
    await waitFor(async () => (await stats()) > before, { what: 'backend saw the cancellation' });
    await client.close();
  });
});
