// stdio command backends: spawned without a shell and with the SDK's safe default environment, in
// their own process group watched by the engine's watchdog (process-watchdog.ts: they die with
// Switchyard even on SIGKILL, and a server's own children go with it), newline framing with the
// SDK's ReadBuffer, and stderr kept: the last lines for a crash message, every line in the
// backend's log ring (backend-log.ts) with the process's start and exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { ReadBuffer, serializeMessage, type JSONRPCMessage } from '@modelcontextprotocol/client';
import type { BackendTransport, MessageContext } from './transport.js';
import { ConnectionClosedError } from './errors.js';
import { BoundedLines, DEFAULT_BACKEND_LOG_LIMITS, type BackendLog } from './backend-log.js';
import { processGroupGuard, type ProcessGroupGuard } from './process-watchdog.js';

export interface StdioTransportOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string | undefined;
  maxMessageBytes: number;
  backend?: string;
  /** Called with each stderr line (for debug logging). */
  onStderr?: (line: string) => void;
  /** The backend's log ring: stderr lines and the process's start and exit. */
  log?: BackendLog;
  /** Process groups and the watchdog (default: this process's). */
  guard?: ProcessGroupGuard;
}

const STDERR_TAIL_LINES = 20;
/** How long a server gets to exit after its stdin closes, then after SIGTERM. */
const EXIT_GRACE_MS = 2000;

export class StdioTransport implements BackendTransport {
  readonly kind = 'stdio' as const;
  readonly perRequest = false;
  readonly sessionId = undefined;
  onmessage?: (message: JSONRPCMessage, context: MessageContext) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;

  private child: ChildProcess | undefined;
  private readonly readBuffer: ReadBuffer;
  private readonly stderrLines: BoundedLines;
  private readonly stderrTail: string[] = [];
  private readonly guard: ProcessGroupGuard;
  private closing = false;
  private exited = false;

  constructor(private readonly options: StdioTransportOptions) {
    this.readBuffer = new ReadBuffer({ maxBufferSize: options.maxMessageBytes });
    this.stderrLines = new BoundedLines(DEFAULT_BACKEND_LOG_LIMITS.lineBytes, (line) =>
      this.pushStderr(line),
    );
    this.guard = options.guard ?? processGroupGuard();
  }

  private pushStderr(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
    this.options.log?.append('stderr', line, this.child?.pid);
    this.options.onStderr?.(line);
  }

  /** The last lines the process wrote to stderr. */
  get stderr(): readonly string[] {
    return this.stderrTail;
  }

  /** The process id, once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    const { command, args, env, cwd, backend } = this.options;
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        env: { ...getDefaultEnvironment(), ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
        ...this.guard.spawnOptions,
        ...(cwd ? { cwd } : {}),
      });
      this.child = child;
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (child.pid === undefined) {
          reject(
            new ConnectionClosedError(
              error.code === 'ENOENT'
                ? `command not found: ${command}`
                : `cannot start "${command}": ${error.message}`,
              backend,
            ),
          );
        } else this.onerror?.(error);
      });
      child.once('spawn', () => {
        // The child leads its own group: registered before anything else can go wrong.
        this.guard.register(child.pid!);
        this.options.log?.append('started', [command, ...args].join(' '), child.pid);
        resolve();
      });
      child.stdout!.on('data', (chunk: Buffer) => this.receive(chunk));
      child.stderr!.on('data', (chunk: Buffer) => this.stderrLines.push(chunk));
      child.stdin!.on('error', (error) => this.onerror?.(error));
      child.stdout!.on('error', (error) => this.onerror?.(error));
      child.once('exit', (code, signal) => {
        if (child.pid === undefined) return;
        // Whatever the server started in its group goes with it, then the watchdog forgets it.
        this.guard.signal(child.pid, 'SIGKILL');
        this.guard.unregister(child.pid);
        this.options.log?.append(
          'exited',
          signal ? `process exited on ${signal}` : `process exited with code ${code}`,
          child.pid,
        );
      });
      child.once('close', () => this.onExit());
    });
  }

  private receive(chunk: Buffer): void {
    try {
      this.readBuffer.append(chunk);
    } catch (error) {
      // Past the message cap: the SDK's buffer gives up on the stream, and so do we.
      this.onerror?.(error as Error);
      void this.close();
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.readBuffer.readMessage();
      } catch (error) {
        // Servers print banners and logs on stdout; a non-JSON line is skipped, not fatal.
        this.onerror?.(error as Error);
        continue;
      }
      if (message === null) break;
      this.onmessage?.(message, {});
    }
  }

  private onExit(): void {
    if (this.exited) return;
    this.exited = true;
    this.stderrLines.end();
    this.readBuffer.clear();
    if (this.closing) return this.onclose?.();
    const tail = this.stderrTail
      .filter((l) => l.trim())
      .slice(-3)
      .join(' | ');
    this.onclose?.(
      new ConnectionClosedError(
        `process "${this.options.command}" exited${tail ? `: ${tail}` : ''}`,
        this.options.backend,
      ),
    );
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.exited || this.closing)
      return Promise.reject(new ConnectionClosedError('process not running', this.options.backend));
    return new Promise((resolve, reject) => {
      stdin.write(serializeMessage(message), (error?: Error | null) =>
        error
          ? reject(
              new ConnectionClosedError(
                `cannot write to the process: ${error.message}`,
                this.options.backend,
              ),
            )
          : resolve(),
      );
    });
  }

  /** Ends stdin, then SIGTERM, then SIGKILL to the whole group, each after a grace period. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const child = this.child;
    if (!child || this.exited || child.pid === undefined) {
      this.exited = true;
      this.onclose?.();
      return;
    }
    const pid = child.pid;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const within = (ms: number) =>
      Promise.race([
        closed.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref()),
      ]);
    try {
      child.stdin?.end();
    } catch {
      // already closed
    }
    const kill = (signal: NodeJS.Signals) => {
      if (!this.guard.signal(pid, signal)) child.kill(signal);
    };
    if (!(await within(EXIT_GRACE_MS))) {
      kill('SIGTERM');
      if (!(await within(EXIT_GRACE_MS))) {
        kill('SIGKILL');
        await within(EXIT_GRACE_MS);
      }
    }
    this.onExit();
  }
}
