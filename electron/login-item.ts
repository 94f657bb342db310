// "Start at login": opt-in, off by default (lessons: mcp-router#123), kept in <userData>/prefs.json
// and applied to the OS: app.setLoginItemSettings on macOS and Windows, an XDG autostart entry
// (~/.config/autostart/switchyard.desktop) on Linux, where Electron has no login-item API.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Prefs {
  openAtLogin: boolean;
  /** The "token kept in a file" warning was shown once already. */
  fileTokenWarned: boolean;
}

export const DEFAULT_PREFS: Prefs = { openAtLogin: false, fileTokenWarned: false };
export const PREFS_FILE = 'prefs.json';

/** The argument a login launch carries: start in the tray, without opening the window. */
export const HIDDEN_ARG = '--hidden';

export async function readPrefs(dataDir: string): Promise<Prefs> {
  try {
    const raw = JSON.parse(await readFile(path.join(dataDir, PREFS_FILE), 'utf8')) as Partial<Prefs>;
    return { openAtLogin: raw.openAtLogin === true, fileTokenWarned: raw.fileTokenWarned === true };
  } catch {
    return { ...DEFAULT_PREFS };
  }
}

export async function writePrefs(dataDir: string, prefs: Prefs): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dataDir, PREFS_FILE), `${JSON.stringify(prefs, null, 2)}\n`, { mode: 0o600 });
}

export interface LoginItemsApi {
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
}

export interface LoginItem {
  readonly supported: boolean;
  apply(openAtLogin: boolean): Promise<void>;
}

/** A desktop-entry value: quoted when it has spaces or quotes (XDG Desktop Entry spec, Exec key). */
function quoteExec(arg: string): string {
  return /[\s"'\\$`]/.test(arg) ? `"${arg.replace(/(["`$\\])/g, '\\$1')}"` : arg;
}

export function autostartEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Switchyard',
    'Comment=One local MCP endpoint for every MCP client',
    `Exec=${command.map(quoteExec).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function createLoginItem(options: {
  platform: NodeJS.Platform;
  app: LoginItemsApi;
  /** Linux: the command that starts the app (the AppImage, or the installed executable). */
  command: string[];
  /** Linux: $XDG_CONFIG_HOME/autostart. */
  autostartDir: string;
}): LoginItem {
  const { platform } = options;
  if (platform === 'darwin' || platform === 'win32') {
    return {
      supported: true,
      async apply(openAtLogin) {
        options.app.setLoginItemSettings({
          openAtLogin,
          ...(platform === 'win32' ? { args: [HIDDEN_ARG] } : {}),
        });
      },
    };
  }
  if (platform === 'linux') {
    const file = path.join(options.autostartDir, 'switchyard.desktop');
    return {
      supported: true,
      async apply(openAtLogin) {
        if (!openAtLogin) return rm(file, { force: true });
        await mkdir(options.autostartDir, { recursive: true });
        await writeFile(file, autostartEntry([...options.command, HIDDEN_ARG]));
      },
    };
  }
  return { supported: false, apply: async () => undefined };
}
