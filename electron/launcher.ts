// What `npm start` does, decided from the machine: the desktop app when an Electron binary and a
// display are there, else the headless engine (`switchyard serve`) with the dashboard in a browser.
// Pure functions over the file system and the environment (test/unit/electron/launcher.test.ts).
import path from 'node:path';

export interface FsProbe {
  existsSync(file: string): boolean;
  readFileSync(file: string, encoding: 'utf8'): string;
}

/** Where the `electron` package keeps its downloaded binary (node_modules/electron/{path.txt,dist}). */
export function findElectronBinary(
  root: string,
  fs: FsProbe,
  env: NodeJS.ProcessEnv = {},
): { binary: string } | { missing: string } {
  const pkg = path.join(root, 'node_modules', 'electron');
  if (!fs.existsSync(path.join(pkg, 'package.json')))
    return { missing: 'the electron package is not installed' };
  const pathFile = path.join(pkg, 'path.txt');
  if (!fs.existsSync(pathFile)) return { missing: 'node_modules/electron/dist is missing' };
  const relative = fs.readFileSync(pathFile, 'utf8').trim();
  const dist = env.ELECTRON_OVERRIDE_DIST_PATH || path.join(pkg, 'dist');
  const binary = path.join(dist, relative);
  return fs.existsSync(binary) ? { binary } : { missing: `${path.relative(root, binary)} is missing` };
}

/** A window can open: always on macOS and Windows; on Linux and the BSDs with X11 or Wayland. */
export function displayAvailable(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export type LaunchPlan =
  | { mode: 'electron'; binary: string }
  /** The binary is missing but could be downloaded (a display is there and downloads are allowed). */
  | { mode: 'download'; missing: string }
  | { mode: 'headless'; reason: string };

export function launchPlan(options: {
  root: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  argv: string[];
  fs: FsProbe;
  /** Set once a download was tried, with what went wrong. */
  downloadFailed?: string;
}): LaunchPlan {
  const { env, platform } = options;
  if (options.argv.includes('--headless') || env.SWITCHYARD_HEADLESS === '1') {
    return { mode: 'headless', reason: 'headless mode requested' };
  }
  const found = findElectronBinary(options.root, options.fs, env);
  const display = displayAvailable(platform, env);
  const noDisplay = 'no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  if ('binary' in found) {
    return display ? { mode: 'electron', binary: found.binary } : { mode: 'headless', reason: noDisplay };
  }
  const notInstalled = `Electron binary not installed (${found.missing})`;
  if (!display) return { mode: 'headless', reason: `${notInstalled}, and ${noDisplay}` };
  if (options.downloadFailed) {
    return { mode: 'headless', reason: `${notInstalled}: download failed (${options.downloadFailed})` };
  }
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD === '1' || env.ELECTRON_SKIP_BINARY_DOWNLOAD === 'true') {
    return { mode: 'headless', reason: `${notInstalled}, and ELECTRON_SKIP_BINARY_DOWNLOAD is set` };
  }
  return { mode: 'download', missing: found.missing };
}

/** The one line `npm start` prints before running headless. */
export function headlessLine(reason: string): string {
  const capitalised = reason.charAt(0).toUpperCase() + reason.slice(1);
  return `${capitalised}; running headless — the dashboard URL follows (open it in a browser).`;
}

/** Arguments for the desktop app and for `serve`: the app takes none of serve's flags. */
export function splitArgs(argv: string[]): { serve: string[]; electron: string[] } {
  const serve = argv.filter((a) => a !== '--headless');
  const electron = argv.filter((a) => a === '--hidden');
  return { serve, electron };
}
