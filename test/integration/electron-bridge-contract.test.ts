// One contract for the dashboard's Bridge, run against both implementations over the same real
// engine (buildApp with two fixture backends whose `echo` collides):
//   http — renderer/src/bridge/http-bridge.ts against the engine's /api (what `switchyard serve` serves);
//   ipc  — electron/preload-bridge.ts through the IPC binding (electron/ipc.ts), with fake
//          ipcRenderer/ipcMain objects connected in-process to the engine's real Control.
// Plus the type-level half: the preload bridge is a renderer Bridge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlEvent } from '../../common/control/api.js';
import type { Snapshot } from '../../common/control/snapshot.js';
import type { Bridge, ConnectionState as RendererConnectionState } from '../../renderer/src/bridge/bridge.js';
import { createHttpBridge } from '../../renderer/src/bridge/http-bridge.js';
import type { ViewId } from '../../renderer/src/stores/ui.js';
import { bindControl } from '../../electron/ipc.js';
import type { ConnectionState } from '../../electron/ipc-channels.js';
import { createIpcBridge, type DashboardView, type DesktopBridge } from '../../electron/preload-bridge.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startFixture, waitFor, type RunningServer } from '../helpers/processes.js';
import { FakeIpcMain, FakeSender, fakeIpcRenderer } from '../unit/electron/fakes.js';

// --- Type level: the preload's bridge is the renderer's Bridge, with the same connection states. ---
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const isBridge: DesktopBridge extends Bridge ? true : false = true;
const sameStates: Equal<ConnectionState, RendererConnectionState> = true;
const sameViews: Equal<DashboardView, ViewId> = true;
void [isBridge, sameStates, sameViews];

let alpha: RunningServer;
let beta: RunningServer;

beforeAll(async () => {
  [alpha, beta] = await Promise.all([
    startFixture({ name: 'alpha', transport: 'legacy-http', tools: ['echo', 'alpha-only'] }),
    startFixture({ name: 'beta', transport: 'legacy-http', tools: ['echo', 'beta-only'] }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([alpha?.stop(), beta?.stop()]);
});

/** Each implementation gets an engine of its own, in the same starting state. */
async function startEngine(): Promise<TestGateway> {
  const gateway = await startGateway({
    backends: [
      { name: 'alpha', url: alpha.url },
      { name: 'beta', url: beta.url },
    ],
  });
  await waitFor(() => gateway.app.aggregator.current.tools.length === 4, { what: 'tools' });
  return gateway;
}

const implementations: [string, (gateway: TestGateway) => { bridge: Bridge; close(): void }][] = [
  [
    'http (renderer/src/bridge/http-bridge.ts)',
    (gateway) => ({
      bridge: createHttpBridge({
        baseUrl: new URL(gateway.url).origin,
        token: gateway.token,
        timeoutMs: 10_000,
      }),
      close: () => undefined,
    }),
  ],
  [
    'ipc (electron/preload-bridge.ts via electron/ipc.ts)',
    (gateway) => {
      const ipcMain = new FakeIpcMain();
      const window = new FakeSender(1);
      const binding = bindControl(ipcMain, gateway.app.control, {
        isTrusted: (e) => e.sender.id === window.id,
      });
      return { bridge: createIpcBridge(fakeIpcRenderer(ipcMain, window)), close: () => binding.close() };
    },
  ],
];

async function nextSnapshot(
  bridge: Bridge,
  matches: (s: Snapshot) => boolean,
  action: () => Promise<void>,
): Promise<Snapshot> {
  const seen: Snapshot[] = [];
  const off = bridge.subscribe((event: ControlEvent) => {
    if (event.type === 'snapshot') seen.push(event.snapshot);
  });
  try {
    // The stream opens with the current picture (both implementations): then act.
    await waitFor(() => seen.length > 0, { what: 'the first snapshot' });
    await action();
    return await waitFor(() => seen.find(matches), { what: 'a snapshot after the change' });
  } finally {
    off();
  }
}

describe.each(implementations)('Bridge contract: %s', (_name, make) => {
  let gateway: TestGateway;
  let bridge: Bridge;
  let close: () => void;
  beforeAll(async () => {
    gateway = await startEngine();
    ({ bridge, close } = make(gateway));
  });
  afterAll(async () => {
    close?.();
    await gateway?.stop();
  });

  it('snapshot(): the engine picture', async () => {
    const s = await bridge.snapshot();
    expect(s.gateway.state).toBe('running');
    expect(s.gateway.url).toBe(gateway.url);
    expect(s.backends.map((b) => [b.name, b.state, b.enabled])).toEqual([
      ['alpha', 'ready', true],
      ['beta', 'ready', true],
    ]);
    expect(s.counts).toMatchObject({ tools: 4, openConflicts: 1 });
    expect(s.conflicts.map((c) => c.id)).toEqual(['tool:echo']);
    expect(s.strategy).toBe('auto');
  });

  it('backend(name): detail, and a 404 for an unknown one', async () => {
    const detail = await bridge.backend('beta');
    expect(detail.status.name).toBe('beta');
    expect(detail.tools.map((t) => [t.originalName, t.advertisedAs])).toEqual([
      ['echo', 'beta__echo'],
      ['beta-only', 'beta-only'],
    ]);
    const error = (await bridge.backend('nope').catch((e: unknown) => e)) as Error & { status?: number };
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('no backend named "nope"');
    expect(error.status).toBe(404);
  });

  it('subscribe(): a snapshot arrives after a change (gateway off and on)', async () => {
    const off = await nextSnapshot(
      bridge,
      (s) => s.gateway.state === 'stopped',
      () => bridge.setGatewayRunning(false),
    );
    expect(off.gateway.state).toBe('stopped');
    const on = await nextSnapshot(
      bridge,
      (s) => s.gateway.state === 'running',
      () => bridge.setGatewayRunning(true),
    );
    expect(on.gateway.state).toBe('running');
  });

  it('resolveConflict(): a decision applies, and null undoes it', async () => {
    await bridge.resolveConflict('tool:echo', { action: 'winner', backend: 'beta' });
    const decided = (await bridge.snapshot()).conflicts.find((c) => c.id === 'tool:echo');
    expect(decided).toMatchObject({
      resolvedBy: 'decision',
      decision: { action: 'winner', backend: 'beta' },
    });
    expect((await bridge.backend('beta')).tools.find((t) => t.originalName === 'echo')?.advertisedAs).toBe(
      'echo',
    );

    await bridge.resolveConflict('tool:echo', null);
    const undone = (await bridge.snapshot()).conflicts.find((c) => c.id === 'tool:echo');
    expect(undone?.resolvedBy).toBe('strategy');
    await expect(bridge.resolveConflict('tool:echo', { action: 'winner', backend: 'gamma' })).rejects.toThrow(
      'backend "gamma" is not a candidate of tool:echo',
    );
  });

  it('setBackendEnabled() and reconnectBackend() reach the engine', async () => {
    await bridge.setBackendEnabled('alpha', false);
    expect((await bridge.snapshot()).backends.find((b) => b.name === 'alpha')).toMatchObject({
      enabled: false,
      state: 'disabled',
    });
    await expect(bridge.reconnectBackend('alpha')).rejects.toThrow('backend "alpha" is disabled');
    await bridge.setBackendEnabled('alpha', true);
    await waitFor(async () => (await bridge.snapshot()).backends[0]?.state === 'ready', {
      what: 'alpha back',
    });
    await bridge.reconnectBackend('alpha');
  });

  it('setBackendDisplayName() names a backend in the snapshot, and the engine validates it', async () => {
    await bridge.setBackendDisplayName('beta', 'Beta tools');
    expect((await bridge.snapshot()).backends.find((b) => b.name === 'beta')?.displayName).toBe('Beta tools');
    expect((await bridge.backend('beta')).status.displayName).toBe('Beta tools');
    await expect(bridge.setBackendDisplayName('beta', 'x'.repeat(65))).rejects.toThrow(
      'at most 64 characters',
    );
    await bridge.setBackendDisplayName('beta', null);
    expect((await bridge.snapshot()).backends.find((b) => b.name === 'beta')?.displayName).toBeUndefined();
  });

  it('setStrategy() re-advertises', async () => {
    await bridge.setStrategy('prefix');
    expect((await bridge.snapshot()).strategy).toBe('prefix');
    await bridge.setStrategy('auto');
    expect((await bridge.snapshot()).strategy).toBe('auto');
  });

  it('queryAudit() pages and auditStats() buckets (shape)', async () => {
    const page = await bridge.queryAudit({ limit: 10, outcome: ['ok', 'timeout'], backend: 'alpha' });
    expect(Array.isArray(page.rows)).toBe(true);
    expect(typeof page.total).toBe('number');
    const now = Date.now();
    const stats = await bridge.auditStats({ from: now - 60_000, to: now, bucketMs: 10_000 });
    expect(stats).toMatchObject({ from: now - 60_000, to: now, bucketMs: 10_000 });
    expect(stats.total).toMatchObject({ calls: expect.any(Number), errors: expect.any(Number) });
  });

  it('connectInfo(): endpoint, token and bridge command', async () => {
    const info = await bridge.connectInfo();
    expect(info.url).toBe(gateway.url);
    expect(info.token).toBe(gateway.token);
    expect(info.bridgeCommand.args).toContain('bridge');
  });

  it('onConnectionChange(): reports the stream as open', async () => {
    const states: string[] = [];
    const unsubscribeEvents = bridge.subscribe(() => undefined);
    const off = bridge.onConnectionChange?.((s) => states.push(s));
    await waitFor(() => states.includes('open'), { what: 'open' });
    off?.();
    unsubscribeEvents();
  });
});
