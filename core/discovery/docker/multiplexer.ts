// One stdio server, many connections: the gateway's own connection and one link per client
// session share a container's single stdin/stdout (one attachment per container run). This routes
// parsed JSON-RPC messages between them, rewriting ids on the objects:
// - each request gets an upstream id of its own; its answer goes back to exactly that connection,
//   under the connection's id. Progress tokens are rewritten the same way (two sessions' tokens
//   often collide: SDK clients use their request id).
// - `initialize` reaches the server once per attachment; later connections get the same answer.
// - Nothing one session caused may reach another (the server sees one session and, over stdio,
//   says nothing about which request a log line or a sampling request belongs to). So a server
//   request or notification goes to a connection only when attribution is certain: by progress
//   token, by the server request it cancels, or because exactly one connection has requests in
//   flight, or the subscriptions/listen request whose id it is stamped with (modern era).
//   Anything else is delivered to nobody (logged at debug; a server request gets an error).
//   list_changed carries no data and concerns everyone; resources/updated goes to the
//   connections subscribed to that URI.
import type { AttachedMessage, AttachmentConnection, AttachmentReceiver } from '../../domain/backend-spec.js';
import type { Logger } from '../../domain/runtime.js';

type Id = string | number;
type Params = Record<string, unknown> & { _meta?: Record<string, unknown> };

/** Modern era: notifications of a subscriptions/listen stream carry its request id here. */
const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';

/** -32603: the server asked something no single client session can be held to answer. */
const UNATTRIBUTED = -32603;

const BROADCAST = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
]);

class Channel implements AttachmentConnection {
  closed = false;
  /** This connection's request id → the upstream id the server sees. */
  readonly outgoing = new Map<Id, number>();
  /** Resource URIs this connection subscribed to. */
  readonly subscriptions = new Set<string>();

  constructor(
    private readonly mux: AttachmentMultiplexer,
    readonly receiver: AttachmentReceiver,
  ) {}

  send(message: AttachedMessage): void {
    if (this.closed) throw new Error('the attachment connection is closed');
    this.mux.fromChannel(this, message);
  }

  close(): void {
    this.mux.closeChannel(this);
  }
}

interface Pending {
  channel: Channel;
  originalId: Id;
  method: string;
  /** The connection's own progress token, when the request carried one. */
  progressToken?: Id;
  /** Counted as this connection's work in flight (not ping, not a standing subscription). */
  counted: boolean;
}

function idOf(message: AttachedMessage): Id | undefined {
  const id = message.id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

export class AttachmentMultiplexer {
  private readonly channels = new Set<Channel>();
  private readonly pending = new Map<number, Pending>();
  /** Requests in flight per connection (pings aside): attribution when only one has any. */
  private readonly busy = new Map<Channel, number>();
  /** Server-initiated request id → the connection asked to answer it. */
  private readonly serverRequests = new Map<Id, Channel>();
  private nextId = 1;
  private initResult: unknown;
  private initInFlight = false;
  private initWaiters: { channel: Channel; message: AttachedMessage }[] = [];
  private initializedSent = false;
  private ended = false;

  constructor(
    /** Writes one message to the server's stdin. */
    private readonly write: (message: AttachedMessage) => void,
    private readonly log: Logger,
  ) {}

  get connections(): number {
    return this.channels.size;
  }

  open(receiver: AttachmentReceiver): AttachmentConnection {
    const channel = new Channel(this, receiver);
    if (this.ended) {
      channel.closed = true;
      throw new Error('the attachment ended');
    }
    this.channels.add(channel);
    return channel;
  }

  /** The server's stream ended: every connection ends with it. */
  end(reason?: Error): void {
    if (this.ended) return;
    this.ended = true;
    const channels = [...this.channels];
    this.channels.clear();
    this.pending.clear();
    this.busy.clear();
    this.serverRequests.clear();
    this.initWaiters = [];
    for (const channel of channels) {
      channel.closed = true;
      channel.receiver.closed(reason);
    }
  }

  closeChannel(channel: Channel): void {
    if (channel.closed) return;
    channel.closed = true;
    this.channels.delete(channel);
    this.busy.delete(channel);
    let ownedInit = false;
    for (const [id, entry] of this.pending) {
      if (entry.channel !== channel) continue;
      // A late answer to initialize is still worth caching; everything else is forgotten.
      if (entry.method === 'initialize') ownedInit = true;
      else this.pending.delete(id);
    }
    for (const [id, owner] of this.serverRequests) {
      if (owner !== channel) continue;
      this.serverRequests.delete(id);
      this.refuse(id, 'the client session that was asked went away');
    }
    this.initWaiters = this.initWaiters.filter((w) => w.channel !== channel);
    if (ownedInit && this.initResult === undefined) {
      // The connection that was initializing went away: the next one waiting asks for itself.
      this.initInFlight = false;
      const waiters = this.initWaiters;
      this.initWaiters = [];
      for (const w of waiters) this.fromChannel(w.channel, w.message);
    }
  }

  // ---- connection → server -------------------------------------------------------------------

  fromChannel(channel: Channel, message: AttachedMessage): void {
    const method = message.method;
    const id = idOf(message);
    if (typeof method === 'string' && id !== undefined) this.request(channel, message, method, id);
    else if (typeof method === 'string') this.notification(channel, message, method);
    else if (id !== undefined && this.serverRequests.get(id) === channel) {
      // The connection's answer to a server request it was asked.
      this.serverRequests.delete(id);
      this.write(message);
    }
  }

  private request(channel: Channel, message: AttachedMessage, method: string, id: Id): void {
    if (method === 'initialize') {
      if (this.initResult !== undefined) {
        this.deliver(channel, { jsonrpc: '2.0', id, result: this.initResult });
      } else if (this.initInFlight) {
        this.initWaiters.push({ channel, message });
      } else {
        this.initInFlight = true;
        this.forward(channel, message, method, id);
      }
      return;
    }
    const uri = (message.params as Params | undefined)?.uri;
    if (typeof uri === 'string') {
      if (method === 'resources/subscribe') channel.subscriptions.add(uri);
      if (method === 'resources/unsubscribe') {
        channel.subscriptions.delete(uri);
        // The server keeps one subscription for everyone: keep it while another session wants it.
        for (const other of this.channels) {
          if (other.subscriptions.has(uri)) return this.deliver(channel, { jsonrpc: '2.0', id, result: {} });
        }
      }
    }
    this.forward(channel, message, method, id);
  }

  private forward(channel: Channel, message: AttachedMessage, method: string, id: Id): void {
    const upstream = this.nextId++;
    const params = message.params as Params | undefined;
    const token = params?._meta?.progressToken;
    // A subscriptions/listen request stays open for the connection's life: it causes nothing
    // but its own notifications (stamped with its id), so it must not block attribution.
    const counted = method !== 'ping' && method !== 'subscriptions/listen';
    const entry: Pending = { channel, originalId: id, method, counted };
    let outbound: AttachedMessage;
    if (typeof token === 'string' || typeof token === 'number') {
      // The upstream id doubles as the upstream progress token: unique on this attachment.
      entry.progressToken = token;
      outbound = {
        ...message,
        id: upstream,
        params: { ...params, _meta: { ...params!._meta, progressToken: upstream } },
      };
    } else {
      outbound = { ...message, id: upstream };
    }
    this.pending.set(upstream, entry);
    channel.outgoing.set(id, upstream);
    if (counted) this.busy.set(channel, (this.busy.get(channel) ?? 0) + 1);
    this.write(outbound);
  }

  private notification(channel: Channel, message: AttachedMessage, method: string): void {
    if (method === 'notifications/initialized') {
      if (this.initializedSent) return;
      this.initializedSent = true;
      this.write(message);
    } else if (method === 'notifications/cancelled') {
      const params = message.params as Params | undefined;
      const original = params?.requestId as Id | undefined;
      const upstream = original === undefined ? undefined : channel.outgoing.get(original);
      if (upstream === undefined) return;
      // The server need not answer a cancelled request: forget it now.
      this.settle(upstream);
      this.write({ ...message, params: { ...params, requestId: upstream } });
    } else {
      this.write(message);
    }
  }

  // ---- server → connections ------------------------------------------------------------------

  fromServer(message: AttachedMessage): void {
    const method = message.method;
    const id = idOf(message);
    if (typeof method !== 'string') {
      if (id !== undefined) this.response(message, id);
    } else if (id !== undefined) {
      this.serverRequest(message, method, id);
    } else {
      this.serverNotification(message, method);
    }
  }

  private response(message: AttachedMessage, id: Id): void {
    const entry = typeof id === 'number' ? this.settle(id) : undefined;
    if (!entry) return;
    if (entry.method === 'initialize') {
      this.initInFlight = false;
      const waiters = this.initWaiters;
      this.initWaiters = [];
      if ('result' in message) {
        this.initResult = message.result;
        for (const w of waiters)
          this.deliver(w.channel, { jsonrpc: '2.0', id: w.message.id, result: message.result });
      } else {
        // The server refused: let each waiting connection try for itself.
        for (const w of waiters) this.fromChannel(w.channel, w.message);
      }
    }
    message.id = entry.originalId;
    this.deliver(entry.channel, message);
  }

  /**
   * A response the server sent could not be read (over a limit): the request it answered fails
   * with `message` for the connection that asked, instead of waiting for its timeout.
   */
  failRequest(upstream: number, message: string): void {
    const entry = this.settle(upstream);
    if (!entry) return;
    if (entry.method === 'initialize') {
      // As when the server refuses: each waiting connection tries for itself.
      this.initInFlight = false;
      const waiters = this.initWaiters;
      this.initWaiters = [];
      for (const w of waiters) this.fromChannel(w.channel, w.message);
    }
    this.deliver(entry.channel, { jsonrpc: '2.0', id: entry.originalId, error: { code: -32603, message } });
  }

  private settle(upstream: number): Pending | undefined {
    const entry = this.pending.get(upstream);
    if (!entry) return undefined;
    this.pending.delete(upstream);
    entry.channel.outgoing.delete(entry.originalId);
    if (entry.counted) {
      const left = (this.busy.get(entry.channel) ?? 1) - 1;
      if (left > 0) this.busy.set(entry.channel, left);
      else this.busy.delete(entry.channel);
    }
    return entry;
  }

  private serverRequest(message: AttachedMessage, method: string, id: Id): void {
    if (method === 'ping') {
      // Liveness of the attachment itself, not of any session: answered here.
      this.write({ jsonrpc: '2.0', id, result: {} });
      return;
    }
    const owner = this.attributed();
    if (!owner) {
      this.log.debug('server request not attributable to one session: refused', { method });
      this.refuse(id, `${method} could not be attributed to exactly one client session`);
      return;
    }
    this.serverRequests.set(id, owner);
    this.deliver(owner, message);
  }

  private serverNotification(message: AttachedMessage, method: string): void {
    const params = message.params as Params | undefined;
    if (method === 'notifications/progress') {
      const token = params?.progressToken;
      const entry = typeof token === 'number' ? this.pending.get(token) : undefined;
      if (entry?.progressToken === undefined) return this.unattributed(method);
      params!.progressToken = entry.progressToken;
      return this.deliver(entry.channel, message);
    }
    if (method === 'notifications/cancelled') {
      const requestId = params?.requestId as Id | undefined;
      const owner = requestId === undefined ? undefined : this.serverRequests.get(requestId);
      if (!owner) return this.unattributed(method);
      this.serverRequests.delete(requestId!);
      return this.deliver(owner, message);
    }
    const subscription = params?._meta?.[SUBSCRIPTION_ID];
    if (subscription !== undefined) {
      const entry = typeof subscription === 'number' ? this.pending.get(subscription) : undefined;
      if (!entry) return this.unattributed(method);
      params!._meta![SUBSCRIPTION_ID] = entry.originalId;
      return this.deliver(entry.channel, message);
    }
    if (BROADCAST.has(method)) {
      for (const channel of this.channels) this.deliver(channel, message);
      return;
    }
    if (method === 'notifications/resources/updated') {
      const uri = params?.uri;
      let any = false;
      for (const channel of this.channels) {
        if (typeof uri === 'string' && channel.subscriptions.has(uri)) {
          any = true;
          this.deliver(channel, message);
        }
      }
      if (!any) this.unattributed(method);
      return;
    }
    const owner = this.attributed();
    if (owner) this.deliver(owner, message);
    else this.unattributed(method);
  }

  /** The one connection with requests in flight, if exactly one has any. */
  private attributed(): Channel | undefined {
    if (this.busy.size !== 1) return undefined;
    const owner = this.busy.keys().next().value;
    return owner && !owner.closed ? owner : undefined;
  }

  private unattributed(method: string): void {
    this.log.debug('server notification not attributable to one session: dropped', { method });
  }

  private refuse(id: Id, message: string): void {
    this.write({ jsonrpc: '2.0', id, error: { code: UNATTRIBUTED, message } });
  }

  private deliver(channel: Channel, message: AttachedMessage): void {
    if (!channel.closed) channel.receiver.message(message);
  }
}
