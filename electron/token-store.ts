// Where the desktop app keeps the gateway's bearer token. With an OS keyring (macOS Keychain,
// Windows DPAPI, libsecret/kwallet on Linux) the token is stored encrypted with Electron's
// safeStorage (async API) in <userData>/token.enc and handed to the engine at start. Without one
// (Linux with no secret service: safeStorage's `basic_text` backend is no protection) the engine
// keeps it as `switchyard serve` does, in <userData>/token readable by the user only, and the app
// says so.
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

/** The parts of Electron's safeStorage used here (async API, Electron ≥ 39). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only: which secret store safeStorage uses. */
  getSelectedStorageBackend?(): string;
}

export const ENCRYPTED_TOKEN_FILE = 'token.enc';
/** The engine's own token file (core/store/token.ts). */
export const PLAIN_TOKEN_FILE = 'token';

export interface StoredToken {
  /** The token for the engine; undefined in file mode (the engine reads or creates its file). */
  token?: string;
  kept: 'keyring' | 'file';
  /** Something the user should be told (shown once in the tray's notification / dialog). */
  warning?: string;
}

export function newToken(): string {
  return `sy_${randomBytes(24).toString('base64url')}`;
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function keyringUsable(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform,
): Promise<boolean> {
  if (!(await safeStorage.isAsyncEncryptionAvailable().catch(() => false))) return false;
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') return false;
  return true;
}

export async function loadToken(options: {
  safeStorage: SafeStorageLike;
  dataDir: string;
  platform: NodeJS.Platform;
  generate?: () => string;
}): Promise<StoredToken> {
  const { safeStorage, dataDir } = options;
  const encrypted = path.join(dataDir, ENCRYPTED_TOKEN_FILE);
  const plain = path.join(dataDir, PLAIN_TOKEN_FILE);
  if (!(await keyringUsable(safeStorage, options.platform))) {
    return {
      kept: 'file',
      warning: `No OS keyring is available, so the Switchyard token is kept in ${plain}, readable only by you.`,
    };
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const save = async (token: string) =>
    writeFile(encrypted, await safeStorage.encryptStringAsync(token), { mode: 0o600 });

  const stored = await readIfExists(encrypted);
  if (stored) {
    try {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(stored);
      if (result) {
        if (shouldReEncrypt) await save(result);
        return { token: result, kept: 'keyring' };
      }
    } catch {
      const token = (options.generate ?? newToken)();
      await save(token);
      return {
        token,
        kept: 'keyring',
        warning:
          'The token kept in the OS keyring could not be read (the keyring was reset?): a new token was made. ' +
          'MCP clients configured with the old one need the new one (dashboard → Connect).',
      };
    }
  }
  // First start with a keyring: adopt the token a headless run or an earlier file-mode start wrote,
  // so configured clients keep working, and remove the plain copy.
  const existing = (await readIfExists(plain))?.toString('utf8').trim();
  const token = existing || (options.generate ?? newToken)();
  await save(token);
  if (existing) await rm(plain, { force: true });
  return { token, kept: 'keyring' };
}
