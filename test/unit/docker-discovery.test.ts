// Container discovery without an engine: label interpretation (the label contract in
// docs/containers.md), backend names, engine addresses, event parsing, stream
// demultiplexing and the shared stdio attachment (against an in-memory fake container).
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { describe, expect, it, vi } from 'vitest';
import type { BackendStatus } from '../../common/domain/backend.js';
import { BootRetry } from '../../core/discovery/docker/boot-retry.js';
import { oneLine } from '../../core/discovery/docker/text.js';
import { ContainerAttachment } from '../../core/discovery/docker/attach.js';
import { parseContainerEvent } from '../../core/discovery/docker/events.js';
import {
  dockerOptionsFor,
  engineCandidates,
  type HostEnvironment,
} from '../../core/discovery/docker/hosts.js';
import {
  interpretContainer,
  type ContainerInspect,
  type InterpretContext,
} from '../../core/discovery/docker/labels.js';
import { sanitizeBackendName, uniqueName } from '../../core/discovery/docker/names.js';
import { StreamDemuxer } from '../../core/discovery/docker/streams.js';
import { InboundBudget } from '../../core/backends/inbound-limits.js';
import { BACKEND_NAME } from '../../core/config/schema.js';
import { silentLogger } from '../../core/support/logger.js';

const ID = 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789';
const LINUX: InterpretContext = { group: null, containerIpReachable: true, hostNetworkReachable: true };
const MAC: InterpretContext = { group: null, containerIpReachable: false, hostNetworkReachable: false };

function container(labels: Record<string, string>, extra: Partial<ContainerInspect> = {}): ContainerInspect {
  return {
    Id: ID,
    Name: extra.Name ?? '/my-server',
    Created: '2026-01-01T00:00:00Z',
    Config: { Image: 'example/mcp:1', Labels: labels, ExposedPorts: { '3000/tcp': {} }, ...extra.Config },
    State: { Status: 'running', Running: true, StartedAt: '2026-01-01T00:00:01Z', ...extra.State },
    HostConfig: { NetworkMode: 'bridge', ...extra.HostConfig },
    NetworkSettings: {
      IPAddress: '10.88.0.7',
      Ports: { '3000/tcp': null },
      ...extra.NetworkSettings,
    },
  };
}

const published = (port: string, hostIp: string, hostPort: string) => ({
  NetworkSettings: {
    IPAddress: '10.88.0.7',
    Ports: { [`${port}/tcp`]: [{ HostIp: hostIp, HostPort: hostPort }] },
  },
});

describe('labels → backend (mcp.* convention)', () => {
  it('needs mcp.enable=true; defaults: container name, streamable-http, the only exposed port, /mcp', () => {
    expect(interpretContainer(container({}), LINUX)).toMatchObject({ kind: 'ignore' });
    expect(interpretContainer(container({ 'mcp.enable': 'false' }), LINUX)).toMatchObject({ kind: 'ignore' });
    expect(
      interpretContainer(container({ 'mcp.enable': 'TRUE' }, published('3000', '127.0.0.1', '41000')), LINUX),
    ).toEqual({
      kind: 'backend',
      convention: 'mcp',
      wantedName: 'my-server',
      endpoint: { transport: 'streamable-http', url: 'http://127.0.0.1:41000/mcp' },
    });
  });

  it('mcp.name, then the container name, then io.modelcontextprotocol.server.name', () => {
    const labels = { 'mcp.enable': 'true', 'io.modelcontextprotocol.server.name': 'io.github.x/oci' };
    expect(interpretContainer(container({ ...labels, 'mcp.name': 'mine' }), LINUX)).toMatchObject({
      wantedName: 'mine',
    });
    expect(interpretContainer(container(labels), LINUX)).toMatchObject({ wantedName: 'my-server' });
    expect(interpretContainer(container(labels, { Name: '' }), LINUX)).toMatchObject({
      wantedName: 'io.github.x/oci',
    });
  });

  it('reaches a published port on 127.0.0.1 or a wildcard address, else the container IP (Linux), else explains', () => {
    const on = (ip: string) =>
      interpretContainer(container({ 'mcp.enable': 'true' }, published('3000', ip, '41000')), LINUX);
    expect(on('0.0.0.0')).toMatchObject({ endpoint: { url: 'http://127.0.0.1:41000/mcp' } });
    expect(on('')).toMatchObject({ endpoint: { url: 'http://127.0.0.1:41000/mcp' } });
    expect(on('::1')).toMatchObject({ endpoint: { url: 'http://[::1]:41000/mcp' } });
    // Bound to another interface only: not used; the container IP is.
    expect(on('192.168.1.5')).toMatchObject({ endpoint: { url: 'http://10.88.0.7:3000/mcp' } });
    expect(interpretContainer(container({ 'mcp.enable': 'true' }), LINUX)).toMatchObject({
      endpoint: { url: 'http://10.88.0.7:3000/mcp' },
    });
    const mac = interpretContainer(container({ 'mcp.enable': 'true' }), MAC);
    expect(mac).toMatchObject({ kind: 'backend' });
    expect(mac.kind === 'backend' && mac.invalid).toMatch(
      /not published on 127\.0\.0\.1 or 0\.0\.0\.0.*-p 127\.0\.0\.1:HOSTPORT:3000/,
    );
  });

  it('host network: this machine’s loopback on Linux', () => {
    const host = container(
      { 'mcp.enable': 'true', 'mcp.port': '4100' },
      { HostConfig: { NetworkMode: 'host' }, Config: { ExposedPorts: {} }, NetworkSettings: { Ports: {} } },
    );
    expect(interpretContainer(host, LINUX)).toMatchObject({ endpoint: { url: 'http://127.0.0.1:4100/mcp' } });
    const mac = interpretContainer(host, MAC);
    expect(mac.kind === 'backend' && mac.invalid).toMatch(/host network/);
  });

  it('sse defaults to /sse; mcp.path and mcp.port are used when valid', () => {
    expect(
      interpretContainer(container({ 'mcp.enable': 'true', 'mcp.transport': 'sse' }), LINUX),
    ).toMatchObject({ endpoint: { transport: 'sse', url: 'http://10.88.0.7:3000/sse' } });
    expect(
      interpretContainer(
        container({ 'mcp.enable': 'true', 'mcp.port': '8080', 'mcp.path': '/v1/mcp?profile=a' }),
        LINUX,
      ),
    ).toMatchObject({ endpoint: { url: 'http://10.88.0.7:8080/v1/mcp?profile=a' } });
  });

  it.each([
    [{ 'mcp.port': 'http' }, /mcp\.port "http" is not a TCP port number/],
    [{ 'mcp.port': '0' }, /mcp\.port "0"/],
    [{ 'mcp.port': '70000' }, /mcp\.port "70000"/],
    [{ 'mcp.port': '53/udp' }, /mcp\.port "53\/udp"/],
    [{ 'mcp.transport': 'websocket' }, /unknown transport "websocket" in mcp\.transport/],
    [{ 'mcp.path': 'http://evil.example/' }, /mcp\.path .* is not a URL path/],
    [{ 'mcp.path': '/a b' }, /mcp\.path/],
    [{ 'mcp.path': '@evil.example/' }, /mcp\.path/],
  ])('a mislabelled container is a backend in error: %j', (labels, reason) => {
    const verdict = interpretContainer(container({ 'mcp.enable': 'true', ...labels }), LINUX);
    expect(verdict.kind).toBe('backend');
    expect(verdict.kind === 'backend' && verdict.invalid).toMatch(reason);
  });

  it('no mcp.port and not exactly one exposed port is an error', () => {
    const none = interpretContainer(
      container({ 'mcp.enable': 'true' }, { Config: { ExposedPorts: {} }, NetworkSettings: { Ports: {} } }),
      LINUX,
    );
    expect(none.kind === 'backend' && none.invalid).toMatch(/exposes no TCP port/);
    const two = interpretContainer(
      container({ 'mcp.enable': 'true' }, { Config: { ExposedPorts: { '3000/tcp': {}, '9000/tcp': {} } } }),
      LINUX,
    );
    expect(two.kind === 'backend' && two.invalid).toMatch(/several TCP ports \(3000, 9000\)/);
  });

  it('untrusted values are quoted and stripped of control characters in messages', () => {
    const verdict = interpretContainer(
      container({ 'mcp.enable': 'true', 'mcp.transport': 'x\u001b[31mred\nline' }),
      LINUX,
    );
    const invalid = verdict.kind === 'backend' ? (verdict.invalid ?? '') : '';
    // eslint-disable-next-line no-control-regex
    expect(invalid).not.toMatch(/[\u0000-\u001f]/);
    expect(invalid).toContain('unknown transport');
  });

  it('stdio needs an open stdin and no TTY', () => {
    const stdio = { 'mcp.enable': 'true', 'mcp.transport': 'stdio' };
    expect(interpretContainer(container(stdio, { Config: { OpenStdin: true } }), MAC)).toEqual({
      kind: 'backend',
      convention: 'mcp',
      wantedName: 'my-server',
      endpoint: { transport: 'stdio', tty: false },
    });
    const closed = interpretContainer(container(stdio), LINUX);
    expect(closed.kind === 'backend' && closed.invalid).toMatch(/open stdin/);
    const tty = interpretContainer(container(stdio, { Config: { OpenStdin: true, Tty: true } }), LINUX);
    expect(tty.kind === 'backend' && tty.invalid).toMatch(/without a TTY/);
  });

  it('only running containers; paused ones are shown in error', () => {
    expect(
      interpretContainer(
        container({ 'mcp.enable': 'true' }, { State: { Running: false, Status: 'exited' } }),
        LINUX,
      ),
    ).toEqual({ kind: 'ignore', reason: 'container is exited' });
    const paused = interpretContainer(
      container({ 'mcp.enable': 'true' }, { State: { Running: true, Paused: true } }),
      LINUX,
    );
    expect(paused.kind === 'backend' && paused.invalid).toBe('container is paused');
  });

  it('the group filter keeps only containers of that group', () => {
    const ctx = { ...LINUX, group: 'work' };
    expect(interpretContainer(container({ 'mcp.enable': 'true' }), ctx)).toMatchObject({ kind: 'ignore' });
    expect(interpretContainer(container({ 'mcp.enable': 'true', 'mcp.group': 'home' }), ctx)).toMatchObject({
      kind: 'ignore',
    });
    expect(interpretContainer(container({ 'mcp.enable': 'true', 'mcp.group': 'work' }), ctx)).toMatchObject({
      kind: 'backend',
      group: 'work',
    });
  });
});

describe('labels → backend (ToolHive workloads)', () => {
  const th = (labels: Record<string, string>) =>
    interpretContainer(container({ toolhive: 'true', 'toolhive-name': 'fetch', ...labels }), MAC);

  it('is reached through the ToolHive proxy port on this host', () => {
    expect(th({ 'toolhive-transport': 'streamable-http', 'toolhive-port': '51234' })).toEqual({
      kind: 'backend',
      convention: 'toolhive',
      wantedName: 'fetch',
      group: 'default',
      endpoint: { transport: 'streamable-http', url: 'http://127.0.0.1:51234/mcp' },
    });
    expect(th({ 'toolhive-transport': 'sse', 'toolhive-port': '51234' })).toMatchObject({
      endpoint: { transport: 'sse', url: 'http://127.0.0.1:51234/sse' },
    });
    // stdio workloads are proxied by ToolHive as streamable HTTP: never attached by Switchyard.
    expect(th({ 'toolhive-transport': 'stdio', 'toolhive-port': '51234' })).toMatchObject({
      endpoint: { transport: 'streamable-http', url: 'http://127.0.0.1:51234/mcp' },
    });
  });

  it('auxiliary workloads and the inspector are ignored; a missing or bad port is an error', () => {
    expect(th({ 'toolhive-auxiliary': 'true', 'toolhive-port': '1' })).toMatchObject({ kind: 'ignore' });
    expect(th({ 'toolhive-transport': 'inspector', 'toolhive-port': '1' })).toMatchObject({ kind: 'ignore' });
    const missing = th({});
    expect(missing.kind === 'backend' && missing.invalid).toMatch(/no toolhive-port/);
    const bad = th({ 'toolhive-port': '-1' });
    expect(bad.kind === 'backend' && bad.invalid).toMatch(/toolhive-port "-1"/);
  });

  it('groups: toolhive-group, else ToolHive’s "default"', () => {
    expect(
      interpretContainer(container({ toolhive: 'true', 'toolhive-port': '1' }), { ...MAC, group: 'default' }),
    ).toMatchObject({
      kind: 'backend',
    });
    expect(
      interpretContainer(container({ toolhive: 'true', 'toolhive-port': '1', 'toolhive-group': 'x' }), {
        ...MAC,
        group: 'default',
      }),
    ).toMatchObject({ kind: 'ignore' });
  });
});

describe('backend names for containers', () => {
  it('keeps to the config’s backend-name alphabet', () => {
    expect(sanitizeBackendName('my server/v2:latest')).toBe('my-server-v2-latest');
    expect(sanitizeBackendName('--_.x')).toBe('x');
    expect(sanitizeBackendName('io.github.user/server')).toBe('io.github.user-server');
    expect(sanitizeBackendName('ünïcode')).toMatch(BACKEND_NAME);
    expect(sanitizeBackendName('///')).toBe('');
    expect(sanitizeBackendName('a'.repeat(100))).toHaveLength(63);
  });

  it('a taken name gets a suffix from the container id', () => {
    const taken = new Set(['dup', 'dup-abcdef']);
    expect(uniqueName('dup', ID, (n) => n === 'dup')).toBe('dup-abcdef');
    expect(uniqueName('dup', ID, (n) => taken.has(n))).toBe('dup-abcdef01');
    expect(uniqueName('///', ID, () => false)).toBe('container-abcdef012345');
    const long = uniqueName('b'.repeat(63), ID, (n) => n === 'b'.repeat(63));
    expect(long).toMatch(BACKEND_NAME);
    expect(long.endsWith('-abcdef')).toBe(true);
  });
});

describe('engine addresses', () => {
  it('auto: DOCKER_HOST, then existing Docker and Podman sockets, in order', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'sy-home-'));
    try {
      await mkdir(path.join(home, '.docker/run'), { recursive: true });
      await writeFile(path.join(home, '.docker/run/docker.sock'), '');
      await mkdir(path.join(home, 'xdg/podman'), { recursive: true });
      await writeFile(path.join(home, 'xdg/podman/podman.sock'), '');
      const env: HostEnvironment = {
        env: { DOCKER_HOST: 'tcp://127.0.0.1:2375', XDG_RUNTIME_DIR: path.join(home, 'xdg') },
        platform: 'linux',
        homedir: home,
        uid: 1000,
        tmpdir: home,
      };
      const hosts = await engineCandidates('auto', env);
      expect(hosts[0]).toBe('tcp://127.0.0.1:2375');
      const docker = hosts.indexOf(`unix://${home}/.docker/run/docker.sock`);
      const podman = hosts.indexOf(`unix://${home}/xdg/podman/podman.sock`);
      expect(docker).toBeGreaterThan(0);
      expect(podman).toBeGreaterThan(docker);
      expect(hosts).not.toContain(`unix://${home}/.docker/desktop/docker.sock`); // absent
      expect(await engineCandidates('unix:///x.sock', env)).toEqual(['unix:///x.sock']);
      expect(await engineCandidates('auto', { ...env, env: {}, platform: 'win32' })).toEqual([
        'npipe:////./pipe/docker_engine',
        'npipe:////./pipe/podman-machine-default',
      ]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('maps URLs to dockerode options, overriding whatever DOCKER_HOST says', () => {
    expect(dockerOptionsFor('unix:///run/podman/podman.sock', {})).toMatchObject({
      socketPath: '/run/podman/podman.sock',
      host: undefined,
    });
    expect(dockerOptionsFor('npipe:////./pipe/docker_engine', {})).toMatchObject({
      socketPath: '//./pipe/docker_engine',
    });
    expect(dockerOptionsFor('tcp://10.0.0.2:2375', {})).toMatchObject({
      host: '10.0.0.2',
      port: '2375',
      protocol: 'http',
      socketPath: undefined,
    });
    expect(dockerOptionsFor('tcp://10.0.0.2:2376', {})).toMatchObject({ protocol: 'https' });
    expect(() => dockerOptionsFor('ssh://me@box', {})).toThrow(/not supported/);
    expect(() => dockerOptionsFor('ftp://x', {})).toThrow(/unsupported/);
  });
});

describe('engine events', () => {
  it('reads Docker and Podman spellings', () => {
    expect(
      parseContainerEvent({
        Type: 'container',
        Action: 'health_status: healthy',
        Actor: { ID: ID, Attributes: { name: 'x', 'mcp.enable': 'true' } },
      }),
    ).toEqual({ id: ID, action: 'health_status', attributes: { name: 'x', 'mcp.enable': 'true' } });
    expect(parseContainerEvent({ status: 'died', id: ID, Type: 'container' })).toMatchObject({
      action: 'died',
    });
    expect(parseContainerEvent({ Type: 'image', Action: 'pull', Actor: { ID: ID } })).toBeUndefined();
    expect(
      parseContainerEvent({ Type: 'container', Action: 'start', Actor: { ID: 'not-an-id' } }),
    ).toBeUndefined();
  });
});

describe('stream helpers', () => {
  it('demultiplexes stdout and stderr frames split across chunks', () => {
    const out: string[] = [];
    const err: string[] = [];
    const demux = new StreamDemuxer(
      (b) => out.push(b.toString()),
      (b) => err.push(b.toString()),
    );
    const frame = (type: number, text: string) => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = type;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    const all = Buffer.concat([frame(1, 'hello '), frame(2, 'oops'), frame(1, 'world')]);
    for (let i = 0; i < all.length; i += 3) demux.push(all.subarray(i, i + 3));
    expect(out.join('')).toBe('hello world');
    expect(err.join('')).toBe('oops');
    expect(() => demux.push(Buffer.from('{"jsonrpc":"2.0"}\n'))).toThrow(/not multiplexed/);
  });
});

// ---- the shared stdio attachment, against a fake container -------------------------------------

type Msg = {
  jsonrpc: '2.0';
  id?: number | string;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
};

/** A fake MCP stdio server behind a fake engine attach stream (multiplexed frames). */
class FakeContainer {
  readonly received: Msg[] = [];
  sockets: Duplex[] = [];
  attaches = 0;
  readonly progressTokens: unknown[] = [];
  readonly held: (() => void)[] = [];
  private pendingAsk: ((answer: unknown) => void) | undefined;

  docker(): Docker {
    return {
      getContainer: () => ({ inspect: async () => ({ State: { Running: true, StartedAt: 't1' } }) }),
      modem: {
        dial: (_options: unknown, callback: (error: Error | null, stream?: unknown) => void) => {
          this.attaches++;
          callback(null, this.socket());
        },
      },
    } as unknown as Docker;
  }

  private socket(): Duplex {
    let buffer = '';
    const socket: Duplex = new Duplex({
      read: () => undefined,
      write: (chunk: Buffer, _enc, done) => {
        buffer += chunk.toString();
        let i: number;
        while ((i = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, i);
          buffer = buffer.slice(i + 1);
          this.handle(socket, JSON.parse(line) as Msg);
        }
        done();
      },
    });
    this.sockets.push(socket);
    return socket;
  }

  send(socket: Duplex, message: unknown, stream = 1): void {
    this.sendBytes(socket, Buffer.from(`${JSON.stringify(message)}\n`), stream);
  }

  /** One frame of raw bytes (part of a line, or several). */
  sendBytes(socket: Duplex, payload: Buffer, stream = 1): void {
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(payload.length, 4);
    socket.push(Buffer.concat([header, payload]));
  }

  private handle(socket: Duplex, message: Msg): void {
    this.received.push(message);
    this.send(socket, 'log line on stderr', 2);
    if (message.method === 'initialize') {
      setTimeout(
        () =>
          this.send(socket, {
            jsonrpc: '2.0',
            id: message.id,
            result: { protocolVersion: '2025-06-18', serverInfo: { name: 'fake' } },
          }),
        20,
      );
    } else if (message.method === 'tools/call') {
      const name = (message.params as { name: string }).name;
      if (name === 'log') {
        this.send(socket, {
          jsonrpc: '2.0',
          method: 'notifications/message',
          params: {
            level: 'info',
            data: `secret of ${String((message.params as { owner?: string }).owner)}`,
          },
        });
        this.send(socket, { jsonrpc: '2.0', id: message.id, result: { logged: true } });
      } else if (name === 'progress') {
        const token = (message.params as { _meta?: { progressToken?: unknown } })._meta?.progressToken;
        this.progressTokens.push(token);
        this.send(socket, {
          jsonrpc: '2.0',
          method: 'notifications/progress',
          params: { progressToken: token, progress: 1 },
        });
        this.send(socket, { jsonrpc: '2.0', id: message.id, result: { done: true } });
      } else if (name === 'partial' || name === 'huge') {
        // An answer of `bytes` of text; 'partial' sends its first half now and the rest when released.
        const bytes = (message.params as { bytes: number }).bytes;
        const line = Buffer.from(
          `${JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { text: 'x'.repeat(bytes) } })}\n`,
        );
        if (name === 'huge') this.sendBytes(socket, line);
        else {
          const half = line.length >> 1;
          this.sendBytes(socket, line.subarray(0, half));
          this.held.push(() => this.sendBytes(socket, line.subarray(half)));
        }
      } else if (name === 'hold') {
        this.held.push(() => this.send(socket, { jsonrpc: '2.0', id: message.id, result: { held: true } }));
      } else if (name === 'ask') {
        this.send(socket, { jsonrpc: '2.0', id: 'srv-1', method: 'sampling/createMessage', params: {} });
        this.pendingAsk = (answer) =>
          this.send(socket, { jsonrpc: '2.0', id: message.id, result: { answer } });
      } else {
        setTimeout(() => this.send(socket, { jsonrpc: '2.0', id: message.id, result: { echo: name } }), 5);
      }
    } else if (message.id === 'srv-1' && message.method === undefined) {
      this.pendingAsk?.(message.result ?? (message as { error?: unknown }).error);
    }
  }
}

/** Opens one connection and records what it receives. */
async function openChannel(attachment: ContainerAttachment) {
  const messages: Msg[] = [];
  let ended = false;
  const connection = await attachment.open({
    message: (m) => messages.push(m as Msg),
    closed: () => (ended = true),
  });
  const next = async (predicate: (m: Msg) => boolean) => {
    for (let t = 0; t < 200; t++) {
      const found = messages.find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no message matching ${predicate.toString()} in ${JSON.stringify(messages)}`);
  };
  return {
    messages,
    next,
    ended: () => ended,
    send: (m: Msg) => connection.send(m),
    close: () => connection.close(),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

describe('shared stdio attachment', () => {
  const make = (fake: FakeContainer, budget?: InboundBudget) =>
    new ContainerAttachment({
      docker: fake.docker(),
      containerId: ID,
      containerName: 'stdio-box',
      engine: 'podman',
      tty: false,
      maxMessageBytes: 1024 * 1024,
      ...(budget ? { budget } : {}),
      logger: silentLogger,
    });
  const call = (id: number, name: string, extra: Record<string, unknown> = {}): Msg => ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, ...extra },
  });

  /** Three initialized connections over one attachment. */
  async function threeConnections(budget?: InboundBudget) {
    const fake = new FakeContainer();
    const attachment = make(fake, budget);
    const [a, b] = await Promise.all([openChannel(attachment), openChannel(attachment)]);
    a.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
    b.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
    expect((await a.next((m) => m.id === 1)).result).toMatchObject({ serverInfo: { name: 'fake' } });
    expect((await b.next((m) => m.id === 1)).result).toMatchObject({ serverInfo: { name: 'fake' } });
    a.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    b.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    // A later connection is answered from the first handshake.
    const c = await openChannel(attachment);
    c.send({ jsonrpc: '2.0', id: 7, method: 'initialize', params: {} });
    await c.next((m) => m.id === 7);
    return { fake, attachment, a, b, c };
  }

  it('multiplexes connections over one attachment: own ids, one initialize, routed answers', async () => {
    const { fake, attachment, a, b, c } = await threeConnections();
    expect(fake.attaches).toBe(1);
    expect(attachment.connections).toBe(3);
    expect(fake.received.filter((m) => m.method === 'initialize')).toHaveLength(1);
    expect(fake.received.filter((m) => m.method === 'notifications/initialized')).toHaveLength(1);

    a.send(call(2, 'from-a'));
    b.send(call(2, 'from-b'));
    expect((await a.next((m) => m.id === 2)).result).toEqual({ echo: 'from-a' });
    expect((await b.next((m) => m.id === 2)).result).toEqual({ echo: 'from-b' });
    const ids = fake.received.filter((m) => m.method === 'tools/call').map((m) => m.id);
    expect(new Set(ids).size).toBe(2); // the server saw two distinct ids

    // list_changed carries no data and concerns every connection.
    fake.send(fake.sockets[0]!, { jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    await a.next((m) => m.method === 'notifications/tools/list_changed');
    await b.next((m) => m.method === 'notifications/tools/list_changed');
    await c.next((m) => m.method === 'notifications/tools/list_changed');

    // A server request while only b has a call in flight goes to b, and its answer back.
    b.send(call(3, 'ask'));
    const ask = await b.next((m) => m.method === 'sampling/createMessage');
    expect(a.messages.some((m) => m.method === 'sampling/createMessage')).toBe(false);
    a.send({ jsonrpc: '2.0', id: ask.id, result: 'not yours' }); // ignored
    b.send({ jsonrpc: '2.0', id: ask.id, result: 'hi' });
    expect((await b.next((m) => m.id === 3)).result).toEqual({ answer: 'hi' });

    a.close();
    expect(attachment.connections).toBe(2);
    // The container's stream ends: every connection ends; the next open attaches again.
    fake.sockets[0]!.push(null);
    await settle();
    expect(b.ended() && c.ended()).toBe(true);
    await openChannel(attachment);
    expect(fake.attaches).toBe(2);
    await attachment.dispose();
    await expect(openChannel(attachment)).rejects.toThrow(/no longer discovered/);
  });

  it('nothing one connection caused reaches another: logs, sampling and progress are attributed or dropped', async () => {
    const { fake, attachment, a, b, c } = await threeConnections();
    // Only a has a call in flight: its log line is a's alone.
    a.send(call(10, 'log', { owner: 'a' }));
    await a.next((m) => m.id === 10);
    expect(a.messages.filter((m) => m.method === 'notifications/message')).toHaveLength(1);
    expect([...b.messages, ...c.messages].some((m) => m.method === 'notifications/message')).toBe(false);

    // b holds a call; a logs and asks: the server's messages cannot be told apart, so nobody gets them.
    b.send(call(11, 'hold'));
    await settle();
    a.send(call(12, 'log', { owner: 'a' }));
    await a.next((m) => m.id === 12);
    expect(a.messages.filter((m) => m.method === 'notifications/message')).toHaveLength(1);
    expect(b.messages.some((m) => m.method === 'notifications/message')).toBe(false);
    a.send(call(13, 'ask'));
    await settle();
    const refusal = fake.received.find((m) => m.id === 'srv-1' && m.method === undefined) as
      (Msg & { error?: { code: number; message: string } }) | undefined;
    expect(refusal?.error?.message).toMatch(/attributed/);
    expect([...a.messages, ...b.messages].some((m) => m.method === 'sampling/createMessage')).toBe(false);
    // The refusal is what the server's tool answered with: a's result, never b's answer.
    expect((await a.next((m) => m.id === 13)).result).toMatchObject({ answer: { code: -32603 } });
    fake.held.shift()!();
    expect((await b.next((m) => m.id === 11)).result).toEqual({ held: true });

    // Both use progress token 5 (SDK clients use their request id): each gets its own.
    a.send(call(14, 'progress', { _meta: { progressToken: 5 } }));
    b.send(call(14, 'progress', { _meta: { progressToken: 5 } }));
    await a.next((m) => m.id === 14);
    await b.next((m) => m.id === 14);
    expect(new Set(fake.progressTokens).size).toBe(2);
    for (const r of [a, b]) {
      const progress = r.messages.filter((m) => m.method === 'notifications/progress');
      expect(progress).toHaveLength(1);
      expect(progress[0]!.params).toMatchObject({ progressToken: 5 });
    }
    // A standing subscriptions/listen (modern era) neither blocks attribution nor leaks: its
    // notifications carry its id and go to its connection alone, under the connection's id.
    c.send({ jsonrpc: '2.0', id: 'listen-1', method: 'subscriptions/listen', params: {} });
    await settle();
    const listen = fake.received.find((m) => m.method === 'subscriptions/listen')!;
    a.send(call(15, 'log', { owner: 'a' }));
    await a.next((m) => m.id === 15);
    expect(a.messages.filter((m) => m.method === 'notifications/message')).toHaveLength(2);
    fake.send(fake.sockets[0]!, {
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
      params: { _meta: { 'io.modelcontextprotocol/subscriptionId': listen.id } },
    });
    const stamped = await c.next((m) => m.method === 'notifications/tools/list_changed');
    expect(stamped.params?._meta).toEqual({ 'io.modelcontextprotocol/subscriptionId': 'listen-1' });
    expect(a.messages.some((m) => m.method === 'notifications/tools/list_changed')).toBe(false);
    // A server ping concerns the attachment, not a session: answered without any connection.
    fake.send(fake.sockets[0]!, { jsonrpc: '2.0', id: 'srv-ping', method: 'ping' });
    await settle();
    expect(fake.received.some((m) => m.id === 'srv-ping' && m.result !== undefined)).toBe(true);
    expect(c.messages.some((m) => m.method === 'ping')).toBe(false);
    await attachment.dispose();
  });

  it('every line counts against the process-wide budget until handed on; one over a limit fails its request and the attachment goes on', async () => {
    const budget = new InboundBudget(4 * 1024 * 1024);
    const { fake, attachment, a, b } = await threeConnections(budget);
    // Half an answer has arrived: those bytes are in flight, counted in the shared budget.
    a.send(call(2, 'partial', { bytes: 200_000 }));
    await settle();
    expect(budget.inUse).toBeGreaterThanOrEqual(100_000);
    fake.held.shift()!();
    expect((await a.next((m) => m.id === 2)).result).toEqual({ text: 'x'.repeat(200_000) });
    expect(budget.inUse).toBe(0);
    // Over the message cap: dropped, the request that asked fails at once, nobody else hears of it.
    a.send(call(3, 'huge', { bytes: 2 * 1024 * 1024 }));
    const failed = await a.next((m) => m.id === 3);
    expect((failed as { error?: { message: string } }).error?.message).toMatch(
      /exceeded the 1048576-byte limit \(limits\.backendResponse\)/,
    );
    expect(b.messages.some((m) => m.id === 3)).toBe(false);
    expect(budget.inUse).toBe(0);
    // Over the shared budget (other backends hold it): the same, naming that limit.
    budget.take(budget.limit - 50_000);
    a.send(call(4, 'huge', { bytes: 100_000 }));
    expect((await a.next((m) => m.id === 4)) as { error?: { message: string } }).toMatchObject({
      error: { message: expect.stringMatching(/limits\.backendInFlight/) as unknown },
    });
    budget.release(budget.limit - 50_000);
    expect(budget.inUse).toBe(0);
    // The framing is intact and the attachment the same one.
    a.send(call(5, 'after'));
    expect((await a.next((m) => m.id === 5)).result).toEqual({ echo: 'after' });
    expect(fake.attaches).toBe(1);
    // A partial line when the stream ends no longer counts.
    a.send(call(6, 'partial', { bytes: 200_000 }));
    await settle();
    expect(budget.inUse).toBeGreaterThan(0);
    fake.sockets[0]!.push(null);
    await settle();
    expect(budget.inUse).toBe(0);
    await attachment.dispose();
  });

  it('a connection that goes away mid-initialize hands the handshake to the next one', async () => {
    const fake = new FakeContainer();
    const attachment = make(fake);
    const a = await openChannel(attachment);
    const b = await openChannel(attachment);
    a.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
    b.send({ jsonrpc: '2.0', id: 9, method: 'initialize', params: {} });
    a.close(); // before the server answered
    expect((await b.next((m) => m.id === 9)).result).toMatchObject({ serverInfo: { name: 'fake' } });
    await attachment.dispose();
  });
});

describe('boot retry and outside text', () => {
  it('a container backend that stays down is retried fast while it boots, then with capped exponential backoff', () => {
    vi.useFakeTimers();
    try {
      const clock = { now: () => Date.now() };
      const retries: number[] = [];
      const start = Date.now();
      const down = { name: 'box', state: 'down' } as BackendStatus;
      const boots: BootRetry = new BootRetry({
        windowMs: 60_000,
        fastMs: 1000,
        policy: { initialMs: 200, maxMs: 10_000 },
        clock,
        random: () => 1, // the longest delay of each step: the sequence is exact
        retry: () => {
          retries.push(Date.now() - start);
          boots.observe('c1', down); // the reconnect failed again
        },
      });
      boots.started('c1');
      boots.observe('c1', down);
      vi.advanceTimersByTime(120_000);
      // Every 200 ms for the first second, then 200, 400, 800, … capped at 10 s; none after 60 s.
      expect(retries.slice(0, 10)).toEqual([200, 400, 600, 800, 1000, 1200, 1600, 2400, 4000, 7200]);
      expect(retries.length).toBeLessThanOrEqual(16);
      expect(retries.at(-1)!).toBeLessThan(60_000 + 10_000);
      const gaps = retries.slice(1).map((t, i) => t - retries[i]!);
      expect(Math.max(...gaps)).toBe(10_000);
      // Up once: no more retries for this run; a restart starts over.
      boots.observe('c1', { ...down, state: 'ready' });
      expect(boots.attempts('c1')).toBe(0);
      boots.started('c1');
      boots.observe('c1', down);
      vi.advanceTimersByTime(200);
      expect(retries.at(-1)).toBe(Date.now() - start);
      boots.clear();
    } finally {
      vi.useRealTimers();
    }
  });

  it('text from outside is one short line without control characters', () => {
    expect(oneLine('line one\r\nline two\u0000\u001b[31m red\u0085 end')).toBe(
      'line one line two [31m red end',
    );
    const long = oneLine('x'.repeat(70_000));
    expect(long).toHaveLength(300);
    expect(long.endsWith('…')).toBe(true);
    expect(oneLine('a\u2028b', 10)).toBe('a b');
  });
});
