// The container engine for discovery tests and benchmarks: found the way the product finds it
// (auto-detection or DOCKER_HOST), containers created through dockerode in a tiny local image
// (test/setup/podman.sh builds it from a static busybox; nothing can be pulled) with the host's
// Node and this repository mounted read-only. Every container carries `switchyard.test=1` and the
// pid of the process that made it, so leftovers of dead runs can be removed safely.
import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { findEngine, type EngineInfo } from '../../core/discovery/docker/engine.js';
import type { DockerSourceOptions } from '../../core/discovery/docker/source.js';
import { currentHostEnvironment, engineCandidates } from '../../core/discovery/docker/hosts.js';
import { ROOT } from './processes.js';

export const TEST_IMAGE = process.env.SWITCHYARD_TEST_IMAGE ?? 'localhost/switchyard-base:test';
export const TEST_LABEL = 'switchyard.test';
const PID_LABEL = 'switchyard.test.pid';

/** Node as the containers run it: the host's binary, mounted read-only. */
export const NODE_IN_CONTAINER = realpathSync(process.execPath);
/** Makes node exit on SIGTERM when it is PID 1 (no init in the image), so `stop` is quick. */
const EXIT_ON_TERM = "data:text/javascript,process.on('SIGTERM',()=>process.exit(0))";
/** This repository inside the containers. */
export const REPO_IN_CONTAINER = '/repo';

export interface TestEngine {
  docker: Docker;
  info: EngineInfo;
  image: string;
}

/** The engine tests use, or why there is none. */
export async function findTestEngine(): Promise<{ engine?: TestEngine; reason?: string }> {
  const hosts = await engineCandidates('auto', currentHostEnvironment());
  const search = await findEngine(hosts, { timeoutMs: 3000 });
  if (!search.handle) {
    const tried = search.tried.map((t) => `${t.host}: ${t.error}`).join('; ');
    return { reason: `no container engine answered${tried ? ` (${tried})` : ' (no socket found)'}` };
  }
  const { docker, info } = search.handle;
  try {
    await docker.getImage(TEST_IMAGE).inspect();
  } catch {
    return {
      reason: `${info.kind} at ${info.host} has no image ${TEST_IMAGE} (run: bash test/setup/podman.sh)`,
    };
  }
  return { engine: { docker, info, image: TEST_IMAGE } };
}

/**
 * The engine, or undefined after saying loudly that the tests are skipped. With CI=true a missing
 * engine is an error: these tests must run there.
 */
export async function requireTestEngine(what: string): Promise<TestEngine | undefined> {
  const { engine, reason } = await findTestEngine();
  if (engine) return engine;
  const message = `${what}: ${reason}`;
  if (process.env.CI === 'true')
    throw new Error(`${message} — CI must run these tests (bash test/setup/podman.sh)`);
  const bar = '!'.repeat(Math.min(100, message.length + 10));
  console.warn(
    `\n${bar}\n!!! SKIPPED ${message}\n!!! Set it up with: sudo bash test/setup/podman.sh\n${bar}\n`,
  );
  return undefined;
}

export interface ContainerSpec {
  name?: string;
  labels?: Record<string, string>;
  cmd: string[];
  env?: Record<string, string>;
  /** Publish a container port on 127.0.0.1. */
  publish?: { containerPort: number; hostPort: number; hostIp?: string };
  /** Expose without publishing (image-style EXPOSE). */
  expose?: number[];
  network?: 'host' | 'bridge';
  openStdin?: boolean;
  tty?: boolean;
  start?: boolean;
}

function binds(): string[] {
  const out = ['/usr:/usr:ro', '/lib:/lib:ro'];
  if (existsSync('/lib64')) out.push('/lib64:/lib64:ro');
  if (!NODE_IN_CONTAINER.startsWith('/usr/')) {
    const prefix = path.dirname(path.dirname(NODE_IN_CONTAINER));
    out.push(`${prefix}:${prefix}:ro`);
  }
  out.push(`${ROOT}:${REPO_IN_CONTAINER}:ro`);
  // A worktree's node_modules may be a symlink to a shared install: mount its target at the same
  // path so the link resolves inside the container too.
  const modules = path.join(ROOT, 'node_modules');
  const realModules = existsSync(modules) ? realpathSync(modules) : modules;
  if (realModules !== modules) out.push(`${realModules}:${realModules}:ro`);
  return out;
}

export async function createContainer(engine: TestEngine, spec: ContainerSpec): Promise<Docker.Container> {
  const portKey = spec.publish ? `${spec.publish.containerPort}/tcp` : undefined;
  const exposed: Record<string, object> = {};
  for (const port of spec.expose ?? []) exposed[`${port}/tcp`] = {};
  if (portKey) exposed[portKey] = {};
  const container = await engine.docker.createContainer({
    ...(spec.name ? { name: spec.name } : {}),
    Image: engine.image,
    Cmd: spec.cmd,
    WorkingDir: REPO_IN_CONTAINER,
    Env: Object.entries({ HOME: '/tmp', ...spec.env }).map(([k, v]) => `${k}=${v}`),
    Labels: { ...spec.labels, [TEST_LABEL]: '1', [PID_LABEL]: String(process.pid) },
    OpenStdin: Boolean(spec.openStdin),
    StdinOnce: false,
    Tty: Boolean(spec.tty),
    ExposedPorts: exposed,
    HostConfig: {
      Binds: binds(),
      ...(spec.network === 'host' ? { NetworkMode: 'host' } : {}),
      ...(portKey && spec.publish
        ? {
            PortBindings: {
              [portKey]: [
                { HostIp: spec.publish.hostIp ?? '127.0.0.1', HostPort: String(spec.publish.hostPort) },
              ],
            },
          }
        : {}),
    },
  });
  if (spec.start !== false) await container.start();
  return container;
}

/** server-everything ("streamableHttp" | "sse" | "stdio"); HTTP modes listen on PORT (all interfaces). */
export function everythingCommand(mode: 'streamableHttp' | 'sse' | 'stdio'): string[] {
  return [
    NODE_IN_CONTAINER,
    '--import',
    EXIT_ON_TERM,
    `${REPO_IN_CONTAINER}/node_modules/@modelcontextprotocol/server-everything/dist/index.js`,
    mode,
  ];
}

/** A TypeScript fixture of this repository, run through tsx with one JSON argument. */
function tsxFixture(file: string, spec: Record<string, unknown>): string[] {
  return [
    NODE_IN_CONTAINER,
    '--import',
    EXIT_ON_TERM,
    '--import',
    'tsx',
    `${REPO_IN_CONTAINER}/test/fixtures/${file}`,
    JSON.stringify(spec),
  ];
}

/** The SDK fixture server (test/fixtures/fixture-server.ts) through tsx. It listens on 127.0.0.1. */
export function fixtureCommand(spec: Record<string, unknown>): string[] {
  return tsxFixture('fixture-server.ts', spec);
}

/** The misbehaving backend (test/fixtures/hostile-backend.ts) as a stdio server, through tsx. */
export function hostileCommand(spec: Record<string, unknown>): string[] {
  return tsxFixture('hostile-backend.ts', { ...spec, transport: 'stdio' });
}

/** Discovery timings for tests: fast reconnects, reconciles and boot retries. */
export const FAST_DISCOVERY: Partial<DockerSourceOptions> = {
  reconnect: { initialMs: 200, maxMs: 1000 },
  reconcileIntervalMs: 3000,
  eventDebounceMs: 10,
  bootRetry: { initialMs: 100, maxMs: 1000 },
};

/** A container that only sleeps (labels without a server, e.g. a ToolHive workload whose proxy is on the host). */
export const SLEEP_COMMAND = ['/bin/sleep', '3600'];

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes test containers of runs whose process is gone (never another live run's). */
export async function removeLeftovers(engine: TestEngine): Promise<number> {
  const list = await engine.docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=1`] } });
  let removed = 0;
  for (const c of list) {
    const pid = Number(c.Labels?.[PID_LABEL]);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) continue;
    await engine.docker
      .getContainer(c.Id)
      .remove({ force: true })
      .then(() => removed++)
      .catch(() => undefined);
  }
  return removed;
}

/** Removes every test container this process created. */
export async function removeOwnContainers(engine: TestEngine): Promise<void> {
  const list = await engine.docker.listContainers({
    all: true,
    filters: { label: [`${PID_LABEL}=${process.pid}`] },
  });
  await Promise.all(
    list.map((c) =>
      engine.docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

const run = promisify(execFile);

/** The podman CLI (works without the API service). */
export async function podman(...args: string[]): Promise<string> {
  const { stdout } = await run('podman', args, { timeout: 60_000 });
  return stdout.trim();
}

function socketPathOf(host: string): string | undefined {
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

/** Pids of `podman system service` processes serving this socket. */
function servicePids(socket: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string[];
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const isService =
      path.basename(cmdline[0] ?? '') === 'podman' &&
      cmdline.includes('system') &&
      cmdline.includes('service');
    if (isService && cmdline.some((arg) => arg === `unix://${socket}` || arg === socket))
      pids.push(Number(entry));
  }
  return pids;
}

/** Can the tests restart the engine's API service (a `podman system service` on a unix socket)? */
export function canRestartService(engine: TestEngine): boolean {
  const socket = socketPathOf(engine.info.host);
  return engine.info.kind === 'podman' && socket !== undefined && servicePids(socket).length > 0;
}

/**
 * Stops the Podman API service (containers keep running: conmon supervises them), runs `during`
 * while it is down, then starts it again the way test/setup/podman.sh does and waits for it.
 */
export async function restartPodmanService(engine: TestEngine, during?: () => Promise<void>): Promise<void> {
  const socket = socketPathOf(engine.info.host);
  if (!socket) throw new Error(`cannot restart the API service behind ${engine.info.host}`);
  const pids = servicePids(socket);
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (pids.some(processAlive)) {
    if (Date.now() > deadline) throw new Error('the podman API service did not stop');
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    await during?.();
  } finally {
    await startService(engine, socket);
  }
}

async function startService(engine: TestEngine, socket: string): Promise<void> {
  const log = openSync(process.env.SWITCHYARD_PODMAN_LOG ?? '/tmp/switchyard-podman-service.log', 'a');
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    detached: true,
    // Not the checkout: a service that outlives the run must not hold a directory that may be
    // deleted (conmon then fails every container start with "Failed to get working directory").
    cwd: '/',
    stdio: ['ignore', log, log],
  });
  child.unref();
  const up = Date.now() + 15_000;
  for (;;) {
    try {
      await engine.docker.ping();
      return;
    } catch {
      if (Date.now() > up) throw new Error('the podman API service did not come back');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
