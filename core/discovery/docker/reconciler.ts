// Keeps the registry equal to the labelled containers: a full sync (list, inspect, apply; forget
// what is gone), and one container at a time on its events (debounced, queued per container so
// an inspect never overtakes an earlier one). Labels are read in labels.ts, names made unique in
// names.ts; stdio attachments are kept in attachments.ts; boot retries in boot-retry.ts.
import type Docker from 'dockerode';
import type { BackendRegistry } from '../../backends/registry.js';
import type { BackendStatus } from '../../../common/domain/backend.js';
import type { BackendSpec } from '../../domain/backend-spec.js';
import type { Logger } from '../../domain/runtime.js';
import type { ContainerAttachment } from './attach.js';
import type { Attachments } from './attachments.js';
import { unusableAttachment } from './attachments.js';
import type { BootRetry } from './boot-retry.js';
import { describeEngineError, type EngineHandle } from './engine.js';
import { APPEARING_ACTIONS, RELEVANT_ACTIONS, type ContainerEvent } from './events.js';
import {
  containerName,
  hasDiscoveryLabels,
  interpretContainer,
  type ContainerInspect,
  type Convention,
  type InterpretContext,
} from './labels.js';
import { uniqueName } from './names.js';

export interface ReconcilerOptions {
  group: string | null;
  platform: NodeJS.Platform;
  eventDebounceMs: number;
  engineTimeoutMs: number;
  backendTimeoutMs: number;
  reservedNames?: () => Iterable<string>;
  log: Logger;
}

/** A container served as a backend. */
export interface Tracked {
  id: string;
  name: string;
  wantedName: string;
  containerName: string;
  image: string;
  convention: Convention;
  startedAt: string;
  spec: BackendSpec;
  attachment?: ContainerAttachment;
}

export class Reconciler {
  readonly tracked = new Map<string, Tracked>();
  private registry: BackendRegistry | undefined;
  private stopped = true;
  private readonly queues = new Map<string, Promise<void>>();
  private readonly debounce = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly o: ReconcilerOptions,
    /** The engine, and whether work of a generation is stale (engine-link.ts). */
    private readonly link: { engine: EngineHandle | undefined; stale(generation: number): boolean },
    private readonly attachments: Attachments,
    private readonly boots: BootRetry,
  ) {}

  begin(registry: BackendRegistry): void {
    this.registry = registry;
    this.stopped = false;
  }

  /** Stops; backends are removed and their stdio attachments closed. */
  async halt(): Promise<void> {
    this.stopped = true;
    for (const timer of this.debounce.values()) clearTimeout(timer);
    this.debounce.clear();
    this.boots.clear();
    await Promise.allSettled([...this.queues.values()]);
    const tracked = [...this.tracked.values()];
    this.tracked.clear();
    await Promise.all(
      tracked.map(async (t) => {
        await this.registry?.remove(t.name).catch(() => undefined);
        await t.attachment?.dispose();
      }),
    );
  }

  /** How containers are reached, from what the engine told (rootless? a VM?). */
  context(): InterpretContext {
    const info = this.link.engine?.info;
    const vm = /desktop/i.test(info?.platform ?? '');
    const sameMachine = this.o.platform === 'linux' && Boolean(info?.local) && !vm;
    return {
      group: this.o.group,
      containerIpReachable: sameMachine && !info?.rootless,
      hostNetworkReachable: sameMachine,
    };
  }

  onEvent(event: ContainerEvent, generation: number): void {
    if (!RELEVANT_ACTIONS.has(event.action)) return;
    const known = this.tracked.has(event.id) || this.queues.has(event.id);
    if (!known && !APPEARING_ACTIONS.has(event.action) && !hasDiscoveryLabels(event.attributes)) return;
    this.o.log.debug('container event', { id: event.id.slice(0, 12), action: event.action });
    clearTimeout(this.debounce.get(event.id));
    const timer = setTimeout(() => {
      this.debounce.delete(event.id);
      void this.enqueue(event.id, () => this.refresh(event.id, generation));
    }, this.o.eventDebounceMs);
    this.debounce.set(event.id, timer);
  }

  /** Lists, inspects and applies every candidate container; forgets the ones that are gone. */
  async sync(generation: number): Promise<void> {
    const docker = this.link.engine!.docker;
    // all: Podman leaves paused containers out of the default (running) list; Docker does not.
    const list = (await docker.listContainers({
      all: true,
      abortSignal: AbortSignal.timeout(this.o.engineTimeoutMs),
    })) as Docker.ContainerInfo[];
    if (this.link.stale(generation)) return;
    const live = new Set(['running', 'paused']);
    const candidates = list.filter(
      (c) => hasDiscoveryLabels(c.Labels) && live.has((c.State ?? '').toLowerCase()),
    );
    const present = new Set(candidates.map((c) => c.Id));
    const gone = [...this.tracked.keys()].filter((id) => !present.has(id));
    await Promise.all(gone.map((id) => this.enqueue(id, () => this.apply(id, null))));
    const infos = await mapLimit(candidates, 8, (c) => this.inspect(c.Id));
    if (this.link.stale(generation)) return;
    const found = infos.filter((i): i is ContainerInspect => i !== null);
    // Oldest first: when two containers want one name, the older one keeps it.
    found.sort((a, b) => (a.Created ?? '').localeCompare(b.Created ?? '') || a.Id.localeCompare(b.Id));
    for (const info of found) await this.enqueue(info.Id, () => this.apply(info.Id, info));
    for (const c of candidates)
      if (!found.some((f) => f.Id === c.Id)) await this.enqueue(c.Id, () => this.apply(c.Id, null));
    // Kept attachments (over a pause, or of a stopped container) are let go with their container.
    await this.attachments.prune((id) => this.tracked.has(id) || list.some((c) => c.Id === id));
  }

  /** Hands a status change of one of our backends to the boot retry. */
  onBackendStatus(status: BackendStatus): void {
    if (status.source.kind !== 'container') return;
    const tracked = this.tracked.get(status.source.containerId);
    if (!tracked || tracked.name !== status.name || tracked.spec.invalid) return;
    this.boots.observe(tracked.id, status);
  }

  /** Boot retry: reconnects the container's backend if it is still ours and still down. */
  retry(containerId: string, backend: string): void {
    const tracked = this.tracked.get(containerId);
    if (this.stopped || tracked?.name !== backend) return;
    const connection = this.registry?.get(backend);
    const source = connection?.spec.source;
    if (
      source?.kind === 'container' &&
      source.containerId === containerId &&
      connection!.status.state === 'down'
    )
      connection!.reconnect();
  }

  /** Runs tasks for one container one after another. */
  private enqueue(id: string, task: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous
      .then(task)
      .catch((error: unknown) =>
        this.o.log.warn('container update failed', {
          id: id.slice(0, 12),
          error: describeEngineError(error),
        }),
      )
      .finally(() => {
        if (this.queues.get(id) === next) this.queues.delete(id);
      });
    this.queues.set(id, next);
    return next;
  }

  private async inspect(id: string): Promise<ContainerInspect | null> {
    const docker = this.link.engine!.docker;
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
    if (this.link.stale(generation)) return;
    const info = await this.inspect(id);
    if (this.link.stale(generation)) return;
    await this.apply(id, info);
  }

  private isTaken(name: string, self: string): boolean {
    for (const t of this.tracked.values()) if (t.id !== self && t.name === name) return true;
    for (const reserved of this.o.reservedNames?.() ?? []) if (reserved === name) return true;
    const existing = this.registry?.get(name);
    if (!existing) return false;
    const source = existing.spec.source;
    return !(source.kind === 'container' && source.containerId === self);
  }

  private async apply(id: string, info: ContainerInspect | null): Promise<void> {
    const registry = this.registry;
    if (!registry || this.stopped) return;
    const previous = this.tracked.get(id);
    const verdict = info
      ? interpretContainer(info, this.context())
      : ({ kind: 'ignore', reason: 'container removed' } as const);
    if (verdict.kind === 'ignore' || !info) {
      if (previous)
        await this.untrack(previous, verdict.kind === 'ignore' ? verdict.reason : 'gone', info !== null);
      return;
    }
    const engine = this.link.engine!;
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
    if (verdict.endpoint.transport === 'stdio' && !verdict.invalid) {
      attachment = this.attachments.obtain(attachment, {
        docker: engine.docker,
        id,
        name: cname,
        engine: engine.info.kind,
        tty: verdict.endpoint.tty,
        startedAt,
      });
      endpoint = { transport: 'stdio', attach: attachment };
    } else {
      await attachment?.dispose();
      attachment = undefined;
      endpoint =
        verdict.endpoint.transport === 'stdio'
          ? { transport: 'stdio', attach: unusableAttachment(`${engine.info.kind} container ${cname}`) }
          : { transport: verdict.endpoint.transport, url: verdict.endpoint.url, headers: {} };
    }

    const spec: BackendSpec = {
      name,
      endpoint,
      timeoutMs: this.o.backendTimeoutMs,
      source: {
        kind: 'container',
        engine: engine.info.kind,
        engineVersion: engine.info.version,
        containerId: id,
        containerName: cname,
        image,
        convention: verdict.convention,
      },
      ...(verdict.group ? { group: verdict.group } : {}),
      ...(verdict.invalid ? { invalid: verdict.invalid } : {}),
    };
    if (!previous || restarted || previous.name !== name) this.boots.started(id);
    this.tracked.set(id, {
      id,
      name,
      wantedName: verdict.wantedName,
      containerName: cname,
      image,
      convention: verdict.convention,
      startedAt,
      spec,
      ...(attachment ? { attachment } : {}),
    });
    if (!previous || previous.name !== name) {
      this.o.log.info(verdict.invalid ? 'container is mislabelled' : 'container backend found', {
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

  /**
   * Stops serving a container. While the container still exists (stopped, restarting) its stdio
   * attachment is kept for when it runs again: an attach still in flight may reach the next run,
   * and closing it would close that run's stdin (see attachments.ts).
   */
  private async untrack(tracked: Tracked, reason: string, containerExists: boolean): Promise<void> {
    if (this.tracked.get(tracked.id) === tracked) this.tracked.delete(tracked.id);
    this.boots.forget(tracked.id);
    this.o.log.info('container backend removed', {
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
    if (containerExists && !this.stopped) await this.attachments.park(tracked.id, attachment);
    else await attachment.dispose();
  }
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
