// Where a container engine may be listening, and how to reach a host written as a URL.
// `auto` tries, in order: DOCKER_HOST, the Docker sockets, the Podman sockets (rootless, rootful,
// Podman machine on macOS) and the Windows named pipes; only the first that answers `/_ping` is used.
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DockerOptions } from 'dockerode';

export interface HostEnvironment {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
  uid: number | undefined;
  tmpdir: string;
}

export function currentHostEnvironment(env: NodeJS.ProcessEnv = process.env): HostEnvironment {
  return {
    env,
    platform: process.platform,
    homedir: os.homedir(),
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    tmpdir: env.TMPDIR ?? os.tmpdir(),
  };
}

/** The hosts to try, in order. A socket file that does not exist is not listed. */
export async function engineCandidates(setting: string, host: HostEnvironment): Promise<string[]> {
  if (setting !== 'auto') return [setting];
  const out: string[] = [];
  const add = (url: string | undefined) => {
    if (url && !out.includes(url)) out.push(url);
  };
  const dockerHost = host.env.DOCKER_HOST?.trim();
  if (dockerHost) add(dockerHost);

  if (host.platform === 'win32') {
    add('npipe:////./pipe/docker_engine');
    add('npipe:////./pipe/podman-machine-default');
    return out;
  }

  const sockets: string[] = [
    '/var/run/docker.sock',
    path.join(host.homedir, '.docker/run/docker.sock'),
    path.join(host.homedir, '.docker/desktop/docker.sock'),
  ];
  const runtimeDir =
    host.env.XDG_RUNTIME_DIR ??
    (host.uid !== undefined && host.uid !== 0 ? `/run/user/${host.uid}` : undefined);
  if (runtimeDir) sockets.push(path.join(runtimeDir, 'podman/podman.sock'));
  sockets.push('/run/podman/podman.sock');
  if (host.platform === 'darwin') {
    const machineDir = path.join(host.homedir, '.local/share/containers/podman/machine');
    sockets.push(path.join(machineDir, 'podman.sock'));
    for (const entry of await listDir(machineDir)) sockets.push(path.join(machineDir, entry, 'podman.sock'));
    const tmpPodman = path.join(host.tmpdir, 'podman');
    for (const entry of await listDir(tmpPodman)) {
      if (entry.endsWith('-api.sock')) sockets.push(path.join(tmpPodman, entry));
    }
  }
  for (const socket of sockets) {
    if (await exists(socket)) add(`unix://${socket}`);
  }
  return out;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch {
    return [];
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}

export class UnsupportedHostError extends Error {}

/**
 * Dockerode options for one host URL. Every connection field is set explicitly, so the modem's own
 * reading of DOCKER_HOST (merged underneath) never overrides the host chosen here, and no client
 * timeout applies (it would cut the long-lived event stream; calls carry their own deadlines).
 */
export function dockerOptionsFor(url: string, env: NodeJS.ProcessEnv = process.env): DockerOptions {
  const base = { host: undefined, port: undefined, socketPath: undefined, timeout: undefined } as const;
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length);
    if (!socketPath) throw new UnsupportedHostError(`"${url}" names no socket path`);
    return { ...base, socketPath };
  }
  if (url.startsWith('npipe://')) {
    const socketPath = url.slice('npipe://'.length) || '//./pipe/docker_engine';
    return { ...base, socketPath };
  }
  if (url.startsWith('/')) return { ...base, socketPath: url };
  let parsed: URL;
  try {
    parsed = new URL(url.includes('://') ? url : `tcp://${url}`);
  } catch {
    throw new UnsupportedHostError(
      `"${url}" is not a container engine address (unix://, npipe://, tcp://, http(s)://)`,
    );
  }
  const protocol = parsed.protocol.replace(/:$/, '');
  if (protocol === 'ssh') {
    throw new UnsupportedHostError(
      `ssh:// engine hosts are not supported ("${url}"); forward the socket instead`,
    );
  }
  if (!['tcp', 'http', 'https'].includes(protocol)) {
    throw new UnsupportedHostError(`unsupported engine address scheme "${protocol}://" in "${url}"`);
  }
  const port = parsed.port || (protocol === 'https' ? '2376' : '2375');
  const tls = protocol === 'https' || port === '2376' || env.DOCKER_TLS_VERIFY === '1';
  const options: DockerOptions = {
    ...base,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    protocol: tls ? 'https' : 'http',
  };
  const certs = env.DOCKER_CERT_PATH;
  if (tls && certs) {
    // Docker's convention: ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH.
    options.ca = readFileSync(path.join(certs, 'ca.pem'));
    options.cert = readFileSync(path.join(certs, 'cert.pem'));
    options.key = readFileSync(path.join(certs, 'key.pem'));
  }
  return options;
}

/** A local engine's containers share this machine's network (container IPs may be reachable). */
export function isLocalHost(url: string): boolean {
  if (url.startsWith('unix://') || url.startsWith('npipe://') || url.startsWith('/')) return true;
  try {
    const host = new URL(url.includes('://') ? url : `tcp://${url}`).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '::1';
  } catch {
    return false;
  }
}
