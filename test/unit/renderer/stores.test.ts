// The dashboard's stores against the in-memory bridge: loading, auth, actions, undo, audit paging
// and live rows, event wiring.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BridgeError } from '../../../renderer/src/bridge/bridge.js';
import { MAX_CACHED_PAGES, PAGE_SIZE, rowAt, zoomWindow } from '../../../renderer/src/stores/audit.js';
import { createDashboard, type Dashboard } from '../../../renderer/src/stores/dashboard.js';
import { selectGatewayOn, selectOpenConflictCount } from '../../../renderer/src/stores/gateway.js';
import { auditRow, echoConflict, flush, MemoryBridge } from './memory-bridge.js';

let bridge: MemoryBridge;
let dashboard: Dashboard;
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

beforeEach(() => {
  bridge = new MemoryBridge();
  dashboard = createDashboard(bridge, {
    now: () => NOW,
    copy: async () => undefined,
    pollMs: 0,
    audit: { typingDelayMs: 5, liveRefreshMs: 0, liveStatsMs: 0 },
  });
});

afterEach(() => {
  dashboard.stop();
  vi.useRealTimers();
});

describe('gateway store', () => {
  it('loads the snapshot on start and follows pushed snapshots', async () => {
    dashboard.start();
    await flush();
    const state = dashboard.gateway.getState();
    expect(state.status).toBe('ready');
    expect(state.snapshot?.backends.map((b) => b.name)).toEqual(['alpha', 'beta']);
    expect(selectOpenConflictCount(state)).toBe(1);
    expect(selectGatewayOn(state)).toBe(true);
    expect(state.connection).toBe('open');

    bridge.conflicts = [];
    bridge.emit({ type: 'snapshot', snapshot: bridge.buildSnapshot() });
    expect(selectOpenConflictCount(dashboard.gateway.getState())).toBe(0);
  });

  it('asks for a token on 401 and reloads everything once one is accepted', async () => {
    bridge.acceptedToken = 'right';
    dashboard.start();
    await flush();
    expect(dashboard.gateway.getState().status).toBe('unauthorized');
    expect(dashboard.gateway.getState().tokenRejected).toBe(false);

    await dashboard.gateway.getState().submitToken('wrong');
    expect(dashboard.gateway.getState()).toMatchObject({ status: 'unauthorized', tokenRejected: true });

    bridge.calls = [];
    await dashboard.gateway.getState().submitToken('  right ');
    await flush();
    expect(bridge.token).toBe('right');
    expect(dashboard.gateway.getState().status).toBe('ready');
    expect(bridge.callsOf('connectInfo')).toHaveLength(1);
  });

  it('reports an unreachable engine as offline, then recovers', async () => {
    bridge.failures.set('snapshot', new BridgeError('Cannot reach Switchyard (fetch failed)'));
    await dashboard.gateway.getState().load();
    expect(dashboard.gateway.getState()).toMatchObject({
      status: 'offline',
      error: 'Cannot reach Switchyard (fetch failed)',
    });
    bridge.failures.clear();
    await dashboard.gateway.getState().load();
    expect(dashboard.gateway.getState().status).toBe('ready');
  });

  it('turns the endpoint off with a pending state, and changes the strategy', async () => {
    await dashboard.gateway.getState().load();
    bridge.hold = true;
    const done = dashboard.gateway.getState().setGatewayRunning(false);
    expect(selectGatewayOn(dashboard.gateway.getState())).toBe(false);
    expect(dashboard.gateway.getState().pendingRunning).toBe(false);
    bridge.release();
    await done;
    expect(bridge.callsOf('setGatewayRunning')).toEqual([[false]]);
    expect(dashboard.gateway.getState().snapshot?.gateway.state).toBe('stopped');
    expect(dashboard.gateway.getState().pendingRunning).toBeNull();

    await dashboard.gateway.getState().setStrategy('prefix');
    expect(dashboard.gateway.getState().snapshot?.strategy).toBe('prefix');
  });

  it('shows a failed action as an error notification', async () => {
    bridge.failures.set('setStrategy', new BridgeError('strategy is locked'));
    await dashboard.gateway.getState().setStrategy('manual');
    expect(dashboard.ui.getState().toasts.at(-1)).toMatchObject({
      kind: 'error',
      message: 'Could not change the strategy: strategy is locked',
    });
  });
});

describe('conflicts store', () => {
  it('applies a decision, then undoes it back to the strategy', async () => {
    await dashboard.gateway.getState().load();
    const conflict = dashboard.gateway.getState().snapshot!.conflicts[0]!;
    expect(
      await dashboard.conflicts.getState().resolve(conflict, { action: 'winner', backend: 'beta' }),
    ).toBe(true);
    expect(bridge.callsOf('resolveConflict')).toEqual([['tool:echo', { action: 'winner', backend: 'beta' }]]);
    expect(dashboard.gateway.getState().snapshot!.conflicts[0]).toMatchObject({
      resolvedBy: 'decision',
      open: false,
    });
    const toast = dashboard.ui.getState().toasts.at(-1)!;
    expect(toast.message).toContain('beta keeps "echo"');
    expect(toast.action?.label).toBe('Undo');

    expect(await dashboard.conflicts.getState().undo('tool:echo')).toBe(true);
    expect(bridge.callsOf('resolveConflict').at(-1)).toEqual(['tool:echo', null]);
    expect(dashboard.conflicts.getState().history).toEqual([]);
    expect(dashboard.gateway.getState().snapshot!.conflicts[0]).toMatchObject({
      resolvedBy: 'strategy',
      open: true,
    });
  });

  it('undo restores the decision that was in force before', async () => {
    bridge.conflicts = [
      echoConflict({ resolvedBy: 'decision', decision: { action: 'prefix' }, open: false }),
    ];
    await dashboard.gateway.getState().load();
    const conflict = dashboard.gateway.getState().snapshot!.conflicts[0]!;
    await dashboard.conflicts.getState().resolve(conflict, { action: 'rename', names: { beta: 'say' } });
    await dashboard.conflicts.getState().undo();
    expect(bridge.callsOf('resolveConflict').at(-1)).toEqual(['tool:echo', { action: 'prefix' }]);
  });

  it('keeps the error of a failed decision on the conflict', async () => {
    await dashboard.gateway.getState().load();
    bridge.failures.set('resolveConflict', new BridgeError('name "say" is taken'));
    const conflict = dashboard.gateway.getState().snapshot!.conflicts[0]!;
    expect(
      await dashboard.conflicts.getState().resolve(conflict, { action: 'rename', names: { beta: 'say' } }),
    ).toBe(false);
    expect(dashboard.conflicts.getState().errors['tool:echo']).toBe('name "say" is taken');
    expect(dashboard.conflicts.getState().pending).toEqual({});
    expect(dashboard.conflicts.getState().history).toEqual([]);
  });
});

describe('backends store', () => {
  it('loads the detail of the selected backend and reloads it when the backend changes', async () => {
    dashboard.start();
    await flush();
    dashboard.backends.getState().select('alpha');
    await flush();
    expect(dashboard.backends.getState().details.alpha?.detail?.tools[0]?.advertisedAs).toBe('echo');
    expect(bridge.callsOf('backend')).toEqual([['alpha']]);

    // An unrelated snapshot does not refetch; a state change of alpha does.
    bridge.emit({ type: 'snapshot', snapshot: bridge.buildSnapshot() });
    await flush();
    expect(bridge.callsOf('backend')).toHaveLength(1);
    bridge.backends[0] = { ...bridge.backends[0]!, state: 'down', since: NOW };
    bridge.emit({ type: 'snapshot', snapshot: bridge.buildSnapshot() });
    await flush();
    expect(bridge.callsOf('backend')).toHaveLength(2);
  });

  it('disables and reconnects', async () => {
    await dashboard.gateway.getState().load();
    const done = dashboard.backends.getState().setEnabled('beta', false);
    expect(dashboard.backends.getState().pending.beta).toBe('disabling');
    await done;
    expect(dashboard.backends.getState().pending.beta).toBeUndefined();
    expect(dashboard.gateway.getState().snapshot!.backends[1]!.enabled).toBe(false);
    await dashboard.backends.getState().reconnect('alpha');
    expect(bridge.callsOf('reconnectBackend')).toEqual([['alpha']]);
  });
});

describe('audit store', () => {
  function seed(count: number) {
    // Newest first: row id i at NOW - i seconds.
    bridge.rows = Array.from({ length: count }, (_, i) => auditRow(count - i, NOW - (i + 1) * 1000));
  }

  it('loads the first page and stats when the audit view opens', async () => {
    seed(450);
    dashboard.start();
    dashboard.ui.getState().setView('audit');
    await flush();
    const state = dashboard.audit.getState();
    expect(state.total).toBe(450);
    expect(state.pages[0]).toHaveLength(PAGE_SIZE);
    expect(rowAt(state, 0)?.id).toBe(450);
    expect(state.stats?.total.calls).toBe(450);
    const [query] = bridge.callsOf('queryAudit')[0]! as [{ to: number; from: number; limit: number }];
    expect(query).toMatchObject({ limit: PAGE_SIZE, to: NOW + 1, from: NOW - 24 * 3600_000 });
  });

  it('pages on with the cursor, and jumps by offset', async () => {
    seed(1000);
    await dashboard.audit.getState().refresh();
    dashboard.audit.getState().ensureRows(150, 250); // pages 0 and 1: 1 follows 0 with its cursor
    await flush();
    const second = bridge.callsOf('queryAudit').at(-1)![0] as { cursor?: string; offset?: number };
    expect(second.cursor).toBeDefined();
    expect(rowAt(dashboard.audit.getState(), 200)?.id).toBe(800);

    dashboard.audit.getState().ensureRows(810, 830); // page 4, no cursor known: offset
    await flush();
    const jump = bridge.callsOf('queryAudit').at(-1)![0] as { cursor?: string; offset?: number };
    expect(jump).toMatchObject({ offset: 800 });
    expect(jump.cursor).toBeUndefined();
    expect(rowAt(dashboard.audit.getState(), 810)?.id).toBe(190);
    // Pages already there are not fetched again.
    const before = bridge.callsOf('queryAudit').length;
    dashboard.audit.getState().ensureRows(0, 250);
    expect(bridge.callsOf('queryAudit')).toHaveLength(before);
  });

  it('keeps a bounded page cache', async () => {
    seed(PAGE_SIZE * (MAX_CACHED_PAGES + 10));
    await dashboard.audit.getState().refresh();
    for (let page = 1; page < MAX_CACHED_PAGES + 10; page++) {
      dashboard.audit.getState().ensureRows(page * PAGE_SIZE, page * PAGE_SIZE + 10);
      await flush(2);
    }
    const pages = Object.keys(dashboard.audit.getState().pages).map(Number);
    expect(pages.length).toBe(MAX_CACHED_PAGES);
    expect(pages).toContain(MAX_CACHED_PAGES + 9);
    expect(pages).not.toContain(0);
  });

  it('applies filters: at once for selects, after typing stops for text', async () => {
    seed(100);
    await dashboard.audit.getState().refresh();
    dashboard.audit.getState().setFilter({ backends: ['alpha'] });
    await flush();
    expect(dashboard.audit.getState().total).toBe(50);
    expect(dashboard.audit.getState().applied?.backend).toEqual(['alpha']);

    const before = bridge.callsOf('queryAudit').length;
    dashboard.audit.getState().setFilter({ text: 't' });
    dashboard.audit.getState().setFilter({ text: 'to' });
    dashboard.audit.getState().setFilter({ text: 'tool_3' });
    expect(bridge.callsOf('queryAudit')).toHaveLength(before);
    await new Promise((r) => setTimeout(r, 20));
    await flush();
    expect(bridge.callsOf('queryAudit')).toHaveLength(before + 1);
    expect(dashboard.audit.getState().total).toBe(10);

    dashboard.audit.getState().resetFilter();
    await flush();
    expect(dashboard.audit.getState().total).toBe(100);
  });

  it('shows live rows at once at the top, and counts them when scrolled away', async () => {
    seed(10);
    dashboard.start();
    dashboard.ui.getState().setView('audit');
    await flush();
    const fresh = auditRow(11, NOW - 100, { backend: 'alpha' });
    bridge.rows.unshift(fresh);
    bridge.emit({ type: 'audit', rows: [fresh] });
    await flush();
    expect(dashboard.audit.getState().total).toBe(11);
    expect(dashboard.audit.getState().newRows).toBe(0);

    dashboard.audit.getState().setAtTop(false);
    const another = auditRow(12, NOW - 50);
    bridge.rows.unshift(another);
    bridge.emit({ type: 'audit', rows: [another] });
    await flush();
    expect(dashboard.audit.getState().newRows).toBe(1);
    expect(dashboard.audit.getState().total).toBe(11);
    dashboard.audit.getState().setAtTop(true);
    await flush();
    expect(dashboard.audit.getState().total).toBe(12);
    expect(dashboard.audit.getState().newRows).toBe(0);

    // Rows outside the filter are ignored.
    dashboard.audit.getState().setFilter({ backends: ['beta'] });
    await flush();
    bridge.emit({ type: 'audit', rows: [auditRow(13, NOW - 10, { backend: 'alpha' })] });
    expect(dashboard.audit.getState().newRows).toBe(0);
  });
});

describe('connect and ui stores', () => {
  it('loads the connection details and reveals the token on request', async () => {
    dashboard.start();
    await flush();
    expect(dashboard.connect.getState().info?.token).toBe('secret-token-123');
    expect(dashboard.connect.getState().revealed).toBe(false);
    dashboard.connect.getState().setRevealed(true);
    expect(dashboard.connect.getState().revealed).toBe(true);
  });

  it('copies through the injected clipboard and says so', async () => {
    const copied: string[] = [];
    const d = createDashboard(bridge, { copy: async (t) => void copied.push(t), pollMs: 0 });
    await d.ui.getState().copy('abc', 'Token');
    expect(copied).toEqual(['abc']);
    expect(d.ui.getState().toasts.at(-1)?.message).toBe('Token copied to the clipboard');
  });

  it('keeps at most three notifications, one per key, and dismisses them after a while', () => {
    vi.useFakeTimers();
    const ui = dashboard.ui.getState();
    for (let i = 0; i < 6; i++) ui.notify(`n${i}`);
    expect(dashboard.ui.getState().toasts.map((t) => t.message)).toEqual(['n3', 'n4', 'n5']);
    // The same action again replaces its own toast instead of stacking a second one.
    ui.notify('strategy: prefix', { key: 'strategy' });
    ui.notify('strategy: manual', { key: 'strategy' });
    expect(dashboard.ui.getState().toasts.map((t) => t.message)).toEqual(['n4', 'n5', 'strategy: manual']);
    vi.advanceTimersByTime(5000);
    expect(dashboard.ui.getState().toasts).toEqual([]);
  });

  it('reloads the snapshot after the event stream reconnects', async () => {
    dashboard.start();
    await flush();
    const loads = bridge.callsOf('snapshot').length;
    bridge.setConnection('reconnecting');
    bridge.setConnection('open');
    await flush();
    expect(bridge.callsOf('snapshot').length).toBe(loads + 1);
    expect(dashboard.gateway.getState().connection).toBe('open');
  });
});

describe('chart zoom', () => {
  const HOUR = 3600_000;
  const bucket = (start: number) => ({
    start,
    backend: 'a',
    calls: 1,
    errors: 0,
    errorRate: 0,
    p50: 1,
    p95: 1,
    p99: 1,
  });
  const total = { calls: 1, errors: 0, errorRate: 0, p50: 1, p95: 1, p99: 1 };

  it('zooms in when every call is in the last quarter of the window', () => {
    const to = 100 * HOUR;
    const stats = {
      from: to - 24 * HOUR,
      to,
      bucketMs: 30 * 60_000,
      buckets: [bucket(to - 30 * 60_000)],
      backends: [],
      total,
      served: total,
      denied: 0,
    };
    const zoom = zoomWindow(stats)!;
    expect(zoom.to).toBe(to);
    expect(zoom.bucketMs).toBeLessThan(stats.bucketMs);
    expect(zoom.from).toBeLessThanOrEqual(to - 30 * 60_000);
    expect(zoom.from).toBeGreaterThan(stats.from);
  });

  it('keeps the window when calls are spread over it, or there are none', () => {
    const to = 100 * HOUR;
    const base = {
      from: to - 24 * HOUR,
      to,
      bucketMs: 30 * 60_000,
      backends: [],
      total,
      served: total,
      denied: 0,
    };
    expect(zoomWindow({ ...base, buckets: [bucket(to - 20 * HOUR), bucket(to - HOUR)] })).toBeNull();
    expect(zoomWindow({ ...base, buckets: [] })).toBeNull();
    expect(
      zoomWindow({ ...base, from: to - 10 * 60_000, bucketMs: 10_000, buckets: [bucket(to - 60_000)] }),
    ).toBeNull();
  });
});
