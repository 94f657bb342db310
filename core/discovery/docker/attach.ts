// stdio MCP servers in containers: one attachment to the container's stdin/stdout through the
// engine API, shared by every connection to that backend (the gateway's own connection and one
// per client session). A stdio server has one stdin, so connections are multiplexed over it:
// request ids are rewritten per connection and answers routed back, `initialize` reaches the
// server once per attachment (later connections get the same answer), notifications go to every
// connection, progress to the connection whose request it is about, and a request from the server
// (sampling, elicitation, roots) to the connection with the most recent call in flight.
import { PassThrough, Writable, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { StdioAttachment } from '../../domain/backend-spec.js';
import type { Logger } from '../../domain/runtime.js';
import { LineSplitter, StreamDemuxer } from './streams.js';

type Id = string | number;
type Message = Record<string, unknown> & {
  id?: Id | null;
  method?: string;
  params?: Record<string, unknown>;
};

export interface AttachmentOptions {
  docker: Docker;
  containerId: string;
  containerName: string;
  /** "podman" or "docker", for display. */
  engine: string;
  /** The container runs with a TTY: the stream is raw rather than multiplexed. */
  tty: boolean;
  maxMessageBytes: number;
  logger: Logger;
  /** How long attaching may take, ms. */
  attachTimeoutMs?: number;
}

interface Channel {
  readonly serial: number;
  readonly stdout: PassThrough;
  readonly stdin: Writable;
  /** This connection's request id (as JSON) → the id the server sees. */
  readonly outgoing: Map<string, number>;
  closed: boolean;
}

interface Pending {
  channel: Channel;
  originalId: Id;
  method: string;
  progressToken?: Id;
  order: number;
}

interface Session {
  readonly socket: Duplex;
  /** The container's State.StartedAt when attached: which run of the container this is. */
  readonly startedAt: string;
  readonly channels: Set<Channel>;
  readonly pending: Map<number, Pending>;
  /** Server-initiated request id (as JSON) → the connection asked to answer it. */
  readonly serverRequests: Map<string, Channel>;
  alive: boolean;
  nextId: number;
  order: number;
  initResult?: unknown;
  initInFlight: boolean;
  initWaiters: { channel: Channel; message: Message }[];
  initializedSent: boolean;
}

/** How long after a container's start an attachment waits (see attach). */
const START_SETTLE_MS = 1000;

interface RunState {
  Running?: boolean;
  Paused?: boolean;
  Restarting?: boolean;
  Status?: string;
  StartedAt?: string;
}

const key = (id: unknown) => JSON.stringify(id);

function isRequest(m: Message): boolean {
  return typeof m.method === 'string' && m.id !== undefined && m.id !== null;
}
function isNotification(m: Message): boolean {
  return typeof m.method === 'string' && (m.id === undefined || m.id === null);
}
function isResponse(m: Message): boolean {
  return m.method === undefined && m.id !== undefined && ('result' in m || 'error' in m);
}

export class ContainerAttachment implements StdioAttachment {
  private session: Session | undefined;
  private connecting: Promise<Session> | undefined;
  private disposed = false;
  private serial = 0;
  private readonly log: Logger;

  constructor(private readonly options: AttachmentOptions) {
    this.log = options.logger.child({ container: options.containerName });
  }

  describe(): string {
    return `${this.options.engine} container ${this.options.containerName} (${this.options.containerId.slice(0, 12)}), attached stdio`;
  }

  /** Connections currently sharing the attachment (for tests and status). */
  get connections(): number {
    return this.session?.alive ? this.session.channels.size : 0;
  }

  get attached(): boolean {
    return Boolean(this.session?.alive);
  }

  async open(): Promise<{
    stdin: NodeJS.WritableStream;
    stdout: NodeJS.ReadableStream;
    close(): Promise<void>;
  }> {
    if (this.disposed) throw new Error(`${this.describe()}: the container is no longer discovered`);
    const session = await this.ensureSession();
    const channel = this.createChannel(session);
    return {
      stdin: channel.stdin,
      stdout: channel.stdout,
      close: async () => this.closeChannel(session, channel),
    };
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
      channels: new Set(),
      pending: new Map(),
      serverRequests: new Map(),
      alive: true,
      nextId: 1,
      order: 0,
      initInFlight: false,
      initWaiters: [],
      initializedSent: false,
    };
    const stdout = new LineSplitter(
      (line) => this.fromServer(session, line),
      this.options.maxMessageBytes,
      (bytes) => this.log.warn('dropped an oversized message from the container', { bytes }),
    );
    const stderr = new LineSplitter(
      (line) => this.log.debug('container stderr', { line: line.slice(0, 500) }),
      64 * 1024,
    );
    const demux = this.options.tty
      ? undefined
      : new StreamDemuxer(
          (chunk) => stdout.push(chunk),
          (chunk) => stderr.push(chunk),
          Math.max(this.options.maxMessageBytes, 1024 * 1024),
        );
    socket.on('data', (chunk: Buffer) => {
      try {
        if (demux) demux.push(chunk);
        else stdout.push(chunk);
      } catch (error) {
        this.log.warn('attach stream error', { error: (error as Error).message });
        socket.destroy();
      }
    });
    const ended = () => this.endSession(session, 'the container stream ended');
    socket.on('end', ended);
    socket.on('close', ended);
    socket.on('error', (error: Error) => {
      this.log.debug('attach socket error', { error: error.message });
      ended();
    });
    this.session = session;
    this.log.debug('attached', { container: this.options.containerId.slice(0, 12) });
    return session;
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
    for (const channel of session.channels) {
      channel.closed = true;
      channel.stdout.end();
    }
    session.channels.clear();
    session.pending.clear();
    session.serverRequests.clear();
    session.initWaiters = [];
    this.log.debug('attachment ended', { reason });
  }

  private createChannel(session: Session): Channel {
    const lines = new LineSplitter(
      (line) => this.fromChannel(session, channel, line),
      this.options.maxMessageBytes,
    );
    const channel: Channel = {
      serial: ++this.serial,
      stdout: new PassThrough(),
      outgoing: new Map(),
      closed: false,
      stdin: new Writable({
        write: (chunk: Buffer, _encoding, callback) => {
          if (channel.closed || !session.alive) {
            callback(new Error(`${this.describe()}: not attached`));
            return;
          }
          lines.push(chunk);
          callback();
        },
      }),
    };
    session.channels.add(channel);
    return channel;
  }

  private closeChannel(session: Session, channel: Channel): void {
    if (channel.closed) return;
    channel.closed = true;
    session.channels.delete(channel);
    let ownedInit = false;
    for (const [id, entry] of session.pending) {
      if (entry.channel !== channel) continue;
      // A late answer to initialize is still worth caching; everything else is forgotten.
      if (entry.method === 'initialize') ownedInit = true;
      else session.pending.delete(id);
    }
    for (const [id, owner] of session.serverRequests)
      if (owner === channel) session.serverRequests.delete(id);
    session.initWaiters = session.initWaiters.filter((w) => w.channel !== channel);
    channel.stdout.end();
    if (ownedInit && session.initResult === undefined) {
      // The connection that was initializing went away: the next one waiting asks for itself.
      session.initInFlight = false;
      const waiters = session.initWaiters;
      session.initWaiters = [];
      for (const w of waiters) this.fromChannel(session, w.channel, JSON.stringify(w.message));
    }
  }

  private toServer(session: Session, message: Message): void {
    if (!session.alive) return;
    session.socket.write(`${JSON.stringify(message)}\n`);
  }

  private toChannel(channel: Channel, message: Message): void {
    if (channel.closed) return;
    channel.stdout.write(`${JSON.stringify(message)}\n`);
  }

  private forward(session: Session, channel: Channel, message: Message): void {
    const id = session.nextId++;
    const token = (message.params?._meta as { progressToken?: Id } | undefined)?.progressToken;
    session.pending.set(id, {
      channel,
      originalId: message.id as Id,
      method: message.method as string,
      ...(token !== undefined ? { progressToken: token } : {}),
      order: ++session.order,
    });
    channel.outgoing.set(key(message.id), id);
    this.toServer(session, { ...message, id });
  }

  /** A message one connection sent towards the server. */
  private fromChannel(session: Session, channel: Channel, line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return;
    }
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      if (typeof item !== 'object' || item === null) continue;
      const message = item as Message;
      if (isRequest(message)) {
        if (message.method === 'initialize') {
          if (session.initResult !== undefined) {
            this.toChannel(channel, { jsonrpc: '2.0', id: message.id, result: session.initResult });
          } else if (session.initInFlight) {
            session.initWaiters.push({ channel, message });
          } else {
            session.initInFlight = true;
            this.forward(session, channel, message);
          }
        } else {
          this.forward(session, channel, message);
        }
      } else if (isNotification(message)) {
        if (message.method === 'notifications/initialized') {
          if (session.initializedSent) continue;
          session.initializedSent = true;
          this.toServer(session, message);
        } else if (message.method === 'notifications/cancelled') {
          const original = key(message.params?.requestId);
          const id = channel.outgoing.get(original);
          if (id !== undefined) {
            // The server need not answer a cancelled request: forget it now.
            channel.outgoing.delete(original);
            session.pending.delete(id);
            this.toServer(session, { ...message, params: { ...message.params, requestId: id } });
          }
        } else {
          this.toServer(session, message);
        }
      } else if (isResponse(message)) {
        const k = key(message.id);
        if (session.serverRequests.get(k) === channel) {
          session.serverRequests.delete(k);
          this.toServer(session, message);
        }
      }
    }
  }

  /** A message the server wrote on stdout. */
  private fromServer(session: Session, line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.log.debug('non-JSON output on stdout', { line: line.slice(0, 200) });
      return;
    }
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      if (typeof item !== 'object' || item === null) continue;
      const message = item as Message;
      if (isResponse(message)) this.routeResponse(session, message);
      else if (isRequest(message)) this.routeServerRequest(session, message);
      else if (isNotification(message)) this.routeNotification(session, message);
    }
  }

  private routeResponse(session: Session, message: Message): void {
    const id = typeof message.id === 'number' ? message.id : Number(message.id);
    const entry = session.pending.get(id);
    if (!entry) return;
    session.pending.delete(id);
    entry.channel.outgoing.delete(key(entry.originalId));
    if (entry.method === 'initialize') {
      session.initInFlight = false;
      const waiters = session.initWaiters;
      session.initWaiters = [];
      if ('result' in message) {
        session.initResult = message.result;
        for (const w of waiters)
          this.toChannel(w.channel, { jsonrpc: '2.0', id: w.message.id, result: message.result });
      } else {
        // The server refused: let each waiting connection try for itself.
        for (const w of waiters) this.fromChannel(session, w.channel, JSON.stringify(w.message));
      }
    }
    this.toChannel(entry.channel, { ...message, id: entry.originalId });
  }

  private routeServerRequest(session: Session, message: Message): void {
    const open = [...session.channels].filter((c) => !c.closed);
    if (open.length === 0) return;
    let owner: Channel | undefined;
    let latest = -1;
    for (const entry of session.pending.values()) {
      if (entry.channel.closed || entry.method === 'ping' || entry.method === 'initialize') continue;
      if (entry.order > latest) {
        latest = entry.order;
        owner = entry.channel;
      }
    }
    owner ??= open[0]!;
    session.serverRequests.set(key(message.id), owner);
    this.toChannel(owner, message);
  }

  private routeNotification(session: Session, message: Message): void {
    if (message.method === 'notifications/progress') {
      const token = message.params?.progressToken;
      for (const entry of session.pending.values()) {
        if (entry.progressToken !== undefined && entry.progressToken === token) {
          this.toChannel(entry.channel, message);
          return;
        }
      }
    }
    if (message.method === 'notifications/cancelled') {
      const owner = session.serverRequests.get(key(message.params?.requestId));
      if (owner) this.toChannel(owner, message);
      return;
    }
    for (const channel of session.channels) this.toChannel(channel, message);
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
