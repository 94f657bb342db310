// The `switchyard` command bundled (dist/bin/main.js): Node then loads a few files instead of
// resolving and compiling some 400 modules one by one, which was most of a cold start (issue 9:
// ≤ 400 ms to a ready endpoint). `npm run build` runs it after tsc; the tsc output (dist/core)
// stays for the Electron engine host and for tests that import compiled modules.
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
// Run: `tsx build/cli-bundle.ts [OUTDIR]` (default dist/bin). Tests build into a temp dir with
// `bundleCli(outdir)` so parallel runs never share an output.
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

export function bundleOptions(outdir: string): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: {
      main: 'core/cli/main.ts',
      'audit-worker': 'core/store/sqlite/audit-worker.ts',
    },
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

/** Builds the bundle into `outdir` (emptied first: chunk names carry hashes) and returns esbuild's metafile. */
export async function bundleCli(outdir: string): Promise<Metafile> {
  await rm(outdir, { recursive: true, force: true });
  const result = await build(bundleOptions(outdir));
  return result.metafile!;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleCli(path.resolve(ROOT, process.argv[2] ?? 'dist/bin'));
}
