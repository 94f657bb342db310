// The IPC binding (electron/ipc.ts) with a fake ipcMain and fake windows, over a real engine's
// Control (buildApp, no backends): senders are checked, arguments validated, every action reaches
// the engine, and events go only to the window that subscribed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlApi } from '../../../common/control/api.js';
import { createControlClient } from '../../../common/control/client.js';
import type { Snapshot } from '../../../common/control/snapshot.js';
import { CONTROL_METHOD_NAMES, invokeControl } from '../../../common/control/methods.js';
import { bindControl, isTrustedSender, REFUSED } from '../../../electron/ipc.js';
import {
  CONNECTION_WATCH_CHANNEL,
  EVENT_CHANNEL,
  SUBSCRIBE_CHANNEL,
  UNSUBSCRIBE_CHANNEL,
  controlChannel,
} from '../../../electron/ipc-channels.js';
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import { waitFor } from '../../helpers/processes.js';
import { APP_FRAME, FakeIpcMain, FakeSender, eventFrom } from './fakes.js';

let gateway: TestGateway;
const ipcMain = new FakeIpcMain();
const window = new FakeSender(7);
const refused: string[] = [];
let binding: { close(): void };

beforeAll(async () => {
  gateway = await startGateway({});
  binding = bindControl(ipcMain, gateway.app.control, {
    isTrusted: (event) => isTrustedSender(event, () => window),
    onRefused: (channel) => refused.push(channel),
  });
});

afterAll(async () => {
  binding?.close();
  await gateway?.stop();
});

const call = (channel: string, ...args: unknown[]) => ipcMain.invoke(channel, eventFrom(window), ...args);

describe('channels', () => {
  it('binds every control method under switchyard:control:<method>, plus the event channels', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(
      [
        ...CONTROL_METHOD_NAMES.map((m) => `switchyard:control:${m}`),
        SUBSCRIBE_CHANNEL,
        UNSUBSCRIBE_CHANNEL,
        CONNECTION_WATCH_CHANNEL,
      ].sort(),
    );
    for (const channel of ipcMain.handlers.keys()) expect(channel.startsWith('switchyard:')).toBe(true);
  });

  it('close() removes every handler', () => {
    const other = new FakeIpcMain();
    const b = bindControl(other, gateway.app.control, { isTrusted: () => true });
    expect(other.handlers.size).toBeGreaterThan(0);
    b.close();
    expect(other.handlers.size).toBe(0);
  });
});

describe('the sender check', () => {
  const untrusted: [string, FakeSender, { url: string; parent: unknown } | null][] = [
    ['another window', new FakeSender(8), APP_FRAME],
    ['an iframe in the window', window, { url: 'app://switchyard/index.html', parent: APP_FRAME }],
    ['a remote page in the window', window, { url: 'https://example.com/', parent: null }],
    ['a file:// page', window, { url: 'file:///tmp/index.html', parent: null }],
    ['another app:// host', window, { url: 'app://evil/index.html', parent: null }],
    ['a frame that is gone', window, null],
  ];

  it.each(untrusted)('refuses a message from %s, and nothing happens', async (_what, sender, frame) => {
    const before = refused.length;
    const result = await ipcMain.invoke(
      controlChannel('setGatewayRunning'),
      eventFrom(sender, frame as never),
      false,
    );
    expect(result).toEqual(REFUSED);
    expect(refused.length).toBe(before + 1);
    expect(gateway.app.control.snapshotNow().gateway.state).toBe('running');
  });

  it('refuses subscriptions from an untrusted sender (it is sent no events)', async () => {
    const stranger = new FakeSender(9);
    expect(await ipcMain.invoke(SUBSCRIBE_CHANNEL, eventFrom(stranger))).toEqual(REFUSED);
    await call(controlChannel('setGatewayRunning'), false);
    await call(controlChannel('setGatewayRunning'), true);
    await new Promise((r) => setTimeout(r, 400));
    expect(stranger.sent).toEqual([]);
  });

  it('accepts the window itself', async () => {
    const result = (await call(controlChannel('snapshot'))) as { ok: boolean; value: Snapshot };
    expect(result.ok).toBe(true);
    expect(result.value.gateway.state).toBe('running');
  });
});

describe('argument validation', () => {
  const bad: [string, unknown[], RegExp][] = [
    ['setGatewayRunning', ['yes'], /^setGatewayRunning: running: /],
    ['setGatewayRunning', [], /setGatewayRunning/],
    ['setStrategy', ['random'], /^setStrategy: strategy: /],
    ['resolveConflict', ['tool:echo', { action: 'winner' }], /^resolveConflict: decision[.:]/],
    ['resolveConflict', ['tool:echo', { action: 'rename', names: { a: 'bad name!' } }], /resolveConflict/],
    ['resolveConflict', ['tool:echo', { action: 'prefix', extra: 1 }], /resolveConflict/],
    ['backend', [''], /^backend: name: /],
    ['backend', [{ toString: 'x' }], /^backend: name: /],
    ['snapshot', [1], /snapshot/],
    ['queryAudit', [{ limit: 5000 }], /^queryAudit: query\.limit: /],
    ['queryAudit', [{ sql: 'drop table audit' }], /queryAudit/],
    ['auditStats', [{ from: 10, to: 5, bucketMs: 1 }], /need from < to/],
    ['auditStats', [{ from: 0, to: 1e9, bucketMs: 1 }], /too many buckets/],
  ];
  it.each(bad)('%s(%j) is refused with 400', async (method, args, message) => {
    const result = (await call(controlChannel(method as never), ...args)) as {
      ok: boolean;
      error: { message: string; status: number };
    };
    expect(result.ok).toBe(false);
    expect(result.error.status).toBe(400);
    expect(result.error.message).toMatch(message);
  });
});

describe('each action reaches the engine', () => {
  const ok = async (method: (typeof CONTROL_METHOD_NAMES)[number], ...args: unknown[]) => {
    const result = (await call(controlChannel(method), ...args)) as {
      ok: boolean;
      value: unknown;
      error?: unknown;
    };
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
    return result.value;
  };
  const fails = async (method: (typeof CONTROL_METHOD_NAMES)[number], ...args: unknown[]) => {
    const result = (await call(controlChannel(method), ...args)) as {
      ok: boolean;
      error: { message: string; status?: number };
    };
    expect(result.ok).toBe(false);
    return result.error;
  };

  it('snapshot and connectInfo', async () => {
    const snapshot = (await ok('snapshot')) as Snapshot;
    expect(snapshot.gateway.url).toBe(gateway.url);
    expect(await ok('connectInfo')).toMatchObject({ url: gateway.url, token: gateway.token });
  });

  it('setGatewayRunning turns the real gateway off and on', async () => {
    await ok('setGatewayRunning', false);
    expect(gateway.app.control.snapshotNow().gateway.state).toBe('stopped');
    await ok('setGatewayRunning', true);
    expect(gateway.app.control.snapshotNow().gateway.state).toBe('running');
  });

  it('setStrategy changes the aggregator', async () => {
    await ok('setStrategy', 'priority');
    expect(gateway.app.aggregator.strategy).toBe('priority');
    await ok('setStrategy', 'auto');
  });

  it('resolveConflict records a decision, and the engine checks the id', async () => {
    await ok('resolveConflict', 'tool:echo', { action: 'prefix' });
    await ok('resolveConflict', 'tool:echo', null);
    expect(await fails('resolveConflict', 'nonsense', null)).toMatchObject({
      status: 400,
      message: '"nonsense" is not a conflict id (kind:name)',
    });
  });

  it('backend, setBackendEnabled, setBackendDisplayName and reconnectBackend ask the registry (404 for an unknown name)', async () => {
    for (const [method, args] of [
      ['backend', ['ghost']],
      ['setBackendEnabled', ['ghost', false]],
      ['setBackendDisplayName', ['ghost', 'Ghost']],
      ['reconnectBackend', ['ghost']],
    ] as const) {
      expect(await fails(method, ...args)).toEqual({
        name: 'ControlError',
        status: 404,
        message: 'no backend named "ghost"',
      });
    }
  });

  it('queryAudit and auditStats answer from the engine', async () => {
    expect(await ok('queryAudit', { limit: 5 })).toEqual({ rows: [], total: 0 });
    expect(await ok('auditStats', { from: 0, to: 60_000, bucketMs: 10_000 })).toMatchObject({
      from: 0,
      to: 60_000,
      bucketMs: 10_000,
      buckets: [],
    });
  });
});

describe('events', () => {
  it('go to the subscribed window only, starting with the current snapshot, until it unsubscribes', async () => {
    const ipc = new FakeIpcMain();
    const a = new FakeSender(1);
    const b = new FakeSender(2);
    const trusted = new Set([1, 2]);
    const bound = bindControl(ipc, gateway.app.control, { isTrusted: (e) => trusted.has(e.sender.id) });
    try {
      await ipc.invoke(SUBSCRIBE_CHANNEL, eventFrom(a));
      await waitFor(() => a.events(EVENT_CHANNEL).length >= 1, { what: 'the first snapshot' });
      await gateway.app.control.setGatewayRunning(false);
      await waitFor(
        () =>
          a
            .events(EVENT_CHANNEL)
            .some((e) => (e as { snapshot?: Snapshot }).snapshot?.gateway.state === 'stopped'),
        { what: 'a pushed snapshot' },
      );
      expect(b.sent).toEqual([]);

      await ipc.invoke(UNSUBSCRIBE_CHANNEL, eventFrom(a));
      const count = a.sent.length;
      await gateway.app.control.setGatewayRunning(true);
      await new Promise((r) => setTimeout(r, 400));
      expect(a.sent.length).toBe(count);
    } finally {
      bound.close();
    }
  });

  /** The real Control, counting the binding's subscriptions to it. */
  const watched = () => {
    const control = gateway.app.control;
    const counter = { active: 0 };
    const api: ControlApi = {
      ...createControlClient((method, args) => invokeControl(control, method, args)),
      subscribe(listener) {
        counter.active++;
        const off = control.subscribe(listener);
        return () => {
          counter.active--;
          off();
        };
      },
    };
    return { api, counter };
  };

  it('a window that is destroyed is dropped: nothing more is sent to it, and the engine is unsubscribed', async () => {
    const ipc = new FakeIpcMain();
    const a = new FakeSender(1);
    const { api, counter } = watched();
    const bound = bindControl(ipc, api, { isTrusted: () => true });
    try {
      await ipc.invoke(SUBSCRIBE_CHANNEL, eventFrom(a));
      await waitFor(() => a.events(EVENT_CHANNEL).length >= 1, { what: 'the first snapshot' });
      expect(counter.active).toBe(1);
      a.destroy();
      expect(counter.active).toBe(0);
      const sent = a.sent.length;
      await gateway.app.control.setGatewayRunning(false);
      await gateway.app.control.setGatewayRunning(true);
      await new Promise((r) => setTimeout(r, 400));
      expect(a.sent.length).toBe(sent);
    } finally {
      bound.close();
    }
  });

  it('a window found destroyed when an event is pushed is dropped too (no destroyed event seen)', async () => {
    const ipc = new FakeIpcMain();
    const a = new FakeSender(1);
    const { api, counter } = watched();
    const bound = bindControl(ipc, api, { isTrusted: () => true });
    try {
      await ipc.invoke(SUBSCRIBE_CHANNEL, eventFrom(a));
      await waitFor(() => a.events(EVENT_CHANNEL).length >= 1, { what: 'the first snapshot' });
      a.destroyed = true; // gone, but its 'destroyed' listeners never ran
      const sent = a.sent.length;
      await gateway.app.control.setGatewayRunning(false);
      await waitFor(() => (counter.active === 0 ? true : undefined), { what: 'the engine unsubscribed' });
      await gateway.app.control.setGatewayRunning(true);
      expect(a.sent.length).toBe(sent);
    } finally {
      bound.close();
    }
  });

  it('the connection state is told to watchers as it changes', async () => {
    const ipc = new FakeIpcMain();
    const a = new FakeSender(1);
    let notify: (s: 'open' | 'reconnecting') => void = () => undefined;
    let state: 'open' | 'reconnecting' = 'open';
    const bound = bindControl(ipc, gateway.app.control, {
      isTrusted: () => true,
      connection: {
        get: () => state,
        onChange: (listener) => {
          notify = listener;
          return () => undefined;
        },
      },
    });
    try {
      expect(await ipc.invoke(CONNECTION_WATCH_CHANNEL, eventFrom(a))).toEqual({ ok: true, value: 'open' });
      state = 'reconnecting';
      notify(state);
      expect(a.events('switchyard:connection:state')).toEqual(['reconnecting']);
    } finally {
      bound.close();
    }
  });
});
