// stdio backends through the SDK's StdioClientTransport (spawn without a shell, line framing,
// a safe default environment), adapted to BackendTransport and keeping the tail of stderr so a
// crash can be reported with the server's own last words.
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import type { BackendTransport, MessageContext } from './transport.js';
import { ConnectionClosedError } from './errors.js';

export interface StdioTransportOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string | undefined;
  maxMessageBytes: number;
  backend?: string;
  /** Called with each stderr line (for debug logging). */
  onStderr?: (line: string) => void;
}

const STDERR_TAIL_LINES = 20;

export class StdioTransport implements BackendTransport {
  readonly kind = 'stdio' as const;
  readonly perRequest = false;
  readonly sessionId = undefined;
  onmessage?: (message: JSONRPCMessage, context: MessageContext) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;

  private readonly inner: StdioClientTransport;
  private readonly stderrTail: string[] = [];
  private closing = false;

  constructor(private readonly options: StdioTransportOptions) {
    this.inner = new StdioClientTransport({
      command: options.command,
      args: options.args,
      env: options.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stderr: 'pipe',
      maxBufferSize: options.maxMessageBytes,
    });
    let partial = '';
    this.inner.stderr?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.pushStderr(line);
    });
    this.inner.onmessage = (message) => this.onmessage?.(message, {});
    this.inner.onerror = (error) => this.onerror?.(error);
    this.inner.onclose = () => {
      if (this.closing) return this.onclose?.();
      const tail = this.stderrTail
        .filter((l) => l.trim())
        .slice(-3)
        .join(' | ');
      this.onclose?.(
        new ConnectionClosedError(
          `process "${options.command}" exited${tail ? `: ${tail}` : ''}`,
          options.backend,
        ),
      );
    };
  }

  private pushStderr(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
    this.options.onStderr?.(line);
  }

  /** The last lines the process wrote to stderr. */
  get stderr(): readonly string[] {
    return this.stderrTail;
  }

  async start(): Promise<void> {
    try {
      await this.inner.start();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConnectionClosedError(
        code === 'ENOENT'
          ? `command not found: ${this.options.command}`
          : `cannot start "${this.options.command}": ${(error as Error).message}`,
        this.options.backend,
      );
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.inner.send(message);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.inner.close();
    this.onclose?.();
  }
}
