// stdio over an attachment to a running container (started with `-i`). The attachment parses the
// server's output and multiplexes connections itself (core/discovery/docker/), so this transport
// only adapts one of its connections to BackendTransport: messages arrive already parsed, each
// once, and leave as objects (serialized once, by the attachment).
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import type { AttachedMessage, AttachmentConnection, StdioAttachment } from '../domain/backend-spec.js';
import type { BackendTransport, MessageContext } from './transport.js';
import { ConnectionClosedError } from './errors.js';

const NO_CONTEXT: MessageContext = {};

export class AttachTransport implements BackendTransport {
  readonly kind = 'stdio' as const;
  readonly perRequest = false;
  readonly sessionId = undefined;
  onmessage?: (message: JSONRPCMessage, context: MessageContext) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;
  private connection: AttachmentConnection | undefined;
  private closed = false;

  constructor(
    private readonly attachment: StdioAttachment,
    private readonly options: { backend?: string },
  ) {}

  async start(): Promise<void> {
    this.connection = await this.attachment.open({
      message: (message) => this.onmessage?.(message as JSONRPCMessage, NO_CONTEXT),
      closed: (reason) => {
        if (this.closed) return;
        this.closed = true;
        this.onclose?.(
          new ConnectionClosedError(
            `attachment to ${this.attachment.describe()} ended${reason ? `: ${reason.message}` : ''}`,
            this.options.backend,
          ),
        );
      },
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const connection = this.connection;
    if (!connection || this.closed)
      return Promise.reject(new ConnectionClosedError('not attached', this.options.backend));
    try {
      connection.send(message as unknown as AttachedMessage);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.connection?.close();
    this.onclose?.();
    return Promise.resolve();
  }
}
