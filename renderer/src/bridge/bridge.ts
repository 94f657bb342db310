// The one seam between the dashboard and the engine: the control API (common/control/api.ts).
// Two implementations: HTTP (http-bridge.ts, for `switchyard serve` in a browser) and Electron IPC
// (the preload exposes one as `window.switchyard`). Pick one with `selectBridge()`.
import type { ControlApi } from '../contract.js';

/** State of the live event stream, for the "live / reconnecting" indicator. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized';

/** Optional abilities a bridge may have beyond the control API. */
export interface BridgeExtras {
  /** Follows the event stream's state; the listener is called at once with the current state. */
  onConnectionChange?(listener: (state: ConnectionState) => void): () => void;
  /** Bridges that authenticate with a bearer token (HTTP): use this one from now on. */
  setToken?(token: string | null): void;
  /** The host asks for a view (the desktop tray's "Resolve N conflicts…" opens Conflicts). */
  onNavigate?(listener: (view: string) => void): () => void;
}

export type Bridge = ControlApi & BridgeExtras;

/** The engine refused the credentials (HTTP 401): the dashboard asks for the token. */
export class UnauthorizedError extends Error {
  constructor(message = 'The Switchyard token is missing or was not accepted') {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/** Any other failure of a control-API call (HTTP status when there was one). */
export class BridgeError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof UnauthorizedError || (error instanceof Error && error.name === 'UnauthorizedError');
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

declare global {
  interface Window {
    /** The Electron preload's IPC implementation of the control API, when running in the desktop app. */
    switchyard?: Bridge;
  }
}

/** The Electron preload's bridge when there is one, else the given fallback (HTTP). */
export function selectBridge(fallback: () => Bridge, host: { switchyard?: Bridge } = window): Bridge {
  return host.switchyard ?? fallback();
}
