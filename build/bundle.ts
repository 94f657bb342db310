// The engine's two entry points bundled, so Node loads a few files instead of resolving and
// compiling some 400 modules one by one, which was most of a cold start (issue 9: ≤ 400 ms to a
// ready endpoint):
// - `cli`: the `switchyard` command (dist/bin/main.js), built by `npm run build` after tsc;
// - `engine-host`: the desktop app's engine process (dist/engine/engine-host.js, what
//   electron/main.ts forks), built by `npm run build:electron`.
// The tsc output (dist/core, dist/electron) stays for Electron's main process and for tests that
// import compiled modules.
//
// Code splitting keeps the CLI's lazy loading: each command's module (core/cli/main.ts imports them
// with import()) is its own chunk, so `serve` never loads the bridge's MCP server SDK and container
// discovery (dockerode) loads after the port is open, as with the tsc output.
//
// Everything is written flat into one folder (entries and chunks side by side) because core
// resolves two files beside its own module at run time, wherever esbuild put that module:
// `./audit-worker.js` (core/store/sqlite/audit-writer.ts starts it in a thread) and `./main.js`
// (core/cli/connect.ts writes it as the bridge command Claude Desktop launches).
//
// Run: `tsx build/bundle.ts cli|engine-host [OUTDIR]` (default dist/bin, dist/engine). Tests build
// into a temp dir with `bundle(kind, outdir)` so parallel runs never share an output.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Packages left to Node's resolver at run time, each for a reason:
 * - better-sqlite3 finds its compiled addon (`bindings`) relative to its own package folder;
 * - ssh2 (dockerode's transport for ssh:// engines) requires its optional native parts
 *   (`./crypto/build/Release/sshcrypto.node`, `cpu-features`) by relative path and falls back to
 *   plain JS when they fail: bundled, they would always fail. It loads only with container discovery.
 * Everything else (the MCP SDK, zod, yaml, dockerode, …) is plain JS and is bundled.
 */
export const EXTERNAL = ['better-sqlite3', 'ssh2'] as const;

export type BundleKind = 'cli' | 'engine-host';

const ENTRIES: Record<BundleKind, Record<string, string>> = {
  cli: { main: 'core/cli/main.ts' },
  'engine-host': { 'engine-host': 'electron/engine-host.ts' },
};

/** Where `npm run build` / `build:electron` put each bundle (relative to the package root). */
export const OUTDIR: Record<BundleKind, string> = { cli: 'dist/bin', 'engine-host': 'dist/engine' };

export function bundleOptions(kind: BundleKind, outdir: string): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: { ...ENTRIES[kind], 'audit-worker': 'core/store/sqlite/audit-worker.ts' },
    outdir,
    bundle: true,
    splitting: true,
    chunkNames: '[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    external: [...EXTERNAL],
    // ESM builds first: jsonc-parser's "main" is a UMD build whose require('./impl/format') a
    // bundler cannot follow (its "module" is plain ESM).
    mainFields: ['module', 'main'],
    // Bundled CommonJS packages (dockerode and its helpers) call require(): give them Node's.
    banner: {
      js: "import { createRequire as __switchyardCreateRequire } from 'node:module'; const require = __switchyardCreateRequire(import.meta.url);",
    },
    // Not minified: stack traces and logs stay readable (minifying saved little start-up time).
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  };
}

/** Builds a bundle into `outdir` (emptied first: chunk names carry hashes) and returns esbuild's metafile. */
export async function bundle(kind: BundleKind, outdir: string): Promise<Metafile> {
  await rm(outdir, { recursive: true, force: true });
  const result = await build(bundleOptions(kind, outdir));
  return result.metafile!;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const kind = process.argv[2];
  if (kind !== 'cli' && kind !== 'engine-host') {
    process.stderr.write('usage: tsx build/bundle.ts cli|engine-host [OUTDIR]\n');
    process.exit(2);
  }
  await bundle(kind, path.resolve(ROOT, process.argv[3] ?? OUTDIR[kind]));
}
