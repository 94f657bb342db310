// The desktop app's platform seams: `npm start`'s launch decision, the macOS login-shell PATH, the
// token in the OS keyring (a fake safeStorage with Electron's async API) or a user-only file, and
// start-at-login (opt-in, off by default).
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { desktopBridgeArgv } from '../../../electron/bridge-mode.js';
import {
  findElectronBinary,
  headlessLine,
  launchPlan,
  splitArgs,
  type FsProbe,
} from '../../../electron/launcher.js';
import {
  autostartEntry,
  createLoginItem,
  DEFAULT_PREFS,
  HIDDEN_ARG,
  readPrefs,
  writePrefs,
} from '../../../electron/login-item.js';
import {
  mergePath,
  parseShellOutput,
  resolveShellPath,
  type ExecFile,
} from '../../../electron/shell-path.js';
import { loadToken, type SafeStorageLike } from '../../../electron/token-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-platform-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm start: what to launch', () => {
  const files = (present: Record<string, string>): FsProbe => ({
    existsSync: (f) => f in present,
    readFileSync: (f) => present[f] ?? '',
  });
  const root = '/repo';
  const pkg = '/repo/node_modules/electron';
  const installed = files({
    [`${pkg}/package.json`]: '{}',
    [`${pkg}/path.txt`]: 'electron',
    [`${pkg}/dist/electron`]: '',
  });
  const noBinary = files({ [`${pkg}/package.json`]: '{}' });
  const plan = (
    fs: FsProbe,
    env: NodeJS.ProcessEnv,
    platform: NodeJS.Platform = 'linux',
    argv: string[] = [],
  ) => launchPlan({ root, platform, env, argv, fs });

  it('finds the downloaded binary, or says what is missing', () => {
    expect(findElectronBinary(root, installed)).toEqual({ binary: `${pkg}/dist/electron` });
    expect(findElectronBinary(root, noBinary)).toEqual({ missing: 'node_modules/electron/dist is missing' });
    expect(findElectronBinary(root, files({}))).toEqual({ missing: 'the electron package is not installed' });
  });

  it('opens the app with a binary and a display (always on macOS and Windows)', () => {
    expect(plan(installed, { DISPLAY: ':0' })).toEqual({ mode: 'electron', binary: `${pkg}/dist/electron` });
    expect(plan(installed, { WAYLAND_DISPLAY: 'wayland-0' }).mode).toBe('electron');
    expect(plan(installed, {}, 'darwin').mode).toBe('electron');
    expect(plan(installed, {}, 'win32').mode).toBe('electron');
  });

  it('runs headless without a display, or without a binary and no way to get one', () => {
    expect(plan(installed, {})).toEqual({
      mode: 'headless',
      reason: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)',
    });
    expect(plan(noBinary, {})).toEqual({
      mode: 'headless',
      reason:
        'Electron binary not installed (node_modules/electron/dist is missing), and no display (DISPLAY and WAYLAND_DISPLAY are unset)',
    });
    expect(plan(noBinary, { DISPLAY: ':0', ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }).mode).toBe('headless');
    expect(
      launchPlan({
        root,
        platform: 'linux',
        env: { DISPLAY: ':0' },
        argv: [],
        fs: noBinary,
        downloadFailed: 'offline',
      }),
    ).toMatchObject({ mode: 'headless', reason: expect.stringContaining('download failed (offline)') });
    expect(plan(installed, { DISPLAY: ':0' }, 'linux', ['--headless']).mode).toBe('headless');
  });

  it('downloads the binary first on a desktop that lacks it', () => {
    expect(plan(noBinary, { DISPLAY: ':0' })).toEqual({
      mode: 'download',
      missing: 'node_modules/electron/dist is missing',
    });
  });

  it('says why in one line, and passes serve its flags', () => {
    const line = headlessLine('no display (DISPLAY and WAYLAND_DISPLAY are unset)');
    expect(line).toBe(
      'No display (DISPLAY and WAYLAND_DISPLAY are unset); running headless — the dashboard URL follows (open it in a browser).',
    );
    expect(line).not.toContain('\n');
    expect(splitArgs(['--headless', '--port', '0', '--hidden'])).toEqual({
      serve: ['--port', '0', '--hidden'],
      electron: ['--hidden'],
    });
  });
});

describe('macOS login-shell PATH', () => {
  const exec =
    (stdout: string, fail = false): ExecFile =>
    async (file, args) => {
      if (fail) throw new Error('timed out');
      expect(args[0]).toBe('-ilc');
      return { stdout: `${file === '/bin/zsh' ? 'Last login: today\n' : ''}${stdout}` };
    };

  it('takes the PATH the login shell prints between markers, then keeps the app’s own', async () => {
    const result = await resolveShellPath({
      platform: 'darwin',
      env: { PATH: '/usr/bin:/bin', SHELL: '/bin/zsh' },
      exec: exec('__SWITCHYARD_PATH__/opt/homebrew/bin:/Users/me/.local/bin:/usr/bin__SWITCHYARD_PATH__'),
      home: '/Users/me',
    });
    expect(result).toEqual({
      path: '/opt/homebrew/bin:/Users/me/.local/bin:/usr/bin:/bin',
      source: 'login-shell',
    });
  });

  it('falls back to the usual tool folders when the shell fails', async () => {
    const result = await resolveShellPath({
      platform: 'darwin',
      env: { PATH: '/usr/bin:/bin' },
      exec: exec('', true),
      home: '/Users/me',
    });
    expect(result.source).toBe('fallback');
    expect(result.path).toBe(
      '/usr/bin:/bin:/opt/homebrew/bin:/usr/local/bin:/Users/me/.local/bin:/Users/me/.cargo/bin',
    );
    expect(result.error).toBe('timed out');
  });

  it('leaves Linux and Windows alone, and parses fish', async () => {
    const never: ExecFile = async () => {
      throw new Error('must not run');
    };
    expect(
      await resolveShellPath({ platform: 'linux', env: { PATH: '/x' }, exec: never, home: '/h' }),
    ).toEqual({
      path: '/x',
      source: 'inherited',
    });
    expect(parseShellOutput('noise')).toBeUndefined();
    expect(mergePath(['/a', '', '/b'], ['/b', '/c'])).toBe('/a:/b:/c');
    let args: string[] = [];
    await resolveShellPath({
      platform: 'darwin',
      env: { SHELL: '/usr/local/bin/fish' },
      exec: async (_f, a) => {
        args = a;
        return { stdout: '__SWITCHYARD_PATH__/a:/b__SWITCHYARD_PATH__' };
      },
      home: '/h',
    });
    expect(args[1]).toContain('string join : $PATH');
  });
});

/** safeStorage with the async API; "encryption" reverses the bytes and tags them. */
function fakeSafeStorage(options: { available?: boolean; backend?: string; reEncrypt?: boolean } = {}) {
  const calls: string[] = [];
  const storage: SafeStorageLike = {
    isAsyncEncryptionAvailable: async () => options.available ?? true,
    encryptStringAsync: async (text) => {
      calls.push('encrypt');
      return Buffer.concat([Buffer.from('ENC:'), Buffer.from(text).reverse()]);
    },
    decryptStringAsync: async (data) => {
      calls.push('decrypt');
      if (!data.subarray(0, 4).equals(Buffer.from('ENC:'))) throw new Error('Error while decrypting');
      return {
        result: Buffer.from(data.subarray(4)).reverse().toString(),
        shouldReEncrypt: options.reEncrypt ?? false,
      };
    },
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
  };
  return { storage, calls };
}

describe('token storage', () => {
  it('keeps a new token encrypted with the keyring (user-only file), and reads it back', async () => {
    const { storage } = fakeSafeStorage();
    const first = await loadToken({
      safeStorage: storage,
      dataDir: dir,
      platform: 'linux',
      generate: () => 'sy_new',
    });
    expect(first).toEqual({ token: 'sy_new', kept: 'keyring' });
    const raw = await readFile(path.join(dir, 'token.enc'));
    expect(raw.toString()).not.toContain('sy_new');
    expect((await stat(path.join(dir, 'token.enc'))).mode & 0o777).toBe(0o600);
    expect(await loadToken({ safeStorage: storage, dataDir: dir, platform: 'linux' })).toEqual({
      token: 'sy_new',
      kept: 'keyring',
    });
  });

  it('adopts a plain token file written earlier and removes it', async () => {
    await writeFile(path.join(dir, 'token'), 'sy_old\n', { mode: 0o600 });
    const { storage } = fakeSafeStorage();
    expect(await loadToken({ safeStorage: storage, dataDir: dir, platform: 'darwin' })).toEqual({
      token: 'sy_old',
      kept: 'keyring',
    });
    await expect(stat(path.join(dir, 'token'))).rejects.toThrow();
  });

  it('re-encrypts when the keyring asks for it', async () => {
    const { storage, calls } = fakeSafeStorage({ reEncrypt: true });
    await loadToken({ safeStorage: storage, dataDir: dir, platform: 'win32', generate: () => 'sy_x' });
    calls.length = 0;
    await loadToken({ safeStorage: storage, dataDir: dir, platform: 'win32' });
    expect(calls).toEqual(['decrypt', 'encrypt']);
  });

  it('without a keyring (or Linux basic_text), leaves the token to the engine’s user-only file, with a warning', async () => {
    for (const options of [{ available: false }, { backend: 'basic_text' }]) {
      const { storage, calls } = fakeSafeStorage(options);
      const result = await loadToken({ safeStorage: storage, dataDir: dir, platform: 'linux' });
      expect(result.kept).toBe('file');
      expect(result.token).toBeUndefined();
      expect(result.warning).toContain(path.join(dir, 'token'));
      expect(result.warning).toContain('readable only by you');
      expect(calls).toEqual([]);
    }
  });

  it('a token the keyring cannot decrypt any more is replaced, and the user is told', async () => {
    await writeFile(path.join(dir, 'token.enc'), 'garbage');
    const { storage } = fakeSafeStorage();
    const result = await loadToken({
      safeStorage: storage,
      dataDir: dir,
      platform: 'darwin',
      generate: () => 'sy_fresh',
    });
    expect(result.token).toBe('sy_fresh');
    expect(result.warning).toMatch(/could not be read/);
  });
});

describe('start at login', () => {
  it('is off by default and persisted', async () => {
    expect(await readPrefs(dir)).toEqual(DEFAULT_PREFS);
    expect(DEFAULT_PREFS.openAtLogin).toBe(false);
    await writePrefs(dir, { ...DEFAULT_PREFS, openAtLogin: true });
    expect((await readPrefs(dir)).openAtLogin).toBe(true);
  });

  it('macOS and Windows: app.setLoginItemSettings', async () => {
    const settings: unknown[] = [];
    const app = { setLoginItemSettings: (s: unknown) => void settings.push(s) };
    await createLoginItem({ platform: 'darwin', app, command: [], autostartDir: dir }).apply(true);
    await createLoginItem({ platform: 'win32', app, command: [], autostartDir: dir }).apply(false);
    expect(settings).toEqual([{ openAtLogin: true }, { openAtLogin: false, args: [HIDDEN_ARG] }]);
  });

  it('Linux: an XDG autostart entry that starts the app hidden, removed when turned off', async () => {
    const item = createLoginItem({
      platform: 'linux',
      app: { setLoginItemSettings: () => undefined },
      command: ['/opt/Switchyard App/switchyard'],
      autostartDir: path.join(dir, 'autostart'),
    });
    expect(item.supported).toBe(true);
    await item.apply(true);
    const file = path.join(dir, 'autostart', 'switchyard.desktop');
    expect(await readFile(file, 'utf8')).toBe(autostartEntry(['/opt/Switchyard App/switchyard', HIDDEN_ARG]));
    expect(await readFile(file, 'utf8')).toContain('Exec="/opt/Switchyard App/switchyard" --hidden');
    await item.apply(false);
    await expect(stat(file)).rejects.toThrow();
  });
});

describe('Switchyard --bridge (the stdio command for Claude Desktop)', () => {
  const config = (text: string) => writeFile(path.join(dir, 'config.yaml'), text);

  it('without a config: the default endpoint, with the keyring token', async () => {
    expect(await desktopBridgeArgv({ dataDir: dir, env: {}, keyringToken: 'sy_k' })).toEqual([
      '--url',
      'http://127.0.0.1:4750/mcp',
      '--data-dir',
      dir,
      '--token',
      'sy_k',
    ]);
  });

  it('follows the config: its port and host, and its own token setting', async () => {
    await config('server: { host: 0.0.0.0, port: 4751 }\nauth: { token: "sy_literal_token_value" }\n');
    expect(await desktopBridgeArgv({ dataDir: dir, env: {}, keyringToken: 'sy_k' })).toEqual([
      '--url',
      'http://127.0.0.1:4751/mcp',
      '--data-dir',
      dir,
      '--token',
      'sy_literal_token_value',
    ]);
    await config('server: { port: 4752 }\nauth: { token: off }\n');
    expect(await desktopBridgeArgv({ dataDir: dir, env: {}, keyringToken: 'sy_k' })).toEqual([
      '--url',
      'http://127.0.0.1:4752/mcp',
      '--data-dir',
      dir,
    ]);
  });

  it('file mode (no keyring): core reads <data dir>/token itself', async () => {
    expect(await desktopBridgeArgv({ dataDir: dir, env: {} })).toEqual([
      '--url',
      'http://127.0.0.1:4750/mcp',
      '--data-dir',
      dir,
    ]);
  });
});
