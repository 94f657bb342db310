// Live container discovery against a real engine (Podman here, through its Docker-compatible
// API; the same code talks to Docker). Containers are created with dockerode, the gateway finds
// the engine by its own auto-detection (or DOCKER_HOST), and everything is observed through an
// MCP client connected to Switchyard. Without an engine these tests are skipped loudly; with
// CI=true they must run. Set up the engine with: sudo bash test/setup/podman.sh
import type { Client } from '@modelcontextprotocol/client';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DockerSourceOptions } from '../../core/discovery/docker/source.js';
import type { SourceStatus } from '../../core/discovery/source.js';
import { connectV2, startGateway, textOf, toolNames, type TestGateway } from '../helpers/gateway.js';
import {
  canRestartService,
  createContainer,
  everythingCommand,
  fixtureCommand,
  podman,
  removeLeftovers,
  removeOwnContainers,
  requireTestEngine,
  restartPodmanService,
  SLEEP_COMMAND,
  TEST_IMAGE,
} from '../helpers/podman.js';
import { freePort, startFixture, waitFor, type RunningServer } from '../helpers/processes.js';

const engine = await requireTestEngine('container discovery tests (test/integration/discovery.test.ts)');

/** Fast timings so the whole file stays well under the budget. */
const FAST: Partial<DockerSourceOptions> = {
  reconnect: { initialMs: 200, maxMs: 1000 },
  reconcileIntervalMs: 3000,
  eventDebounceMs: 10,
  bootRetry: { initialMs: 100, maxMs: 1000 },
};

const RUN = `${process.pid}`;
const GROUP = `sy-test-${RUN}`;

function timed(label: string, started: number): void {
  console.log(`[discovery] ${label}: ${Date.now() - started} ms`);
}

describe.skipIf(!engine)('container discovery on a real engine', () => {
  const e = engine!;
  let gateway: TestGateway;
  let client: Client;
  let listChanged = 0;
  const containers: Record<string, Docker.Container> = {};

  const tools = () => toolNames(client);
  const snapshot = () => gateway.app.control.snapshotNow();
  const dockerStatus = (): SourceStatus => snapshot().discovery.find((s) => s.kind === 'docker')!;
  const backendOf = (id: string) =>
    snapshot().backends.find((b) => b.source.kind === 'container' && b.source.containerId === id);
  const waitTools = (predicate: (names: string[]) => boolean, what: string, timeoutMs = 30_000) =>
    waitFor(async () => predicate(await tools()), { timeoutMs, intervalMs: 100, what }).catch(
      (error: unknown) => {
        console.log(
          '[discovery] waiting failed; backends and discovery status:',
          JSON.stringify(snapshot().backends, null, 1).slice(0, 3000),
          JSON.stringify(dockerStatus()).slice(0, 2000),
        );
        throw error;
      },
    );
  const waitListChanged = (before: number, what: string) =>
    waitFor(() => listChanged > before, { timeoutMs: 15_000, what: `list_changed after ${what}` });

  beforeAll(async () => {
    const removed = await removeLeftovers(e);
    if (removed) console.log(`[discovery] removed ${removed} leftover test containers`);
    const started = Date.now();
    gateway = await startGateway(
      {
        discovery: { docker: { enabled: true, host: 'auto', group: GROUP } },
        aggregation: { conflicts: 'prefix' },
      },
      { docker: FAST },
    );
    timed('gateway started with discovery', started);
    client = await connectV2(gateway, { name: 'discovery-test' });
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      listChanged++;
    });
  });

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await gateway?.stop();
    await removeOwnContainers(e);
  });

  it('finds the engine through auto-detection and reports it', async () => {
    // The port opens before the engine is searched (start-up is not held by it): wait for the search.
    const status = await waitFor(() => (dockerStatus().ok ? dockerStatus() : undefined), {
      what: 'container discovery to find the engine',
    });
    expect(status.ok).toBe(true);
    expect(status.detail).toMatchObject({ engine: e.info.kind, host: e.info.host });
    expect(status.summary).toContain(e.info.version);
  });

  it('a streamable-http container appears after `start` without a restart, and the client gets list_changed', async () => {
    const port = await freePort();
    const before = listChanged;
    const started = Date.now();
    containers.http = await createContainer(e, {
      name: `sy-everything-${RUN}`,
      labels: { 'mcp.enable': 'true', 'mcp.name': 'everything', 'mcp.group': GROUP },
      cmd: everythingCommand('streamableHttp'),
      env: { PORT: '3001' },
      publish: { containerPort: 3001, hostPort: port },
    });
    await waitTools((n) => n.includes('everything__echo'), 'everything__echo');
    await waitListChanged(before, 'start');
    timed('streamable-http container start → tools listed', started);

    const result = await client.callTool({ name: 'everything__echo', arguments: { message: 'hello' } });
    expect(textOf(result)).toContain('hello');
    const backend = backendOf(containers.http.id)!;
    expect(backend).toMatchObject({
      name: 'everything',
      state: 'ready',
      transport: 'streamable-http',
      target: `http://127.0.0.1:${port}/mcp`, // the only exposed port, published on 127.0.0.1
      source: {
        kind: 'container',
        engine: e.info.kind,
        containerId: containers.http.id,
        containerName: `sy-everything-${RUN}`,
        image: TEST_IMAGE,
        convention: 'mcp',
      },
    });
  });

  it('an SSE container without a published port is reached at its container IP', async () => {
    containers.sse = await createContainer(e, {
      name: `sy-sse-${RUN}`, // no mcp.name: the container name is the backend name
      labels: { 'mcp.enable': 'true', 'mcp.transport': 'sse', 'mcp.port': '3001', 'mcp.group': GROUP },
      cmd: everythingCommand('sse'),
      env: { PORT: '3001' },
    });
    const name = `sy-sse-${RUN}`;
    await waitTools((n) => n.includes(`${name}__echo`), `${name}__echo`);
    const backend = backendOf(containers.sse.id)!;
    expect(backend.transport).toBe('sse');
    expect(backend.target).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:3001\/sse$/);
    const result = await client.callTool({ name: `${name}__get-sum`, arguments: { a: 2, b: 3 } });
    expect(textOf(result)).toContain('5');
  });

  it('a paused container is shown down with the reason, and comes back on unpause', async () => {
    const sse = containers.sse!;
    const name = `sy-sse-${RUN}`;
    await sse.pause();
    await waitFor(
      () => {
        const b = backendOf(sse.id);
        return b?.state === 'down' && b.lastError?.message === 'container is paused';
      },
      { what: 'paused backend down' },
    );
    await waitTools((n) => !n.includes(`${name}__echo`), 'paused tools gone');
    await sse.unpause();
    await waitTools((n) => n.includes(`${name}__echo`), 'tools back after unpause');
  });

  it('a stdio container is attached once and served like a stdio backend, to several clients', async () => {
    const started = Date.now();
    containers.stdio = await createContainer(e, {
      name: `sy-stdio-${RUN}`,
      labels: { 'mcp.enable': 'true', 'mcp.name': 'stdio', 'mcp.transport': 'stdio', 'mcp.group': GROUP },
      cmd: everythingCommand('stdio'),
      openStdin: true,
    });
    await waitTools((n) => n.includes('stdio__echo'), 'stdio__echo');
    timed('stdio container start → tools listed', started);
    const second = await connectV2(gateway, { name: 'second-client' });
    try {
      const [a, b, c] = await Promise.all([
        client.callTool({ name: 'stdio__echo', arguments: { message: 'one' } }),
        second.callTool({ name: 'stdio__echo', arguments: { message: 'two' } }),
        second.callTool({ name: 'stdio__get-sum', arguments: { a: 20, b: 22 } }),
      ]);
      expect(textOf(a)).toContain('one');
      expect(textOf(b)).toContain('two');
      expect(textOf(c)).toContain('42');
      const entry = (
        dockerStatus().detail!.containers as { id: string; attached?: boolean; connections?: number }[]
      ).find((x) => x.id === containers.stdio!.id);
      // One attachment shared by the gateway's own connection and each client session's link.
      expect(entry).toMatchObject({ attached: true });
      expect(entry!.connections).toBeGreaterThanOrEqual(2);
      expect(backendOf(containers.stdio.id)).toMatchObject({ transport: 'stdio', state: 'ready' });
    } finally {
      await second.close();
    }
  });

  it('a shared stdio attachment never hands one session’s log lines or sampling to another', async () => {
    containers.private = await createContainer(e, {
      name: `sy-private-${RUN}`,
      labels: { 'mcp.enable': 'true', 'mcp.name': 'private', 'mcp.transport': 'stdio', 'mcp.group': GROUP },
      cmd: fixtureCommand({
        name: 'private',
        transport: 'stdio',
        tools: ['log', 'sample', 'sample-later', 'slow'],
      }),
      openStdin: true,
    });
    await waitTools((n) => n.includes('private__sample-later'), 'private__sample-later');
    timed('fixture stdio container listed', Date.now());
    /** What each session was sent by the backend: log lines and sampling prompts. */
    const seen: Record<'a' | 'b', string[]> = { a: [], b: [] };
    const session = async (who: 'a' | 'b') => {
      const c = await connectV2(gateway, { name: `session-${who}`, capabilities: { sampling: {} } });
      c.setNotificationHandler('notifications/message', (n) => {
        seen[who].push(`log ${JSON.stringify(n.params.data)}`);
      });
      c.setRequestHandler('sampling/createMessage', async (request) => {
        seen[who].push(`sampling ${JSON.stringify(request.params.messages)}`);
        return { role: 'assistant', content: { type: 'text', text: `${who}-answer` }, model: 'test' };
      });
      return c;
    };
    const [a, b] = await Promise.all([session('a'), session('b')]);
    try {
      // Both sessions' links share the one attachment.
      expect(textOf(await b.callTool({ name: 'private__slow', arguments: { ms: 1 } }))).toContain('slept');
      await a.setLoggingLevel('info');

      // A alone has a call in flight: its log line and its sampling request are A's.
      await a.callTool({ name: 'private__log', arguments: {} });
      await waitFor(() => seen.a.some((s) => s.startsWith('log')), { what: 'A’s log line' });
      expect(textOf(await a.callTool({ name: 'private__sample', arguments: {} }))).toBe(
        'private: sampled a-answer',
      );

      // Overlapping calls: A's tool asks for sampling while B's later call is in flight. The
      // server's request names no call, so it goes to nobody (the tool gets an error), never to B.
      const overlapping = a.callTool({ name: 'private__sample-later', arguments: { ms: 1500 } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const other = b.callTool({ name: 'private__slow', arguments: { ms: 2500 } });
      const logDuring = a.callTool({ name: 'private__log', arguments: {} });
      const [ra, rb] = await Promise.all([overlapping, other, logDuring]);
      expect(textOf(ra)).not.toContain('b-answer');
      expect(textOf(rb)).toContain('slept 2500');
      expect(seen.b).toEqual([]);
      expect(seen.a.filter((s) => s.startsWith('sampling'))).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);

  it('a ToolHive workload is reached through its proxy port on the host', async () => {
    const proxy: RunningServer = await startFixture({
      name: 'toolhive-proxied',
      transport: 'legacy-http',
      tools: ['echo', 'add'],
    });
    try {
      containers.toolhive = await createContainer(e, {
        name: `sy-toolhive-${RUN}`,
        labels: {
          toolhive: 'true',
          'toolhive-name': 'th-fetch',
          'toolhive-transport': 'streamable-http',
          'toolhive-port': String(proxy.port),
          'toolhive-group': GROUP,
        },
        cmd: SLEEP_COMMAND,
      });
      await waitTools((n) => n.includes('th-fetch__add'), 'th-fetch__add');
      expect(backendOf(containers.toolhive.id)).toMatchObject({
        name: 'th-fetch',
        target: `http://127.0.0.1:${proxy.port}/mcp`,
        source: { convention: 'toolhive' },
      });
      const result = await client.callTool({ name: 'th-fetch__add', arguments: { a: 1, b: 2 } });
      expect(textOf(result)).toBe('3');
    } finally {
      await containers.toolhive?.remove({ force: true }).catch(() => undefined);
      await proxy.stop();
    }
    await waitTools((n) => !n.includes('th-fetch__add'), 'ToolHive tools gone after rm');
  });

  it('mislabelled containers are backends in error with the reason; an unlabelled one is ignored', async () => {
    const [badPort, badTransport, unlabelled] = await Promise.all([
      createContainer(e, {
        name: `sy-badport-${RUN}`,
        labels: { 'mcp.enable': 'true', 'mcp.port': '99999; rm -rf /', 'mcp.group': GROUP },
        cmd: SLEEP_COMMAND,
      }),
      createContainer(e, {
        name: `sy-badtransport-${RUN}`,
        labels: { 'mcp.enable': 'true', 'mcp.transport': 'carrier-pigeon', 'mcp.group': GROUP },
        cmd: SLEEP_COMMAND,
      }),
      createContainer(e, { name: `sy-unlabelled-${RUN}`, cmd: SLEEP_COMMAND }),
    ]);
    const portBackend = await waitFor(() => backendOf(badPort.id), { what: 'bad-port backend' });
    const transportBackend = await waitFor(() => backendOf(badTransport.id), {
      what: 'bad-transport backend',
    });
    expect(portBackend.state).toBe('down');
    expect(portBackend.lastError?.message).toMatch(/mcp\.port "99999; rm -rf \/" is not a TCP port number/);
    expect(transportBackend.state).toBe('down');
    expect(transportBackend.lastError?.message).toMatch(/unknown transport "carrier-pigeon"/);
    // The unlabelled container never becomes a backend (give the engine's events time to arrive).
    await new Promise((r) => setTimeout(r, 500));
    expect(backendOf(unlabelled.id)).toBeUndefined();
    await Promise.all([badPort, badTransport, unlabelled].map((c) => c.remove({ force: true })));
    await waitFor(() => !backendOf(badPort.id) && !backendOf(badTransport.id), { what: 'mislabelled gone' });
  });

  it('tools disappear after `stop`, come back after `start` and after a restart, and go for good after `rm`', async () => {
    const http = containers.http!;
    let before = listChanged;
    let started = Date.now();
    await http.stop({ t: 5 });
    await waitTools((n) => !n.includes('everything__echo'), 'everything gone after stop');
    await waitListChanged(before, 'stop');
    timed('stop → tools gone', started);

    before = listChanged;
    started = Date.now();
    await http.start();
    await waitTools((n) => n.includes('everything__echo'), 'everything back after start');
    await waitListChanged(before, 'start');
    timed('start again → tools back', started);

    started = Date.now();
    await http.restart({ t: 5 });
    // Ready again since the restart (a status from before it would still say "ready").
    await waitFor(
      async () => {
        const backend = backendOf(http.id);
        return (
          backend?.state === 'ready' &&
          backend.since >= started &&
          (await tools()).includes('everything__echo')
        );
      },
      { timeoutMs: 30_000, what: 'everything ready after restart' },
    );
    const result = await client.callTool({ name: 'everything__echo', arguments: { message: 'again' } });
    expect(textOf(result)).toContain('again');
    timed('restart → tools back and callable', started);

    before = listChanged;
    await http.remove({ force: true });
    await waitTools((n) => !n.some((t) => t.startsWith('everything__')), 'everything gone after rm');
    await waitListChanged(before, 'rm');
    await waitFor(() => backendOf(http.id) === undefined, {
      timeoutMs: 5000,
      what: 'backend removed after rm',
    });
  });

  it('a stdio container is re-attached after a restart', async () => {
    const stdio = containers.stdio!;
    const started = Date.now();
    await stdio.restart({ t: 5 });
    const result = await waitFor(
      async () => {
        // A call written while the container is going down can be lost with it (it then fails only
        // at the backend's timeout): give each try a short timeout of its own and try again.
        const r = await client.callTool(
          { name: 'stdio__echo', arguments: { message: 'back' } },
          { timeout: 5000 },
        );
        return textOf(r).includes('back') ? r : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 200, what: 'stdio echo after restart' },
    ).catch(async (error: Error) => {
      // Say what the engine saw, so a failure here can be told apart from a slow restart.
      const state = ((await stdio.inspect().catch(() => undefined)) as { State?: unknown } | undefined)
        ?.State;
      const snapshot = gateway.app.control.snapshotNow();
      const backends = snapshot.backends.map((b) => ({
        name: b.name,
        state: b.state,
        container: b.source.kind === 'container' ? b.source.containerName : undefined,
        lastError: b.lastError?.message,
      }));
      throw new Error(
        `${error.message}\ncontainer: ${JSON.stringify(state)}\nbackends: ${JSON.stringify(backends)}\ndiscovery: ${JSON.stringify(snapshot.discovery)}`,
      );
    });
    expect(textOf(result)).toContain('back');
    timed('stdio restart → re-attached', started);
  }, 60_000);

  it('turning the gateway off and on keeps a stdio container’s server running, on the same attachment', async () => {
    const stdio = containers.stdio!;
    const before = ((await stdio.inspect()) as { State: { StartedAt: string } }).State.StartedAt;
    await gateway.app.setRunning(false);
    // Podman closes a container's stdin when the attachment to it closes: kept open, it stays up.
    await new Promise((r) => setTimeout(r, 500));
    const paused = ((await stdio.inspect()) as { State: { Running: boolean; StartedAt: string } }).State;
    expect(paused).toMatchObject({ Running: true, StartedAt: before });
    await gateway.app.setRunning(true);
    const again = await connectV2(gateway, { name: 'after-on' });
    try {
      const result = await waitFor(
        async () => {
          const r = await again.callTool(
            { name: 'stdio__echo', arguments: { message: 'on again' } },
            { timeout: 5000 },
          );
          return textOf(r).includes('on again') ? r : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 200, what: 'stdio echo after turning the gateway on' },
      );
      expect(textOf(result)).toContain('on again');
      const after = ((await stdio.inspect()) as { State: { Running: boolean; StartedAt: string } }).State;
      expect(after).toMatchObject({ Running: true, StartedAt: before }); // the same run: never restarted
    } finally {
      await again.close();
    }
  });

  it('survives a restart of the engine API service and resyncs what changed meanwhile', async (ctx) => {
    if (!canRestartService(e)) {
      console.warn(
        `[discovery] SKIPPED service restart: ${e.info.host} is not a podman system service this test can restart`,
      );
      ctx.skip();
    }
    // A container created now and started (by the CLI) while the API service is down.
    const late = await createContainer(e, {
      name: `sy-late-${RUN}`,
      labels: { 'mcp.enable': 'true', 'mcp.name': 'late', 'mcp.transport': 'stdio', 'mcp.group': GROUP },
      cmd: everythingCommand('stdio'),
      openStdin: true,
      start: false,
    });
    const sseName = `sy-sse-${RUN}`;
    const started = Date.now();
    await restartPodmanService(e, async () => {
      await waitFor(() => !dockerStatus().ok, {
        timeoutMs: 10_000,
        what: 'discovery to notice the engine is gone',
      });
      expect(dockerStatus().summary).toMatch(/lost the container engine|no container engine found/);
      await podman('stop', '-t', '5', containers.sse!.id);
      await podman('start', late.id);
    });
    await waitFor(() => dockerStatus().ok, { timeoutMs: 20_000, what: 'discovery reconnected' });
    expect(dockerStatus().detail!.reconnects).toBeGreaterThanOrEqual(1);
    await waitTools(
      (n) => n.includes('late__echo') && !n.includes(`${sseName}__echo`),
      'resync after the service restart',
    );
    timed('API service restart → resynced', started);
    const result = await client.callTool({ name: 'late__echo', arguments: { message: 'resynced' } });
    expect(textOf(result)).toContain('resynced');
  });

  it('two containers wanting one name: the later gets a suffix and their tools follow the conflict rules', async () => {
    const group = `${GROUP}-dup`;
    const other = await startGateway(
      { discovery: { docker: { enabled: true, host: 'auto', group } } }, // conflicts: auto (the default)
      { docker: FAST },
    );
    const otherClient = await connectV2(other, { name: 'collision-client' });
    try {
      const fixture = async (port: number, description: string) =>
        createContainer(e, {
          labels: { 'mcp.enable': 'true', 'mcp.name': 'dup', 'mcp.port': String(port), 'mcp.group': group },
          cmd: fixtureCommand({
            name: `dup-${port}`,
            transport: 'legacy-http',
            port,
            tools: ['echo'],
            descriptions: { echo: description },
          }),
          network: 'host', // the fixture listens on 127.0.0.1
        });
      const first = await fixture(await freePort(), 'first');
      await waitFor(async () => (await toolNames(otherClient)).includes('echo'), {
        timeoutMs: 30_000,
        what: 'first echo',
      });
      const second = await fixture(await freePort(), 'second');
      const suffixed = `dup-${second.id.slice(0, 6)}`;
      await waitFor(async () => (await toolNames(otherClient)).includes(`${suffixed}__echo`), {
        timeoutMs: 30_000,
        what: `${suffixed}__echo`,
      });
      const snap = other.app.control.snapshotNow();
      const names = snap.backends.filter((b) => b.source.kind === 'container').map((b) => b.name);
      expect(names.sort()).toEqual(['dup', suffixed].sort());
      const conflict = snap.conflicts.find((c) => c.kind === 'tool' && c.name === 'echo');
      expect(conflict).toMatchObject({ open: true });
      expect(conflict!.candidates.map((c) => [c.backend, c.advertisedAs]).sort()).toEqual(
        [
          ['dup', 'echo'],
          [suffixed, `${suffixed}__echo`],
        ].sort(),
      );
      const result = await otherClient.callTool({ name: `${suffixed}__echo`, arguments: { message: 'x' } });
      expect(textOf(result)).toContain('x');
      await Promise.all([first, second].map((c) => c.remove({ force: true })));
    } finally {
      await otherClient.close().catch(() => undefined);
      await other.stop();
    }
  });
});
