// stdio command backends: spawn without a shell and with the SDK's safe default environment, in
// their own process group watched by the engine's watchdog (process-watchdog.ts: they die with
// Switchyard even on SIGKILL, and a server's own children go with it); newline framing through our
// bounded LineFramer (the SDK's ReadBuffer re-copies the whole partial line on every chunk and, past
// its cap, kills the server); stderr kept: the tail for a crash message, every line in the
// backend's log ring (backend-log.ts) with the process's start and exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import type { BackendTransport, MessageContext } from './transport.js';
import { ConnectionClosedError, oneLine } from './errors.js';
import { LineFramer, responseIdOf, UNBOUNDED_BUDGET, type InboundBudget } from './inbound-limits.js';
import { parseMessages } from './messages.js';
import { largeResult } from './raw-response.js';
import type { BackendLog } from './backend-log.js';
import { processGroupGuard, type ProcessGroupGuard } from './process-watchdog.js';

export interface StdioTransportOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string | undefined;
  maxMessageBytes: number;
  /** The process-wide budget for bytes in flight from backends (default: unbounded). */
  budget?: InboundBudget;
  backend?: string;
  /** Called with each stderr line (for debug logging). */
  onStderr?: (line: string) => void;
  /** The backend's process slots: a process starts only when one is free, and frees it on exit. */
  slots?: ProcessSlots;
  /** The backend's log ring: stderr lines and the process's start and exit. */
  log?: BackendLog;
  /** Process groups and the watchdog (default: this process's). */
  guard?: ProcessGroupGuard;
}

/**
 * A process a client session holds and can give back: its backend session has nothing in flight
 * and holds no subscription (`idleSince` is then when it was last used, else undefined).
 */
export interface ReclaimableProcess {
  idleSince(): number | undefined;
  /** Closes the backend session and its process; the session opens a new one when next used. */
  reclaim(): Promise<void>;
}

/**
 * How long a backend session must have been idle before the cap may take its process: an agent
 * between two calls of one task (a model's turn takes seconds, rarely half a minute) keeps its
 * backend session state, while a session idle longer gives way to one that needs a process now,
 * long before `sessions.backendIdleTtl` (10 min) would close it.
 */
export const RECLAIM_GRACE_MS = 30_000;

/**
 * A hard cap on the processes one stdio backend runs at once (`limits.stdioProcesses`). When it is
 * reached, the least recently used client session process that has been idle for the grace period
 * is closed to make room (its session re-opens one on its next request); only when none is, the
 * new process is refused.
 */
export class ProcessSlots {
  private used = 0;
  /** Client sessions' processes (the least recently used idle one is found when needed). */
  private readonly holders = new Set<ReclaimableProcess>();

  constructor(
    readonly limit: number,
    readonly graceMs = RECLAIM_GRACE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get inUse(): number {
    return this.used;
  }

  take(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }

  release(): void {
    this.used = Math.max(0, this.used - 1);
  }

  /** A client session's process that may be reclaimed once idle. */
  register(holder: ReclaimableProcess): void {
    this.holders.add(holder);
  }

  unregister(holder: ReclaimableProcess): void {
    this.holders.delete(holder);
  }

  /** Takes a slot, reclaiming idle sessions' processes (least recently used first) when full. */
  async acquire(): Promise<boolean> {
    for (let tries = 0; tries < 4; tries++) {
      if (this.take()) return true;
      const victim = this.leastRecentlyUsedIdle();
      if (!victim) return false;
      this.holders.delete(victim);
      await victim.reclaim(); // its slot is free once the process has exited
    }
    return this.take();
  }

  private leastRecentlyUsedIdle(): ReclaimableProcess | undefined {
    const now = this.now();
    let oldest: ReclaimableProcess | undefined;
    let oldestAt = Infinity;
    for (const holder of this.holders) {
      const since = holder.idleSince();
      if (since !== undefined && now - since >= this.graceMs && since < oldestAt) {
        oldest = holder;
        oldestAt = since;
      }
    }
    return oldest;
  }
}

const STDERR_TAIL_LINES = 20;
/** A stderr line is for people: longer ones are cut (and never buffered beyond this). */
const STDERR_LINE_BYTES = 4096;
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
  private readonly stdout: LineFramer;
  private readonly stderrFramer: LineFramer;
  private readonly stderrTail: string[] = [];
  private closing = false;
  private exited = false;
  private holdsSlot = false;
  private readonly guard: ProcessGroupGuard;

  constructor(private readonly options: StdioTransportOptions) {
    this.guard = options.guard ?? processGroupGuard();
    this.stdout = new LineFramer(
      {
        maxMessageBytes: options.maxMessageBytes,
        budget: options.budget ?? UNBOUNDED_BUDGET,
        backend: options.backend,
      },
      {
        onLine: (line) => this.receive(line),
        onOversize: (head, error) => {
          // Dropped, and the request it answered (when its id is at the start) fails at once.
          const id = responseIdOf(head.toString('utf8'));
          this.onerror?.(error);
          if (id !== undefined) {
            this.onmessage?.({ jsonrpc: '2.0', id, error: { code: -32603, message: error.message } }, {});
          }
        },
      },
    );
    this.stderrFramer = new LineFramer(
      { maxMessageBytes: STDERR_LINE_BYTES, budget: UNBOUNDED_BUDGET },
      {
        onLine: (line) => this.pushStderr(line.toString('utf8')),
        onOversize: (head) => this.pushStderr(`${head.toString('utf8')}…`),
      },
    );
  }

  private receive(line: Buffer): void {
    const large = largeResult(line); // relayed as its bytes (raw-response.ts)
    if (large) return this.onmessage?.(large, {});
    let messages: JSONRPCMessage[];
    const text = line.toString('utf8');
    try {
      messages = parseMessages(text, this.options.backend);
    } catch (error) {
      // Servers print banners and logs on stdout; a non-JSON line is skipped, not fatal.
      this.onerror?.(error as Error);
      return;
    }
    for (const message of messages) this.onmessage?.(message, messages.length === 1 ? { raw: text } : {});
  }

  private pushStderr(line: string): void {
    const flat = oneLine(line, STDERR_LINE_BYTES);
    this.stderrTail.push(flat);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
    // The ring gets the line as written: its own cleaning removes whole escape sequences (`ESC[33m`),
    // which oneLine's would leave as visible "[33m" once their ESC is gone.
    this.options.log?.append('stderr', line, this.child?.pid);
    this.options.onStderr?.(flat);
  }

  /** The process id, once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const { command, args, env, cwd, backend, slots } = this.options;
    if (slots) {
      if (!(await slots.acquire())) {
        throw new ConnectionClosedError(
          `backend ${backend ?? command} already runs ${slots.limit} processes, its limit (limits.stdioProcesses), ` +
            `and none has been idle for ${slots.graceMs >= 1000 ? `${Math.round(slots.graceMs / 1000)} s` : `${slots.graceMs} ms`}: ` +
            'end client sessions or raise the limit',
          backend,
        );
      }
      this.holdsSlot = true;
    }
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
          this.freeSlot();
          reject(
            new ConnectionClosedError(
              error.code === 'ENOENT'
                ? `command not found: ${command}`
                : `cannot start "${command}": ${oneLine(error.message)}`,
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
      child.stdout!.on('data', (chunk: Buffer) => this.stdout.push(chunk));
      child.stderr!.on('data', (chunk: Buffer) => this.stderrFramer.push(chunk));
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

  private freeSlot(): void {
    if (!this.holdsSlot) return;
    this.holdsSlot = false;
    this.options.slots?.release();
  }

  private onExit(): void {
    if (this.exited) return;
    this.exited = true;
    this.freeSlot();
    this.stdout.clear();
    this.stderrFramer.clear();
    if (this.closing) return this.onclose?.();
    const tail = this.stderrTail
      .filter((l) => l.trim())
      .slice(-3)
      .join(' | ');
    this.onclose?.(
      new ConnectionClosedError(
        `process "${this.options.command}" exited${tail ? `: ${oneLine(tail)}` : ''}`,
        this.options.backend,
      ),
    );
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.exited || this.closing)
      return Promise.reject(new ConnectionClosedError('process not running', this.options.backend));
    return new Promise((resolve, reject) => {
      stdin.write(`${JSON.stringify(message)}\n`, (error?: Error | null) =>
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
      this.freeSlot();
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
