import { accessSync, chmodSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs';
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

/** The data dir cannot be used as it is (read-only, not a directory, …); the message says why. */
export class DataDirError extends Error {
  constructor(
    message: string,
    readonly dir: string,
  ) {
    super(message);
    this.name = 'DataDirError';
  }
}

/**
 * Creates the data dir for the user only (0700), or tightens one that already exists and is ours
 * (a dir made 0755 by hand or an older version would let other users read the database), and
 * refuses one Switchyard cannot write: SQLite would open it, and every later write would fail.
 */
export function prepareDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = statSync(dir);
  if (!info.isDirectory()) throw new DataDirError(`${dir} is not a directory`, dir);
  if ((info.mode & 0o077) !== 0 && info.uid === process.getuid?.()) {
    try {
      chmodSync(dir, 0o700);
    } catch {
      // not ours to change after all (e.g. a read-only mount): the write check below decides
    }
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new DataDirError(
      `the data dir ${dir} is not writable: Switchyard keeps its database there (use --data-dir or SWITCHYARD_DATA_DIR to pick another)`,
      dir,
    );
  }
}

/**
 * Makes `file` readable by the user only: created empty with 0600 when missing (SQLite then gives
 * its -wal and -shm files the same mode), tightened when it exists.
 */
export function ownerOnlyFile(file: string, create = false): void {
  try {
    if (create) closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
