// Container discovery against a fake engine speaking the Docker API on a unix socket: what a real
// Podman cannot show here. No engine at start (a status, not a crash), the engine appearing later,
// Docker's event spellings (`die`, `destroy`), labels missing from events, and the event stream
// ending (reconnect, then a full resync that catches what changed meanwhile).
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerInspect } from '../../core/discovery/docker/labels.js';
import { connectV2, startGateway, type TestGateway } from '../helpers/gateway.js';
import { startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

const hex = (n: number) => n.toString(16).padStart(64, 'a');

class FakeEngine {
  readonly containers = new Map<string, ContainerInspect>();
  private readonly streams = new Set<http.ServerResponse>();
  private server: http.Server | undefined;
  requests: string[] = [];
  /** While set, the container list waits for it (a slow engine's first sync). */
  listGate: Promise<void> | undefined;

  constructor(readonly socket: string) {}

  async listen(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.socket, resolve));
  }

  async close(): Promise<void> {
    this.endEvents();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    this.server = undefined;
  }

  emit(event: Record<string, unknown>): void {
    for (const res of this.streams) res.write(`${JSON.stringify(event)}\n`);
  }

  endEvents(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  get listening(): number {
    return this.streams.size;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://engine');
    this.requests.push(`${req.method} ${url.pathname}`);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/_ping') {
      res.writeHead(200, {
        server: 'Docker/27.3.1 (linux)',
        'api-version': '1.47',
        'content-type': 'text/plain',
      });
      res.end('OK');
    } else if (url.pathname === '/info') {
      json(200, {
        SecurityOptions: ['name=seccomp,profile=builtin'],
        OperatingSystem: 'Debian',
        OSType: 'linux',
      });
    } else if (url.pathname === '/events') {
      expect(JSON.parse(url.searchParams.get('filters') ?? '{}')).toEqual({ type: ['container'] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      this.streams.add(res);
      res.on('close', () => this.streams.delete(res));
    } else if (url.pathname === '/containers/json') {
      if (this.listGate) {
        const gate = this.listGate;
        this.listGate = undefined;
        void gate.then(() => this.handle(req, res));
        return;
      }
      json(
        200,
        [...this.containers.values()]
          .filter((c) => c.State?.Running)
          .map((c) => ({ Id: c.Id, Names: [c.Name], Labels: c.Config?.Labels ?? {}, State: 'running' })),
      );
    } else {
      const m = /^\/containers\/([^/]+)\/json$/.exec(url.pathname);
      const found = m ? this.containers.get(m[1]!) : undefined;
      if (found) json(200, found);
      else json(404, { message: 'No such container' });
    }
  }
}

function container(n: number, labels: Record<string, string>, running = true): ContainerInspect {
  return {
    Id: hex(n),
    Name: `/fake-${n}`,
    Created: `2026-01-01T00:00:0${n}Z`,
    Config: { Image: 'example/mcp:latest', Labels: labels, ExposedPorts: {} },
    State: { Status: running ? 'running' : 'exited', Running: running, StartedAt: `2026-01-01T00:01:0${n}Z` },
    HostConfig: { NetworkMode: 'host' },
    NetworkSettings: { Ports: {} },
  };
}

describe('container discovery against a fake Docker engine', () => {
  let dir: string;
  let engine: FakeEngine;
  let gateway: TestGateway;
  let fixture: RunningServer;
  const docker = () => gateway.app.control.snapshotNow().discovery.find((s) => s.kind === 'docker')!;
  const backend = (name: string) => gateway.app.control.snapshotNow().backends.find((b) => b.name === name);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sy-engine-'));
    engine = new FakeEngine(path.join(dir, 'docker.sock'));
    fixture = await startFixture({ name: 'fake-backed', transport: 'legacy-http', tools: ['echo'] });
  });

  afterAll(async () => {
    await gateway?.stop();
    await engine.close();
    await fixture.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts without an engine: a status that says so, and retries', async () => {
    gateway = await startGateway(
      { discovery: { docker: { enabled: true, host: `unix://${engine.socket}`, group: null } } },
      {
        docker: {
          reconnect: { initialMs: 100, maxMs: 200 },
          reconcileIntervalMs: 60_000,
          eventDebounceMs: 5,
        },
      },
    );
    // The gateway listens before the engine is searched: the search's outcome follows shortly.
    await waitFor(() => docker().summary !== 'container discovery is starting', { what: 'engine searched' });
    expect(docker().ok).toBe(false);
    expect(docker().summary).toMatch(
      /^no container engine found \(tried unix:\/\/.*docker\.sock: no such socket\); retrying in \d+ s$/,
    );
    expect(gateway.app.control.snapshotNow().gateway.state).toBe('running');
  });

  it('finds the engine once it appears, identifies it from the ping, and lists its containers', async () => {
    engine.containers.set(
      hex(1),
      container(1, { 'mcp.enable': 'true', 'mcp.name': 'fx', 'mcp.port': String(fixture.port) }),
    );
    engine.containers.set(hex(2), container(2, { 'mcp.enable': 'true', 'mcp.port': 'eighty' }));
    engine.containers.set(hex(3), container(3, { unrelated: 'yes' }));
    await engine.listen();
    await waitFor(() => docker().ok, { what: 'engine found' });
    expect(docker().summary).toBe(`Docker 27.3.1 at unix://${engine.socket}: 2 container backends`);
    expect(docker().detail).toMatchObject({ engine: 'docker', engineVersion: '27.3.1', apiVersion: '1.47' });
    await waitFor(() => backend('fx')?.state === 'ready', { what: 'fx ready' });
    expect(backend('fx')).toMatchObject({
      target: `http://127.0.0.1:${fixture.port}/mcp`,
      source: {
        kind: 'container',
        engine: 'docker',
        engineVersion: '27.3.1',
        containerId: hex(1),
        image: 'example/mcp:latest',
      },
    });
    expect(backend('fake-2')).toMatchObject({
      state: 'down',
      lastError: { message: expect.stringMatching(/mcp\.port "eighty"/) },
    });
    expect(gateway.app.control.snapshotNow().backends.some((b) => b.name === 'fake-3')).toBe(false);
    // No /version on the discovery path (Podman's is slow).
    expect(engine.requests).not.toContain('GET /version');
  });

  it('follows Docker’s event spellings, with or without labels on the event', async () => {
    engine.containers.get(hex(1))!.State = { Status: 'exited', Running: false };
    engine.emit({ Type: 'container', Action: 'die', Actor: { ID: hex(1), Attributes: { name: 'fake-1' } } });
    await waitFor(() => !backend('fx'), { what: 'fx removed after die' });

    engine.containers.get(hex(1))!.State = { Status: 'running', Running: true, StartedAt: 'later' };
    // A start event without labels (as Podman sends some): inspected all the same.
    engine.emit({ Type: 'container', Action: 'start', Actor: { ID: hex(1), Attributes: {} } });
    await waitFor(() => backend('fx')?.state === 'ready', { what: 'fx back after start' });

    engine.containers.delete(hex(2));
    engine.emit({ status: 'destroy', id: hex(2), Type: 'container' });
    await waitFor(() => !backend('fake-2'), { what: 'fake-2 removed after destroy' });
  });

  it('reconnects when the event stream ends and resyncs what changed meanwhile', async () => {
    await engine.close();
    await waitFor(() => !docker().ok, { what: 'engine lost' });
    expect(docker().summary).toMatch(/lost the container engine|no container engine found/);
    // While the engine is away: fx stops, a new container starts.
    engine.containers.delete(hex(1));
    engine.containers.set(
      hex(4),
      container(4, { 'mcp.enable': 'true', 'mcp.name': 'newcomer', 'mcp.port': String(fixture.port) }),
    );
    // The backend of a container stays while the engine is away (it may well still be running).
    expect(backend('fx')).toBeDefined();
    await engine.listen();
    await waitFor(() => docker().ok && engine.listening > 0, { what: 'reconnected' });
    await waitFor(() => !backend('fx') && backend('newcomer')?.state === 'ready', { what: 'resync' });
    expect((docker().detail as { reconnects: number }).reconnects).toBeGreaterThanOrEqual(1);
  });

  it('a name taken by a config backend gets the container-id suffix', async () => {
    const other = await startGateway(
      {
        discovery: { docker: { enabled: true, host: `unix://${engine.socket}`, group: null } },
        backends: [{ name: 'newcomer', url: fixture.url }],
      },
      { docker: { eventDebounceMs: 5 } },
    );
    try {
      await waitFor(() => other.app.control.snapshotNow().backends.length === 2, {
        what: 'container synced',
      });
      const names = other.app.control.snapshotNow().backends.map((b) => [b.name, b.source.kind]);
      expect(names).toEqual([
        ['newcomer', 'config'],
        [`newcomer-${hex(4).slice(0, 6)}`, 'container'],
      ]);
    } finally {
      await other.stop();
    }
  });
});

describe('the first list waits for container discovery’s first sync', () => {
  it('a client listing at once, while the engine is still listing containers, sees their tools', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sy-engine-'));
    const engine = new FakeEngine(path.join(dir, 'docker.sock'));
    const fixture = await startFixture({ name: 'early', transport: 'legacy-http', tools: ['echo'] });
    let release!: () => void;
    engine.listGate = new Promise((resolve) => (release = resolve));
    engine.containers.set(
      hex(7),
      container(7, { 'mcp.enable': 'true', 'mcp.name': 'early', 'mcp.port': String(fixture.port) }),
    );
    await engine.listen();
    const gateway = await startGateway(
      { discovery: { docker: { enabled: true, host: `unix://${engine.socket}`, group: null } } },
      { docker: { eventDebounceMs: 5 } },
    );
    let client: Awaited<ReturnType<typeof connectV2>> | undefined;
    try {
      // Started and listening while the engine has not answered the container list yet.
      await waitFor(() => engine.requests.includes('GET /containers/json'), { what: 'list asked' });
      expect(gateway.app.control.snapshotNow().backends).toEqual([]);
      client = await connectV2(gateway);
      const listing = client.listTools();
      setTimeout(release, 300); // the list is asked for before the sync can complete
      const { tools } = await listing;
      expect(tools.map((t) => t.name)).toEqual(['echo']);
      expect(gateway.app.control.snapshotNow().backends.map((b) => b.name)).toEqual(['early']);
    } finally {
      release();
      await client?.close();
      await gateway.stop();
      await engine.close();
      await fixture.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
