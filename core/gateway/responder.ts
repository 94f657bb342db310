// Where a request's answer goes: an HTTP exchange (JSON or SSE), or one slot of a batch.
import type { JSONRPCMessage } from '@modelcontextprotocol/client';

export interface Responder {
  readonly isOpen: boolean;
  /** Sends a message before the response; false when this responder cannot carry one. */
  send(message: JSONRPCMessage | string): boolean;
  /** The final response, serialized; returns its size in bytes (0 when the responder was done). */
  respond(json: string): number;
  /**
   * The final response as `head` + `body` + `tail` (a pre-encoded list between the JSON-RPC
   * envelope's two halves), written without joining them; returns its size in bytes.
   */
  respondParts(head: string, body: Buffer, tail: string): number;
  /** Ends without a response (the request was cancelled). */
  accept(): void;
  onClose(handler: () => void): void;
}

/** Collects the responses of a JSON-RPC batch; mid-request messages go to the session's GET stream. */
export class BatchResponder implements Responder {
  private done = false;
  json: string | undefined;
  private readonly handlers: (() => void)[] = [];

  constructor(private readonly onDone: () => void) {}

  get isOpen(): boolean {
    return !this.done;
  }

  send(): boolean {
    return false;
  }

  respond(json: string): number {
    if (this.done) return 0;
    this.done = true;
    this.json = json;
    this.onDone();
    return Buffer.byteLength(json);
  }

  respondParts(head: string, body: Buffer, tail: string): number {
    // A batch's answers are joined into one array: the list becomes text again (batches are rare).
    return this.respond(`${head}${body.toString()}${tail}`);
  }

  accept(): void {
    if (this.done) return;
    this.done = true;
    this.onDone();
  }

  onClose(handler: () => void): void {
    this.handlers.push(handler);
  }

  /** The batch's HTTP exchange closed early. */
  abandon(): void {
    for (const handler of this.handlers) handler();
  }
}
