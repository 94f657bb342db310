// A deliberately lean MCP client for load generation: raw JSON-RPC over node:http with a
// keep-alive agent, so the client's own cost stays small and identical for every target.
//
//  - "streamable-http" (2025 era): POST initialize → Mcp-Session-Id → notifications/initialized,
//    then one POST per request; the answer is JSON or an SSE stream (SDK servers answer with SSE
//    by default), read to its end so the keep-alive socket is free for the next request.
//    No GET stream is opened (optional in the spec; nothing here needs server-initiated messages).
//  - "sse" (2024-11-05 HTTP+SSE): GET opens the stream, its `endpoint` event names the POST URL,
//    every POST is answered 202 and the JSON-RPC response arrives on the stream.
//
// Both share the JSON-RPC framing, id allocation, error handling and timing; only the wire differs.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';

export type Wire = 'streamable-http' | 'sse';

export const PROTOCOL_VERSION = '2025-06-18';
const CLIENT_INFO = { name: 'switchyard-bench', version: '1.0.0' };

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`JSON-RPC error ${code}: ${message}`);
  }
}

export interface RpcSession {
  readonly wire: Wire;
  /**
   * performance.now() when the last answer had fully arrived, before the client parsed it:
   * latency measured to here is the server's and the wire's, not the client's JSON.parse.
   */
  readonly lastAnswerAt: number;
  /** Size of the last answer's HTTP body (or SSE event data), bytes. */
  readonly lastAnswerBytes: number;
  request(method: string, params?: unknown, timeoutMs?: number): Promise<unknown>;
  close(): Promise<void>;
}

interface RpcMessage {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  result?: unknown;
  error?: { code: number; message: string };
}

interface HttpAnswer {
  receivedAt: number;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function post(url: URL, agent: http.Agent, headers: Record<string, string>, body: string, timeoutMs: number) {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const payload = Buffer.from(body);
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'content-length': String(payload.length),
        ...headers,
      },
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`POST ${url.pathname}: no answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      res.on('end', () => {
        const receivedAt = performance.now();
        clearTimeout(timer);
        resolve({
          receivedAt,
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.end(payload);
  });
}

function settle(message: RpcMessage): unknown {
  if (message.error) throw new RpcError(message.error.code, message.error.message);
  return message.result;
}

/** Finds the response to `id` in a JSON or SSE body. */
function responseIn(answer: HttpAnswer, id: number): RpcMessage {
  const type = String(answer.headers['content-type'] ?? '');
  const messages: RpcMessage[] = [];
  if (type.startsWith('text/event-stream')) {
    const parser = createParser({
      onEvent: (event) => {
        if ((!event.event || event.event === 'message') && event.data) {
          messages.push(JSON.parse(event.data) as RpcMessage);
        }
      },
    });
    parser.feed(answer.body);
    parser.feed('\n\n');
  } else if (answer.body.trim()) {
    const parsed = JSON.parse(answer.body) as RpcMessage | RpcMessage[];
    messages.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  }
  const found = messages.find((m) => m.id === id && m.method === undefined);
  if (!found)
    throw new Error(`HTTP ${answer.status}: no response to request ${id} in ${answer.body.slice(0, 300)}`);
  return found;
}

class StreamableSession implements RpcSession {
  readonly wire = 'streamable-http' as const;
  lastAnswerAt = 0;
  lastAnswerBytes = 0;
  private nextId = 1;
  private sessionId: string | undefined;

  constructor(
    private readonly url: URL,
    private readonly agent: http.Agent,
  ) {}

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { 'mcp-protocol-version': PROTOCOL_VERSION };
    if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
    return headers;
  }

  async open(timeoutMs: number): Promise<void> {
    const id = this.nextId++;
    const answer = await post(
      this.url,
      this.agent,
      {},
      JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'initialize',
        params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
      }),
      timeoutMs,
    );
    if (answer.status !== 200)
      throw new Error(`initialize: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
    settle(responseIn(answer, id));
    const sid = answer.headers['mcp-session-id'];
    if (typeof sid === 'string' && sid) this.sessionId = sid;
    const note = await post(
      this.url,
      this.agent,
      this.headers(),
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      timeoutMs,
    );
    if (note.status !== 202 && note.status !== 200)
      throw new Error(`notifications/initialized: HTTP ${note.status}`);
  }

  async request(method: string, params?: unknown, timeoutMs = 10_000): Promise<unknown> {
    const id = this.nextId++;
    const body = JSON.stringify({ jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) });
    const answer = await post(this.url, this.agent, this.headers(), body, timeoutMs);
    this.lastAnswerAt = answer.receivedAt;
    this.lastAnswerBytes = answer.body.length;
    return settle(responseIn(answer, id));
  }

  async close(): Promise<void> {
    if (!this.sessionId) return;
    await new Promise<void>((resolve) => {
      const req = http.request(this.url, {
        method: 'DELETE',
        agent: this.agent,
        headers: this.headers(),
        timeout: 2000,
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve());
      req.end();
    });
    this.sessionId = undefined;
  }
}

class SseSession implements RpcSession {
  readonly wire = 'sse' as const;
  lastAnswerAt = 0;
  lastAnswerBytes = 0;
  private nextId = 1;
  private endpoint: URL | undefined;
  private stream: http.ClientRequest | undefined;
  private readonly pending = new Map<
    number,
    { resolve(answer: { message: RpcMessage; receivedAt: number }): void; reject(e: Error): void }
  >();
  private closed = false;

  constructor(
    private readonly url: URL,
    private readonly agent: http.Agent,
  ) {}

  open(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stream?.destroy();
        reject(new Error(`GET ${this.url.pathname}: no endpoint event in ${timeoutMs} ms`));
      }, timeoutMs);
      const req = http.request(this.url, {
        method: 'GET',
        agent: this.agent,
        headers: { accept: 'text/event-stream' },
      });
      this.stream = req;
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
        this.failAll(error);
      };
      req.on('error', fail);
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          fail(new Error(`GET ${this.url.pathname}: HTTP ${res.statusCode}`));
          return;
        }
        const parser = createParser({
          onEvent: (event) => {
            if (event.event === 'endpoint') {
              this.endpoint = new URL(event.data, this.url);
              clearTimeout(timer);
              resolve();
              return;
            }
            if (event.event && event.event !== 'message') return;
            const receivedAt = performance.now();
            const message = JSON.parse(event.data) as RpcMessage;
            if (typeof message.id !== 'number' || message.method !== undefined) return;
            const waiter = this.pending.get(message.id);
            if (waiter) {
              this.pending.delete(message.id);
              this.lastAnswerBytes = event.data.length;
              waiter.resolve({ message, receivedAt });
            }
          },
        });
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => parser.feed(chunk));
        res.on('end', () => this.failAll(new Error('SSE stream ended')));
        res.on('error', (error) => this.failAll(error));
      });
      req.end();
    }).then(async () => {
      const id = this.nextId++;
      settle(
        await this.exchange(
          id,
          {
            jsonrpc: '2.0',
            id,
            method: 'initialize',
            params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
          },
          timeoutMs,
        ),
      );
      const note = await post(
        this.endpoint!,
        this.agent,
        {},
        JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
        timeoutMs,
      );
      if (note.status >= 300) throw new Error(`notifications/initialized: HTTP ${note.status}`);
    });
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  private async exchange(id: number, message: object, timeoutMs: number): Promise<RpcMessage> {
    if (this.closed || !this.endpoint) throw new Error('SSE session is not open');
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<{ message: RpcMessage; receivedAt: number }>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`request ${id}: no response on the SSE stream in ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const accepted = await post(this.endpoint, this.agent, {}, JSON.stringify(message), timeoutMs);
      if (accepted.status >= 300) {
        this.pending.delete(id);
        throw new Error(
          `POST ${this.endpoint.pathname}: HTTP ${accepted.status} ${accepted.body.slice(0, 200)}`,
        );
      }
      const { message: response, receivedAt } = await answer;
      this.lastAnswerAt = receivedAt;
      return response;
    } finally {
      clearTimeout(timer);
      answer.catch(() => undefined);
    }
  }

  async request(method: string, params?: unknown, timeoutMs = 10_000): Promise<unknown> {
    const id = this.nextId++;
    return settle(
      await this.exchange(
        id,
        { jsonrpc: '2.0', id, method, ...(params !== undefined ? { params } : {}) },
        timeoutMs,
      ),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stream?.destroy();
    this.failAll(new Error('session closed'));
  }
}

/** Opens an initialized session over the given wire. */
export async function openSession(
  url: string,
  wire: Wire,
  agent: http.Agent,
  timeoutMs = 10_000,
): Promise<RpcSession> {
  const session =
    wire === 'sse' ? new SseSession(new URL(url), agent) : new StreamableSession(new URL(url), agent);
  try {
    await session.open(timeoutMs);
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}
