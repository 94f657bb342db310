// Every result the gateway gives a 2026-07-28 client passes the SDK v2 client's own result
// validation (its 2026 wire schemas: cacheable results need ttlMs and cacheScope, every result a
// resultType), whether the gateway answers itself (lists, discover, find_tools) or relays a
// 2025-era backend's result (resources/read, tools/call, prompts/get, completion/complete).
// Before the fix a relayed resources/read failed as in Mastra 2.0: "ttlMs expected number".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { authHeaders, startGateway, textOf, type TestGateway } from '../helpers/gateway.js';
import { startEverything, startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

let legacy: RunningServer;
let everything: RunningServer;
let modern: RunningServer;
let gateway: TestGateway;

beforeAll(async () => {
  [legacy, everything, modern] = await Promise.all([
    startFixture({
      name: 'legacy',
      transport: 'legacy-http',
      tools: ['echo'],
      prompts: ['greet'],
      resources: ['legacy://readme'],
      templates: ['legacy://items/{id}'],
    }),
    startEverything('streamableHttp'),
    startFixture({
      name: 'modern',
      transport: 'modern-http',
      tools: ['echo'],
      resources: ['modern://readme'],
    }),
  ]);
  gateway = await startGateway({
    aggregation: { conflicts: 'prefix' },
    backends: [
      { name: 'legacy', url: legacy.url },
      { name: 'everything', url: everything.url },
      { name: 'modern', url: modern.url },
    ],
    profiles: { search: { search: 'on' } },
  });
  await waitFor(() => gateway.app.control.snapshotNow().backends.every((b) => b.state === 'ready'), {
    what: 'backends ready',
  });
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.allSettled([legacy?.stop(), everything?.stop(), modern?.stop()]);
});

async function connectModern(path = ''): Promise<Client> {
  const client = new Client(
    { name: 'modern-results', version: '1.0.0' },
    { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(gateway.url + path), {
      requestInit: { headers: authHeaders(gateway.token) },
    }),
  );
  expect(client.getProtocolEra()).toBe('modern');
  return client;
}

describe('results for a 2026-07-28 client', () => {
  it('relayed resources/read from 2025-era backends carries ttlMs and cacheScope', async () => {
    const client = await connectModern();
    const read = await client.readResource({ uri: 'legacy://readme' });
    expect(read.contents[0]).toMatchObject({ uri: 'legacy://readme' });
    expect(read).toMatchObject({ ttlMs: 0, cacheScope: 'private' });
    const everythingUri = gateway.app.aggregator.current.resources.find(
      (r) => gateway.app.aggregator.current.resourceOwners.get(r.uri) === 'everything',
    )!.uri;
    expect((await client.readResource({ uri: everythingUri })).contents.length).toBeGreaterThan(0);
    expect(await client.readResource({ uri: 'legacy://items/7' })).toMatchObject({ ttlMs: 0 });
    // A modern backend's own cache hints are relayed as it gave them.
    const fromModern = await client.readResource({ uri: 'modern://readme' });
    expect(typeof fromModern.ttlMs).toBe('number');
    await client.close();
  });

  it("every list, discover, call, prompt and completion passes the client's validation", async () => {
    const client = await connectModern();
    expect(client.getDiscoverResult()?.supportedVersions).toContain('2026-07-28');
    const tools = await client.listTools();
    expect(tools.tools.length).toBeGreaterThan(3);
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toContain('legacy__greet');
    expect((await client.listResources()).resources.length).toBeGreaterThan(1);
    expect((await client.listResourceTemplates()).resourceTemplates.length).toBeGreaterThan(0);
    expect(textOf(await client.callTool({ name: 'legacy__echo', arguments: { message: 'x' } }))).toBe(
      'legacy: x',
    );
    const prompt = await client.getPrompt({ name: 'legacy__greet', arguments: {} });
    expect(prompt.messages.length).toBeGreaterThan(0);
    const completion = await client.complete({
      ref: { type: 'ref/resource', uri: 'legacy://items/{id}' },
      argument: { name: 'id', value: 'a' },
    });
    expect(completion.completion.values).toEqual(['alpha']);
    await client.close();
  });

  it("a search profile's own answers (find_tools, tool errors) pass it too", async () => {
    const client = await connectModern('/search');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['find_tools', 'call_tool']);
    const found = await client.callTool({ name: 'find_tools', arguments: { query: 'echo' } });
    expect(found.isError).not.toBe(true);
    const failed = await client.callTool({ name: 'call_tool', arguments: { name: 'nothing_here' } });
    expect(failed.isError).toBe(true);
    await client.close();
  });
});
