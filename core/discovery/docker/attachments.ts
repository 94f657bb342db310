// stdio attachments outlive their backends. Podman closes a container's stdin when the attachment
// to it closes (StdinOnce or not), which ends a stdio server; so an attachment is kept ("parked")
// while a container is paused or stopped, and is picked up again when the container is served
// next. It is let go only with its container or when the engine stops (a pause of the gateway
// leaves discovery, and so every attachment, as it is).
import type Docker from 'dockerode';
import type { StdioAttachment } from '../../domain/backend-spec.js';
import type { Logger } from '../../domain/runtime.js';
import type { InboundBudget } from '../../backends/inbound-limits.js';
import { ContainerAttachment } from './attach.js';

export interface AttachmentSettings {
  maxMessageBytes: number;
  /** The process-wide budget for bytes in flight from backends (`limits.backendInFlight`). */
  budget?: InboundBudget | undefined;
  log: Logger;
}

export class Attachments {
  /** Kept attachments by container id. */
  private readonly parked = new Map<string, ContainerAttachment>();

  constructor(private readonly o: AttachmentSettings) {}

  /** The attachment for a container being served: the one it had, a parked one, or a new one. */
  obtain(
    current: ContainerAttachment | undefined,
    container: { docker: Docker; id: string; name: string; engine: string; tty: boolean; startedAt: string },
  ): ContainerAttachment {
    if (current) return current;
    const parked = this.parked.get(container.id);
    if (parked) {
      this.parked.delete(container.id);
      parked.detachUnless(container.startedAt); // restarted meanwhile: that session was the old run's
      return parked;
    }
    return new ContainerAttachment({
      docker: container.docker,
      containerId: container.id,
      containerName: container.name,
      engine: container.engine,
      tty: container.tty,
      maxMessageBytes: this.o.maxMessageBytes,
      ...(this.o.budget ? { budget: this.o.budget } : {}),
      logger: this.o.log,
    });
  }

  /** Keeps an attachment for when its container is served again. */
  async park(containerId: string, attachment: ContainerAttachment): Promise<void> {
    const older = this.parked.get(containerId);
    this.parked.set(containerId, attachment);
    if (older && older !== attachment) await older.dispose();
  }

  /** Lets go of the kept attachments whose containers no longer exist. */
  async prune(exists: (containerId: string) => boolean): Promise<void> {
    for (const [id, attachment] of this.parked) {
      if (exists(id)) continue;
      this.parked.delete(id);
      await attachment.dispose();
    }
  }

  async disposeAll(): Promise<void> {
    const all = [...this.parked.values()];
    this.parked.clear();
    await Promise.all(all.map((a) => a.dispose()));
  }
}

/** The endpoint of a stdio container that cannot be attached (mislabelled): always refuses. */
export function unusableAttachment(what: string): StdioAttachment {
  return {
    describe: () => `${what} (stdio, not attachable)`,
    open: () => Promise.reject(new Error(`${what} cannot be attached`)),
  };
}
