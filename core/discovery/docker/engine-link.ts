// The link to the container engine: finds it (auto-detection or an explicit host), follows its
// event stream, and when the engine is lost reconnects with jittered backoff. Every connection is
// a new generation: work started under an older one is stale and stops. What to do with the
// containers (a full sync on connect and periodically, one container per event) is the
// reconciler's; this file only says when.
import type { BackoffPolicy, Clock, Logger } from '../../domain/runtime.js';
import { backoffDelay } from '../../support/backoff.js';
import { describeEngineError, engineDetails, engineLabel, findEngine, type EngineHandle } from './engine.js';
import { parseContainerEvent, type ContainerEvent } from './events.js';
import { currentHostEnvironment, engineCandidates, type HostEnvironment } from './hosts.js';
import { LineFramer, UNBOUNDED_BUDGET } from '../../backends/inbound-limits.js';

export type LinkState = 'idle' | 'searching' | 'connected' | 'disconnected' | 'stopped';

export interface EngineLinkOptions {
  /** `auto` or an engine URL. */
  host: string;
  env: NodeJS.ProcessEnv;
  hostEnvironment?: HostEnvironment;
  reconnect: BackoffPolicy;
  reconcileIntervalMs: number;
  engineTimeoutMs: number;
  random?: () => number;
  clock: Clock;
  log: Logger;
}

export interface EngineLinkHooks {
  /** A full sync of the containers (on connect, periodically, when the engine's details change). */
  sync(generation: number): Promise<void>;
  /** One container event. */
  event(event: ContainerEvent, generation: number): void;
  /** A fingerprint of what the engine's details decide (how containers are reached). */
  context(): string;
}

export class EngineLink {
  state: LinkState = 'idle';
  engine: EngineHandle | undefined;
  reconnects = 0;
  lastError: string | undefined;
  tried: { host: string; error: string }[] = [];
  lastEventAt: number | undefined;
  nextRetryAt: number | undefined;
  private generation = 0;
  private attempt = 0;
  private events: { stream: NodeJS.ReadableStream; abort: AbortController } | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconciling = false;

  constructor(
    private readonly o: EngineLinkOptions,
    private readonly hooks: EngineLinkHooks,
  ) {}

  /** Connects (the first attempt settles when this resolves); reconnects on its own after. */
  start(): Promise<void> {
    this.state = 'idle';
    this.attempt = 0;
    this.lastError = undefined;
    this.tried = [];
    this.nextRetryAt = undefined;
    return this.connect();
  }

  halt(): void {
    this.state = 'stopped';
    this.generation++;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.reconcileTimer);
    this.closeEvents();
  }

  /** Work begun under `generation` is to be dropped (the engine was lost, or discovery stopped). */
  stale(generation: number): boolean {
    return generation !== this.generation || this.state === 'stopped';
  }

  private async connect(): Promise<void> {
    if (this.state === 'stopped') return;
    const generation = ++this.generation;
    this.state = 'searching';
    this.nextRetryAt = undefined;
    const hostEnv = this.o.hostEnvironment ?? currentHostEnvironment(this.o.env);
    let hosts: string[];
    try {
      hosts = await engineCandidates(this.o.host, hostEnv);
    } catch (error) {
      hosts = [];
      this.o.log.warn('could not list engine sockets', { error: describeEngineError(error) });
    }
    const search = await findEngine(hosts, { timeoutMs: this.o.engineTimeoutMs, env: hostEnv.env });
    if (this.stale(generation)) return;
    this.tried = search.tried;
    if (!search.handle) {
      this.lastError =
        hosts.length === 0
          ? 'no container engine found (no Docker or Podman socket on this machine)'
          : `no container engine found (tried ${search.tried.map((t) => `${t.host}: ${t.error}`).join('; ')})`;
      if (this.attempt === 0) this.o.log.info(this.lastError);
      else this.o.log.debug(this.lastError);
      this.state = 'disconnected';
      this.scheduleReconnect();
      return;
    }
    const previous = this.engine?.info;
    this.engine = search.handle;
    const info = search.handle.info;
    if (!previous || previous.host !== info.host || previous.version !== info.version) {
      this.o.log.info('container engine found', { engine: engineLabel(info), host: info.host });
    }
    // /info (rootless? Docker Desktop?) refines how containers are reached. On Podman it takes a
    // few hundred ms, so discovery goes ahead with what the ping told and re-applies every
    // container in the rare case /info changes the verdict.
    const before = this.hooks.context();
    void engineDetails(search.handle, this.o.engineTimeoutMs).then(
      () => {
        if (this.stale(generation) || this.hooks.context() === before) return;
        this.o.log.debug('engine details changed how containers are reached: resync');
        void this.reconcile(generation);
      },
      (error: unknown) => this.o.log.debug('engine /info failed', { error: describeEngineError(error) }),
    );
    try {
      await this.openEvents(generation);
      await this.hooks.sync(generation);
      if (this.stale(generation)) return;
      this.state = 'connected';
      this.attempt = 0;
      this.lastError = undefined;
      this.tried = [];
      clearInterval(this.reconcileTimer);
      this.reconcileTimer = setInterval(() => void this.reconcile(generation), this.o.reconcileIntervalMs);
      this.reconcileTimer.unref();
    } catch (error) {
      this.lost(generation, error);
    }
  }

  private async reconcile(generation: number): Promise<void> {
    if (this.reconciling || this.stale(generation)) return;
    this.reconciling = true;
    try {
      await this.hooks.sync(generation);
    } catch (error) {
      this.lost(generation, error);
    } finally {
      this.reconciling = false;
    }
  }

  private lost(generation: number, error: unknown): void {
    if (this.stale(generation)) return;
    this.generation++;
    this.closeEvents();
    clearInterval(this.reconcileTimer);
    const host = this.engine?.info.host ?? 'the engine';
    this.lastError = `lost the container engine at ${host}: ${describeEngineError(error)}`;
    this.o.log.warn('container engine connection lost', { host, error: describeEngineError(error) });
    this.state = 'disconnected';
    this.reconnects++;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.state === 'stopped') return;
    clearTimeout(this.reconnectTimer);
    const delay = backoffDelay(this.attempt++, this.o.reconnect, this.o.random);
    this.nextRetryAt = this.o.clock.now() + delay;
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private closeEvents(): void {
    const events = this.events;
    this.events = undefined;
    if (!events) return;
    events.abort.abort();
    (events.stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }

  private async openEvents(generation: number): Promise<void> {
    this.closeEvents();
    const docker = this.engine!.docker;
    const abort = new AbortController();
    const opening = setTimeout(() => abort.abort(), this.o.engineTimeoutMs);
    let stream: NodeJS.ReadableStream;
    try {
      // Filtered by type only: Podman leaves labels off some events, so labels are matched later.
      stream = (await docker.getEvents({
        filters: { type: ['container'] },
        abortSignal: abort.signal,
      })) as NodeJS.ReadableStream;
    } finally {
      clearTimeout(opening);
    }
    if (this.stale(generation)) {
      abort.abort();
      return;
    }
    const events = { stream, abort };
    this.events = events;
    // One event is one line; a line over 1 MiB is no event of ours and is skipped.
    const lines = new LineFramer(
      { maxMessageBytes: 1024 * 1024, budget: UNBOUNDED_BUDGET },
      {
        onLine: (line) => {
          let raw: unknown;
          try {
            raw = JSON.parse(line.toString('utf8'));
          } catch {
            return;
          }
          const event = parseContainerEvent(raw);
          if (!event || this.stale(generation)) return;
          this.lastEventAt = this.o.clock.now();
          this.hooks.event(event, generation);
        },
        onOversize: () => undefined,
      },
    );
    stream.on('data', (chunk: Buffer) => lines.push(chunk));
    const ended = (error?: Error) => {
      if (this.events !== events) return;
      this.lost(generation, error ?? new Error('the event stream ended'));
    };
    stream.on('end', () => ended());
    stream.on('close', () => ended());
    stream.on('error', (error: Error) => ended(error));
  }
}
