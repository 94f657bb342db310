// The Connect view's clients in the connect store, against the in-memory bridge: loaded when the
// view opens, one connect/disconnect at a time per client, the new row shown, failures said.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BridgeError } from '../../../renderer/src/bridge/bridge.js';
import { createDashboard, type Dashboard } from '../../../renderer/src/stores/dashboard.js';
import { flush, MemoryBridge } from './memory-bridge.js';

let bridge: MemoryBridge;
let dashboard: Dashboard;

beforeEach(() => {
  bridge = new MemoryBridge();
  dashboard = createDashboard(bridge, { now: () => 0, copy: async () => undefined, pollMs: 0 });
  dashboard.start();
});
afterEach(() => dashboard.stop());

const row = (id: string) => dashboard.connect.getState().clients?.find((c) => c.id === id);

describe('connect store: clients', () => {
  it('loads the clients when the Connect view opens, not before', async () => {
    await flush();
    expect(bridge.callsOf('clients')).toHaveLength(0);
    dashboard.ui.getState().setView('connect');
    await flush();
    expect(bridge.callsOf('clients')).toHaveLength(1);
    expect(dashboard.connect.getState().clients?.map((c) => c.id)).toEqual(['claude-code', 'claude-desktop']);
  });

  it('connects and disconnects, showing the new row and saying so; one call at a time per client', async () => {
    dashboard.ui.getState().setView('connect');
    await flush();
    bridge.hold = true;
    const first = dashboard.connect.getState().connectClient('claude-code');
    void dashboard.connect.getState().connectClient('claude-code'); // a double click
    expect(dashboard.connect.getState().busy).toEqual(['claude-code']);
    bridge.release();
    bridge.hold = false;
    await first;
    expect(bridge.callsOf('connectClient')).toHaveLength(1);
    expect(row('claude-code')).toMatchObject({ connected: true, profile: 'default' });
    expect(dashboard.connect.getState().busy).toEqual([]);
    expect(dashboard.ui.getState().toasts.at(-1)).toMatchObject({ kind: 'success' });
    expect(dashboard.ui.getState().toasts.at(-1)?.message).toContain('Claude Code connected');

    await dashboard.connect.getState().disconnectClient('claude-code');
    expect(row('claude-code')?.connected).toBe(false);
  });

  it('says why when the engine refuses, and keeps the row as it was', async () => {
    dashboard.ui.getState().setView('connect');
    await flush();
    bridge.failures.set(
      'connectClient',
      new BridgeError('cannot edit /home/u/.claude.json: not valid JSON', 409),
    );
    await dashboard.connect.getState().connectClient('claude-code');
    expect(row('claude-code')?.connected).toBe(false);
    expect(dashboard.ui.getState().toasts.at(-1)).toMatchObject({
      kind: 'error',
      message: 'cannot edit /home/u/.claude.json: not valid JSON',
    });
  });

  it('reads last seen again when the sessions change', async () => {
    dashboard.ui.getState().setView('connect');
    await flush();
    const before = bridge.callsOf('clients').length;
    const snapshot = bridge.buildSnapshot();
    bridge.emit({ type: 'snapshot', snapshot });
    bridge.emit({ type: 'snapshot', snapshot });
    await flush();
    const afterFirst = bridge.callsOf('clients').length;
    expect(afterFirst - before).toBeLessThanOrEqual(1);
    bridge.emit({
      type: 'snapshot',
      snapshot: {
        ...snapshot,
        sessions: [
          ...snapshot.sessions,
          {
            id: 'new-session',
            clientName: 'claude-code',
            clientVersion: '2.1.197',
            protocolVersion: '2025-06-18',
            era: 'legacy',
            createdAt: 1,
            lastSeen: 1,
            calls: 0,
            streamOpen: false,
            backends: [],
          },
        ],
      },
    });
    await flush();
    expect(bridge.callsOf('clients').length).toBe(afterFirst + 1);
  });
});
