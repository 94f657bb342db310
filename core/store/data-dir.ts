import os from 'node:os';
import path from 'node:path';

/**
 * Where headless Switchyard keeps its database, token and default config:
 * $SWITCHYARD_DATA_DIR, else $XDG_DATA_HOME/switchyard, else ~/.local/share/switchyard.
 * (The desktop app passes Electron's userData dir instead.)
 */
export function defaultDataDir(env: Record<string, string | undefined> = process.env): string {
  if (env.SWITCHYARD_DATA_DIR) return path.resolve(env.SWITCHYARD_DATA_DIR);
  const base = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'switchyard');
}
