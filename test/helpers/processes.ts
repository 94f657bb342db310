// Real MCP servers for tests: the SDK fixture server and @modelcontextprotocol/server-everything,
// each a child process on a loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FixtureSpec } from '../fixtures/fixture-server.js';
import type { HostileSpec } from '../fixtures/hostile-backend.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURE = path.join(ROOT, 'test/fixtures/fixture-server.ts');
export const EVERYTHING = path.join(
  ROOT,
  'node_modules/@modelcontextprotocol/server-everything/dist/index.js',
);
export const NODE = process.execPath;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Kill and start again on the same port. */
  restart(): Promise<void>;
}

function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  stream: 'stdout' | 'stderr',
  timeoutMs = 20_000,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const source = child[stream]!;
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${pattern} (got: ${buffer.slice(-500)})`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const m = pattern.exec(buffer);
      if (m) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`process exited (${code}) before ${pattern}: ${buffer.slice(-500)}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      source.off('data', onData);
      child.off('exit', onExit);
    };
    source.on('data', onData);
    child.on('exit', onExit);
  });
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * Runs a test server script (ours: the fixture, the hostile backend) with its spec as JSON and
 * resolves once it prints `LISTENING <port>`; a restart keeps the port it got.
 */
async function startListening(
  script: string,
  specFor: (port: number) => unknown,
  firstPort: number,
  onStdout?: (text: string) => void,
): Promise<RunningServer> {
  let port = firstPort;
  const launch = async () => {
    const child = spawn(NODE, ['--import', 'tsx', script, JSON.stringify(specFor(port))], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.resume();
    const m = await waitForLine(child, /LISTENING (\d+)/, 'stdout');
    port = Number(m[1]);
    if (onStdout) child.stdout!.on('data', (c: Buffer) => onStdout(c.toString()));
    return child;
  };
  let child = await launch();
  return {
    get url() {
      return `http://127.0.0.1:${port}/mcp`;
    },
    get port() {
      return port;
    },
    get process() {
      return child;
    },
    stop: () => stopProcess(child),
    restart: async () => {
      await stopProcess(child, 'SIGKILL');
      child = await launch();
    },
  };
}

/** Starts the SDK fixture server over HTTP and resolves once it listens. */
export async function startFixture(spec: FixtureSpec): Promise<RunningServer> {
  return startListening(FIXTURE, (port) => ({ ...spec, port }), spec.port ?? (await freePort()));
}

/** Arguments to run the fixture as a stdio backend command. */
export function fixtureCommand(spec: FixtureSpec): { command: string; args: string[] } {
  return { command: NODE, args: ['--import', 'tsx', FIXTURE, JSON.stringify(spec)] };
}

/** server-everything over Streamable HTTP ("streamableHttp") or legacy SSE ("sse"). */
export async function startEverything(mode: 'streamableHttp' | 'sse'): Promise<RunningServer> {
  const port = await freePort();
  const launch = async () => {
    const child = spawn(NODE, [EVERYTHING, mode], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.resume();
    await waitForLine(child, /(listening on port|running on port)/, 'stderr');
    child.stderr!.resume();
    return child;
  };
  let child = await launch();
  return {
    url: mode === 'sse' ? `http://127.0.0.1:${port}/sse` : `http://127.0.0.1:${port}/mcp`,
    port,
    get process() {
      return child;
    },
    stop: () => stopProcess(child),
    restart: async () => {
      await stopProcess(child, 'SIGKILL');
      child = await launch();
    },
  };
}

export const everythingStdio = { command: NODE, args: [EVERYTHING, 'stdio'] };

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 15_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const HOSTILE = path.join(ROOT, 'test/fixtures/hostile-backend.ts');

/** The misbehaving backend (test/fixtures/hostile-backend.ts) over HTTP; resolves once it listens. */
export async function startHostile(
  spec: Omit<HostileSpec, 'transport'>,
): Promise<RunningServer & { output(): string }> {
  let output = '';
  const server = await startListening(
    HOSTILE,
    (port) => ({ ...spec, port, transport: 'http' }),
    spec.port ?? 0,
    (text) => (output += text),
  );
  // Object.assign keeps the server's getters (a spread would freeze url and port).
  return Object.assign(server, { output: () => output });
}

/** Arguments to run the misbehaving backend as a stdio command. */
export function hostileCommand(spec: Omit<HostileSpec, 'transport'>): { command: string; args: string[] } {
  return {
    command: NODE,
    args: ['--import', 'tsx', HOSTILE, JSON.stringify({ ...spec, transport: 'stdio' })],
  };
}
