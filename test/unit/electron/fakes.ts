// Fakes of Electron's own APIs, with the same shapes (the seams in electron/ accept them), plus a
// child_process.fork stand-in for utilityProcess. Only Electron is faked: the engine is real.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineChannel } from '../../../electron/engine-client.js';
import type { FrameLike, InvokeEventLike, IpcMainLike, SenderLike } from '../../../electron/ipc.js';
import type { IpcRendererLike } from '../../../electron/preload-bridge.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const APP_FRAME: FrameLike = { url: 'app://switchyard/index.html', parent: null };

type Handler = (event: InvokeEventLike, ...args: unknown[]) => unknown;

/** ipcMain: handlers by channel; `invoke` plays a renderer's ipcRenderer.invoke. */
export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  async invoke(channel: string, event: InvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    // IPC copies arguments and results with the structured clone algorithm.
    return structuredClone(await handler(event, ...structuredClone(args)));
  }
}

/** A WebContents as ipcMain sees it: what it was sent, and whether it is gone. */
export class FakeSender implements SenderLike {
  readonly sent: { channel: string; payload: unknown }[] = [];
  destroyed = false;
  private readonly onDestroyed: (() => void)[] = [];
  /** Where sent messages go (a connected fake ipcRenderer). */
  deliver?: (channel: string, payload: unknown) => void;
  constructor(readonly id: number) {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    const payload = structuredClone(args[0]);
    this.sent.push({ channel, payload });
    this.deliver?.(channel, payload);
  }
  once(_event: 'destroyed', listener: () => void): this {
    this.onDestroyed.push(listener);
    return this;
  }
  destroy(): void {
    this.destroyed = true;
    for (const listener of this.onDestroyed.splice(0)) listener();
  }
  events(channel: string): unknown[] {
    return this.sent.filter((s) => s.channel === channel).map((s) => s.payload);
  }
}

export function eventFrom(sender: SenderLike, frame: FrameLike | null = APP_FRAME): InvokeEventLike {
  return { sender, senderFrame: frame };
}

/** An ipcRenderer connected in-process to a FakeIpcMain, as the window `sender` with `frame`. */
export function fakeIpcRenderer(
  ipcMain: FakeIpcMain,
  sender: FakeSender,
  frame: FrameLike = APP_FRAME,
): IpcRendererLike & { listenerCount(channel: string): number } {
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  sender.deliver = (channel, payload) => {
    for (const listener of listeners.get(channel) ?? []) listener({ sender: 'ipc-event' }, payload);
  };
  return {
    invoke: (channel, ...args) => ipcMain.invoke(channel, eventFrom(sender, frame), ...args),
    on(channel, listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return this;
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
      return this;
    },
    listenerCount: (channel) => listeners.get(channel)?.size ?? 0,
  };
}

export const ENGINE_HOST = path.join(ROOT, 'electron/engine-host.ts');

/**
 * The engine host in a forked Node process (what utilityProcess.fork does in the app): the source
 * through tsx, or a built host (`host`, a .js file such as the bundle's engine-host.js).
 */
export function forkEngineChannel(
  env: NodeJS.ProcessEnv = process.env,
  host: string = ENGINE_HOST,
): EngineChannel & {
  pid: number | undefined;
  output(): string;
} {
  const child = fork(host, [], {
    cwd: ROOT,
    execArgv: host.endsWith('.ts') ? ['--import', 'tsx'] : [],
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return {
    pid: child.pid,
    output: () => output,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.once('exit', (code) => listener(code)),
    kill: () => void child.kill('SIGKILL'),
  };
}
