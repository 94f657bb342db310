// Connecting to a container engine (Docker or Podman through its Docker-compatible API) with
// dockerode, and telling which engine and version answered.
import Docker from 'dockerode';
import { dockerOptionsFor, isLocalHost } from './hosts.js';
import { oneLine } from './text.js';

export type EngineKind = 'docker' | 'podman';

export interface EngineInfo {
  /** The address that answered, e.g. unix:///run/podman/podman.sock. */
  host: string;
  kind: EngineKind;
  /** The engine's own version (Podman's, or Docker Engine's). */
  version: string;
  apiVersion?: string;
  /** e.g. "Docker Desktop 4.41.2" when the engine says so. */
  platform?: string;
  os?: string;
  rootless: boolean;
  /** The engine runs on this machine (unix socket, named pipe or a loopback TCP address). */
  local: boolean;
}

export interface EngineHandle {
  docker: Docker;
  info: EngineInfo;
}

export function engineLabel(info: EngineInfo): string {
  const name = info.kind === 'podman' ? 'Podman' : 'Docker';
  return `${name} ${info.version}${info.platform && info.kind === 'docker' ? ` (${info.platform})` : ''}`;
}

interface VersionAnswer {
  Version?: string;
  ApiVersion?: string;
  Os?: string;
  Platform?: { Name?: string };
  Components?: { Name?: string; Version?: string }[];
}

interface PingAnswer {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  resume(): void;
}

/** `GET /_ping`, keeping the response headers: they name the engine and its version. */
function ping(docker: Docker, timeoutMs: number): Promise<PingAnswer> {
  const modem = docker.modem as unknown as {
    dial(options: Record<string, unknown>, callback: (error: Error | null, res?: unknown) => void): void;
  };
  return new Promise((resolve, reject) => {
    modem.dial(
      {
        path: '/_ping',
        method: 'GET',
        isStream: true,
        abortSignal: AbortSignal.timeout(timeoutMs),
        statusCodes: { 200: true, 500: 'server error' },
      },
      (error, res) => {
        if (error) return reject(error);
        const answer = res as PingAnswer;
        answer.resume();
        resolve(answer);
      },
    );
  });
}

const header = (answer: PingAnswer, name: string): string | undefined => {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Pings one host and identifies the engine from the ping's headers (Podman: `Libpod-Api-Version`,
 * `Server: Libpod/…`; Docker: `Server: Docker/…`). Podman's `/version` and `/info` take hundreds of
 * ms, so they are left to engineDetails(), run alongside the first listing. Rejects when the host
 * does not answer in time.
 */
export async function probeEngine(
  host: string,
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<EngineHandle> {
  const docker = new Docker(dockerOptionsFor(host, options.env));
  const answer = await ping(docker, options.timeoutMs);
  const server = header(answer, 'server') ?? '';
  const libpod = header(answer, 'libpod-api-version');
  const kind: EngineKind = libpod || /libpod|podman/i.test(server) ? 'podman' : 'docker';
  let version = /^(?:Libpod|Docker|Podman)\/([^\s]+)/i.exec(server)?.[1] ?? libpod;
  let apiVersion = header(answer, 'api-version');
  if (!version) {
    const api = docker as unknown as { version(o: { abortSignal: AbortSignal }): Promise<VersionAnswer> };
    const answer = await api.version({ abortSignal: AbortSignal.timeout(options.timeoutMs) });
    const podman = (answer.Components ?? []).find((c) => /podman/i.test(c.Name ?? ''));
    version = podman?.Version ?? answer.Version ?? 'unknown';
    apiVersion ??= answer.ApiVersion;
  }
  const socket = host.replace(/^unix:\/\//, '');
  return {
    docker,
    info: {
      host,
      kind,
      version,
      ...(apiVersion ? { apiVersion } : {}),
      // Until engineDetails() says otherwise: a socket under the user's runtime dir is rootless.
      rootless:
        /^\/run\/user\/\d+\//.test(socket) ||
        (Boolean(options.env?.XDG_RUNTIME_DIR) && socket.startsWith(`${options.env!.XDG_RUNTIME_DIR}/`)),
      local: isLocalHost(host),
    },
  };
}

/** Fills in what `/info` tells: rootless mode, Docker Desktop (containers in a VM), the OS. */
export async function engineDetails(handle: EngineHandle, timeoutMs: number): Promise<void> {
  const api = handle.docker as unknown as {
    info(o: {
      abortSignal: AbortSignal;
    }): Promise<{ SecurityOptions?: string[]; OperatingSystem?: string; OSType?: string }>;
  };
  const info = await api.info({ abortSignal: AbortSignal.timeout(timeoutMs) });
  handle.info.rootless = (info.SecurityOptions ?? []).some((o) => /(^|,)name=rootless(,|$)/.test(o));
  if (info.OperatingSystem && /docker desktop/i.test(info.OperatingSystem))
    handle.info.platform = info.OperatingSystem;
  if (info.OSType) handle.info.os = info.OSType;
}

export interface EngineSearch {
  handle?: EngineHandle;
  tried: { host: string; error: string }[];
}

/** Tries each host in order and returns the first that answers `/_ping`. */
export async function findEngine(
  hosts: readonly string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<EngineSearch> {
  const tried: EngineSearch['tried'] = [];
  for (const host of hosts) {
    try {
      return { handle: await probeEngine(host, options), tried };
    } catch (error) {
      tried.push({ host, error: describeEngineError(error) });
    }
  }
  return { tried };
}

export function describeEngineError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer in time';
    if (code === 'ENOENT') return 'no such socket';
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'EACCES') return 'permission denied';
    return oneLine(error.message);
  }
  return oneLine(String(error));
}
