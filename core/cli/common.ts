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

/** The connection flags every command that talks to a running gateway takes. */
export const API_FLAGS = {
  url: { type: 'string' },
  token: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

export type ApiAnswer = { ok: true; body: unknown } | { ok: false; message: string };

/**
 * One request to a running gateway's /api, with the token found the usual way. A failure comes
 * back as the sentence to print: nothing answered, 401 (how to pass the token), or the API's error.
 */
export async function callApi(
  flags: { url?: string; token?: string; 'data-dir'?: string },
  io: Io,
  apiPath: string,
  init: { method?: 'GET' | 'POST'; body?: unknown } = {},
): Promise<ApiAnswer> {
  const mcpUrl = new URL(flags.url ?? DEFAULT_URL);
  const token = await clientToken(flags.token, dataDirFrom(flags['data-dir'], io.env), io.env);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(new URL(apiPath, mcpUrl), {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch {
    return { ok: false, message: `Switchyard is not running at ${mcpUrl.href} (nothing answered)` };
  }
  if (response.status === 401) {
    return {
      ok: false,
      message:
        'Switchyard answered 401: pass --token or set SWITCHYARD_TOKEN (or use the same --data-dir as serve)',
    };
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: unknown } | undefined)?.error;
    return {
      ok: false,
      message: `Switchyard answered HTTP ${response.status}${typeof error === 'string' ? `: ${error}` : ''}`,
    };
  }
  return { ok: true, body };
}
