// The engine's side of the main ↔ engine protocol (engine-protocol.ts): starts the engine with the
// same typed start as `switchyard serve` (core/engine/start.ts: config file watched, data dir, store,
// dashboard), answers
// control-API calls and pushes its events. Transport-agnostic: engine-host.ts connects it to
// Electron's parentPort or to a forked child's IPC channel.
import { Writable } from 'node:stream';
import type { ControlApi } from '../common/control/api.js';
import { startEngine } from '../core/engine/start.js';
import { createLogger } from '../core/support/logger.js';
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

/** Starts the engine as `switchyard serve` does (core's startEngine), inside this process. */
export async function startDesktopEngine(
  options: EngineStartOptions,
  io: { env: NodeJS.ProcessEnv; stderr: NodeJS.WritableStream },
): Promise<RunningEngine> {
  const engine = await startEngine({
    dataDir: options.dataDir,
    env: io.env,
    logger: createLogger({ level: options.logLevel ?? 'info', stream: io.stderr }),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    // The keyring token applies where the config leaves the token on `auto` (startEngine decides).
    ...(options.token ? { fallbackToken: options.token } : {}),
    ...(options.bridgeCommand ? { bridgeCommand: () => options.bridgeCommand! } : {}),
  });
  return {
    control: engine.app.control,
    started: { url: engine.url, token: engine.tokenSource },
    stop: () => engine.stop(),
  };
}

/** Serves the protocol on `port`; `stop()` does what a `stop` message does (for signals, a lost parent). */
export function runEngineHost(port: HostPort, deps: HostDeps): { stop(): Promise<void> } {
  const env = deps.env ?? process.env;
  const io = {
    env,
    stdout: deps.stdout ?? process.stdout,
    stderr: deps.stderr ?? process.stderr,
  };
  const start = deps.start ?? ((options: EngineStartOptions) => startDesktopEngine(options, io));
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
