// The dispatcher on a real backend (the SDK fixture over Streamable HTTP) and the real advertised
// set: relaying a call under the client's id with names mapped back, lists straight from the
// pre-serialized set, refusals, cancellation, and one audit event per request with byte counts in
// bytes. Plus the endpoint's own wiring: its aggregator subscription ends with it, and a refused
// modern request is on the record as modern.
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../common/domain/audit.js';
import type { AuditSink } from '../../../core/domain/audit.js';
import { systemClock } from '../../../core/domain/runtime.js';
import { ClientSession } from '../../../core/gateway/client-session.js';
import { Dispatcher } from '../../../core/gateway/dispatch.js';
import { GatewayView, PAUSED_MESSAGE } from '../../../core/gateway/gateway-view.js';
import { classify } from '../../../core/gateway/inbound.js';
import { McpEndpoint } from '../../../core/gateway/mcp-endpoint.js';
import type { Responder } from '../../../core/gateway/responder.js';
import { silentLogger } from '../../../core/support/logger.js';
import { authHeaders, startGateway, type TestGateway } from '../../helpers/gateway.js';
import { startFixture, waitFor, type RunningServer } from '../../helpers/processes.js';

/** Collects what the dispatcher answers. */
class RecordingResponder implements Responder {
  json: string | undefined;
  accepted = false;
  sent: (JSONRPCMessage | string)[] = [];
  private readonly closeHandlers: (() => void)[] = [];
  get isOpen(): boolean {
    return this.json === undefined && !this.accepted;
  }
  send(message: JSONRPCMessage | string): boolean {
    this.sent.push(message);
    return true;
  }
  respond(json: string): number {
    this.json = json;
    return Buffer.byteLength(json);
  }
  /** The pre-encoded body the last answer was written with (lists). */
  body: Buffer | undefined;
  respondParts(head: string, body: Buffer, tail: string): number {
    this.body = body;
    return this.respond(`${head}${body.toString()}${tail}`);
  }
  accept(): void {
    this.accepted = true;
  }
  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }
}

class RecordingAudit implements AuditSink {
  readonly events: AuditEvent[] = [];
  readonly wantsPayloads = false;
  record(event: AuditEvent): void {
    this.events.push(event);
  }
}

let backend: RunningServer;
let gateway: TestGateway;
let audit: RecordingAudit;
let dispatcher: Dispatcher;

function session(era: 'legacy' | 'modern' = 'legacy'): ClientSession {
  return new ClientSession(
    `test-${era}-${Math.random()}`,
    { clientInfo: { name: 'unit', version: '1' }, capabilities: {} },
    era === 'modern' ? '2026-07-28' : '2025-06-18',
    Date.now(),
    gateway.app.registry,
    (s) => dispatcher.handlersFor(s),
    era,
  );
}

async function ask(s: ClientSession, message: Record<string, unknown>): Promise<RecordingResponder> {
  const responder = new RecordingResponder();
  const json = JSON.stringify({ jsonrpc: '2.0', ...message });
  const inbound = classify(JSON.parse(json) as JSONRPCMessage, undefined, false, Buffer.byteLength(json));
  await dispatcher.request(s, inbound, responder);
  return responder;
}

beforeAll(async () => {
  backend = await startFixture({ name: 'solo', transport: 'legacy-http', tools: ['echo', 'slow'] });
  gateway = await startGateway({ backends: [{ name: 'solo', url: backend.url }] });
  await waitFor(() => gateway.app.aggregator.current.toolRoutes.size === 2, { what: 'tools advertised' });
  audit = new RecordingAudit();
  dispatcher = new Dispatcher({
    view: gateway.app.aggregator,
    aggregator: gateway.app.aggregator,
    registry: gateway.app.registry,
    clock: systemClock,
    logger: silentLogger,
    audit,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await backend?.stop();
});

describe('Dispatcher', () => {
  it('relays a call under the client’s id and audits it once, in bytes', async () => {
    const s = session();
    const message = 'grüße ✓'; // multi-byte: characters ≠ bytes
    const responder = await ask(s, {
      id: 'c-1',
      method: 'tools/call',
      params: { name: 'echo', arguments: { message } },
    });
    const answer = JSON.parse(responder.json!) as { id: string; result: { content: { text: string }[] } };
    expect(answer.id).toBe('c-1');
    expect(answer.result.content[0]!.text).toBe(`solo: ${message}`);
    const event = audit.events.at(-1)!;
    expect(event).toMatchObject({
      method: 'tools/call',
      name: 'echo',
      backend: 'solo',
      originalName: 'echo',
      outcome: 'ok',
      era: 'legacy',
      sessionId: s.id,
    });
    expect(event.responseBytes).toBe(Buffer.byteLength(responder.json!));
    expect(event.responseBytes).toBeGreaterThan(responder.json!.length);
    expect(s.calls).toBe(1);
    await s.close();
  });

  it('answers lists from the pre-serialized set, with the modern fields for a modern client', async () => {
    const serialized = gateway.app.aggregator.current.serialized.tools;
    const legacy = await ask(session(), { id: 1, method: 'tools/list' });
    expect(legacy.json).toBe(`{"jsonrpc":"2.0","id":1,"result":${serialized}}`);
    const modern = await ask(session('modern'), { id: 2, method: 'tools/list' });
    const result = (JSON.parse(modern.json!) as { result: Record<string, unknown> }).result;
    expect(result).toMatchObject({ resultType: 'complete', ttlMs: 0, cacheScope: 'private' });
    expect((result.tools as unknown[]).length).toBe(2);
    // Encoded once per set and era: the next list writes the very same bytes, and audits them in bytes.
    const again = await ask(session(), { id: 'é', method: 'tools/list' });
    expect(again.body).toBe(legacy.body);
    expect(again.json).toBe(`{"jsonrpc":"2.0","id":"é","result":${serialized}}`);
    expect(audit.events.at(-1)!.responseBytes).toBe(Buffer.byteLength(again.json!));
    expect((await ask(session('modern'), { id: 3, method: 'tools/list' })).body).toBe(modern.body);
  });

  it('refuses an unknown tool and an unknown method, on the record', async () => {
    const unknown = await ask(session(), { id: 3, method: 'tools/call', params: { name: 'nope' } });
    expect(JSON.parse(unknown.json!)).toMatchObject({
      id: 3,
      error: { code: -32602, message: 'Unknown tool: nope' },
    });
    expect(audit.events.at(-1)).toMatchObject({ outcome: 'protocol_error', errorCode: -32602, name: 'nope' });
    const method = await ask(session(), { id: 4, method: 'sampling/createMessage', params: {} });
    expect(JSON.parse(method.json!)).toMatchObject({ error: { code: -32601 } });
  });

  it('a call the client cancels gets no response and is audited as cancelled', async () => {
    const s = session();
    const pending = ask(s, {
      id: 'slow-1',
      method: 'tools/call',
      params: { name: 'slow', arguments: { ms: 10_000 } },
    });
    await waitFor(() => s.link('solo')?.sessionId !== undefined, { what: 'backend session open' });
    // Cancelling twice (or an id not in flight) is harmless.
    await new Promise((r) => setTimeout(r, 100));
    dispatcher.notification(
      s,
      classify(
        { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'slow-1' } },
        'x',
        false,
        0,
      ),
    );
    const responder = await pending;
    expect(responder.accepted).toBe(true);
    expect(responder.json).toBeUndefined();
    expect(audit.events.at(-1)).toMatchObject({ outcome: 'cancelled', name: 'slow', responseBytes: 0 });
    await s.close();
  });
});

describe('McpEndpoint', () => {
  it('lets go of its aggregator subscription when closed', async () => {
    const aggregator = gateway.app.aggregator;
    const before = aggregator.changed.size;
    const endpoint = new McpEndpoint({
      registry: gateway.app.registry,
      aggregator,
      clock: systemClock,
      logger: silentLogger,
      audit: new RecordingAudit(),
      limits: { requestBody: 1 << 20, batch: 10 },
      sessions: { idleTtlMs: 60_000, max: 10 },
      serverInfo: { name: 'switchyard', version: 'test' },
    });
    expect(aggregator.changed.size).toBe(before + 1);
    await endpoint.close();
    expect(aggregator.changed.size).toBe(before);
  });

  it('audits a refused modern request as modern', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: {
        ...authHeaders(gateway.token),
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/list',
        params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } },
      }),
    });
    expect(response.status).toBe(400);
    const store = gateway.app.store!;
    await store.audit.flush();
    const rows = store.query.query({ limit: 10 }).rows;
    expect(rows.find((r) => r.method === 'http' && r.errorCode === -32022)).toMatchObject({ era: 'modern' });
  });
});

describe('the paused view', () => {
  it('serves empty lists and refuses calls as paused while paused, everything again after; each is one change', async () => {
    const view = new GatewayView(gateway.app.aggregator);
    const paused = new Dispatcher({
      view,
      aggregator: gateway.app.aggregator,
      registry: gateway.app.registry,
      clock: systemClock,
      logger: silentLogger,
      audit,
    });
    const changes: unknown[] = [];
    view.changed.on((c) => changes.push(c));
    const s = session();
    const list = async () => {
      const responder = new RecordingResponder();
      const json = JSON.stringify({ jsonrpc: '2.0', id: 'l', method: 'tools/list' });
      await paused.request(s, classify(JSON.parse(json) as JSONRPCMessage, undefined, false, 10), responder);
      return (JSON.parse(responder.json!) as { result: { tools: unknown[] } }).result.tools;
    };
    const call = async () => {
      const responder = new RecordingResponder();
      const json = JSON.stringify({
        jsonrpc: '2.0',
        id: 'c',
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: 'hi' } },
      });
      await paused.request(s, classify(JSON.parse(json) as JSONRPCMessage, undefined, false, 10), responder);
      return JSON.parse(responder.json!) as { error?: { code: number; message: string }; result?: unknown };
    };

    expect(await list()).toHaveLength(2);
    view.pause();
    view.pause(); // idempotent: one change
    expect(changes).toEqual([{ tools: true, prompts: true, resources: true }]);
    expect(await list()).toEqual([]);
    expect((await call()).error).toEqual({ code: -32004, message: PAUSED_MESSAGE });
    // The capabilities stay: clients keep listening for list_changed.
    expect(view.current.capabilities).toBe(gateway.app.aggregator.current.capabilities);
    expect(view.settled()).toBeUndefined();

    view.resume();
    expect(changes).toHaveLength(2);
    expect(await list()).toHaveLength(2);
    expect((await call()).result).toBeDefined();
    // The refusal is on the record like any other.
    expect(audit.events.filter((e) => e.errorCode === -32004)).toMatchObject([
      { method: 'tools/call', outcome: 'protocol_error', errorMessage: PAUSED_MESSAGE },
    ]);
    view.dispose();
  });
});
