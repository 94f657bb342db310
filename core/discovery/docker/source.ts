// Live discovery of MCP servers running as containers on Docker or Podman: finds the engine,
// lists and inspects labelled containers, then follows the engine's event stream, re-inspecting
// a container on each relevant event and feeding the registry (which connects, health-checks and
// aggregates). Survives engine restarts (reconnect with jittered backoff, full resync) and
// reconciles periodically. Labels are validated in labels.ts; names are made unique in names.ts.
import type Docker from 'dockerode';
import type { BackendRegistry } from '../../backends/registry.js';
import type { BackendStatus } from '../../../common/domain/backend.js';
import type { BackendSpec, StdioAttachment } from '../../domain/backend-spec.js';
import type { BackoffPolicy, Clock, Logger } from '../../domain/runtime.js';
import { systemClock } from '../../domain/runtime.js';
import { backoffDelay } from '../../support/backoff.js';
import { silentLogger } from '../../support/logger.js';
import type { DiscoverySource, SourceStatus } from '../source.js';
import { ContainerAttachment } from './attach.js';
import {
  describeEngineError,
  engineDetails,
  engineLabel,
  findEngine,
  type EngineHandle,
  type EngineInfo,
} from './engine.js';
import { APPEARING_ACTIONS, parseContainerEvent, RELEVANT_ACTIONS, type ContainerEvent } from './events.js';
import { currentHostEnvironment, engineCandidates, type HostEnvironment } from './hosts.js';
import {
  containerName,
  hasDiscoveryLabels,
  interpretContainer,
  type ContainerInspect,
  type Convention,
  type InterpretContext,
} from './labels.js';
import { uniqueName } from './names.js';
import { LineSplitter } from './streams.js';

export interface DockerSourceOptions {
  /** `auto` (DOCKER_HOST, then the Docker and Podman sockets) or an engine URL. */
  host?: string;
  /** Only containers in this group are backends (mcp.group / toolhive-group); null = all. */
  group?: string | null;
  /** Where DOCKER_HOST, XDG_RUNTIME_DIR, DOCKER_CERT_PATH are read. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
  /** Reconnect pacing after the engine is lost or was not found. Default 1 s … 30 s, jittered. */
  reconnect?: BackoffPolicy;
  /** Full resync interval while connected, ms. Default 30 s. */
  reconcileIntervalMs?: number;
  /** Events for one container within this window lead to one inspect, ms. Default 25. */
  eventDebounceMs?: number;
  /** After a container (re)starts, a backend that is down is retried quickly for this long, ms. */
  bootWindowMs?: number;
  /** … every this many ms (the server inside is still booting). Default 200. */
  bootRetryMs?: number;
  /** Per-request timeout of discovered backends, ms. Default 30 s. */
  backendTimeoutMs?: number;
  /** Deadline of one engine API call (ping, list, inspect), ms. Default 5 s. */
  engineTimeoutMs?: number;
  /** How long start() waits for the engine and the first sync before returning, ms. Default 5 s. */
  startWaitMs?: number;
  maxMessageBytes?: number;
  /** Names a container must not take (besides the registry's non-container backends). */
  reservedNames?: () => Iterable<string>;
  /** The machine as seen by the socket search (tests). */
  hostEnvironment?: HostEnvironment;
}

type SourceState = 'idle' | 'searching' | 'connected' | 'disconnected' | 'stopped';

interface Tracked {
  id: string;
  name: string;
  wantedName: string;
  containerName: string;
  image: string;
  convention: Convention;
  startedAt: string;
  spec: BackendSpec;
  attachment?: ContainerAttachment;
  /** Until when a backend that is down is retried fast (the server is booting). */
  bootUntil: number;
}

const DEFAULTS = {
  reconnect: { initialMs: 1000, maxMs: 30_000 },
  reconcileIntervalMs: 30_000,
  eventDebounceMs: 25,
  bootWindowMs: 60_000,
  bootRetryMs: 200,
  backendTimeoutMs: 30_000,
  engineTimeoutMs: 5_000,
  startWaitMs: 5_000,
  maxMessageBytes: 100 * 1024 * 1024,
};

export class DockerSource implements DiscoverySource {
  private registry: BackendRegistry | undefined;
  private engine: EngineHandle | undefined;
  private state: SourceState = 'idle';
  private generation = 0;
  private attempt = 0;
  private reconnects = 0;
  private lastError: string | undefined;
  private tried: { host: string; error: string }[] = [];
  private lastSyncAt: number | undefined;
  private lastEventAt: number | undefined;
  private nextRetryAt: number | undefined;
  private events: { stream: NodeJS.ReadableStream; abort: AbortController } | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconciling = false;
  private readonly tracked = new Map<string, Tracked>();
  /** stdio attachments kept while the gateway is off, by container id (see suspend). */
  private readonly parked = new Map<string, ContainerAttachment>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly debounce = new Map<string, NodeJS.Timeout>();
  private readonly bootTimers = new Map<string, NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly o: typeof DEFAULTS;

  constructor(private readonly options: DockerSourceOptions = {}) {
    this.log = (options.logger ?? silentLogger).child({ source: 'docker' });
    this.clock = options.clock ?? systemClock;
    const pick = <K extends keyof typeof DEFAULTS>(k: K) => options[k] ?? DEFAULTS[k];
    this.o = {
      reconnect: pick('reconnect'),
      reconcileIntervalMs: pick('reconcileIntervalMs'),
      eventDebounceMs: pick('eventDebounceMs'),
      bootWindowMs: pick('bootWindowMs'),
      bootRetryMs: pick('bootRetryMs'),
      backendTimeoutMs: pick('backendTimeoutMs'),
      engineTimeoutMs: pick('engineTimeoutMs'),
      startWaitMs: pick('startWaitMs'),
      maxMessageBytes: pick('maxMessageBytes'),
    };
  }

  /** The engine in use, when connected. */
  get engineInfo(): EngineInfo | undefined {
    return this.state === 'connected' ? this.engine?.info : undefined;
  }

  /** Container id → backend name, for the containers currently registered. */
  backends(): Map<string, string> {
    return new Map([...this.tracked.values()].map((t) => [t.id, t.name]));
  }

  /** Starts discovery; after stop() (the gateway turned off) it may be started again. */
  async start(registry: BackendRegistry): Promise<void> {
    if (this.state !== 'idle' && this.state !== 'stopped') return;
    this.state = 'idle';
    this.attempt = 0;
    this.lastError = undefined;
    this.tried = [];
    this.nextRetryAt = undefined;
    this.registry = registry;
    this.unsubscribe = registry.statusChanged.on((status) => this.onBackendStatus(status));
    const first = this.connect();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      first,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.o.startWaitMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    await this.halt(false);
    const parked = [...this.parked.values()];
    this.parked.clear();
    await Promise.all(parked.map((a) => a.dispose()));
  }

  /**
   * The gateway is turned off. stdio attachments stay open: Podman closes a container's stdin when
   * the attachment to it closes (StdinOnce or not), which would end the server; the next start
   * picks them up again.
   */
  suspend(): Promise<void> {
    return this.halt(true);
  }

  private async halt(keepAttachments: boolean): Promise<void> {
    this.state = 'stopped';
    this.generation++;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.reconcileTimer);
    for (const timer of [...this.debounce.values(), ...this.bootTimers.values()]) clearTimeout(timer);
    this.debounce.clear();
    this.bootTimers.clear();
    this.closeEvents();
    this.unsubscribe?.();
    await Promise.allSettled([...this.queues.values()]);
    const tracked = [...this.tracked.values()];
    this.tracked.clear();
    await Promise.all(
      tracked.map(async (t) => {
        await this.registry?.remove(t.name).catch(() => undefined);
        if (keepAttachments && t.attachment?.attached) this.parked.set(t.id, t.attachment);
        else await t.attachment?.dispose();
      }),
    );
  }

  status(): SourceStatus {
    const info = this.engine?.info;
    const containers = [...this.tracked.values()].map((t) => ({
      id: t.id,
      backend: t.name,
      container: t.containerName,
      image: t.image,
      convention: t.convention,
      ...(t.spec.invalid ? { invalid: t.spec.invalid } : {}),
      ...(t.attachment ? { attached: t.attachment.attached, connections: t.attachment.connections } : {}),
    }));
    const detail: Record<string, unknown> = {
      state: this.state,
      ...(info
        ? { engine: info.kind, engineVersion: info.version, host: info.host, apiVersion: info.apiVersion }
        : {}),
      ...(info ? { rootless: info.rootless } : {}),
      group: this.options.group ?? null,
      containers,
      reconnects: this.reconnects,
      ...(this.lastSyncAt ? { lastSyncAt: this.lastSyncAt } : {}),
      ...(this.lastEventAt ? { lastEventAt: this.lastEventAt } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.tried.length ? { tried: this.tried } : {}),
    };
    let summary: string;
    switch (this.state) {
      case 'connected':
        summary = `${engineLabel(info!)} at ${info!.host}: ${containers.length} container backend${containers.length === 1 ? '' : 's'}`;
        break;
      case 'idle':
        summary = 'not started';
        break;
      case 'searching':
        summary =
          this.reconnects > 0 ? `reconnecting to the container engine` : 'looking for a container engine';
        break;
      case 'stopped':
        summary = 'stopped';
        break;
      default: {
        const retry =
          this.nextRetryAt !== undefined
            ? `; retrying in ${Math.max(1, Math.ceil((this.nextRetryAt - this.clock.now()) / 1000))} s`
            : '';
        summary = `${this.lastError ?? 'no container engine found'}${retry}`;
      }
    }
    return { kind: 'docker', summary, ok: this.state === 'connected', detail };
  }

  // ---- engine connection -------------------------------------------------------------------

  private stale(generation: number): boolean {
    return generation !== this.generation || this.state === 'stopped';
  }

  private async connect(): Promise<void> {
    if (this.state === 'stopped') return;
    const generation = ++this.generation;
    this.state = 'searching';
    this.nextRetryAt = undefined;
    const setting = this.options.host ?? 'auto';
    const hostEnv = this.options.hostEnvironment ?? currentHostEnvironment(this.options.env ?? process.env);
    let hosts: string[];
    try {
      hosts = await engineCandidates(setting, hostEnv);
    } catch (error) {
      hosts = [];
      this.log.warn('could not list engine sockets', { error: describeEngineError(error) });
    }
    const search = await findEngine(hosts, { timeoutMs: this.o.engineTimeoutMs, env: hostEnv.env });
    if (this.stale(generation)) return;
    this.tried = search.tried;
    if (!search.handle) {
      this.lastError =
        hosts.length === 0
          ? 'no container engine found (no Docker or Podman socket on this machine)'
          : `no container engine found (tried ${search.tried.map((t) => `${t.host}: ${t.error}`).join('; ')})`;
      if (this.attempt === 0) this.log.info(this.lastError);
      else this.log.debug(this.lastError);
      this.state = 'disconnected';
      this.scheduleReconnect();
      return;
    }
    const previous = this.engine?.info;
    this.engine = search.handle;
    const info = search.handle.info;
    if (!previous || previous.host !== info.host || previous.version !== info.version) {
      this.log.info('container engine found', { engine: engineLabel(info), host: info.host });
    }
    // /info (rootless? Docker Desktop?) refines how containers are reached. On Podman it takes a
    // few hundred ms, so discovery goes ahead with what the ping told and re-applies every
    // container in the rare case /info changes the verdict.
    const before = JSON.stringify(this.interpretContext());
    void engineDetails(search.handle, this.o.engineTimeoutMs).then(
      () => {
        if (this.stale(generation) || JSON.stringify(this.interpretContext()) === before) return;
        this.log.debug('engine details changed how containers are reached: resync');
        void this.reconcile(generation);
      },
      (error: unknown) => this.log.debug('engine /info failed', { error: describeEngineError(error) }),
    );
    try {
      await this.openEvents(generation);
      await this.resync(generation);
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

  private lost(generation: number, error: unknown): void {
    if (this.stale(generation)) return;
    this.generation++;
    this.closeEvents();
    clearInterval(this.reconcileTimer);
    const host = this.engine?.info.host ?? 'the engine';
    this.lastError = `lost the container engine at ${host}: ${describeEngineError(error)}`;
    this.log.warn('container engine connection lost', { host, error: describeEngineError(error) });
    this.state = 'disconnected';
    this.reconnects++;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.state === 'stopped') return;
    clearTimeout(this.reconnectTimer);
    const delay = backoffDelay(this.attempt++, this.o.reconnect, this.options.random);
    this.nextRetryAt = this.clock.now() + delay;
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
      // Filtered by type only: Podman leaves labels off some events, so labels are matched here.
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
    const lines = new LineSplitter((line) => {
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        return;
      }
      const event = parseContainerEvent(raw);
      if (event) this.onEvent(event, generation);
    }, 1024 * 1024);
    stream.on('data', (chunk: Buffer) => lines.push(chunk));
    const ended = (error?: Error) => {
      if (this.events !== events) return;
      this.lost(generation, error ?? new Error('the event stream ended'));
    };
    stream.on('end', () => ended());
    stream.on('close', () => ended());
    stream.on('error', (error: Error) => ended(error));
  }

  private onEvent(event: ContainerEvent, generation: number): void {
    if (this.stale(generation)) return;
    this.lastEventAt = this.clock.now();
    if (!RELEVANT_ACTIONS.has(event.action)) return;
    const known = this.tracked.has(event.id) || this.queues.has(event.id);
    if (!known && !APPEARING_ACTIONS.has(event.action) && !hasDiscoveryLabels(event.attributes)) return;
    this.log.debug('container event', { id: event.id.slice(0, 12), action: event.action });
    clearTimeout(this.debounce.get(event.id));
    const timer = setTimeout(() => {
      this.debounce.delete(event.id);
      void this.enqueue(event.id, () => this.refresh(event.id, generation));
    }, this.o.eventDebounceMs);
    this.debounce.set(event.id, timer);
  }

  // ---- container state -----------------------------------------------------------------------

  /** Runs tasks for one container one after another. */
  private enqueue(id: string, task: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous
      .then(task)
      .catch((error: unknown) =>
        this.log.warn('container update failed', { id: id.slice(0, 12), error: describeEngineError(error) }),
      )
      .finally(() => {
        if (this.queues.get(id) === next) this.queues.delete(id);
      });
    this.queues.set(id, next);
    return next;
  }

  private async inspect(id: string): Promise<ContainerInspect | null> {
    const docker = this.engine!.docker;
    try {
      return (await docker
        .getContainer(id)
        .inspect({ abortSignal: AbortSignal.timeout(this.o.engineTimeoutMs) })) as ContainerInspect;
    } catch (error) {
      // Gone. Podman may answer 500 "no such container" while a removal is under way.
      const { statusCode, message } = error as { statusCode?: number; message?: string };
      if (
        statusCode === 404 ||
        (statusCode === 500 && /no such container|does not exist/i.test(message ?? ''))
      ) {
        return null;
      }
      throw error;
    }
  }

  private async refresh(id: string, generation: number): Promise<void> {
    if (this.stale(generation)) return;
    const info = await this.inspect(id);
    if (this.stale(generation)) return;
    await this.apply(id, info);
  }

  /** Lists, inspects and applies every candidate container; forgets the ones that are gone. */
  private async resync(generation: number): Promise<void> {
    const docker = this.engine!.docker;
    // all: Podman leaves paused containers out of the default (running) list; Docker does not.
    const list = (await docker.listContainers({
      all: true,
      abortSignal: AbortSignal.timeout(this.o.engineTimeoutMs),
    })) as Docker.ContainerInfo[];
    if (this.stale(generation)) return;
    const live = new Set(['running', 'paused']);
    const candidates = list.filter(
      (c) => hasDiscoveryLabels(c.Labels) && live.has((c.State ?? '').toLowerCase()),
    );
    const present = new Set(candidates.map((c) => c.Id));
    const gone = [...this.tracked.keys()].filter((id) => !present.has(id));
    await Promise.all(gone.map((id) => this.enqueue(id, () => this.apply(id, null))));
    const infos = await mapLimit(candidates, 8, (c) => this.inspect(c.Id));
    if (this.stale(generation)) return;
    const found = infos.filter((i): i is ContainerInspect => i !== null);
    // Oldest first: when two containers want one name, the older one keeps it.
    found.sort((a, b) => (a.Created ?? '').localeCompare(b.Created ?? '') || a.Id.localeCompare(b.Id));
    for (const info of found) await this.enqueue(info.Id, () => this.apply(info.Id, info));
    for (const c of candidates)
      if (!found.some((f) => f.Id === c.Id)) await this.enqueue(c.Id, () => this.apply(c.Id, null));
    // Kept attachments (over a pause, or of a stopped container) are let go with their container.
    for (const [id, attachment] of this.parked) {
      if (this.tracked.has(id) || list.some((c) => c.Id === id)) continue;
      this.parked.delete(id);
      await attachment.dispose();
    }
    this.lastSyncAt = this.clock.now();
  }

  private async reconcile(generation: number): Promise<void> {
    if (this.reconciling || this.stale(generation)) return;
    this.reconciling = true;
    try {
      await this.resync(generation);
    } catch (error) {
      this.lost(generation, error);
    } finally {
      this.reconciling = false;
    }
  }

  private interpretContext(): InterpretContext {
    const info = this.engine?.info;
    const platform = this.options.hostEnvironment?.platform ?? process.platform;
    const vm = /desktop/i.test(info?.platform ?? '');
    const sameMachine = platform === 'linux' && Boolean(info?.local) && !vm;
    return {
      group: this.options.group ?? null,
      containerIpReachable: sameMachine && !info?.rootless,
      hostNetworkReachable: sameMachine,
    };
  }

  private isTaken(name: string, self: string): boolean {
    for (const t of this.tracked.values()) if (t.id !== self && t.name === name) return true;
    for (const reserved of this.options.reservedNames?.() ?? []) if (reserved === name) return true;
    const existing = this.registry?.get(name);
    if (!existing) return false;
    const source = existing.spec.source;
    return !(source.kind === 'container' && source.containerId === self);
  }

  private async apply(id: string, info: ContainerInspect | null): Promise<void> {
    const registry = this.registry;
    if (!registry || this.state === 'stopped') return;
    const previous = this.tracked.get(id);
    const verdict = info
      ? interpretContainer(info, this.interpretContext())
      : ({ kind: 'ignore', reason: 'container removed' } as const);
    if (verdict.kind === 'ignore' || !info) {
      if (previous)
        await this.untrack(previous, verdict.kind === 'ignore' ? verdict.reason : 'gone', info !== null);
      return;
    }
    const engine = this.engine!.info;
    const name =
      previous && previous.wantedName === verdict.wantedName
        ? previous.name
        : uniqueName(verdict.wantedName, id, (n) => this.isTaken(n, id));
    if (previous && previous.name !== name) await registry.remove(previous.name);
    const startedAt = info.State?.StartedAt ?? '';
    const restarted = previous !== undefined && previous.startedAt !== startedAt;
    const cname = containerName(info) || id.slice(0, 12);
    const image = info.Config?.Image ?? info.Image ?? '';

    let attachment = previous?.attachment;
    let endpoint: BackendSpec['endpoint'];
    if (verdict.endpoint.transport === 'stdio') {
      if (verdict.invalid) {
        await attachment?.dispose();
        attachment = undefined;
        endpoint = { transport: 'stdio', attach: unusableAttachment(`${engine.kind} container ${cname}`) };
      } else {
        attachment ??= this.unpark(id, startedAt);
        attachment ??= new ContainerAttachment({
          docker: this.engine!.docker,
          containerId: id,
          containerName: cname,
          engine: engine.kind,
          tty: verdict.endpoint.tty,
          maxMessageBytes: this.o.maxMessageBytes,
          logger: this.log,
        });
        endpoint = { transport: 'stdio', attach: attachment };
      }
    } else {
      await attachment?.dispose();
      attachment = undefined;
      endpoint = { transport: verdict.endpoint.transport, url: verdict.endpoint.url, headers: {} };
    }

    const spec: BackendSpec = {
      name,
      endpoint,
      timeoutMs: this.o.backendTimeoutMs,
      source: {
        kind: 'container',
        engine: engine.kind,
        engineVersion: engine.version,
        containerId: id,
        containerName: cname,
        image,
        convention: verdict.convention,
      },
      ...(verdict.group ? { group: verdict.group } : {}),
      ...(verdict.invalid ? { invalid: verdict.invalid } : {}),
    };
    const fresh = !previous || restarted || previous.name !== name;
    const tracked: Tracked = {
      id,
      name,
      wantedName: verdict.wantedName,
      containerName: cname,
      image,
      convention: verdict.convention,
      startedAt,
      spec,
      ...(attachment ? { attachment } : {}),
      bootUntil: fresh ? this.clock.now() + this.o.bootWindowMs : previous.bootUntil,
    };
    this.tracked.set(id, tracked);
    if (!previous || previous.name !== name) {
      this.log.info(verdict.invalid ? 'container is mislabelled' : 'container backend found', {
        backend: name,
        container: cname,
        ...(verdict.invalid
          ? { reason: verdict.invalid }
          : { target: 'url' in endpoint ? endpoint.url : 'attach' }),
      });
    }
    const before = registry.get(name);
    registry.upsert(spec);
    if (restarted && registry.get(name) === before && before) {
      // Same address, new process: drop the old session and connect now.
      attachment?.detachUnless(startedAt);
      before.reconnect();
    }
  }

  /** The attachment kept for this container while the gateway was off, if any. */
  private unpark(id: string, startedAt: string): ContainerAttachment | undefined {
    const attachment = this.parked.get(id);
    this.parked.delete(id);
    attachment?.detachUnless(startedAt); // restarted meanwhile: that session belongs to the old run
    return attachment;
  }

  /**
   * Stops serving a container. While the container still exists (stopped, restarting) its stdio
   * attachment is kept for when it runs again: an attach still in flight may reach the next run,
   * and closing it would close that run's stdin (see suspend).
   */
  private async untrack(tracked: Tracked, reason: string, containerExists = false): Promise<void> {
    if (this.tracked.get(tracked.id) === tracked) this.tracked.delete(tracked.id);
    clearTimeout(this.bootTimers.get(tracked.id));
    this.bootTimers.delete(tracked.id);
    this.log.info('container backend removed', {
      backend: tracked.name,
      container: tracked.containerName,
      reason,
    });
    const current = this.registry?.get(tracked.name);
    if (current?.spec.source.kind === 'container' && current.spec.source.containerId === tracked.id) {
      await this.registry?.remove(tracked.name);
    }
    const attachment = tracked.attachment;
    if (!attachment) return;
    if (containerExists && this.state !== 'stopped') {
      const older = this.parked.get(tracked.id);
      this.parked.set(tracked.id, attachment);
      if (older && older !== attachment) await older.dispose();
    } else {
      await attachment.dispose();
    }
  }

  /** While a container is booting, a backend that is down is retried every bootRetryMs. */
  private onBackendStatus(status: BackendStatus): void {
    if (status.source.kind !== 'container') return;
    const id = status.source.containerId;
    const tracked = this.tracked.get(id);
    if (!tracked || tracked.name !== status.name || tracked.spec.invalid) return;
    if (status.state === 'ready') {
      tracked.bootUntil = 0;
      return;
    }
    if (status.state !== 'down' || this.clock.now() >= tracked.bootUntil || this.bootTimers.has(id)) return;
    const timer = setTimeout(() => {
      this.bootTimers.delete(id);
      if (this.tracked.get(id) !== tracked || this.state === 'stopped') return;
      const connection = this.registry?.get(tracked.name);
      const source = connection?.spec.source;
      if (source?.kind === 'container' && source.containerId === id && connection!.status.state === 'down') {
        connection!.reconnect();
      }
    }, this.o.bootRetryMs);
    timer.unref();
    this.bootTimers.set(id, timer);
  }
}

function unusableAttachment(what: string): StdioAttachment {
  return {
    describe: () => `${what} (stdio, not attachable)`,
    open: () => Promise.reject(new Error(`${what} cannot be attached`)),
  };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
