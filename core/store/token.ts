// The bearer token for /mcp and /api: random per install, kept in the data dir readable by the
// user only, unless the config or the command line names one (or turns auth off).
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const TOKEN_FILE = 'token';

export interface ResolvedToken {
  token: string | null;
  source: 'file' | 'config' | 'off';
  /** Where an auto token is kept. */
  file?: string;
  /** The token file was there but empty, and a new token was written to it (say so in the log). */
  regenerated?: boolean;
}

/** An empty or blank token would let anything in (every presented token is compared to ""). */
export class EmptyTokenError extends Error {
  constructor() {
    super(
      'the token is empty: set a token (auth.token, --token or SWITCHYARD_TOKEN), use auto, or turn auth off',
    );
    this.name = 'EmptyTokenError';
  }
}

/** `setting` is the config's auth.token after ${env:} expansion: "auto", "off", or the token itself. */
export async function resolveToken(setting: string, dataDir: string): Promise<ResolvedToken> {
  if (setting === 'off') return { token: null, source: 'off' };
  if (setting !== 'auto') {
    if (!setting.trim()) throw new EmptyTokenError();
    return { token: setting, source: 'config' };
  }
  const file = path.join(dataDir, TOKEN_FILE);
  let emptyFile = false;
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing) {
      await chmod(file, 0o600).catch(() => undefined);
      return { token: existing, source: 'file', file };
    }
    emptyFile = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const token = `sy_${randomBytes(24).toString('base64url')}`;
  if (emptyFile) {
    // An empty file (a truncated write, a hand edit) gets a new token, written whole then renamed.
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, `${token}\n`, { mode: 0o600 });
    await rename(temp, file);
    return { token, source: 'file', file, regenerated: true };
  }
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error; // another process wrote it first: use theirs
    },
  );
  const stored = (await readFile(file, 'utf8')).trim();
  return { token: stored, source: 'file', file };
}

/** Reads the token a running `serve` uses (for `status` and `bridge`), if it is kept in the data dir. */
export async function readStoredToken(dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(path.join(dataDir, TOKEN_FILE), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}
