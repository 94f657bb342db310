// Our Streamable HTTP client transport (core/backends/http-transport.ts) under RpcPeer, against the
// SDK fixture (its POST answers are SSE streams): each response is read with an SSE reader the
// transport reuses once the previous response is over, so overlapping responses must each get
// their own and a reused one must carry nothing over (answers, progress and raw text stay with
// their own request).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamableHttpTransport } from '../../core/backends/http-transport.js';
import { RAW_TEXT, RpcPeer, type RpcResponse } from '../../core/backends/rpc-peer.js';
import { startFixture, type RunningServer } from '../helpers/processes.js';

let fx: RunningServer;
let peer: RpcPeer<string>;
const progress: Array<[string | undefined, unknown]> = [];

beforeAll(async () => {
  fx = await startFixture({ name: 'fx', transport: 'legacy-http', tools: ['echo', 'slow', 'progress'] });
  const transport = new StreamableHttpTransport({
    url: fx.url,
    maxResponseBytes: 1024 * 1024,
    backend: 'fx',
  });
  peer = new RpcPeer<string>(transport, {
    onNotification: (notification, tag) => progress.push([tag, notification.params?.progress]),
  });
  const init = await peer.request(
    'initialize',
    { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    { timeoutMs: 10_000 },
  );
  expect('result' in init).toBe(true);
  transport.setProtocolVersion('2025-06-18');
  await peer.notify('notifications/initialized');
}, 30_000);

afterAll(async () => {
  await peer?.close();
  await fx?.stop();
});

const textOf = (response: RpcResponse) =>
  'result' in response ? (response.result as { content: Array<{ text: string }> }).content[0]!.text : '';
const call = (name: string, args: Record<string, unknown>, tag: string, meta?: Record<string, unknown>) =>
  peer.request(
    'tools/call',
    { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
    { timeoutMs: 10_000, tag },
  );

describe('StreamableHttpTransport over SSE answers', () => {
  it('answers calls one after another (a reused reader) with their own text', async () => {
    for (let i = 0; i < 20; i++) {
      const response = await call('echo', { message: `m${i}` }, `t${i}`);
      expect(textOf(response)).toBe(`fx: m${i}`);
      // The backend's own text rides along for the relay, and it is this answer's.
      expect((response as { [RAW_TEXT]?: string })[RAW_TEXT]).toContain(`fx: m${i}`);
    }
  });

  it('keeps overlapping answers apart: a slow call, progress and quick calls in flight together', async () => {
    progress.length = 0;
    const slow = call('slow', { ms: 300 }, 'slow');
    const steps = call('progress', { steps: 3 }, 'steps', { progressToken: 'p1' });
    const quick = await Promise.all(
      Array.from({ length: 8 }, (_, i) => call('echo', { message: `q${i}` }, `q${i}`)),
    );
    expect(quick.map(textOf)).toEqual(Array.from({ length: 8 }, (_, i) => `fx: q${i}`));
    expect(textOf(await steps)).toBe('fx: 3 steps');
    expect(progress).toEqual([
      ['steps', 1],
      ['steps', 2],
      ['steps', 3],
    ]);
    expect(textOf(await slow)).toBe('fx: slept 300');
    // And the reader left idle afterwards still reads the next answer.
    expect(textOf(await call('echo', { message: 'after' }, 'after'))).toBe('fx: after');
  });
});
