// Writing answers to clients. An Exchange is one POSTed request's response: plain JSON when the
// answer is all there is, upgraded to an SSE stream the moment something must be sent before it
// (progress, logging, a backend's question to the user). A NotificationStream is a session's GET stream.
import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

export function sseEvent(json: string): string {
  return `event: message\ndata: ${json}\n\n`;
}

export class Exchange {
  private mode: 'pending' | 'stream' | 'done' = 'pending';
  /** Set when the client went away before the answer. */
  closed = false;
  private readonly onCloseHandlers: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly headers: Record<string, string> = {},
  ) {
    res.on('close', () => {
      if (this.mode !== 'done') {
        this.closed = true;
        this.mode = 'done';
        for (const handler of this.onCloseHandlers) handler();
      }
    });
  }

  get isOpen(): boolean {
    return this.mode !== 'done';
  }

  onClose(handler: () => void): void {
    this.onCloseHandlers.push(handler);
  }

  /** Sends a message ahead of the response (switches the answer to an SSE stream). */
  send(message: JSONRPCMessage | string): boolean {
    if (this.mode === 'done') return false;
    if (this.mode === 'pending') {
      this.res.writeHead(200, { ...SSE_HEADERS, ...this.headers });
      this.mode = 'stream';
    }
    this.res.write(sseEvent(typeof message === 'string' ? message : JSON.stringify(message)));
    return true;
  }

  /** Sends the final response (already serialized JSON-RPC) and ends the exchange. */
  respond(json: string): void {
    if (this.mode === 'done') return;
    if (this.mode === 'stream') {
      this.res.end(sseEvent(json));
    } else {
      this.res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(json)),
        ...this.headers,
      });
      this.res.end(json);
    }
    this.mode = 'done';
  }

  /** Ends without a response (a cancelled request, or only notifications were posted). */
  accept(): void {
    if (this.mode === 'done') return;
    if (this.mode === 'stream') this.res.end();
    else {
      this.res.writeHead(202, this.headers);
      this.res.end();
    }
    this.mode = 'done';
  }
}

/** A session's standalone GET stream for messages not tied to a request. */
export class NotificationStream {
  private open = true;

  constructor(
    private readonly res: ServerResponse,
    headers: Record<string, string>,
    onClose: () => void,
  ) {
    res.writeHead(200, { ...SSE_HEADERS, ...headers });
    res.flushHeaders();
    res.on('close', () => {
      this.open = false;
      onClose();
    });
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(message: JSONRPCMessage | string): boolean {
    if (!this.open) return false;
    this.res.write(sseEvent(typeof message === 'string' ? message : JSON.stringify(message)));
    return true;
  }

  close(): void {
    if (this.open) this.res.end();
    this.open = false;
  }
}

/** Serializes a JSON-RPC response; the result may be pre-serialized JSON. */
export function resultJson(id: string | number, result: unknown): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${typeof result === 'string' ? result : JSON.stringify(result)}}`;
}

export function errorJson(id: string | number | null, code: number, message: string, data?: unknown): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    error: { code, message, ...(data !== undefined ? { data } : {}) },
  });
}
