// @vitest-environment happy-dom
// The backend detail's Logs section with the in-memory bridge: live from pushed `backendLog` events
// (each read only `after` the cursor, never polled), untrusted text cleaned, a flood capped, an
// empty state that says why for each kind of backend, copy and clear.
import { act, cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDashboard, type Dashboard } from '../../../renderer/src/stores/dashboard.js';
import { DashboardContext } from '../../../renderer/src/stores/hooks.js';
import { App } from '../../../renderer/src/views/App.js';
import {
  LOG_LINES_MAX,
  LogFollower,
  displayLine,
  type LogView,
} from '../../../renderer/src/lib/log-follower.js';
import { backendStatus, flush, MemoryBridge } from './memory-bridge.js';

let bridge: MemoryBridge;
let dashboard: Dashboard;
let copied: string[];

async function openDetail(name: string) {
  copied = [];
  dashboard = createDashboard(bridge, { copy: async (text) => void copied.push(text), pollMs: 0 });
  dashboard.start();
  render(
    <DashboardContext.Provider value={dashboard}>
      <App />
    </DashboardContext.Provider>,
  );
  await act(() => flush());
  await userEvent.click(screen.getByRole('button', { name }));
  await act(() => flush());
  const panel = screen.getByRole('complementary', { name });
  return within(panel).getByRole('region', { name: 'Logs' });
}

beforeEach(() => {
  bridge = new MemoryBridge();
  bridge.backends = [
    backendStatus('alpha', { transport: 'stdio', target: 'node server.js' }),
    backendStatus('beta'),
  ];
});

afterEach(() => {
  cleanup();
  dashboard?.stop();
});

describe('backend logs in the detail panel', () => {
  it('follows the ring live from pushed events, reading only after its cursor', async () => {
    bridge.appendLog('alpha', [
      { kind: 'started', text: 'process started', pid: 41 },
      { text: 'listening on stdio', pid: 41 },
    ]);
    const logs = await openDetail('alpha');
    const log = within(logs).getByRole('log', { name: 'Logs' });
    expect(log.getAttribute('aria-live')).toBe('off');
    expect(
      within(log)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      expect.stringMatching(/started.*process started \(pid 41\)/),
      expect.stringMatching(/stderr.*listening on stdio/),
    ]);

    bridge.appendLog('alpha', [{ kind: 'connected', text: 'connected (legacy era)' }]);
    bridge.appendLog('beta', [{ kind: 'connected', text: 'not this one' }]);
    await act(() => flush());
    expect(within(log).getAllByRole('listitem')).toHaveLength(3);
    expect(within(log).queryByText('not this one')).toBeNull();
    // One read at open, one for alpha's growth, none for beta's.
    expect(bridge.callsOf('backendLog')).toEqual([
      ['alpha', { limit: LOG_LINES_MAX }],
      ['alpha', { after: 2, limit: LOG_LINES_MAX }],
    ]);
    // Connection events stand apart from stderr lines.
    expect(log.querySelectorAll('.log-event')).toHaveLength(2);
    expect(log.querySelectorAll('.log-stderr')).toHaveLength(1);
  });

  it('cleans escape, control and bidi characters and caps a flood', async () => {
    bridge.appendLog('alpha', [{ text: '\u001b[31mred\u001b[0m \u202eevil\u202c tab\there\u0007' }]);
    const logs = await openDetail('alpha');
    const log = within(logs).getByRole('log');
    expect(within(log).getByText('red evil tab here')).toBeTruthy();
    expect(displayLine('x'.repeat(10_000)).length).toBeLessThanOrEqual(2000);

    bridge.appendLog(
      'alpha',
      Array.from({ length: 3000 }, (_, i) => ({ text: `flood line ${i}` })),
    );
    await act(() => flush());
    const items = within(log).getAllByRole('listitem');
    expect(items).toHaveLength(LOG_LINES_MAX);
    expect(items.at(-1)!.textContent).toContain('flood line 2999');
    expect(logs.textContent).toMatch(/older not shown/);
  });

  it('says why the log is empty, per kind of backend', async () => {
    bridge.backends.push(
      backendStatus('gamma', {
        transport: 'stdio',
        source: {
          kind: 'container',
          engine: 'podman',
          containerId: 'abc123abc123abc123',
          containerName: 'gamma-mcp',
          image: 'localhost/base:test',
          convention: 'mcp',
        },
      } as Parameters<typeof backendStatus>[1]),
    );
    const http = await openDetail('beta');
    expect(http.textContent).toMatch(/Connection history only: an HTTP or SSE server has no stderr/);
    expect(http.textContent).toMatch(/No connection events yet/);
    cleanup();
    dashboard.stop();
    const stdio = await openDetail('alpha');
    expect(stdio.textContent).toMatch(/writes to stderr, and its connection events, appear here/);
    expect(stdio.textContent).not.toMatch(/Connection history only/);
    cleanup();
    dashboard.stop();
    const container = await openDetail('gamma');
    expect(container.textContent).toMatch(/container’s own output stays with the container engine/);
  });

  it('copies what is shown, clears the view, and keeps following', async () => {
    bridge.appendLog('alpha', [{ text: 'first' }, { kind: 'exited', text: 'exited with code 1', pid: 7 }]);
    const logs = await openDetail('alpha');
    await userEvent.click(within(logs).getByRole('button', { name: 'Copy' }));
    expect(copied[0]).toMatch(/Z stderr first\n.*Z exited \[7\] exited with code 1$/);

    await userEvent.click(within(logs).getByRole('checkbox', { name: 'Connection events only' }));
    expect(within(logs).getAllByRole('listitem')).toHaveLength(1);
    await userEvent.click(within(logs).getByRole('checkbox', { name: 'Connection events only' }));

    await userEvent.click(within(logs).getByRole('button', { name: 'Clear view' }));
    expect(within(logs).queryByRole('log')).toBeNull();
    expect(logs.textContent).toMatch(/View cleared/);
    bridge.appendLog('alpha', [{ text: 'after the clear' }]);
    await act(() => flush());
    expect(
      within(logs)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([expect.stringContaining('after the clear')]);
  });
});

describe('LogFollower', () => {
  it('keeps one read in flight, catches up after it, and starts over when the ring did', async () => {
    const views: LogView[] = [];
    const follower = new LogFollower(bridge, 'alpha', (v) => views.push(v));
    bridge.appendLog('alpha', [{ text: 'one' }, { text: 'two' }]);
    follower.start();
    // Three announcements while the first read is still out: one more read covers them all.
    bridge.appendLog('alpha', [{ text: 'three' }]);
    bridge.appendLog('alpha', [{ text: 'four' }]);
    bridge.appendLog('alpha', [{ text: 'five' }]);
    await flush();
    expect(bridge.callsOf('backendLog')).toEqual([
      ['alpha', { limit: LOG_LINES_MAX }],
      ['alpha', { after: 5, limit: LOG_LINES_MAX }],
    ]);
    expect(views.at(-1)!.entries.map((e) => e.text)).toEqual(['one', 'two', 'three', 'four', 'five']);

    // The engine restarted: its ring begins again below our cursor; the view reads it from scratch.
    bridge.logs.alpha = [];
    bridge.appendLog('alpha', [{ text: 'fresh' }]);
    follower.catchUp();
    await flush();
    expect(views.at(-1)!.entries.map((e) => e.text)).toEqual(['fresh']);
    expect(views.at(-1)!.cursor).toBe(1);
    follower.stop();
  });
});
