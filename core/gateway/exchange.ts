// Writing answers to clients. An Exchange is one POSTed request's response: plain JSON when the
// answer is all there is, upgraded to an SSE stream the moment something must be sent before it
// (progress, logging, a backend's question to the user). A NotificationStream is a session's GET stream.
import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { SSE_HEADERS, sseEvent } from './wire.js';
import { ClientStream, HARD_LIMIT } from './client-stream.js';

export class Exchange {
  private mode: 'pending' | 'stream' | 'done' = 'pending';
  /** Registered only when someone asks (modern cancellation): no listener per plain response. */
  private onCloseHandlers: (() => void)[] | undefined;
  /** Made when the answer turns into a stream: bounded like every stream to a client. */
  private stream: ClientStream | undefined;

  constructor(private readonly res: ServerResponse) {}

  /** Open until answered, or until the client went away (Node destroys the response then). */
  get isOpen(): boolean {
    if (this.mode === 'done') return false;
    if (this.res.destroyed) {
      this.mode = 'done';
      return false;
    }
    return true;
  }

  onClose(handler: () => void): void {
    if (this.onCloseHandlers === undefined) {
      this.onCloseHandlers = [];
      this.res.on('close', () => {
        if (this.mode === 'done') return;
        this.mode = 'done';
        for (const h of this.onCloseHandlers!) h();
      });
    }
    this.onCloseHandlers.push(handler);
  }

  /** Sends a message ahead of the response (switches the answer to an SSE stream). */
  send(message: JSONRPCMessage | string): boolean {
    if (!this.isOpen) return false;
    if (this.mode === 'pending') {
      this.res.writeHead(200, SSE_HEADERS);
      this.mode = 'stream';
      this.stream = new ClientStream(this.res, sseEvent);
    }
    return this.stream!.write(message);
  }

  /** Sends the final response (already serialized JSON-RPC) and ends the exchange; returns its bytes. */
  respond(json: string): number {
    if (this.mode === 'done') return 0;
    const bytes = Buffer.byteLength(json);
    if (this.mode === 'stream') {
      // A client that has not read what came before will not read this either.
      if (this.res.writableLength > HARD_LIMIT) this.res.destroy();
      else this.res.end(sseEvent(json));
    } else {
      this.res.writeHead(200, jsonHead(bytes));
      this.res.end(json);
    }
    this.mode = 'done';
    return bytes;
  }

  /**
   * Sends the final response as head + body + tail (a pre-encoded list inside its envelope): the
   * body's bytes are written as they are, in one corked write with the head and tail.
   */
  respondParts(head: string, body: Buffer, tail: string): number {
    if (this.mode === 'done') return 0;
    const bytes = Buffer.byteLength(head) + body.length + Buffer.byteLength(tail);
    const res = this.res;
    if (this.mode === 'stream' && res.writableLength > HARD_LIMIT) {
      // A client that has not read what came before will not read this either.
      res.destroy();
      this.mode = 'done';
      return 0;
    }
    res.cork(); // end() uncorks: head, body and tail leave in one write
    if (this.mode === 'stream') {
      res.write(`event: message\ndata: ${head}`);
      res.write(body);
      res.end(`${tail}\n\n`);
    } else {
      res.writeHead(200, jsonHead(bytes));
      res.write(head);
      res.write(body);
      res.end(tail);
    }
    this.mode = 'done';
    return bytes;
  }

  /** Ends without a response (a cancelled request, or only notifications were posted). */
  accept(): void {
    if (this.mode === 'done') return;
    if (this.mode === 'stream') this.res.end();
    else {
      this.res.writeHead(202);
      this.res.end();
    }
    this.mode = 'done';
  }
}

/** A JSON answer's head as raw pairs (Node's cheapest form: no header object walked). */
function jsonHead(bytes: number): string[] {
  return ['content-type', 'application/json', 'content-length', String(bytes)];
}

/** A session's standalone GET stream for messages not tied to a request. */
export class NotificationStream {
  private open = true;
  private readonly stream: ClientStream;

  constructor(
    private readonly res: ServerResponse,
    onClose: (stream: NotificationStream) => void,
  ) {
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    this.stream = new ClientStream(res, sseEvent);
    res.on('close', () => {
      this.open = false;
      onClose(this);
    });
  }

  get isOpen(): boolean {
    return this.open && this.stream.isOpen;
  }

  /** False when the stream is closed (or was just closed because the client stopped reading). */
  send(message: JSONRPCMessage | string): boolean {
    if (!this.open) return false;
    return this.stream.write(message);
  }

  close(): void {
    if (this.open) this.res.end();
    this.open = false;
  }
}
