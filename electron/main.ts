// The desktop app's main process, the only module importing electron at run time: it reads as a
// table of contents, handing Electron's APIs to the modules beside it — dashboard-window (the
// window), engine-wiring (the engine in a utilityProcess, engine-host.ts; see docs/decisions.md),
// tray-wiring + tray-model (the tray), ipc (the control API for the dashboard), quit (stopping
// cleanly), login-item, token-store, shell-path, hardening, bridge-mode (`--bridge`).
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
import { createAppProtocolHandler } from './app-protocol.js';
import { BRIDGE_ARG, desktopBridgeArgv } from './bridge-mode.js';
import { dashboardWindow } from './dashboard-window.js';
import { desktopEngine } from './engine-wiring.js';
import {
  APP_INDEX_URL,
  APP_SCHEME,
  hardenSession,
  hardenWebContents,
  openExternalAllowed,
  windowOptions,
} from './hardening.js';
import { bindControl, isTrustedSender } from './ipc.js';
import { createLoginItem, HIDDEN_ARG, readPrefs, writePrefs, type Prefs } from './login-item.js';
import { holdQuitUntilStopped } from './quit.js';
import { resolveShellPath } from './shell-path.js';
import { loadToken } from './token-store.js';
import { trayIconFile, type TrayAction, type trayState } from './tray-model.js';
import { wireTray } from './tray-wiring.js';

type TrayIconState = ReturnType<typeof trayState>;

// `electron .` in a checkout, or the app.asar of a packaged build: both hold dist/ and resources/.
const APP_ROOT = app.getAppPath();
const PATHS = {
  renderer: path.join(APP_ROOT, 'dist/renderer'),
  preload: path.join(APP_ROOT, 'dist/electron/preload.cjs'),
  // The engine process, bundled (build/bundle.ts): a faster start than the tsc output's 400 modules.
  engineHost: path.join(APP_ROOT, 'dist/engine/engine-host.js'),
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

/** How this app is launched again (login item, Claude Desktop's bridge command). */
function launcher(): string[] {
  return process.env.APPIMAGE
    ? [process.env.APPIMAGE]
    : app.isPackaged
      ? [process.execPath]
      : [process.execPath, APP_ROOT];
}

/** The engine's environment: macOS stdio backends need the login shell's PATH (npx, uvx). */
async function engineEnvironment(): Promise<NodeJS.ProcessEnv> {
  const shellPath = await resolveShellPath({
    platform: process.platform,
    env: process.env,
    exec: promisify(execFile),
    home: os.homedir(),
  });
  if (shellPath.error) log(`login shell PATH not found (${shellPath.error}); using a fallback`);
  const env: NodeJS.ProcessEnv = { ...process.env, ...(shellPath.path ? { PATH: shellPath.path } : {}) };
  delete env.ELECTRON_RUN_AS_NODE;
  return env;
}

async function main(): Promise<void> {
  let quit: { readonly quitting: boolean } = { quitting: false };
  const window = dashboardWindow({
    create: () =>
      new BrowserWindow(
        windowOptions({ preload: PATHS.preload, icon: PATHS.appIcon, devTools: !app.isPackaged }),
      ),
    url: APP_INDEX_URL,
    isQuitting: () => quit.quitting,
    dock: app.dock,
  });
  app.on('second-instance', () => window.show());
  // macOS: clicking the Dock icon (while the window is open) brings it back.
  app.on('activate', () => window.show());
  // Every web contents (the window, DevTools) gets the navigation and window.open rules.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));
  // The app lives in the tray: closing the last window does not quit.
  app.on('window-all-closed', () => undefined);

  await app.whenReady();
  const dataDir = app.getPath('userData');
  hardenSession(session.defaultSession);
  session.defaultSession.protocol.handle(APP_SCHEME, createAppProtocolHandler(PATHS.renderer));

  // Start at login.
  let prefs: Prefs = await readPrefs(dataDir);
  const loginItem = createLoginItem({
    platform: process.platform,
    app,
    command: launcher(),
    autostartDir: path.join(process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'autostart'),
  });
  await loginItem.apply(prefs.openAtLogin).catch((e: unknown) => log(`start at login: ${String(e)}`));

  // The engine, in its utility process.
  const env = await engineEnvironment();
  const { engine, token } = desktopEngine({
    fork: () =>
      utilityProcess.fork(PATHS.engineHost, [], { serviceName: 'Switchyard engine', env, stdio: 'inherit' }),
    dataDir,
    launcher: launcher(),
    loadToken: () => loadToken({ safeStorage, dataDir, platform: process.platform }),
  });

  // The tray.
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
        window.show(action.view);
        return;
      case 'set-open-at-login':
        prefs = { ...prefs, openAtLogin: action.openAtLogin };
        void writePrefs(dataDir, prefs)
          .then(() => loginItem.apply(action.openAtLogin))
          .catch(fail('Start at login could not be changed'))
          .finally(() => trayView.render());
        return;
      case 'restart-engine':
        void engine.restart().catch(fail('The engine could not be started'));
        return;
      case 'quit':
        app.quit();
        return;
    }
  };
  const icon = (state: TrayIconState) => {
    const image = nativeImage.createFromPath(
      path.join(PATHS.trayIcons, trayIconFile(state, process.platform)),
    );
    if (process.platform === 'darwin') image.setTemplateImage(true);
    return image;
  };
  const tray = new Tray(icon('stopped'));
  if (process.platform === 'win32') tray.on('click', () => window.show());
  const trayView = wireTray({
    tray,
    buildMenu: (template) => Menu.buildFromTemplate(template),
    icon,
    engine,
    input: () => ({
      openAtLogin: prefs.openAtLogin,
      loginItemSupported: loginItem.supported,
      quitting: quit.quitting,
    }),
    run,
    onEngineRunning: () => {
      // The keyring could not keep the token: say so once (per start in keyring mode, once ever in file mode).
      const current = token();
      if (!current?.warning || (current.kept === 'file' && prefs.fileTokenWarned)) return;
      log(current.warning);
      if (Notification.isSupported()) new Notification({ title: 'Switchyard', body: current.warning }).show();
      if (current.kept === 'file') {
        prefs = { ...prefs, fileTokenWarned: true };
        void writePrefs(dataDir, prefs).catch(() => undefined);
      }
      current.warning = undefined;
    },
    log,
  });

  // The dashboard's control API over IPC.
  bindControl(ipcMain, engine, {
    isTrusted: (event) => isTrustedSender(event, () => window.webContents()),
    connection: {
      get: () => (engine.status.state === 'running' ? 'open' : 'reconnecting'),
      onChange: (listener) =>
        engine.onStatus((s) => listener(s.state === 'running' ? 'open' : 'reconnecting')),
    },
    onRefused: (channel, event) => log(`refused ${channel} from ${event.senderFrame?.url ?? 'a gone frame'}`),
  });

  // Quit stops the gateway cleanly (backends closed, database flushed) and the tray says so meanwhile.
  quit = holdQuitUntilStopped(app, {
    onQuitting: () => trayView.render(),
    stop: () => engine.stop(),
    onStopped: () => tray.destroy(),
    log,
  });

  const hidden =
    process.argv.includes(HIDDEN_ARG) ||
    (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
  if (hidden) app.dock?.hide();
  else window.show();

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
