// The dashboard window: created on first show, hidden (not closed) when the user closes it so the
// app lives on in the tray, brought back and told which view to show. Electron's BrowserWindow is
// passed in (only main.ts imports electron at run time).
import type { BrowserWindow } from 'electron';
import { NAVIGATE_CHANNEL } from './ipc-channels.js';
import type { DashboardView } from './preload-bridge.js';

export interface DashboardWindowDeps {
  /** A new, hidden window (windowOptions from hardening.ts). */
  create(): BrowserWindow;
  url: string;
  /** While quitting, closing really closes. */
  isQuitting(): boolean;
  /** macOS: the Dock icon follows the window. */
  dock?: { show(): Promise<void> | void; hide(): void } | undefined;
}

export interface DashboardWindow {
  show(view?: DashboardView): void;
  /** The window's web contents, while it exists (the IPC sender check). */
  webContents(): BrowserWindow['webContents'] | undefined;
}

export function dashboardWindow(deps: DashboardWindowDeps): DashboardWindow {
  let window: BrowserWindow | undefined;
  return {
    webContents: () => window?.webContents,
    show(view) {
      if (!window) {
        const created = deps.create();
        window = created;
        created.on('close', (event) => {
          // Closing hides to the tray; only Quit ends the app.
          if (deps.isQuitting()) return;
          event.preventDefault();
          created.hide();
          deps.dock?.hide();
        });
        created.on('closed', () => (window = undefined));
        created.once('ready-to-show', () => created.show());
        created.webContents.once('did-finish-load', () => {
          if (view) created.webContents.send(NAVIGATE_CHANNEL, view);
        });
        void created.loadURL(deps.url);
      } else {
        if (window.isMinimized()) window.restore();
        window.show();
        window.focus();
        if (view) window.webContents.send(NAVIGATE_CHANNEL, view);
      }
      void deps.dock?.show();
    },
  };
}
