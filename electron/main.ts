// The desktop app's main process: a thin adapter that wires Electron's APIs to the pure modules
// beside it (tray-model, hardening, ipc, engine-client, token-store, login-item, shell-path). The
// engine runs in a utilityProcess (engine-host.ts); see docs/decisions.md for why.
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
  utilityProcess,
} from 'electron';
import type { Snapshot } from '../common/control/snapshot.js';
import { createAppProtocolHandler } from './app-protocol.js';
import { BRIDGE_ARG, desktopBridgeArgv } from './bridge-mode.js';
import { Engine, type EngineChannel } from './engine-client.js';
import type { MainToEngine } from './engine-protocol.js';
import {
  APP_INDEX_URL,
  APP_SCHEME,
  hardenSession,
  hardenWebContents,
  openExternalAllowed,
  windowOptions,
} from './hardening.js';
import { bindControl, isTrustedSender } from './ipc.js';
import { NAVIGATE_CHANNEL } from './ipc-channels.js';
import { createLoginItem, HIDDEN_ARG, readPrefs, writePrefs, type Prefs } from './login-item.js';
import type { DashboardView } from './preload-bridge.js';
import { resolveShellPath } from './shell-path.js';
import { loadToken, type StoredToken } from './token-store.js';
import {
  toMenuTemplate,
  trayIconFile,
  trayMenuModel,
  trayState,
  trayTooltip,
  type TrayAction,
  type TrayInput,
} from './tray-model.js';

// `electron .` in a checkout, or the app.asar of a packaged build: both hold dist/ and resources/.
const APP_ROOT = app.getAppPath();
const PATHS = {
  renderer: path.join(APP_ROOT, 'dist/renderer'),
  preload: path.join(APP_ROOT, 'dist/electron/preload.cjs'),
  engineHost: path.join(APP_ROOT, 'dist/electron/engine-host.js'),
  trayIcons: path.join(APP_ROOT, 'resources/tray'),
  appIcon: path.join(APP_ROOT, 'resources/icons/512x512.png'),
};

// Before `ready`: the dashboard's scheme is a secure, standard origin (fetch, storage, CSP 'self').
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();

const log = (message: string) => process.stderr.write(`switchyard: ${message}\n`);

function openExternal(url: string): void {
  // Only allow-listed http(s) URLs reach the OS (lessons: mcp-remote CVE-2025-6514).
  if (openExternalAllowed(url)) void shell.openExternal(url);
}

/** The utility process as an EngineChannel; messages wait for the process to have spawned. */
function spawnEngine(env: NodeJS.ProcessEnv): EngineChannel {
  const child = utilityProcess.fork(PATHS.engineHost, [], {
    serviceName: 'Switchyard engine',
    env,
    stdio: 'inherit',
  });
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

async function main(): Promise<void> {
  let window: BrowserWindow | undefined;
  let snapshot: Snapshot | undefined;
  let quitting = false;
  let stopped = false;

  const showWindow = (view?: DashboardView) => {
    if (!window) {
      const created = new BrowserWindow(
        windowOptions({ preload: PATHS.preload, icon: PATHS.appIcon, devTools: !app.isPackaged }),
      );
      window = created;
      created.on('close', (event) => {
        // Closing hides to the tray; only Quit ends the app.
        if (quitting) return;
        event.preventDefault();
        created.hide();
        app.dock?.hide();
      });
      created.on('closed', () => (window = undefined));
      created.once('ready-to-show', () => created.show());
      created.webContents.once('did-finish-load', () => {
        if (view) created.webContents.send(NAVIGATE_CHANNEL, view);
      });
      void created.loadURL(APP_INDEX_URL);
    } else {
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
      if (view) window.webContents.send(NAVIGATE_CHANNEL, view);
    }
    void app.dock?.show();
  };

  app.on('second-instance', () => showWindow());
  // macOS: clicking the Dock icon (while the window is open) brings it back.
  app.on('activate', () => showWindow());
  // Every web contents (the window, DevTools) gets the navigation and window.open rules.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));
  // The app lives in the tray: closing the last window does not quit.
  app.on('window-all-closed', () => undefined);

  await app.whenReady();
  const dataDir = app.getPath('userData');
  hardenSession(session.defaultSession);
  session.defaultSession.protocol.handle(APP_SCHEME, createAppProtocolHandler(PATHS.renderer));

  let prefs: Prefs = await readPrefs(dataDir);
  const loginItem = createLoginItem({
    platform: process.platform,
    app,
    command: process.env.APPIMAGE
      ? [process.env.APPIMAGE]
      : app.isPackaged
        ? [process.execPath]
        : [process.execPath, APP_ROOT],
    autostartDir: path.join(process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'autostart'),
  });
  await loginItem.apply(prefs.openAtLogin).catch((e: unknown) => log(`start at login: ${String(e)}`));

  // macOS: stdio backends need the login shell's PATH (npx, uvx).
  const shellPath = await resolveShellPath({
    platform: process.platform,
    env: process.env,
    exec: promisify(execFile),
    home: os.homedir(),
  });
  if (shellPath.error) log(`login shell PATH not found (${shellPath.error}); using a fallback`);
  const engineEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...(shellPath.path ? { PATH: shellPath.path } : {}),
  };
  delete engineEnv.ELECTRON_RUN_AS_NODE;

  let token: StoredToken | undefined;
  const engine = new Engine({
    spawn: () => spawnEngine(engineEnv),
    startOptions: async () => {
      token = await loadToken({ safeStorage, dataDir, platform: process.platform });
      // Claude Desktop launches the bridge through this app (`--bridge`): the packaged app has no Node.
      const launcher = process.env.APPIMAGE
        ? [process.env.APPIMAGE]
        : app.isPackaged
          ? [process.execPath]
          : [process.execPath, APP_ROOT];
      const bridgeCommand = { command: launcher[0]!, args: [...launcher.slice(1), '--bridge'] };
      return { dataDir, bridgeCommand, ...(token.token ? { token: token.token } : {}) };
    },
  });

  const input = (): TrayInput => ({
    engine: engine.status,
    ...(snapshot ? { snapshot } : {}),
    openAtLogin: prefs.openAtLogin,
    loginItemSupported: loginItem.supported,
    quitting,
  });

  const icon = (state: ReturnType<typeof trayState>) => {
    const image = nativeImage.createFromPath(
      path.join(PATHS.trayIcons, trayIconFile(state, process.platform)),
    );
    if (process.platform === 'darwin') image.setTemplateImage(true);
    return image;
  };

  const tray = new Tray(icon('stopped'));
  if (process.platform === 'win32') tray.on('click', () => showWindow());

  const fail = (what: string) => (error: unknown) =>
    dialog.showErrorBox('Switchyard', `${what}: ${error instanceof Error ? error.message : String(error)}`);

  const run = (action: TrayAction) => {
    switch (action.kind) {
      case 'set-gateway':
        void engine.setGatewayRunning(action.running).catch(fail('The gateway could not be switched'));
        return;
      case 'copy-endpoint':
        clipboard.writeText(action.url);
        return;
      case 'open-dashboard':
        showWindow(action.view);
        return;
      case 'set-open-at-login':
        prefs = { ...prefs, openAtLogin: action.openAtLogin };
        void writePrefs(dataDir, prefs)
          .then(() => loginItem.apply(action.openAtLogin))
          .catch(fail('Start at login could not be changed'))
          .finally(render);
        return;
      case 'restart-engine':
        void engine.restart().catch(fail('The engine could not be started'));
        return;
      case 'quit':
        app.quit();
        return;
    }
  };

  function render(): void {
    if (tray.isDestroyed()) return;
    const current = input();
    tray.setImage(icon(trayState(current)));
    tray.setToolTip(trayTooltip(current));
    tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(trayMenuModel(current), run)));
  }

  render();

  // The tray follows the engine's own snapshots: every change it pushes, and its process state.
  engine.subscribe((event) => {
    if (event.type !== 'snapshot') return;
    snapshot = event.snapshot;
    render();
  });
  engine.onStatus((status) => {
    if (status.state !== 'running') snapshot = undefined;
    render();
    if (status.state === 'running') {
      void engine.snapshot().then((s) => {
        snapshot = s;
        render();
      }, log);
      if (token?.warning && (token.kept === 'keyring' || !prefs.fileTokenWarned)) {
        log(token.warning);
        if (Notification.isSupported()) new Notification({ title: 'Switchyard', body: token.warning }).show();
        if (token.kept === 'file') {
          prefs = { ...prefs, fileTokenWarned: true };
          void writePrefs(dataDir, prefs).catch(() => undefined);
        }
        token = { ...token, warning: undefined };
      }
    }
  });

  bindControl(ipcMain, engine, {
    isTrusted: (event) => isTrustedSender(event, () => window?.webContents),
    connection: {
      get: () => (engine.status.state === 'running' ? 'open' : 'reconnecting'),
      onChange: (listener) =>
        engine.onStatus((s) => listener(s.state === 'running' ? 'open' : 'reconnecting')),
    },
    onRefused: (channel, event) => log(`refused ${channel} from ${event.senderFrame?.url ?? 'a gone frame'}`),
  });

  // Quit stops the gateway cleanly (backends closed, database flushed) and the tray says so meanwhile.
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    render();
    void engine
      .stop()
      .catch((error: unknown) => log(`while stopping: ${String(error)}`))
      .finally(() => {
        stopped = true;
        tray.destroy();
        app.quit();
      });
  });

  const hidden =
    process.argv.includes(HIDDEN_ARG) ||
    (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
  if (hidden) app.dock?.hide();
  else showWindow();

  await engine.start().catch((error: unknown) => log(`engine: ${String(error)}`));
}

/** `--bridge`: stdio ↔ the running app's endpoint, for clients that only launch commands. */
async function runBridge(): Promise<void> {
  app.dock?.hide();
  await app.whenReady();
  const dataDir = app.getPath('userData');
  const stored = await loadToken({ safeStorage, dataDir, platform: process.platform });
  const argv = await desktopBridgeArgv({
    dataDir,
    env: process.env,
    ...(stored.token ? { keyringToken: stored.token } : {}),
  });
  // Loaded only here: the tray app itself never needs the MCP client and stdio server code.
  const { bridge } = await import('../core/cli/bridge.js');
  const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  const code = await bridge(argv, io, { stdin: process.stdin, stdout: process.stdout });
  app.exit(code);
}

if (process.argv.includes(BRIDGE_ARG)) {
  // A bridge is one more process beside the app (one per client), never the single instance.
  runBridge().catch((error: unknown) => {
    process.stderr.write(`switchyard bridge: ${error instanceof Error ? error.message : String(error)}\n`);
    app.exit(1);
  });
} else if (!app.requestSingleInstanceLock()) {
  // One instance: a second launch shows the first one's window and exits.
  app.quit();
} else {
  main().catch((error: unknown) => {
    dialog.showErrorBox('Switchyard could not start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
}
