// `npm start`: opens the desktop app (Electron on dist/electron/main.js) when an Electron binary
// and a display are there, downloading the binary first on a desktop that lacks it; else prints one
// line saying why and runs the headless engine (`switchyard serve`), which prints the dashboard URL.
// `npm start -- --port 4751 --data-dir /tmp/sy` passes flags to serve in headless mode.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { headlessLine, launchPlan, splitArgs, type LaunchPlan } from './launcher.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fromSource = import.meta.url.endsWith('.ts');
// electron/launch.ts (tsx) or dist/electron/launch.js.
const ROOT = path.resolve(here, fromSource ? '..' : '../..');

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(command, args, { cwd: ROOT, env, stdio: 'inherit' });
    // Ctrl-C reaches the child with the terminal's process group: the launcher only waits for it
    // (forwarding SIGINT too would make serve see it twice and exit without stopping cleanly).
    const onInt = () => undefined;
    const onTerm = () => child.kill('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('error', (error) => {
      process.stderr.write(`switchyard: cannot start ${command}: ${error.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 128 + 2 : 1));
    });
  });
}

/** The Electron package's own installer (what `npx install-electron` runs); never runs in CI. */
async function download(): Promise<string | undefined> {
  process.stdout.write('Downloading the Electron binary (first start)…\n');
  const code = await run(
    process.execPath,
    [path.join(ROOT, 'node_modules/electron/install.js')],
    process.env,
  );
  return code === 0 ? undefined : `node_modules/electron/install.js exited with ${code}`;
}

async function main(argv: string[]): Promise<number> {
  const base = {
    root: ROOT,
    platform: process.platform,
    env: process.env,
    argv,
    fs: { existsSync, readFileSync },
  };
  let plan: LaunchPlan = launchPlan(base);
  if (plan.mode === 'download') {
    const failed = await download();
    plan = launchPlan({ ...base, ...(failed ? { downloadFailed: failed } : {}) });
    if (plan.mode === 'download')
      plan = { mode: 'headless', reason: 'Electron binary still missing after download' };
  }
  const args = splitArgs(argv);
  if (plan.mode === 'electron') {
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    return run(plan.binary, [ROOT, ...args.electron], env);
  }
  process.stdout.write(`${headlessLine(plan.reason)}\n`);
  const cli = fromSource
    ? ['--import', 'tsx', path.join(ROOT, 'core/cli/main.ts')]
    : [path.join(ROOT, 'dist/bin/main.js')];
  return run(process.execPath, [...cli, 'serve', ...args.serve], process.env);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`switchyard: ${String(error)}\n`);
    process.exit(1);
  },
);
