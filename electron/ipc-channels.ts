// IPC channel names between the dashboard window's preload and the main process. Kept free of
// imports: the preload bundle includes this file.
import type { ControlMethod } from '../common/control/methods.js';

export const CHANNEL_PREFIX = 'switchyard:';

/** invoke: one control-API method (`switchyard:control:snapshot`, …). */
export function controlChannel(method: ControlMethod): string {
  return `${CHANNEL_PREFIX}control:${method}`;
}

/** invoke: start / stop receiving ControlEvents on EVENT_CHANNEL. */
export const SUBSCRIBE_CHANNEL = `${CHANNEL_PREFIX}events:subscribe`;
export const UNSUBSCRIBE_CHANNEL = `${CHANNEL_PREFIX}events:unsubscribe`;
/** main → window: a ControlEvent. */
export const EVENT_CHANNEL = `${CHANNEL_PREFIX}events:event`;

/** invoke: the engine connection's state now; then pushed on CONNECTION_CHANNEL when it changes. */
export const CONNECTION_WATCH_CHANNEL = `${CHANNEL_PREFIX}connection:watch`;
export const CONNECTION_CHANNEL = `${CHANNEL_PREFIX}connection:state`;

/** main → window: open a view of the dashboard (tray: "Resolve N conflicts…"). */
export const NAVIGATE_CHANNEL = `${CHANNEL_PREFIX}navigate`;

/**
 * The engine connection's state as the dashboard shows it (the renderer's ConnectionState; the
 * contract test checks both stay the same).
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized';
