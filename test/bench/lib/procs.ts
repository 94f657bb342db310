// Child processes for benchmarks: every one is tracked so the runner can kill whatever a module
// left behind (even when it threw), output is always drained (a full pipe would stall the child)
// and the last few KB are kept for error messages.
import { fork, spawn, type ChildProcess, type ForkOptions, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();
const TAIL_BYTES = 8192;

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** The last few KB of stdout and stderr, interleaved. */
  tail(): string;
  /** Resolves with the first match of `pattern` in stdout (or rejects on exit/timeout). */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

function track(name: string, child: ChildProcess): Child {
  live.add(child);
  child.once('exit', () => live.delete(child));
  let tail = '';
  let stdout = '';
  const waiters: Array<() => void> = [];
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    keep(chunk);
    stdout = (stdout + chunk.toString('utf8')).slice(-TAIL_BYTES);
    for (const w of [...waiters]) w();
  });
  child.stderr?.on('data', keep);
  return {
    name,
    process: child,
    tail: () => tail,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(stdout);
          if (m) {
            cleanup();
            resolve(m);
          }
        };
        const onExit = (code: number | null, signal: string | null) => {
          cleanup();
          reject(
            new Error(
              `${name} exited (${code ?? signal}) before printing ${pattern.source}; last output: ${lastLine(tail)}\n${tail}`,
            ),
          );
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `${name}: no ${pattern.source} within ${timeoutMs} ms; last output: ${lastLine(tail)}\n${tail}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          child.off('exit', onExit);
          const i = waiters.indexOf(check);
          if (i >= 0) waiters.splice(i, 1);
        };
        waiters.push(check);
        child.once('exit', onExit);
        check();
      });
    },
    stop: (graceMs) => stopProcess(child, graceMs),
  };
}

/** The most telling line of some output, for one-line error summaries: the last error, else the last line. */
export function lastLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const errors = lines.filter((l) => /error/i.test(l));
  return (errors[errors.length - 1] ?? lines[lines.length - 1] ?? '(none)').slice(0, 300);
}

/** Spawns a tracked child with piped, drained output. */
export function start(name: string, command: string, args: string[], options: SpawnOptions = {}): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  return track(name, child);
}

/** Forks a tracked Node child with an IPC channel (output piped and drained). */
export function startFork(name: string, module: string, args: string[], options: ForkOptions = {}): Child {
  const child = fork(module, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], ...options });
  return track(name, child);
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Stops every child still running (the runner calls this after each module and on exit). */
export async function stopAll(): Promise<number> {
  const children = [...live];
  await Promise.all(children.map((c) => stopProcess(c)));
  return children.length;
}

const cleanups = new Set<() => void>();

/**
 * A synchronous cleanup (e.g. removing a temporary directory) for when the runner is interrupted;
 * call the returned function to unregister it once the module cleaned up itself.
 */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Last-resort cleanup when the runner itself is exiting: synchronous SIGKILL, then cleanups. */
export function killAllNow(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // best effort
    }
  }
  cleanups.clear();
}

export { freePort } from '../../helpers/processes.js';

/** GET a loopback URL and parse JSON (a fresh connection: control-plane polling only). */
export async function getJson(url: string, timeoutMs = 2000): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}
