// RpcPeer, the JSON-RPC layer of every relayed call, over an in-memory BackendTransport that plays
// the backend: ids of our own, responses relayed from the backend's own text, timeouts, cancels
// (before and during a request), typed tags on the backend's mid-call messages, and failures.
import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { BackendTimeoutError, ConnectionClosedError } from '../../core/backends/errors.js';
import { CancelHandle, CancelledError, RAW_TEXT, relayJson, RpcPeer } from '../../core/backends/rpc-peer.js';
import type { BackendTransport, MessageContext, SendOptions } from '../../core/backends/transport.js';

/** A transport whose "backend" is the test: it records what was sent and answers on demand. */
class LoopTransport implements BackendTransport {
  readonly kind = 'streamable-http' as const;
  sent: { message: JSONRPCMessage; options: SendOptions | undefined }[] = [];
  aborted: Error[] = [];
  failNext: Error | undefined;
  onmessage?: (message: JSONRPCMessage, context: MessageContext) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;

  constructor(readonly perRequest: boolean) {}

  async start(): Promise<void> {}

  send(message: JSONRPCMessage, options?: SendOptions): Promise<void> {
    this.sent.push({ message, options });
    options?.onAbortable?.((reason) => this.aborted.push(reason));
    const fail = this.failNext;
    this.failNext = undefined;
    return fail ? Promise.reject(fail) : Promise.resolve();
  }

  /** The backend answers with this exact text. */
  reply(text: string, context: MessageContext = {}): void {
    this.onmessage?.(JSON.parse(text) as JSONRPCMessage, { ...context, raw: text });
  }

  async close(): Promise<void> {
    this.onclose?.();
  }

  lastRequest(): JSONRPCRequest {
    return [...this.sent].reverse().find((s) => 'method' in s.message && 'id' in s.message)!
      .message as JSONRPCRequest;
  }
}

describe('RpcPeer', () => {
  it('sends under its own id and resolves with the response, relayable from the backend text', async () => {
    const transport = new LoopTransport(true);
    const peer = new RpcPeer(transport);
    const pending = peer.request('tools/call', { name: 'echo' }, { timeoutMs: 5000 });
    const sent = transport.lastRequest();
    expect(sent).toEqual({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } });
    // Unusual spacing that re-serialization would lose: proves the relay used the backend's text.
    transport.reply('{"jsonrpc":"2.0","result":{"content":[],"x":1.50},"id":1}');
    const response = await pending;
    expect((response as { [RAW_TEXT]?: string })[RAW_TEXT]).toBeDefined();
    expect(relayJson(response, 'client-7')).toBe(
      '{"jsonrpc":"2.0","result":{"content":[],"x":1.50},"id":"client-7"}',
    );
    // Without raw text the response is serialized again, under the client's id.
    expect(relayJson({ jsonrpc: '2.0', id: 3, result: { a: 1 } }, 9)).toBe(
      '{"jsonrpc":"2.0","id":9,"result":{"a":1}}',
    );
  });

  it('fails a request the backend does not answer in time, and tells the backend', async () => {
    const transport = new LoopTransport(false);
    const peer = new RpcPeer(transport, {}, 'slowpoke');
    await expect(peer.request('tools/call', {}, { timeoutMs: 20 })).rejects.toBeInstanceOf(
      BackendTimeoutError,
    );
    expect(transport.sent.at(-1)!.message).toMatchObject({
      method: 'notifications/cancelled',
      params: { requestId: 1 },
    });
    // A late answer is ignored.
    transport.reply('{"jsonrpc":"2.0","id":1,"result":{}}');
  });

  it('times out each request at its own deadline with one timer for the peer', async () => {
    const transport = new LoopTransport(false);
    const peer = new RpcPeer(transport, {}, 'mixed');
    // Answered at once: the timer armed for it must not fire anything when its deadline comes.
    const quick = peer.request('tools/call', {}, { timeoutMs: 30 });
    transport.reply('{"jsonrpc":"2.0","id":1,"result":{"n":1}}');
    await expect(quick).resolves.toMatchObject({ result: { n: 1 } });
    // A long request first, then a short one: the short one's earlier deadline re-arms the timer.
    const long = peer.request('tools/call', {}, { timeoutMs: 60_000 });
    const short = peer.request('tools/call', {}, { timeoutMs: 40 });
    const outcome = await short.then(
      () => 'answered',
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(BackendTimeoutError);
    expect((outcome as Error).message).toContain('40 ms');
    // The long request is still waiting, and is answered normally.
    transport.reply('{"jsonrpc":"2.0","id":2,"result":{"n":2}}');
    await expect(long).resolves.toMatchObject({ result: { n: 2 } });
    // After the short one was due, a third with a short deadline still times out (timer re-armed).
    await expect(peer.request('tools/call', {}, { timeoutMs: 20 })).rejects.toBeInstanceOf(
      BackendTimeoutError,
    );
  });

  it('holds the process open only while a request waits (as a timer per request did)', async () => {
    const refedTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = refedTimers();
    const transport = new LoopTransport(false);
    const peer = new RpcPeer(transport);
    const first = peer.request('tools/call', {}, { timeoutMs: 60_000 });
    expect(refedTimers()).toBe(before + 1);
    transport.reply('{"jsonrpc":"2.0","id":1,"result":{}}');
    await first;
    expect(refedTimers()).toBe(before);
    // The next request (a later deadline: the timer is kept, not re-armed) holds it open again.
    const second = peer.request('tools/call', {}, { timeoutMs: 60_000 });
    expect(refedTimers()).toBe(before + 1);
    await peer.close();
    await expect(second).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(refedTimers()).toBe(before);
  });

  it('cancels through its handle: the caller gets CancelledError, the backend a cancel and an abort', async () => {
    const transport = new LoopTransport(true);
    const peer = new RpcPeer(transport);
    const handle = new CancelHandle();
    const pending = peer.request('tools/call', {}, { timeoutMs: 5000, cancel: handle });
    handle.cancel('user pressed stop');
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect(transport.sent.at(-1)!.message).toMatchObject({
      method: 'notifications/cancelled',
      params: { requestId: 1, reason: 'user pressed stop' },
    });
    expect(transport.aborted).toHaveLength(1);
    expect(handle.cancelled).toBe(true);
  });

  it('a request under a handle cancelled before it was sent fails at once and sends nothing', async () => {
    const transport = new LoopTransport(true);
    const peer = new RpcPeer(transport);
    const handle = new CancelHandle();
    handle.cancel();
    await expect(peer.request('tools/call', {}, { timeoutMs: 5000, cancel: handle })).rejects.toBeInstanceOf(
      CancelledError,
    );
    expect(transport.sent).toHaveLength(0);
  });

  it('hands back the typed tag of the request that caused a backend message', async () => {
    const transport = new LoopTransport(false);
    const seen: { kind: string; tag: { owner: string } | undefined }[] = [];
    const peer = new RpcPeer<{ owner: string }>(transport, {
      onRequest: (_request, tag) => seen.push({ kind: 'request', tag }),
      onNotification: (_notification, tag) => seen.push({ kind: 'notification', tag }),
    });
    const a = peer.request(
      'tools/call',
      { _meta: { progressToken: 'p-a' } },
      { timeoutMs: 5000, tag: { owner: 'a' } },
    );
    const b = peer.request('tools/call', {}, { timeoutMs: 5000, tag: { owner: 'b' } });
    transport.reply(
      '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"p-a","progress":1}}',
    );
    transport.reply('{"jsonrpc":"2.0","method":"notifications/message","params":{}}', {
      relatedRequestId: 2,
    });
    transport.reply('{"jsonrpc":"2.0","method":"notifications/message","params":{}}');
    expect(seen).toEqual([
      { kind: 'notification', tag: { owner: 'a' } },
      { kind: 'notification', tag: { owner: 'b' } },
      { kind: 'notification', tag: undefined },
    ]);
    transport.reply('{"jsonrpc":"2.0","id":1,"result":{}}');
    // With one call left on a shared channel, a backend request belongs to it.
    transport.reply('{"jsonrpc":"2.0","id":"s1","method":"sampling/createMessage","params":{}}');
    expect(seen.at(-1)).toEqual({ kind: 'request', tag: { owner: 'b' } });
    transport.reply('{"jsonrpc":"2.0","id":2,"result":{}}');
    await Promise.all([a, b]);
  });

  it('rejects a request whose send failed, and every pending one when the transport closes', async () => {
    const transport = new LoopTransport(true);
    const peer = new RpcPeer(transport, {}, 'gone');
    transport.failNext = new Error('socket hang up');
    await expect(peer.request('tools/call', {}, { timeoutMs: 5000 })).rejects.toThrow('socket hang up');
    const pending = peer.request('tools/call', {}, { timeoutMs: 5000 });
    await peer.close();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(peer.request('tools/call', {}, { timeoutMs: 5000 })).rejects.toBeInstanceOf(
      ConnectionClosedError,
    );
  });
});
