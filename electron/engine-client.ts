// The main process's side of the engine protocol: `Engine` is a ControlApi whose calls go to the
// engine's own process, and it supervises that process (start, stop, restart after a crash). The
// process is reached through an `EngineChannel`, made from Electron's utilityProcess in main.ts and
// from child_process.fork in tests.
import type { ControlApi, ControlEvent } from '../common/control/api.js';
import { ControlClient } from '../common/control/client.js';
import type { ControlMethod } from '../common/control/methods.js';
import type { WireError } from '../common/control/wire.js';
import {
  isEngineToMain,
  type EngineStartOptions,
  type EngineStarted,
  type EngineToMain,
  type MainToEngine,
} from './engine-protocol.js';

/** A started engine process: how messages reach it and how it ends. */
export interface EngineChannel {
  send(message: MainToEngine): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has ended (code null: killed by a signal). */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

/** An engine-side failure, with the status the control API gave it (404 unknown backend, …). */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    name?: string,
  ) {
    super(message);
    this.name = name && name !== 'Error' ? name : 'EngineError';
  }
}

function fromWire(error: WireError): EngineError {
  return new EngineError(error.message, error.status, error.name);
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** One engine process. */
export class EngineProcess {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private startWaiter: Pending | undefined;
  private exitCode: number | null | undefined;
  private readonly exited: Promise<number | null>;
  private readonly eventListeners = new Set<(event: ControlEvent) => void>();
  private subscribed = false;

  constructor(
    private readonly channel: EngineChannel,
    private readonly callTimeoutMs = 30_000,
  ) {
    this.exited = new Promise((resolve) =>
      channel.onExit((code) => {
        this.exitCode = code;
        const error = new EngineError(`the engine exited${code === null ? '' : ` with code ${code}`}`);
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(error);
        }
        this.pending.clear();
        if (this.startWaiter) {
          clearTimeout(this.startWaiter.timer);
          this.startWaiter.reject(error);
          this.startWaiter = undefined;
        }
        resolve(code);
      }),
    );
    channel.onMessage((message) => {
      if (isEngineToMain(message)) this.receive(message);
    });
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** Resolves with the code once the process has ended. */
  whenExited(): Promise<number | null> {
    return this.exited;
  }

  private receive(message: EngineToMain): void {
    switch (message.type) {
      case 'started':
      case 'start-failed': {
        const waiter = this.startWaiter;
        this.startWaiter = undefined;
        if (!waiter) return;
        clearTimeout(waiter.timer);
        if (message.type === 'started') waiter.resolve(message.started);
        else waiter.reject(fromWire(message.error));
        return;
      }
      case 'result': {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(fromWire(message.error));
        return;
      }
      case 'event':
        for (const listener of this.eventListeners) listener(message.event);
        return;
      case 'stopped':
      case 'fatal':
        return;
    }
  }

  start(options: EngineStartOptions, timeoutMs = 60_000): Promise<EngineStarted> {
    return new Promise<EngineStarted>((resolve, reject) => {
      if (!this.alive) return reject(new EngineError('the engine process has ended'));
      const timer = setTimeout(() => {
        this.startWaiter = undefined;
        reject(new EngineError(`the engine did not start within ${Math.round(timeoutMs / 1000)} s`));
        this.channel.kill();
      }, timeoutMs);
      this.startWaiter = { resolve: resolve as (v: unknown) => void, reject, timer };
      this.channel.send({ type: 'start', options });
    });
  }

  call(method: ControlMethod, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (!this.alive) return reject(new EngineError('the engine is not running'));
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new EngineError(`the engine did not answer ${method} within ${this.callTimeoutMs / 1000} s`));
      }, this.callTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.channel.send({ type: 'call', id, method, args });
    });
  }

  /** Events from the engine; the engine is asked to send them while anyone listens. */
  onEvent(listener: (event: ControlEvent) => void): () => void {
    this.eventListeners.add(listener);
    if (!this.subscribed && this.alive) {
      this.subscribed = true;
      this.channel.send({ type: 'subscribe' });
    }
    return () => {
      this.eventListeners.delete(listener);
      if (this.eventListeners.size === 0 && this.subscribed && this.alive) {
        this.subscribed = false;
        this.channel.send({ type: 'unsubscribe' });
      }
    };
  }

  /** Asks the engine to stop cleanly (backends closed, data flushed); kills it after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (!this.alive) return;
    this.channel.send({ type: 'stop' });
    const timer = setTimeout(() => this.channel.kill(), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.alive) this.channel.kill();
  }
}

export type EngineState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface EngineStatus {
  state: EngineState;
  /** Why it failed or crashed. */
  error?: string;
  /** Once running: the MCP endpoint and where the token comes from. */
  started?: EngineStarted;
}

export interface EngineOptions {
  /** Starts a new engine process. */
  spawn: () => EngineChannel;
  /** The start options for each (re)start (the token is read from the keyring each time). */
  startOptions: () => Promise<EngineStartOptions>;
  callTimeoutMs?: number;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** After a crash, restart at most `max` times per `windowMs`, `delayMs` apart. */
  restart?: { max: number; windowMs: number; delayMs: number };
  now?: () => number;
}

/**
 * The engine as the main process sees it: a ControlApi (the IPC binding and the tray use it) plus
 * its lifecycle. Subscriptions survive a restart of the engine process. The call methods come from
 * the method table (ControlClient); each goes to the engine process as a `call` message.
 */
export class Engine extends ControlClient implements ControlApi {
  private process: EngineProcess | undefined;
  private current: EngineStatus = { state: 'stopped' };
  private readonly statusListeners = new Set<(status: EngineStatus) => void>();
  private readonly listeners = new Set<(event: ControlEvent) => void>();
  private offEvents: (() => void) | undefined;
  private crashes: number[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private wanted = false;

  constructor(private readonly options: EngineOptions) {
    super();
  }

  get status(): EngineStatus {
    return this.current;
  }

  onStatus(listener: (status: EngineStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setStatus(status: EngineStatus): void {
    this.current = status;
    for (const listener of this.statusListeners) listener(status);
  }

  async start(): Promise<void> {
    this.wanted = true;
    clearTimeout(this.restartTimer);
    if (this.process?.alive) return;
    this.setStatus({ state: 'starting' });
    const child = new EngineProcess(this.options.spawn(), this.options.callTimeoutMs);
    this.process = child;
    void child.whenExited().then((code) => this.exited(child, code));
    try {
      const options = await this.options.startOptions();
      const started = await child.start(options, this.options.startTimeoutMs);
      if (this.process !== child) return;
      if (this.listeners.size > 0) this.offEvents = child.onEvent((event) => this.emit(event));
      this.setStatus({ state: 'running', started });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A start that failed (port in use, bad config) is not retried by itself: the user fixes it.
      this.wanted = false;
      child.kill();
      if (this.process === child) this.setStatus({ state: 'failed', error: message });
      throw error;
    }
  }

  private exited(child: EngineProcess, code: number | null): void {
    if (this.process !== child) return;
    this.offEvents = undefined;
    this.process = undefined;
    if (!this.wanted || this.current.state === 'stopping') return;
    if (this.current.state === 'failed') return;
    const message = `the engine stopped unexpectedly${code === null ? '' : ` (exit code ${code})`}`;
    const restart = this.options.restart ?? { max: 3, windowMs: 60_000, delayMs: 1000 };
    const now = (this.options.now ?? Date.now)();
    this.crashes = this.crashes.filter((t) => now - t < restart.windowMs);
    this.crashes.push(now);
    this.setStatus({ state: 'failed', error: message });
    if (this.crashes.length > restart.max) return;
    this.restartTimer = setTimeout(() => {
      if (this.wanted && !this.process) this.start().catch(() => undefined);
    }, restart.delayMs);
  }

  /** Stops the engine cleanly (backends closed, database flushed). */
  async stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.restartTimer);
    const child = this.process;
    if (!child) {
      if (this.current.state !== 'failed') this.setStatus({ state: 'stopped' });
      return;
    }
    this.setStatus({ ...this.current, state: 'stopping' });
    await child.stop(this.options.stopTimeoutMs);
    this.process = undefined;
    this.setStatus({ state: 'stopped' });
  }

  async restart(): Promise<void> {
    await this.stop();
    this.crashes = [];
    await this.start();
  }

  private emit(event: ControlEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // one listener's failure never stops the others
      }
    }
  }

  callControl(method: ControlMethod, args: unknown[]): Promise<unknown> {
    const child = this.process;
    if (!child || this.current.state !== 'running') {
      return Promise.reject(
        new EngineError(
          this.current.error
            ? `the engine is not running: ${this.current.error}`
            : 'the engine is not running',
          503,
        ),
      );
    }
    return child.call(method, args);
  }

  // --- ControlApi: the events (the call methods are generated) --------------------------------------

  subscribe(listener: (event: ControlEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1 && this.process && this.current.state === 'running') {
      this.offEvents = this.process.onEvent((event) => this.emit(event));
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.offEvents?.();
        this.offEvents = undefined;
      }
    };
  }
}
