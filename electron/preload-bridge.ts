// The dashboard's Bridge over Electron IPC: the same interface as the HTTP bridge
// (renderer/src/bridge/http-bridge.ts), implemented with ipcRenderer.invoke and pushed events.
// preload.ts exposes it as `window.switchyard` through contextBridge. The call methods are generated
// from the method table (common/control/client.ts); only common/ and the channel names are imported,
// so the preload bundle has no Node or engine code in it. That it satisfies the renderer's `Bridge`
// is checked by test/integration/electron-bridge-contract.test.ts (at the type level and at run
// time), which keeps this file free of renderer imports for the build.
import type { ControlApi, ControlEvent } from '../common/control/api.js';
import { createControlClient } from '../common/control/client.js';
import { DASHBOARD_VIEWS, type DashboardView } from '../common/control/dashboard-views.js';
import type { ControlMethod } from '../common/control/methods.js';
import type { WireResult } from '../common/control/wire.js';
import {
  CONNECTION_CHANNEL,
  CONNECTION_WATCH_CHANNEL,
  EVENT_CHANNEL,
  NAVIGATE_CHANNEL,
  SUBSCRIBE_CHANNEL,
  UNSUBSCRIBE_CHANNEL,
  controlChannel,
  type ConnectionState,
} from './ipc-channels.js';

export type { DashboardView };

/** The parts of ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** What the preload exposes: the renderer's Bridge (ControlApi + connection state), plus navigation. */
export interface DesktopBridge extends ControlApi {
  /** Follows the engine connection; the listener is called at once with the current state. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** The tray asks the dashboard to show a view (e.g. conflicts). */
  onNavigate(listener: (view: DashboardView) => void): () => void;
}

/** A failed call, as the dashboard sees it: the engine's message, and its status when it had one. */
export class IpcBridgeError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

export function createIpcBridge(ipc: IpcRendererLike): DesktopBridge {
  const call = async (method: ControlMethod, args: unknown[]): Promise<unknown> => {
    let result: WireResult;
    try {
      result = (await ipc.invoke(controlChannel(method), ...args)) as WireResult;
    } catch (error) {
      throw new IpcBridgeError(`Cannot reach the Switchyard engine (${String(error)})`);
    }
    if (!result || typeof result !== 'object') throw new IpcBridgeError(`Unexpected answer to ${method}`);
    if (!result.ok) throw new IpcBridgeError(result.error.message, result.error.status);
    return result.value;
  };

  // One IPC listener for all subscribers, registered while anyone listens.
  const listeners = new Set<(event: ControlEvent) => void>();
  const onEvent = (_event: unknown, payload: unknown) => {
    const event = payload as ControlEvent;
    if (!event || typeof event !== 'object' || typeof event.type !== 'string') return;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('switchyard: event listener failed', error);
      }
    }
  };

  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let connection: ConnectionState = 'connecting';
  let watching = false;
  const setConnection = (state: unknown) => {
    if (state !== 'open' && state !== 'connecting' && state !== 'reconnecting') return;
    if (state === connection) return;
    connection = state;
    for (const listener of connectionListeners) listener(state);
  };

  const navigateListeners = new Set<(view: DashboardView) => void>();
  const onNavigate = (_event: unknown, view: unknown) => {
    if (typeof view !== 'string' || !(DASHBOARD_VIEWS as readonly string[]).includes(view)) return;
    for (const listener of navigateListeners) listener(view as DashboardView);
  };

  const api: ControlApi = {
    ...createControlClient(call),
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) {
        ipc.on(EVENT_CHANNEL, onEvent);
        void ipc.invoke(SUBSCRIBE_CHANNEL).catch(() => undefined);
      }
      return () => {
        if (!listeners.delete(listener) || listeners.size > 0) return;
        ipc.removeListener(EVENT_CHANNEL, onEvent);
        void ipc.invoke(UNSUBSCRIBE_CHANNEL).catch(() => undefined);
      };
    },
  };

  return {
    ...api,
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      listener(connection);
      if (!watching) {
        watching = true;
        ipc.on(CONNECTION_CHANNEL, (_event, state) => setConnection(state));
        void ipc.invoke(CONNECTION_WATCH_CHANNEL).then(
          (result) =>
            setConnection((result as WireResult).ok ? (result as { value: unknown }).value : 'reconnecting'),
          () => setConnection('reconnecting'),
        );
      }
      return () => connectionListeners.delete(listener);
    },
    onNavigate(listener) {
      navigateListeners.add(listener);
      if (navigateListeners.size === 1) ipc.on(NAVIGATE_CHANNEL, onNavigate);
      return () => {
        navigateListeners.delete(listener);
        if (navigateListeners.size === 0) ipc.removeListener(NAVIGATE_CHANNEL, onNavigate);
      };
    },
  };
}
