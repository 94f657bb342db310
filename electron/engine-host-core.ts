// The engine's side of the main ↔ engine protocol (engine-protocol.ts): starts the engine exactly as
// `switchyard serve` assembles it (core/cli/serve.ts: config file, data dir, store, dashboard), answers
// control-API calls and pushes its events. Transport-agnostic: engine-host.ts connects it to
// Electron's parentPort or to a forked child's IPC channel.
import path from 'node:path';
import { Writable } from 'node:stream';
import type { ControlApi } from '../common/control/api.js';
import { loadConfigFile } from '../core/config/load.js';
import { startServe } from '../core/cli/serve.js';
import { readStoredToken } from '../core/store/token.js';
import { invokeControl, isControlMethod } from '../common/control/methods.js';
import { toWireError } from '../common/control/wire.js';
import {
  isMainToEngine,
  type EngineStartOptions,
  type EngineStarted,
  type EngineToMain,
  type MainToEngine,
} from './engine-protocol.js';

export interface HostPort {
  post(message: EngineToMain): void;
  onMessage(listener: (message: unknown) => void): void;
}

export interface RunningEngine {
  control: ControlApi;
  started: EngineStarted;
  stop(): Promise<void>;
}

export interface HostDeps {
  start?: (options: EngineStartOptions) => Promise<RunningEngine>;
  /** Called once the engine has stopped after a `stop` message. */
  exit: (code: number) => void;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** Whether the keyring token should be given to the engine: only where the config leaves it on `auto`. */
async function tokenArgs(options: EngineStartOptions, env: NodeJS.ProcessEnv): Promise<string[]> {
  if (!options.token || env.SWITCHYARD_TOKEN) return [];
  if (options.args?.some((a) => a === '--token' || a === '--no-auth')) return [];
  const configFile = env.SWITCHYARD_CONFIG ?? path.join(options.dataDir, 'config.yaml');
  try {
    const config = await loadConfigFile(configFile, env);
    if (config.auth.token !== 'auto') return [];
  } catch {
    // No config file yet (serve writes the default one, whose token is `auto`), or an invalid one
    // (serve reports it): the keyring token applies.
  }
  return ['--token', options.token];
}

/** Starts the engine as `switchyard serve --data-dir <dataDir> …` does, inside this process. */
export async function startEngine(
  options: EngineStartOptions,
  io: { env: NodeJS.ProcessEnv; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<RunningEngine> {
  const token = await tokenArgs(options, io.env);
  const handle = await startServe(
    ['--data-dir', options.dataDir, ...(options.args ?? []), ...token],
    io,
    options.bridgeCommand ? { bridgeCommand: options.bridgeCommand } : {},
  );
  const info = await handle.app.control.connectInfo();
  const source: EngineStarted['token'] =
    info.token === null
      ? 'off'
      : token.length
        ? 'keyring'
        : (await readStoredToken(options.dataDir)) === info.token
          ? 'file'
          : 'config';
  return { control: handle.app.control, started: { url: handle.url, token: source }, stop: handle.stop };
}

/** Serves the protocol on `port`; `stop()` does what a `stop` message does (for signals, a lost parent). */
export function runEngineHost(port: HostPort, deps: HostDeps): { stop(): Promise<void> } {
  const env = deps.env ?? process.env;
  const io = {
    env,
    stdout: deps.stdout ?? process.stdout,
    stderr: deps.stderr ?? process.stderr,
  };
  const start = deps.start ?? ((options: EngineStartOptions) => startEngine(options, io));
  let engine: RunningEngine | undefined;
  let starting: Promise<void> | undefined;
  let stopping = false;
  let unsubscribe: (() => void) | undefined;

  const handle = async (message: MainToEngine) => {
    switch (message.type) {
      case 'start': {
        if (engine || starting) {
          port.post({ type: 'start-failed', error: { message: 'the engine is already started' } });
          return;
        }
        starting = start(message.options).then(
          (running) => {
            engine = running;
            port.post({ type: 'started', started: running.started });
          },
          (error: unknown) => port.post({ type: 'start-failed', error: toWireError(error) }),
        );
        await starting;
        starting = undefined;
        return;
      }
      case 'call': {
        const { id, method, args } = message;
        if (!engine || stopping) {
          port.post({ type: 'result', id, ok: false, error: { message: 'the engine is not running' } });
          return;
        }
        if (!isControlMethod(method) || !Array.isArray(args)) {
          port.post({ type: 'result', id, ok: false, error: { message: `unknown method "${method}"` } });
          return;
        }
        try {
          const value = await invokeControl(engine.control, method, args);
          port.post({ type: 'result', id, ok: true, value });
        } catch (error) {
          port.post({ type: 'result', id, ok: false, error: toWireError(error) });
        }
        return;
      }
      case 'subscribe':
        if (engine && !unsubscribe)
          unsubscribe = engine.control.subscribe((event) => port.post({ type: 'event', event }));
        return;
      case 'unsubscribe':
        unsubscribe?.();
        unsubscribe = undefined;
        return;
      case 'stop': {
        if (stopping) return;
        stopping = true;
        if (starting) await starting;
        unsubscribe?.();
        unsubscribe = undefined;
        try {
          await engine?.stop();
        } finally {
          port.post({ type: 'stopped' });
          deps.exit(0);
        }
        return;
      }
    }
  };

  port.onMessage((message) => {
    if (!isMainToEngine(message)) return;
    handle(message).catch((error: unknown) => {
      port.post({ type: 'fatal', error: toWireError(error) });
      deps.exit(1);
    });
  });
  return { stop: () => handle({ type: 'stop' }) };
}

/** A writable that drops everything (for a host whose output nobody reads). */
export function nullStream(): NodeJS.WritableStream {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}
