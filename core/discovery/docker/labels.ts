// Reads a container's labels and inspect data into what Switchyard needs to reach it. Labels are
// untrusted data: each one is validated, and the only things they can choose are a port and a
// path on an address Switchyard derives itself (or an attachment to the container's own stdin).
// They never become a command, a mount, an environment variable or a user.

export type Convention = 'mcp' | 'toolhive';
export type HttpTransport = 'streamable-http' | 'sse';

/** The parts of `GET /containers/{id}/json` discovery reads (Docker and Podman agree on these). */
export interface ContainerInspect {
  Id: string;
  Name?: string;
  Created?: string;
  Image?: string;
  Config?: {
    Image?: string;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, unknown> | null;
    OpenStdin?: boolean;
    Tty?: boolean;
  } | null;
  State?: {
    Status?: string;
    Running?: boolean;
    Paused?: boolean;
    Restarting?: boolean;
    StartedAt?: string;
    Pid?: number;
    Health?: { Status?: string } | null;
  } | null;
  HostConfig?: { NetworkMode?: string } | null;
  NetworkSettings?: {
    IPAddress?: string;
    Ports?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    Networks?: Record<string, { IPAddress?: string } | null> | null;
  } | null;
}

export interface InterpretContext {
  /** Only containers in this group (mcp.group / toolhive-group) are backends; null = all. */
  group: string | null;
  /** Container IPs are reachable from this process (Linux, local rootful engine). */
  containerIpReachable: boolean;
  /** `--network host` containers listen on this machine's loopback (Linux). */
  hostNetworkReachable: boolean;
}

export type Interpretation =
  | { kind: 'ignore'; reason: string }
  | {
      kind: 'backend';
      convention: Convention;
      /** Before sanitizing and de-duplicating. */
      wantedName: string;
      group?: string;
      endpoint: { transport: HttpTransport; url: string } | { transport: 'stdio'; tty: boolean };
      /** Why this container cannot be used as it is (shown as a backend in error). */
      invalid?: string;
    };

export const LABELS = {
  enable: 'mcp.enable',
  name: 'mcp.name',
  transport: 'mcp.transport',
  port: 'mcp.port',
  path: 'mcp.path',
  group: 'mcp.group',
  ociName: 'io.modelcontextprotocol.server.name',
  toolhive: 'toolhive',
  toolhiveName: 'toolhive-name',
  toolhiveBaseName: 'toolhive-basename',
  toolhiveTransport: 'toolhive-transport',
  toolhivePort: 'toolhive-port',
  toolhiveGroup: 'toolhive-group',
  toolhiveAuxiliary: 'toolhive-auxiliary',
  toolhiveAuxiliaryWorkload: 'toolhive-auxiliary-workload',
  toolhiveToolType: 'toolhive-tool-type',
} as const;

const MAX_LABEL = 256;
const PATH_CHARS = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

/** Label values as the engine gave them, minus anything absurdly long. */
function label(labels: Record<string, string>, key: string): string | undefined {
  const value = labels[key];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Shows an untrusted value in a message: quoted, control characters removed, shortened. */
export function quote(value: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(clean.length > 40 ? `${clean.slice(0, 40)}…` : clean);
}

export function containerName(info: ContainerInspect): string {
  return (info.Name ?? '').replace(/^\//, '');
}

/** Is this container a candidate at all (cheap, from labels only: list results and events)? */
export function hasDiscoveryLabels(labels: Record<string, string> | null | undefined): boolean {
  if (!labels) return false;
  return isTrue(labels[LABELS.enable]) || isTrue(labels[LABELS.toolhive]);
}

export function parsePort(value: string): number | undefined {
  const m = /^(\d{1,5})(\/tcp)?$/i.exec(value.trim());
  if (!m) return undefined;
  const port = Number(m[1]);
  return port >= 1 && port <= 65535 ? port : undefined;
}

export function interpretContainer(info: ContainerInspect, context: InterpretContext): Interpretation {
  const labels = info.Config?.Labels ?? {};
  const state = info.State ?? {};
  if (!state.Running || state.Restarting)
    return { kind: 'ignore', reason: `container is ${state.Status ?? 'not running'}` };
  if (isTrue(labels[LABELS.enable])) return interpretMcp(info, labels, context);
  if (isTrue(labels[LABELS.toolhive])) return interpretToolHive(info, labels, context);
  return { kind: 'ignore', reason: 'no mcp.enable=true or toolhive=true label' };
}

function groupFilter(group: string | undefined, context: InterpretContext): Interpretation | undefined {
  if (context.group !== null && group !== context.group) {
    return {
      kind: 'ignore',
      reason: `group ${group ? quote(group) : '(none)'} is not ${quote(context.group)}`,
    };
  }
  return undefined;
}

function interpretMcp(
  info: ContainerInspect,
  labels: Record<string, string>,
  context: InterpretContext,
): Interpretation {
  const group = label(labels, LABELS.group)?.slice(0, MAX_LABEL);
  const skip = groupFilter(group, context);
  if (skip) return skip;
  const wantedName =
    label(labels, LABELS.name) ?? (containerName(info) || label(labels, LABELS.ociName) || '');
  const base = {
    kind: 'backend' as const,
    convention: 'mcp' as const,
    wantedName,
    ...(group ? { group } : {}),
  };
  const placeholder = {
    transport: 'streamable-http' as const,
    url: `container://${containerName(info) || info.Id.slice(0, 12)}`,
  };

  const rawTransport = label(labels, LABELS.transport);
  const transport = rawTransport === undefined ? 'streamable-http' : rawTransport.toLowerCase();
  if (transport !== 'streamable-http' && transport !== 'sse' && transport !== 'stdio') {
    return {
      ...base,
      endpoint: placeholder,
      invalid: `unknown transport ${quote(rawTransport ?? '')} in ${LABELS.transport} (use streamable-http, sse or stdio)`,
    };
  }
  if (info.State?.Paused) return { ...base, endpoint: placeholder, invalid: 'container is paused' };

  if (transport === 'stdio') {
    const tty = Boolean(info.Config?.Tty);
    const endpoint = { transport: 'stdio' as const, tty };
    if (!info.Config?.OpenStdin) {
      return {
        ...base,
        endpoint,
        invalid: `${LABELS.transport}=stdio needs a container started with an open stdin (docker run -d -i, compose stdin_open: true)`,
      };
    }
    if (tty) {
      return {
        ...base,
        endpoint,
        invalid: `${LABELS.transport}=stdio needs a container without a TTY (start it with -i, not -t)`,
      };
    }
    return { ...base, endpoint };
  }

  const rawPath = label(labels, LABELS.path);
  const path = rawPath ?? (transport === 'sse' ? '/sse' : '/mcp');
  if (path.length > MAX_LABEL || !PATH_CHARS.test(path)) {
    return {
      ...base,
      endpoint: placeholder,
      invalid: `${LABELS.path} ${quote(path)} is not a URL path (it must start with "/" and use URL path characters)`,
    };
  }

  let port: number | undefined;
  const rawPort = label(labels, LABELS.port);
  if (rawPort !== undefined) {
    port = parsePort(rawPort);
    if (port === undefined) {
      return {
        ...base,
        endpoint: placeholder,
        invalid: `${LABELS.port} ${quote(rawPort)} is not a TCP port number (1-65535)`,
      };
    }
  } else {
    const exposed = exposedPorts(info);
    if (exposed.length !== 1) {
      return {
        ...base,
        endpoint: placeholder,
        invalid:
          exposed.length === 0
            ? `no ${LABELS.port} label and the container exposes no TCP port`
            : `no ${LABELS.port} label and the container exposes several TCP ports (${exposed.join(', ')}): set ${LABELS.port}`,
      };
    }
    port = exposed[0];
  }

  const host = resolveAddress(info, port!, context);
  if ('error' in host) return { ...base, endpoint: placeholder, invalid: host.error };
  return { ...base, endpoint: { transport, url: `http://${host.hostPort}${path}` } };
}

function interpretToolHive(
  info: ContainerInspect,
  labels: Record<string, string>,
  context: InterpretContext,
): Interpretation {
  if (isTrue(labels[LABELS.toolhiveAuxiliary]) || isTrue(labels[LABELS.toolhiveAuxiliaryWorkload])) {
    return { kind: 'ignore', reason: 'ToolHive auxiliary workload' };
  }
  const toolType = label(labels, LABELS.toolhiveToolType);
  if (toolType !== undefined && toolType.toLowerCase() !== 'mcp') {
    return { kind: 'ignore', reason: `ToolHive tool type ${quote(toolType)}` };
  }
  // ToolHive puts workloads without a group in its "default" group.
  const group = (label(labels, LABELS.toolhiveGroup) ?? 'default').slice(0, MAX_LABEL);
  const skip = groupFilter(group, context);
  if (skip) return skip;
  const wantedName =
    label(labels, LABELS.toolhiveName) ?? label(labels, LABELS.toolhiveBaseName) ?? containerName(info);
  const base = { kind: 'backend' as const, convention: 'toolhive' as const, wantedName, group };
  const placeholder = {
    transport: 'streamable-http' as const,
    url: `container://${containerName(info) || info.Id.slice(0, 12)}`,
  };

  const rawTransport = label(labels, LABELS.toolhiveTransport) ?? 'streamable-http';
  const transport = rawTransport.toLowerCase();
  if (transport === 'inspector') return { kind: 'ignore', reason: 'ToolHive inspector' };
  if (transport !== 'streamable-http' && transport !== 'sse' && transport !== 'stdio') {
    return {
      ...base,
      endpoint: placeholder,
      invalid: `unknown transport ${quote(rawTransport)} in ${LABELS.toolhiveTransport} (use streamable-http, sse or stdio)`,
    };
  }
  const rawPort = label(labels, LABELS.toolhivePort);
  const port = rawPort === undefined ? undefined : parsePort(rawPort);
  if (port === undefined) {
    return {
      ...base,
      endpoint: placeholder,
      invalid:
        rawPort === undefined
          ? `no ${LABELS.toolhivePort} label (the ToolHive proxy's port on this host)`
          : `${LABELS.toolhivePort} ${quote(rawPort)} is not a TCP port number (1-65535)`,
    };
  }
  if (info.State?.Paused) return { ...base, endpoint: placeholder, invalid: 'container is paused' };
  // The ToolHive proxy runs on this host; stdio workloads are proxied as streamable HTTP.
  const http: HttpTransport = transport === 'sse' ? 'sse' : 'streamable-http';
  return {
    ...base,
    endpoint: { transport: http, url: `http://127.0.0.1:${port}${http === 'sse' ? '/sse' : '/mcp'}` },
  };
}

/** TCP ports the container exposes or publishes, sorted. */
export function exposedPorts(info: ContainerInspect): number[] {
  const keys = [
    ...Object.keys(info.Config?.ExposedPorts ?? {}),
    ...Object.keys(info.NetworkSettings?.Ports ?? {}),
  ];
  const ports = new Set<number>();
  for (const key of keys) {
    const [num, proto = 'tcp'] = key.split('/');
    if (proto.toLowerCase() !== 'tcp') continue;
    const port = parsePort(num ?? '');
    if (port !== undefined) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * Where the host reaches a container port: the host port published on 127.0.0.1 or a wildcard
 * address, else (host network) this machine's loopback, else the container's IP where reachable.
 */
export function resolveAddress(
  info: ContainerInspect,
  port: number,
  context: InterpretContext,
): { hostPort: string } | { error: string } {
  const bindings = info.NetworkSettings?.Ports?.[`${port}/tcp`] ?? [];
  const published = (ips: string[]) =>
    bindings.find((b) => ips.includes(b.HostIp ?? '') && parsePort(b.HostPort ?? '') !== undefined);
  const loopback = published(['127.0.0.1']);
  if (loopback) return { hostPort: `127.0.0.1:${parsePort(loopback.HostPort!)}` };
  const wildcard = published(['0.0.0.0', '', '::']);
  if (wildcard) return { hostPort: `127.0.0.1:${parsePort(wildcard.HostPort!)}` };
  const loopback6 = published(['::1']);
  if (loopback6) return { hostPort: `[::1]:${parsePort(loopback6.HostPort!)}` };

  if (info.HostConfig?.NetworkMode === 'host') {
    if (context.hostNetworkReachable) return { hostPort: `127.0.0.1:${port}` };
    return {
      error: `the container uses the host network of another machine (the engine's VM); publish port ${port} instead`,
    };
  }
  if (context.containerIpReachable) {
    const ip =
      info.NetworkSettings?.IPAddress ||
      Object.values(info.NetworkSettings?.Networks ?? {}).find((n) => n?.IPAddress)?.IPAddress;
    if (ip && /^[0-9.]+$/.test(ip)) return { hostPort: `${ip}:${port}` };
    if (ip && /^[0-9a-fA-F:]+$/.test(ip)) return { hostPort: `[${ip}]:${port}` };
  }
  const others = bindings.map((b) => b.HostIp).filter(Boolean);
  return {
    error:
      `container port ${port} is not published on 127.0.0.1 or 0.0.0.0` +
      (others.length ? ` (only on ${others.join(', ')})` : '') +
      (context.containerIpReachable
        ? ' and the container has no IP address'
        : ' and container IPs are not reachable from this host') +
      ` — publish it, e.g. docker run -p 127.0.0.1:HOSTPORT:${port}`,
  };
}
