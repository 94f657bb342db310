// macOS apps started from the Finder or the Dock get a bare PATH (/usr/bin:/bin:/usr/sbin:/sbin),
// so stdio backends such as `npx` or `uvx` would not be found (lessons: mcp-router#189). Before
// the engine starts, the user's login shell is asked for its PATH once; the engine's process gets it.
import path from 'node:path';

export type ExecFile = (
  file: string,
  args: string[],
  options: { timeout: number; env: NodeJS.ProcessEnv },
) => Promise<{ stdout: string }>;

const MARK = '__SWITCHYARD_PATH__';

/** Where developer tools usually live on a Mac, used when the shell does not answer. */
export function fallbackDirs(home: string): string[] {
  return [
    '/opt/homebrew/bin',
    '/usr/local/bin',
    path.join(home, '.local/bin'),
    path.join(home, '.cargo/bin'),
  ];
}

/** The login shell's PATH printed between markers (login shells may print banners around it). */
export function shellInvocation(shell: string): string[] {
  const name = path.basename(shell);
  const print =
    name === 'fish' ? `printf '${MARK}%s${MARK}' (string join : $PATH)` : `printf '${MARK}%s${MARK}' "$PATH"`;
  return ['-ilc', print];
}

export function parseShellOutput(stdout: string): string | undefined {
  const start = stdout.indexOf(MARK);
  const end = stdout.indexOf(MARK, start + MARK.length);
  if (start < 0 || end < 0) return undefined;
  const value = stdout.slice(start + MARK.length, end).trim();
  return value || undefined;
}

/** `first`'s entries, then `rest`'s that are not in it yet (order kept, no duplicates, no empties). */
export function mergePath(first: string[], rest: string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const dir of [...first, ...rest]) {
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    out.push(dir);
  }
  return out.join(':');
}

/**
 * The PATH stdio backends should be spawned with. On macOS: the login shell's (then what the app
 * already had); when the shell fails or takes over `timeoutMs`, the app's PATH plus the usual tool
 * folders. Elsewhere the app's own PATH, unchanged (Linux and Windows apps inherit the session's).
 */
export async function resolveShellPath(options: {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  exec: ExecFile;
  home: string;
  timeoutMs?: number;
}): Promise<{ path: string | undefined; source: 'inherited' | 'login-shell' | 'fallback'; error?: string }> {
  const { platform, env } = options;
  const current = env.PATH;
  if (platform !== 'darwin') return { path: current, source: 'inherited' };
  const own = (current ?? '').split(':');
  const shell = env.SHELL || '/bin/zsh';
  try {
    const { stdout } = await options.exec(shell, shellInvocation(shell), {
      timeout: options.timeoutMs ?? 5000,
      // oh-my-zsh and friends: no update prompts in a non-interactive run.
      env: { ...env, DISABLE_AUTO_UPDATE: 'true', ZSH_DISABLE_COMPFIX: 'true' },
    });
    const resolved = parseShellOutput(stdout);
    if (!resolved) throw new Error('the shell printed no PATH');
    return { path: mergePath(resolved.split(':'), own), source: 'login-shell' };
  } catch (error) {
    return {
      path: mergePath(own, fallbackDirs(options.home)),
      source: 'fallback',
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
