// The desktop's engine: a utility process (engine-host.ts) behind an EngineChannel, started with
// the keyring token and the bridge command of this installation. Electron's utilityProcess.fork is
// passed in (only main.ts imports electron at run time).
import type { UtilityProcess } from 'electron';
import { Engine, type EngineChannel } from './engine-client.js';
import type { EngineStartOptions, MainToEngine } from './engine-protocol.js';
import type { StoredToken } from './token-store.js';

/** The utility process as an EngineChannel; messages wait for the process to have spawned. */
export function utilityEngineChannel(child: UtilityProcess): EngineChannel {
  let spawned = false;
  const queue: MainToEngine[] = [];
  child.once('spawn', () => {
    spawned = true;
    for (const message of queue.splice(0)) child.postMessage(message);
  });
  return {
    send: (message) => (spawned ? child.postMessage(message) : void queue.push(message)),
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.once('exit', (code) => listener(code)),
    kill: () => void child.kill(),
  };
}

export interface DesktopEngineDeps {
  /** Forks engine-host.ts (utilityProcess.fork with the engine's environment). */
  fork(): UtilityProcess;
  dataDir: string;
  /** How this app is launched (AppImage, packaged executable, or electron + app path). */
  launcher: string[];
  loadToken(): Promise<StoredToken>;
}

/** The engine and the token it was last started with (for the tray's one-time warning). */
export function desktopEngine(deps: DesktopEngineDeps): { engine: Engine; token(): StoredToken | undefined } {
  let token: StoredToken | undefined;
  const engine = new Engine({
    spawn: () => utilityEngineChannel(deps.fork()),
    startOptions: async (): Promise<EngineStartOptions> => {
      token = await deps.loadToken();
      // Claude Desktop launches the bridge through this app (`--bridge`): the packaged app has no Node.
      const bridgeCommand = { command: deps.launcher[0]!, args: [...deps.launcher.slice(1), '--bridge'] };
      return { dataDir: deps.dataDir, bridgeCommand, ...(token.token ? { token: token.token } : {}) };
    },
  });
  return {
    engine,
    token: () => token,
  };
}
