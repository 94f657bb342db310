// Both protocol eras on both sides of the gateway: 2026-07-28 backends (HTTP and stdio, negotiated
// by `server/discover`), a modern backend's input_required bridged for a 2025-era client, and a
// 2026-07-28 client served statelessly (discover, calls, subscriptions/listen, header checks).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { specFromConfig } from '../../core/discovery/config-source.js';
import {
  authHeaders,
  connectV1,
  connectV2,
  startGateway,
  textOf,
  toolNames,
  type TestGateway,
} from '../helpers/gateway.js';
import { postMcp } from '../helpers/http.js';
import { fixtureCommand, startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

let modern: RunningServer;
let legacy: RunningServer;
let extra: RunningServer;
let gateway: TestGateway;

beforeAll(async () => {
  [modern, legacy, extra] = await Promise.all([
    startFixture({ name: 'modern', transport: 'modern-http', tools: ['echo', 'confirm', 'progress'] }),
    startFixture({ name: 'legacy', transport: 'legacy-http', tools: ['echo', 'whoami'] }),
    startFixture({ name: 'extra', transport: 'legacy-http', tools: ['late-tool'] }),
  ]);
  gateway = await startGateway({
    aggregation: { conflicts: 'prefix' },
    backends: [
      { name: 'modern', url: modern.url },
      { name: 'legacy', url: legacy.url },
      { name: 'dual', ...fixtureCommand({ name: 'dual', transport: 'stdio-dual', tools: ['echo'] }) },
    ],
  });
  await waitFor(() => gateway.app.control.snapshotNow().backends.every((b) => b.state === 'ready'), {
    what: 'backends ready',
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.allSettled([modern?.stop(), legacy?.stop(), extra?.stop()]);
});

async function connectModern(capabilities: Record<string, unknown> = {}): Promise<Client> {
  const client = new Client(
    { name: 'modern-client', version: '3.0.0' },
    { capabilities, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(gateway.url), {
      requestInit: { headers: authHeaders(gateway.token) },
    }),
  );
  return client;
}

describe('modern backends', () => {
  it('are negotiated with server/discover over HTTP and stdio', () => {
    const eras = Object.fromEntries(
      gateway.app.control.snapshotNow().backends.map((b) => [b.name, [b.era, b.protocolVersion]]),
    );
    expect(eras).toEqual({
      modern: ['modern', '2026-07-28'],
      legacy: ['legacy', '2025-11-25'],
      dual: ['modern', '2026-07-28'],
    });
  });

  it('serve a 2025-era client', async () => {
    const client = await connectV1(gateway);
    expect(textOf(await client.callTool({ name: 'modern__echo', arguments: { message: 'a' } }))).toBe(
      'modern: a',
    );
    expect(textOf(await client.callTool({ name: 'dual__echo', arguments: { message: 'b' } }))).toBe(
      'dual: b',
    );
    await client.close();
  });

  it('bridge input_required into an elicitation for a 2025-era client', async () => {
    const client = await connectV2(gateway, { capabilities: { elicitation: { form: {} } } });
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { ok: true } };
    });
    expect(textOf(await client.callTool({ name: 'modern__confirm', arguments: {} }))).toBe(
      'modern: confirmed',
    );
    expect(asked).toEqual(['Proceed?']);
    await client.close();
  });

  it('relay progress from a modern backend', async () => {
    const client = await connectV2(gateway);
    const seen: number[] = [];
    await client.callTool(
      { name: 'modern__progress', arguments: { steps: 2 } },
      { onprogress: (p: { progress: number }) => seen.push(p.progress) },
    );
    expect(seen).toEqual([1, 2]);
    await client.close();
  });
});

describe('a 2026-07-28 client', () => {
  it('connects by server/discover and calls backends of both eras', async () => {
    const client = await connectModern();
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getDiscoverResult()?.supportedVersions).toContain('2026-07-28');
    expect(await toolNames(client)).toEqual(
      [
        'dual__echo',
        'legacy__echo',
        'legacy__whoami',
        'modern__confirm',
        'modern__echo',
        'modern__progress',
      ].sort(),
    );
    expect(textOf(await client.callTool({ name: 'legacy__echo', arguments: { message: 'x' } }))).toBe(
      'legacy: x',
    );
    expect(textOf(await client.callTool({ name: 'modern__echo', arguments: { message: 'y' } }))).toBe(
      'modern: y',
    );
    const who = JSON.parse(textOf(await client.callTool({ name: 'legacy__whoami', arguments: {} }))) as {
      client: { name: string };
    };
    expect(who.client.name).toBe('modern-client');
    await client.close();
  });

  it('gets a modern backend’s input_required as is and completes it itself', async () => {
    const client = await connectModern({ elicitation: { form: {} } });
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { ok: true } }));
    expect(textOf(await client.callTool({ name: 'modern__confirm', arguments: {} }))).toBe(
      'modern: confirmed',
    );
    await client.close();
  });

  it('hears list changes on a subscriptions/listen stream', async () => {
    const client = await connectModern();
    let changed = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      changed++;
    });
    const subscription = await client.listen({ toolsListChanged: true });
    expect(subscription.honoredFilter).toEqual({ toolsListChanged: true });
    gateway.app.registry.upsert(
      specFromConfig({
        name: 'extra',
        url: extra.url,
        transport: 'streamable-http',
        headers: {},
        timeout: 30_000,
        enabled: true,
      }),
    );
    await waitFor(() => changed > 0, { what: 'list_changed on the listen stream' });
    expect(await toolNames(client)).toContain('extra__late-tool');
    await subscription.close();
    await client.close();
    await gateway.app.registry.remove('extra');
  });
});

describe('modern request validation', () => {
  const port = () => Number(new URL(gateway.url).port);
  const post = async (headers: Record<string, string>, body: unknown) => {
    const reply = await postMcp(port(), {
      headers: { ...authHeaders(gateway.token), ...headers },
      body: JSON.stringify(body),
    });
    return {
      status: reply.status,
      body: JSON.parse(reply.body || '{}') as { error?: { code: number; message: string; data?: unknown } },
    };
  };
  const envelope = (version = '2026-07-28') => ({
    'io.modelcontextprotocol/protocolVersion': version,
    'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': {},
  });

  it('400 HeaderMismatch when the mirrored headers disagree with the body', async () => {
    const body = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'modern__echo', arguments: { message: 'm' }, _meta: envelope() },
    };
    const wrongName = await post(
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'other' },
      body,
    );
    expect(wrongName.status).toBe(400);
    expect(wrongName.body.error?.code).toBe(-32020);
    const missing = await post({ 'mcp-protocol-version': '2026-07-28' }, body);
    expect(missing.status).toBe(400);
    expect(missing.body.error?.code).toBe(-32020);
    const ok = await post(
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'modern__echo' },
      body,
    );
    expect(ok.status).toBe(200);
  });

  it('400 UnsupportedProtocolVersion listing what the gateway speaks', async () => {
    const body = {
      jsonrpc: '2.0',
      id: 2,
      method: 'server/discover',
      params: { _meta: envelope('2031-01-01') },
    };
    const r = await post({ 'mcp-protocol-version': '2031-01-01', 'mcp-method': 'server/discover' }, body);
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe(-32022);
    expect((r.body.error?.data as { supported: string[] }).supported).toEqual(
      expect.arrayContaining(['2026-07-28', '2025-11-25']),
    );
  });

  it('404 Method not found for a method the gateway does not serve', async () => {
    const body = { jsonrpc: '2.0', id: 3, method: 'tasks/list', params: { _meta: envelope() } };
    const r = await post({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tasks/list' }, body);
    expect(r.status).toBe(404);
    expect(r.body.error?.code).toBe(-32601);
  });
});
