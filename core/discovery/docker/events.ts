// The engine's event stream, normalized across Docker and Podman. Podman names some actions
// differently (`died`, `remove`, `cleanup` where Docker says `die`, `destroy`) and leaves labels
// off some events, so the stream is filtered by type only and every relevant event leads to a
// fresh inspect of the container.

export interface ContainerEvent {
  id: string;
  /** Lower-case action without detail: "health_status: healthy" → "health_status". */
  action: string;
  attributes: Record<string, string>;
}

/** Actions after which a container's state may have changed for discovery. */
export const RELEVANT_ACTIONS: ReadonlySet<string> = new Set([
  'create',
  'start',
  'restart',
  'stop',
  'die',
  'died',
  'exited',
  'kill',
  'oom',
  'destroy',
  'remove',
  'pause',
  'unpause',
  'rename',
  'update',
  'health_status',
  'cleanup',
]);

/** Actions that can make an unknown container a backend (worth an inspect even without labels). */
export const APPEARING_ACTIONS: ReadonlySet<string> = new Set([
  'start',
  'restart',
  'unpause',
  'rename',
  'update',
  'health_status',
]);

export function parseContainerEvent(raw: unknown): ContainerEvent | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const event = raw as {
    Type?: unknown;
    type?: unknown;
    Action?: unknown;
    status?: unknown;
    id?: unknown;
    ID?: unknown;
    Actor?: { ID?: unknown; Attributes?: unknown } | null;
  };
  const type =
    typeof event.Type === 'string' ? event.Type : typeof event.type === 'string' ? event.type : 'container';
  if (type.toLowerCase() !== 'container') return undefined;
  const rawAction =
    typeof event.Action === 'string' ? event.Action : typeof event.status === 'string' ? event.status : '';
  const action = rawAction.split(':')[0]!.trim().toLowerCase();
  const id =
    typeof event.Actor?.ID === 'string' && event.Actor.ID
      ? event.Actor.ID
      : typeof event.id === 'string'
        ? event.id
        : typeof event.ID === 'string'
          ? event.ID
          : '';
  if (!action || !/^[0-9a-f]{12,64}$/i.test(id)) return undefined;
  const attributes: Record<string, string> = {};
  const attrs = event.Actor?.Attributes;
  if (attrs && typeof attrs === 'object') {
    for (const [k, v] of Object.entries(attrs as Record<string, unknown>))
      if (typeof v === 'string') attributes[k] = v;
  }
  return { id, action, attributes };
}
