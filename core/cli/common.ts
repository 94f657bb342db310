// Shared by the CLI commands: where the data lives, how to reach a running gateway.
import { defaultDataDir } from '../store/data-dir.js';
import { readStoredToken } from '../store/token.js';

export const DEFAULT_URL = 'http://127.0.0.1:4750/mcp';

export class UsageError extends Error {}

export function dataDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? defaultDataDir(env);
}

/** The token for talking to a running gateway: flag, then SWITCHYARD_TOKEN, then the data dir's token file. */
export async function clientToken(
  flag: string | undefined,
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  return flag ?? env.SWITCHYARD_TOKEN ?? (await readStoredToken(dataDir));
}

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}
