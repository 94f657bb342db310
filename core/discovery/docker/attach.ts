// stdio MCP servers in containers: one attachment to the container's stdin/stdout through the
// engine API per run of the container, shared by every connection to that backend (the gateway's
// own connection and one per client session). This file owns the socket: attaching at the right
// moment, demultiplexing stdout/stderr, framing lines, parsing each message once. Routing between
// connections is multiplexer.ts's.
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type {
  AttachedMessage,
  AttachmentConnection,
  AttachmentReceiver,
  StdioAttachment,
} from '../../domain/backend-spec.js';
import type { Logger } from '../../domain/runtime.js';
import {
  LineFramer,
  responseIdOf,
  UNBOUNDED_BUDGET,
  type InboundBudget,
} from '../../backends/inbound-limits.js';
import { largeResult } from '../../backends/raw-response.js';
import { AttachmentMultiplexer } from './multiplexer.js';
import { StreamDemuxer } from './streams.js';
import { oneLine } from './text.js';

export interface AttachmentOptions {
  docker: Docker;
  containerId: string;
  containerName: string;
  /** "podman" or "docker", for display. */
  engine: string;
  /** The container runs with a TTY: the stream is raw rather than multiplexed. */
  tty: boolean;
  /** Largest message from the server (`limits.backendResponse`). */
  maxMessageBytes: number;
  /** The process-wide budget for bytes in flight from backends (`limits.backendInFlight`). */
  budget?: InboundBudget;
  logger: Logger;
  /** How long attaching may take, ms. */
  attachTimeoutMs?: number;
}

interface Session {
  readonly socket: Duplex;
  /** The container's State.StartedAt when attached: which run of the container this is. */
  readonly startedAt: string;
  readonly mux: AttachmentMultiplexer;
  /** stdout's and stderr's framers: what they hold is let go when the session ends. */
  framers?: LineFramer[];
  alive: boolean;
}

/** A stderr line is for people: longer ones are cut (as for stdio command backends). */
const STDERR_LINE_BYTES = 4096;

/** How long after a container's start an attachment waits (see attach). */
const START_SETTLE_MS = 1000;

interface RunState {
  Running?: boolean;
  Paused?: boolean;
  Restarting?: boolean;
  Status?: string;
  StartedAt?: string;
}

export class ContainerAttachment implements StdioAttachment {
  private session: Session | undefined;
  private connecting: Promise<Session> | undefined;
  private disposed = false;
  private readonly log: Logger;

  constructor(private readonly options: AttachmentOptions) {
    this.log = options.logger.child({ container: options.containerName });
  }

  describe(): string {
    return `${this.options.engine} container ${this.options.containerName} (${this.options.containerId.slice(0, 12)}), attached stdio`;
  }

  /** Connections currently sharing the attachment (for tests and status). */
  get connections(): number {
    return this.session?.alive ? this.session.mux.connections : 0;
  }

  get attached(): boolean {
    return Boolean(this.session?.alive);
  }

  async open(receiver: AttachmentReceiver): Promise<AttachmentConnection> {
    if (this.disposed) throw new Error(`${this.describe()}: the container is no longer discovered`);
    const session = await this.ensureSession();
    return session.mux.open(receiver);
  }

  /**
   * Retires the attachment if it is filed under another run of the container; the next open()
   * attaches again. Its socket is left to end by itself (an earlier run's does when that run
   * stops): closing it could close a running server's stdin (see dispose).
   */
  detachUnless(startedAt: string): void {
    if (this.session && this.session.startedAt !== startedAt)
      this.endSession(this.session, 'container restarted', false);
  }

  /** Ends the attachment for good (the container went away or discovery stopped). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const session = this.session ?? (await this.connecting?.catch(() => undefined));
    if (session) this.endSession(session, 'detached');
  }

  private ensureSession(): Promise<Session> {
    if (this.session?.alive) return Promise.resolve(this.session);
    this.connecting ??= this.attach().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async attach(): Promise<Session> {
    // Only a running container: Podman re-initializes a stopped container that is attached to,
    // which breaks a restart in progress (the container is left "initialized", or killed when the
    // attachment is dropped).
    const timeoutMs = this.options.attachTimeoutMs ?? 10_000;
    const before = await this.runningState(timeoutMs);
    // Podman reports a container running before its start has finished; an attachment made in
    // that window is closed again by the engine, and with it the new server's stdin (it exits).
    // So a run younger than START_SETTLE_MS is given until then (bounded, in case of clock skew).
    const age = Date.now() - Date.parse(before.StartedAt ?? '');
    if (Number.isFinite(age) && age < START_SETTLE_MS) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(START_SETTLE_MS - age, START_SETTLE_MS)));
      const now = await this.runningState(timeoutMs);
      if (now.StartedAt !== before.StartedAt) throw new Error(`${this.describe()}: container restarted`);
    }
    const socket = await dialAttach(this.options.docker, this.options.containerId, timeoutMs);
    if (this.disposed) {
      socket.destroy();
      throw new Error(`${this.describe()}: the container is no longer discovered`);
    }
    // Which run this attachment belongs to, asked again now that it exists: during a restart the
    // inspect before the dial can still describe the old run while the dial reaches the new one,
    // and a session filed under the old run would later be dropped as stale, closing the new
    // run's stdin (Podman does that when an attachment closes) and so ending its server.
    let state: RunState;
    try {
      state = await this.runningState(timeoutMs);
    } catch (error) {
      socket.destroy(); // the container is not running: there is no server to lose
      throw error;
    }
    const session: Session = {
      socket,
      startedAt: state.StartedAt ?? '',
      mux: new AttachmentMultiplexer((message) => {
        if (session.alive) socket.write(`${JSON.stringify(message)}\n`);
      }, this.log),
      alive: true,
    };
    // The same bounded framing as stdio command backends: each line counts against the message
    // cap and the process-wide budget until it is handed on; a line over either is skipped up to
    // its newline (the attachment stays: closing it would close the server's stdin), and the
    // request it answered, when its id is at the start, fails at once.
    const stdout = new LineFramer(
      {
        maxMessageBytes: this.options.maxMessageBytes,
        budget: this.options.budget ?? UNBOUNDED_BUDGET,
      },
      {
        onLine: (line) => this.fromServer(session, line),
        onOversize: (head, error) => {
          const id = responseIdOf(head.toString('utf8'));
          this.log.warn('dropped an oversized message from the container', { error: error.message });
          if (typeof id === 'number') session.mux.failRequest(id, error.message);
        },
      },
    );
    const stderr = new LineFramer(
      { maxMessageBytes: STDERR_LINE_BYTES, budget: UNBOUNDED_BUDGET },
      {
        onLine: (line) => this.log.debug('container stderr', { line: oneLine(line.toString('utf8')) }),
        onOversize: (head) =>
          this.log.debug('container stderr', { line: `${oneLine(head.toString('utf8'))}…` }),
      },
    );
    session.framers = [stdout, stderr];
    const demux = this.options.tty
      ? undefined
      : new StreamDemuxer(
          (chunk) => stdout.push(chunk),
          (chunk) => stderr.push(chunk),
        );
    socket.on('data', (chunk: Buffer) => {
      if (!session.alive) return; // a retired run's stream: nothing of it is delivered or counted
      try {
        if (demux) demux.push(chunk);
        else stdout.push(chunk);
      } catch (error) {
        this.log.warn('attach stream error', { error: oneLine((error as Error).message) });
        socket.destroy();
      }
    });
    const ended = () => this.endSession(session, 'the container stream ended');
    socket.on('end', ended);
    socket.on('close', ended);
    socket.on('error', (error: Error) => {
      this.log.debug('attach socket error', { error: oneLine(error.message) });
      ended();
    });
    this.session = session;
    this.log.debug('attached', { container: this.options.containerId.slice(0, 12) });
    return session;
  }

  /** One line the server wrote on stdout: parsed here, once, and routed as objects. */
  private fromServer(session: Session, line: Buffer): void {
    // A large result is relayed as its bytes (raw-response.ts): skimmed, not parsed.
    const large = largeResult(line);
    if (large) return session.mux.fromServer(large as unknown as AttachedMessage);
    let parsed: unknown;
    const text = line.toString('utf8');
    try {
      parsed = JSON.parse(text);
    } catch {
      this.log.debug('non-JSON output on stdout', { line: oneLine(text, 200) });
      return;
    }
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      if (typeof item === 'object' && item !== null && !Array.isArray(item))
        session.mux.fromServer(item as AttachedMessage);
    }
  }

  /** The container's state if it is running (not paused or restarting); else why not. */
  private async runningState(timeoutMs: number): Promise<RunState> {
    const container = this.options.docker.getContainer(this.options.containerId);
    const inspected = (await container.inspect({ abortSignal: AbortSignal.timeout(timeoutMs) })) as {
      State?: RunState;
    };
    const state = inspected.State;
    if (!state?.Running || state.Paused || state.Restarting) {
      throw new Error(`${this.describe()}: container is ${state?.Status ?? 'not running'}`);
    }
    return state;
  }

  private endSession(session: Session, reason: string, closeSocket = true): void {
    if (!session.alive) return;
    session.alive = false;
    if (this.session === session) this.session = undefined;
    // Podman closes the container's stdin when an attachment closes, which ends a stdio server:
    // only dispose (the container is gone, or Switchyard stops) and a broken stream close it.
    if (closeSocket) session.socket.destroy();
    for (const framer of session.framers ?? []) framer.clear(); // a partial line no longer counts
    session.mux.end(new Error(reason));
    this.log.debug('attachment ended', { reason });
  }
}

/**
 * POST /containers/{id}/attach, upgraded to a raw duplex. Sent with an empty body: dockerode's
 * container.attach() writes its options as a JSON body, which Podman hands to the container's
 * stdin after the upgrade (and with an open-ended body the request is never sent at all).
 */
export function dialAttach(docker: Docker, containerId: string, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new Error(`attaching to container ${containerId.slice(0, 12)} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const modem = docker.modem as unknown as {
      dial(options: Record<string, unknown>, callback: (error: Error | null, stream?: unknown) => void): void;
    };
    modem.dial(
      {
        path: `/containers/${encodeURIComponent(containerId)}/attach?`,
        method: 'POST',
        options: { _query: { stream: true, stdin: true, stdout: true, stderr: true }, _body: {} },
        file: Buffer.alloc(0),
        headers: { 'Content-Type': 'text/plain' },
        isStream: true,
        hijack: true,
        statusCodes: {
          101: true,
          200: true,
          404: 'no such container',
          409: 'container not running',
          500: 'server error',
        },
      },
      (error, stream) => {
        const socket = stream as Duplex | undefined;
        if (settled) {
          socket?.destroy?.();
          return;
        }
        settled = true;
        clearTimeout(timer);
        if (error) return reject(error);
        if (!socket || typeof (socket as { write?: unknown }).write !== 'function') {
          (socket as { destroy?: () => void } | undefined)?.destroy?.();
          return reject(new Error('the engine did not upgrade the attach connection'));
        }
        resolve(socket);
      },
    );
  });
}
