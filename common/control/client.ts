// Clients generated from the method table: every ControlApi call method, each forwarding
// (method, args) to one transport function. The Electron engine client, the preload's IPC bridge
// and the renderer's HTTP bridge are such clients; only `subscribe` is written per transport.
import { CONTROL_METHOD_NAMES, type ControlCalls, type ControlMethod } from './methods.js';

/** Sends one call over a transport and resolves with its result. */
export type ControlTransport = (method: ControlMethod, args: unknown[]) => Promise<unknown>;

/** A plain object with one function per method (own properties: contextBridge can expose it). */
export function createControlClient(transport: ControlTransport): ControlCalls {
  const client: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of CONTROL_METHOD_NAMES) client[method] = (...args) => transport(method, args);
  return client as unknown as ControlCalls;
}

abstract class ControlClientBase {
  /** The transport: how a subclass sends one call. */
  abstract callControl(method: ControlMethod, args: unknown[]): Promise<unknown>;
}
for (const method of CONTROL_METHOD_NAMES) {
  Object.defineProperty(ControlClientBase.prototype, method, {
    value(this: ControlClientBase, ...args: unknown[]) {
      return this.callControl(method, args);
    },
    writable: true,
    configurable: true,
  });
}

/** A base class with every call method on its prototype, for classes that are a ControlApi. */
export const ControlClient = ControlClientBase as abstract new () => ControlClientBase & ControlCalls;
