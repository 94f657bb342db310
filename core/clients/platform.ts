// Where clients keep their user-level files on each OS. Everything is derived from an explicit
// environment (platform, home, env vars) so tests run every OS's rules against a temp HOME.
import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface ClientEnvironment {
  platform: NodeJS.Platform;
  /** The user's home directory ($HOME, or %USERPROFILE% on Windows). */
  home: string;
  env: Record<string, string | undefined>;
}

/** The environment of this process; HOME wins over the passwd entry, so tests and users can redirect it. */
export function currentEnvironment(env: Record<string, string | undefined> = process.env): ClientEnvironment {
  const platform = process.platform;
  const home = (platform === 'win32' ? env.USERPROFILE : undefined) ?? env.HOME ?? os.homedir();
  return { platform, home: path.resolve(home), env };
}

/** Path joiner for the target OS (Windows paths on Windows, POSIX elsewhere). */
export function joinFor(e: ClientEnvironment, ...parts: string[]): string {
  return e.platform === 'win32' ? path.win32.join(...parts) : path.posix.join(...parts);
}

/** $XDG_CONFIG_HOME, else ~/.config (Linux and, for XDG-style tools, macOS). */
export function xdgConfigHome(e: ClientEnvironment): string {
  const xdg = e.env.XDG_CONFIG_HOME;
  return xdg && path.isAbsolute(xdg) ? xdg : joinFor(e, e.home, '.config');
}

/** %APPDATA%, else ~/AppData/Roaming (Windows). */
export function appData(e: ClientEnvironment): string {
  return e.env.APPDATA || joinFor(e, e.home, 'AppData', 'Roaming');
}

/**
 * The per-user application data folder of a desktop app: ~/Library/Application Support (macOS),
 * %APPDATA% (Windows), $XDG_CONFIG_HOME or ~/.config (Linux), joined with `name`.
 */
export function appConfigDir(e: ClientEnvironment, name: string): string {
  if (e.platform === 'darwin') return joinFor(e, e.home, 'Library', 'Application Support', name);
  if (e.platform === 'win32') return joinFor(e, appData(e), name);
  return joinFor(e, xdgConfigHome(e), name);
}

/** VS Code's user folder (settings.json, mcp.json, globalStorage/ of extensions). */
export function vscodeUserDir(e: ClientEnvironment): string {
  return joinFor(e, appConfigDir(e, 'Code'), 'User');
}

export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Whether an executable named `name` is on PATH (with PATHEXT on Windows). */
export async function onPath(e: ClientEnvironment, name: string): Promise<boolean> {
  const dirs = (e.env.PATH ?? e.env.Path ?? '').split(e.platform === 'win32' ? ';' : ':').filter(Boolean);
  const exts = e.platform === 'win32' ? (e.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of exts) if (await exists(joinFor(e, dir, name + ext.toLowerCase()))) return true;
  }
  return false;
}
