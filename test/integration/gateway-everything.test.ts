// The reference server, server-everything, behind the gateway over all three transports at once
// (Streamable HTTP, legacy SSE, stdio), used by a 2025-era SDK v1 client and an SDK v2 client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/client';
import type { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import {
  connectV1,
  connectV2,
  startGateway,
  textOf,
  toolNames,
  type TestGateway,
} from '../helpers/gateway.js';
import { everythingStdio, startEverything, waitFor, type RunningServer } from '../helpers/processes.js';

let http: RunningServer;
let sse: RunningServer;
let gateway: TestGateway;
let v2: Client;
let v1: ClientV1;

beforeAll(async () => {
  [http, sse] = await Promise.all([startEverything('streamableHttp'), startEverything('sse')]);
  gateway = await startGateway({
    auth: { token: 'auto' },
    backends: [
      { name: 'everything', url: http.url },
      { name: 'legacy', url: sse.url, transport: 'sse' },
      { name: 'local', ...everythingStdio },
    ],
  });
  await waitFor(() => gateway.app.control.snapshotNow().backends.every((b) => b.state === 'ready'), {
    what: 'all three backends ready',
  });
  [v2, v1] = await Promise.all([connectV2(gateway), connectV1(gateway)]);
});

afterAll(async () => {
  await Promise.allSettled([v2?.close(), v1?.close()]);
  await gateway?.stop();
  await Promise.allSettled([http?.stop(), sse?.stop()]);
});

describe('server-everything over streamable-http, sse and stdio', () => {
  it('reports each backend ready with its era and transport', () => {
    const backends = gateway.app.control.snapshotNow().backends;
    expect(backends.map((b) => [b.name, b.transport, b.state, b.era])).toEqual([
      ['everything', 'streamable-http', 'ready', 'legacy'],
      ['legacy', 'sse', 'ready', 'legacy'],
      ['local', 'stdio', 'ready', 'legacy'],
    ]);
    for (const b of backends) expect(b.counts.tools).toBeGreaterThan(5);
  });

  it('keeps the first backend’s names and prefixes the later colliding ones (auto)', async () => {
    const names = await toolNames(v2);
    expect(names).toContain('echo');
    expect(names).toContain('legacy__echo');
    expect(names).toContain('local__echo');
    expect(names.every((n) => /^[A-Za-z0-9_-]{1,64}$/.test(n))).toBe(true);
    expect(await toolNames(v1)).toEqual(names);
    const conflict = gateway.app.control.snapshotNow().conflicts.find((c) => c.id === 'tool:echo');
    expect(conflict?.open).toBe(true);
    expect(conflict?.candidates.map((c) => [c.backend, c.advertisedAs])).toEqual([
      ['everything', 'echo'],
      ['legacy', 'legacy__echo'],
      ['local', 'local__echo'],
    ]);
  });

  it('routes tools/call to each transport with the original name (v2 and v1 clients)', async () => {
    for (const name of ['echo', 'legacy__echo', 'local__echo']) {
      expect(textOf(await v2.callTool({ name, arguments: { message: `v2 ${name}` } }))).toBe(
        `Echo: v2 ${name}`,
      );
      expect(textOf(await v1.callTool({ name, arguments: { message: `v1 ${name}` } }))).toBe(
        `Echo: v1 ${name}`,
      );
    }
    const sum = await v2.callTool({ name: 'local__get-sum', arguments: { a: 2, b: 40 } });
    expect(textOf(sum)).toContain('42');
  });

  it('relays structured content and images untouched', async () => {
    const image = await v1.callTool({ name: 'get-tiny-image', arguments: {} });
    const content = image.content as { type: string; data?: string; mimeType?: string }[];
    expect(
      content.some((c) => c.type === 'image' && c.mimeType === 'image/png' && (c.data?.length ?? 0) > 50),
    ).toBe(true);
    const structured = await v2.callTool({
      name: 'get-structured-content',
      arguments: { location: 'New York' },
    });
    expect(structured.structuredContent).toBeTruthy();
  });

  it('lists and gets prompts, with colliding prompt names prefixed too', async () => {
    const prompts = (await v2.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toEqual(
      expect.arrayContaining(['simple-prompt', 'legacy__simple-prompt', 'local__simple-prompt']),
    );
    const got = await v1.getPrompt({ name: 'local__args-prompt', arguments: { city: 'Paris' } });
    expect(JSON.stringify(got.messages)).toContain('Paris');
  });

  it('lists and reads resources and resource templates', async () => {
    const resources = (await v2.listResources()).resources;
    expect(resources.length).toBeGreaterThan(0);
    const first = resources[0]!;
    const read = await v2.readResource({ uri: first.uri });
    expect(read.contents[0]?.uri).toBe(first.uri);
    const templates = (await v1.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    expect(templates).toContain('demo://resource/dynamic/text/{resourceId}');
    const dynamic = await v1.readResource({ uri: 'demo://resource/dynamic/text/7' });
    expect(JSON.stringify(dynamic.contents)).toContain('7');
    await expect(v2.readResource({ uri: 'nowhere://nothing' })).rejects.toThrow(/not found/i);
  });

  it('routes completion/complete to the prompt’s backend', async () => {
    const completion = await v2.complete({
      ref: { type: 'ref/prompt', name: 'legacy__completable-prompt' },
      argument: { name: 'department', value: 'Eng' },
    });
    expect(completion.completion.values).toEqual(['Engineering']);
  });

  it('answers an unknown tool with a JSON-RPC error naming it', async () => {
    await expect(v2.callTool({ name: 'no-such-tool', arguments: {} })).rejects.toThrow(
      /Unknown tool: no-such-tool/,
    );
  });

  it('answers ping itself', async () => {
    await expect(v1.ping()).resolves.toBeDefined();
  });
});
