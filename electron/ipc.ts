// Binds the control API to ipcMain for the dashboard window. Every message is checked: it must come
// from the top frame of the app's own window showing `app://switchyard/…`, and its arguments must
// be what the method takes (the method table, common/control/methods.ts, the same schemas the HTTP
// binding uses). Results and errors travel as data (WireResult), and ControlEvents are pushed only
// to the window that subscribed. One handler per table entry: a new method needs nothing here.
import type { ControlApi, ControlEvent } from '../common/control/api.js';
import { CONTROL_METHOD_NAMES, invokeControl } from '../common/control/methods.js';
import { parseControlArgs } from '../common/control/validate.js';
import { toWireError, type WireResult } from '../common/control/wire.js';
import { isAppUrl } from './hardening.js';
import {
  CONNECTION_CHANNEL,
  CONNECTION_WATCH_CHANNEL,
  EVENT_CHANNEL,
  SUBSCRIBE_CHANNEL,
  UNSUBSCRIBE_CHANNEL,
  controlChannel,
  type ConnectionState,
} from './ipc-channels.js';

/** The parts of a WebContents the binding uses. */
export interface SenderLike {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
  once(event: 'destroyed', listener: () => void): unknown;
}

/** The parts of a WebFrameMain the sender check uses. */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
}

export interface InvokeEventLike {
  readonly sender: SenderLike;
  readonly senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/**
 * True when a message comes from the dashboard window itself: its top frame (not an iframe), showing
 * the app's own URL, in the WebContents of the window we created. A frame that navigated elsewhere
 * or is gone (senderFrame null) is refused.
 */
export function isTrustedSender(event: InvokeEventLike, window: () => { id: number } | undefined): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (frame.parent !== null) return false;
  if (!isAppUrl(frame.url)) return false;
  const expected = window();
  return expected !== undefined && expected.id === event.sender.id;
}

export const REFUSED: WireResult = {
  ok: false,
  error: { message: 'refused: this message does not come from the Switchyard window', status: 403 },
};

export interface ConnectionSource {
  get(): ConnectionState;
  onChange(listener: (state: ConnectionState) => void): () => void;
}

export interface BindOptions {
  isTrusted(event: InvokeEventLike): boolean;
  /** The engine's state as the dashboard's "live" indicator shows it. */
  connection?: ConnectionSource;
  /** Told about refused messages (logged by main.ts). */
  onRefused?(channel: string, event: InvokeEventLike): void;
}

export function bindControl(ipc: IpcMainLike, control: ControlApi, options: BindOptions): { close(): void } {
  const channels: string[] = [];
  const handle = (
    channel: string,
    listener: (event: InvokeEventLike, args: unknown[]) => Promise<unknown>,
  ) => {
    channels.push(channel);
    ipc.handle(channel, async (event, ...args) => {
      if (!options.isTrusted(event)) {
        options.onRefused?.(channel, event);
        return REFUSED;
      }
      try {
        return { ok: true, value: await listener(event, args) } satisfies WireResult;
      } catch (error) {
        return { ok: false, error: toWireError(error) } satisfies WireResult;
      }
    });
  };

  for (const method of CONTROL_METHOD_NAMES) {
    handle(controlChannel(method), (_event, args) =>
      invokeControl(control, method, parseControlArgs(method, args)),
    );
  }

  // --- Events: pushed to each subscribed window, and only to it ---------------------------------------
  const subscribers = new Map<number, SenderLike>();
  let offControl: (() => void) | undefined;
  const push = (targets: Iterable<SenderLike>, channel: string, payload: unknown) => {
    for (const sender of targets) if (!sender.isDestroyed()) sender.send(channel, payload);
  };
  const drop = (sender: SenderLike) => {
    subscribers.delete(sender.id);
    if (subscribers.size === 0) {
      offControl?.();
      offControl = undefined;
    }
  };
  const broadcast = (event: ControlEvent) => {
    // A window found gone is dropped like one that said so (the engine stops pushing when none is left).
    for (const sender of [...subscribers.values()]) if (sender.isDestroyed()) drop(sender);
    push([...subscribers.values()], EVENT_CHANNEL, event);
  };

  handle(SUBSCRIBE_CHANNEL, async (event) => {
    const sender = event.sender;
    if (!subscribers.has(sender.id)) {
      subscribers.set(sender.id, sender);
      sender.once('destroyed', () => drop(sender));
    }
    offControl ??= control.subscribe(broadcast);
    // As the HTTP stream does: the current picture at once, then every change.
    const snapshot = await control.snapshot().catch(() => undefined);
    if (snapshot && subscribers.has(sender.id)) push([sender], EVENT_CHANNEL, { type: 'snapshot', snapshot });
    return null;
  });
  handle(UNSUBSCRIBE_CHANNEL, async (event) => {
    drop(event.sender);
    return null;
  });

  // --- Connection state ------------------------------------------------------------------------------
  const watchers = new Map<number, SenderLike>();
  const offConnection = options.connection?.onChange((state) =>
    push(
      [...watchers.values()].filter((w) => !w.isDestroyed()),
      CONNECTION_CHANNEL,
      state,
    ),
  );
  handle(CONNECTION_WATCH_CHANNEL, async (event) => {
    const sender = event.sender;
    if (!watchers.has(sender.id)) {
      watchers.set(sender.id, sender);
      sender.once('destroyed', () => watchers.delete(sender.id));
    }
    return options.connection?.get() ?? 'open';
  });

  return {
    close() {
      for (const channel of channels) ipc.removeHandler(channel);
      offControl?.();
      offControl = undefined;
      offConnection?.();
      subscribers.clear();
      watchers.clear();
    },
  };
}
