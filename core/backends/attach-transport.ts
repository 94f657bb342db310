// stdio over an attached stream (a container started with `-i`): the SDK's newline framing over
// a duplex the container engine hands us. One attachment per transport.
import { ReadBuffer, serializeMessage, type JSONRPCMessage } from '@modelcontextprotocol/client';
import type { StdioAttachment } from '../domain/backend-spec.js';
import type { BackendTransport, MessageContext } from './transport.js';
import { ConnectionClosedError } from './errors.js';

export class AttachTransport implements BackendTransport {
  readonly kind = 'stdio' as const;
  readonly perRequest = false;
  readonly sessionId = undefined;
  onmessage?: (message: JSONRPCMessage, context: MessageContext) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;
  private readonly buffer: ReadBuffer;
  private stream: Awaited<ReturnType<StdioAttachment['open']>> | undefined;
  private closed = false;

  constructor(
    private readonly attachment: StdioAttachment,
    private readonly options: { maxMessageBytes: number; backend?: string },
  ) {
    this.buffer = new ReadBuffer({ maxBufferSize: options.maxMessageBytes });
  }

  async start(): Promise<void> {
    this.stream = await this.attachment.open();
    this.stream.stdout.on('data', (chunk: Buffer) => {
      try {
        this.buffer.append(chunk);
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = this.buffer.readMessage();
          } catch (error) {
            this.onerror?.(error as Error);
            continue;
          }
          if (message === null) break;
          this.onmessage?.(message, {});
        }
      } catch (error) {
        this.onerror?.(error as Error);
        void this.close();
      }
    });
    const ended = () => {
      if (this.closed) return;
      this.closed = true;
      this.onclose?.(
        new ConnectionClosedError(`attachment to ${this.attachment.describe()} ended`, this.options.backend),
      );
    };
    this.stream.stdout.on('end', ended);
    this.stream.stdout.on('close', ended);
    this.stream.stdout.on('error', (error: Error) => this.onerror?.(error));
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.stream?.stdin;
    if (!stdin || this.closed)
      return Promise.reject(new ConnectionClosedError('not attached', this.options.backend));
    return new Promise((resolve, reject) => {
      stdin.write(serializeMessage(message), (error?: Error | null) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.buffer.clear();
    await this.stream?.close().catch(() => undefined);
    this.onclose?.();
  }
}
