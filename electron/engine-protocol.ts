// The messages between the Electron main process and the engine, which runs in its own process
// (a utilityProcess in the app, a child_process.fork in tests): the main process starts and stops
// it, calls control-API methods (method + args → result), and receives pushed ControlEvents.
// See docs/decisions.md ("The desktop engine runs in a utility process").
import type { ControlEvent } from '../common/control/api.js';
import type { ControlMethod } from '../common/control/methods.js';
import type { WireError, WireResult } from '../common/control/wire.js';
import type { LogLevel } from '../core/domain/runtime.js';
import type { ConfigOverrides } from '../core/engine/start.js';

export interface EngineStartOptions {
  /** The engine's data dir (the app's userData): config.yaml, the database, the token file. */
  dataDir: string;
  /**
   * The token kept in the OS keyring by the main process. Used when the config's `auth.token` is
   * `auto` (the default) and SWITCHYARD_TOKEN is not set; without it the engine keeps its own token
   * file in the data dir, as `switchyard serve` does.
   */
  token?: string;
  /** Settings over the config file, as `serve`'s flags give them (tests: port 0, no containers). */
  overrides?: ConfigOverrides;
  /** Default info. */
  logLevel?: LogLevel;
  /** How Claude Desktop launches the bridge with this app (shown in the dashboard's Connect view). */
  bridgeCommand?: { command: string; args: string[] };
}

export interface EngineStarted {
  /** The MCP endpoint, e.g. http://127.0.0.1:4750/mcp. */
  url: string;
  /** Where the token comes from: the keyring (via the main process), a file in the data dir, the config, or off. */
  token: 'keyring' | 'file' | 'config' | 'off';
}

export type MainToEngine =
  | { type: 'start'; options: EngineStartOptions }
  | { type: 'call'; id: number; method: ControlMethod; args: unknown[] }
  | { type: 'subscribe' }
  | { type: 'unsubscribe' }
  | { type: 'stop' };

export type EngineToMain =
  | { type: 'started'; started: EngineStarted }
  | { type: 'start-failed'; error: WireError }
  | ({ type: 'result'; id: number } & WireResult)
  | { type: 'event'; event: ControlEvent }
  | { type: 'stopped' }
  /** An error the engine could not recover from; it exits right after. */
  | { type: 'fatal'; error: WireError };

const MAIN_TYPES = new Set(['start', 'call', 'subscribe', 'unsubscribe', 'stop']);
const ENGINE_TYPES = new Set(['started', 'start-failed', 'result', 'event', 'stopped', 'fatal']);

function typed(value: unknown, types: Set<string>): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    types.has((value as { type: string }).type)
  );
}

export function isMainToEngine(value: unknown): value is MainToEngine {
  return typed(value, MAIN_TYPES);
}

export function isEngineToMain(value: unknown): value is EngineToMain {
  return typed(value, ENGINE_TYPES);
}
