// @vitest-environment happy-dom
// The views rendered with the in-memory bridge: what a person sees and can do.
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../../renderer/src/stores/dashboard.js';
import { startRouter } from '../../../renderer/src/stores/router.js';
import { auditRow, backendStatus, echoConflict, flush, MemoryBridge } from './memory-bridge.js';
import { renderDashboard } from './render-dashboard.js';

let bridge: MemoryBridge;
let dashboard: Dashboard;
let copied: string[];

async function renderApp() {
  copied = [];
  const rendered = await renderDashboard(bridge, { copy: async (text) => void copied.push(text) });
  dashboard = rendered.dashboard;
  return rendered.view;
}

beforeEach(() => {
  bridge = new MemoryBridge();
});

afterEach(() => {
  cleanup();
  dashboard?.stop();
});

describe('header and navigation', () => {
  it('says at a glance whether the gateway is up, where, and what it serves', async () => {
    await renderApp();
    const overview = screen.getByRole('region', { name: 'Gateway overview' });
    expect(
      within(overview).getByRole('switch', { name: 'MCP endpoint on' }).getAttribute('aria-checked'),
    ).toBe('true');
    expect(within(overview).getByText('Running')).toBeTruthy();
    expect(within(overview).getByText('http://127.0.0.1:4750/mcp')).toBeTruthy();
    expect(within(overview).getByText(/Podman 5\.4\.2/)).toBeTruthy();
    expect(within(overview).getByText('2/2')).toBeTruthy();

    await userEvent.click(within(overview).getByRole('button', { name: 'Copy endpoint url' }));
    expect(copied).toEqual(['http://127.0.0.1:4750/mcp']);

    await userEvent.click(within(overview).getByRole('switch', { name: 'MCP endpoint on' }));
    await act(() => flush());
    expect(bridge.callsOf('setGatewayRunning')).toEqual([[false]]);
    expect(
      within(overview).getByRole('switch', { name: 'MCP endpoint on' }).getAttribute('aria-checked'),
    ).toBe('false');
  });

  it('moves between views with the arrow keys and shows the open-conflict badge', async () => {
    await renderApp();
    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((t) => t.textContent)).toEqual([
      'Backends',
      'Tools',
      'Conflicts1',
      'Changes',
      'Audit',
      'Sessions1',
      'Connect',
    ]);
    expect(screen.getByRole('tab', { name: /Conflicts/ }).getAttribute('aria-selected')).toBe('false');
    screen.getByRole('tab', { name: 'Backends' }).focus();
    await userEvent.keyboard('{ArrowRight}{ArrowRight}');
    const conflictsTab = screen.getByRole('tab', { name: /Conflicts/ });
    expect(conflictsTab.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(conflictsTab);
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe('tab-conflicts');
    await userEvent.keyboard('{End}');
    expect(screen.getByRole('tab', { name: 'Connect' }).getAttribute('aria-selected')).toBe('true');
    await userEvent.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Backends' }).getAttribute('aria-selected')).toBe('true');
  });

  it('asks for the token when the API says 401', async () => {
    bridge.acceptedToken = 'good';
    await renderApp();
    expect(screen.getByRole('heading', { name: 'Paste your token' })).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Token'), 'bad');
    await userEvent.click(screen.getByRole('button', { name: 'Open the dashboard' }));
    await act(() => flush());
    expect(screen.getByRole('alert').textContent).toMatch(/not accepted/);
    await userEvent.clear(screen.getByLabelText('Token'));
    await userEvent.type(screen.getByLabelText('Token'), 'good');
    await userEvent.click(screen.getByRole('button', { name: 'Open the dashboard' }));
    await act(() => flush());
    expect(screen.getByRole('region', { name: 'Gateway overview' })).toBeTruthy();
  });
});

describe('backends view', () => {
  it('lists backends with status and source, and opens a detail panel with names and actions', async () => {
    bridge.backends = [
      backendStatus('alpha'),
      backendStatus('beta', {
        state: 'down',
        lastError: { message: 'connect ECONNREFUSED 127.0.0.1:3002', at: Date.now() },
        source: {
          kind: 'container',
          engine: 'podman',
          engineVersion: '5.4.2',
          containerId: 'abcdef0123456789',
          containerName: 'beta-mcp',
          image: 'localhost/beta:1',
          convention: 'mcp',
        },
      }),
    ];
    await renderApp();
    const table = screen.getByRole('table');
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getByText('Ready')).toBeTruthy();
    expect(within(rows[2]!).getByText('Down')).toBeTruthy();
    expect(within(rows[2]!).getByText('podman 5.4.2 container')).toBeTruthy();
    expect(within(rows[2]!).getByText(/ECONNREFUSED/)).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'beta' }));
    await act(() => flush());
    const panel = screen.getByRole('complementary', { name: 'beta' });
    expect(within(panel).getByText('beta-mcp')).toBeTruthy();
    expect(within(panel).getByRole('note', { name: 'Last error' }).textContent).toMatch(/ECONNREFUSED/);
    expect(within(panel).getByText('beta__echo')).toBeTruthy();
    expect(within(panel).getByText('hidden')).toBeTruthy();

    await userEvent.click(within(panel).getByRole('switch', { name: 'beta enabled' }));
    await act(() => flush());
    expect(bridge.callsOf('setBackendEnabled')).toEqual([['beta', false]]);
    await userEvent.click(within(panel).getByRole('button', { name: 'Close details' }));
    expect(screen.queryByRole('complementary', { name: 'beta' })).toBeNull();
  });

  it('renames a backend for display; Escape cancels, and its own name can come back', async () => {
    await renderApp();
    await userEvent.click(screen.getByRole('button', { name: 'beta' }));
    await act(() => flush());
    let panel = screen.getByRole('complementary', { name: 'beta' });

    await userEvent.click(within(panel).getByRole('button', { name: 'Rename beta' }));
    const input = within(panel).getByLabelText('Display name');
    expect(input.getAttribute('placeholder')).toBe('beta');
    await userEvent.keyboard('{Escape}');
    expect(within(panel).queryByLabelText('Display name')).toBeNull();
    expect(screen.getByRole('complementary', { name: 'beta' })).toBeTruthy(); // the panel stays open
    expect(document.activeElement).toBe(within(panel).getByRole('button', { name: 'Rename beta' }));

    // A half-typed name never follows the user to another backend's panel.
    await userEvent.click(within(panel).getByRole('button', { name: 'Rename beta' }));
    await userEvent.type(within(panel).getByLabelText('Display name'), 'Half');
    await userEvent.click(screen.getByRole('button', { name: 'alpha' }));
    await act(() => flush());
    const alphaPanel = screen.getByRole('complementary', { name: 'alpha' });
    expect(within(alphaPanel).queryByLabelText('Display name')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'beta' }));
    await act(() => flush());
    panel = screen.getByRole('complementary', { name: 'beta' });

    await userEvent.click(within(panel).getByRole('button', { name: 'Rename beta' }));
    await userEvent.type(within(panel).getByLabelText('Display name'), 'Beta tools{Enter}');
    await act(() => flush());
    expect(bridge.callsOf('setBackendDisplayName')).toEqual([['beta', 'Beta tools']]);
    panel = screen.getByRole('complementary', { name: 'Beta tools' });
    expect(within(panel).queryByLabelText('Display name')).toBeNull();
    const row = within(screen.getAllByRole('table')[0]!)
      .getByRole('button', { name: 'Beta tools' })
      .closest('tr')!;
    expect(within(row).getByText('beta')).toBeTruthy(); // its own name stays visible

    await userEvent.click(within(panel).getByRole('button', { name: 'Rename Beta tools' }));
    expect((within(panel).getByLabelText('Display name') as HTMLInputElement).value).toBe('Beta tools');
    await userEvent.click(within(panel).getByRole('button', { name: 'Use “beta”' }));
    await act(() => flush());
    expect(bridge.callsOf('setBackendDisplayName')).toEqual([
      ['beta', 'Beta tools'],
      ['beta', null],
    ]);
    expect(screen.getByRole('complementary', { name: 'beta' })).toBeTruthy();
  });

  it('explains how to add a server when there is none', async () => {
    bridge.backends = [];
    await renderApp();
    expect(screen.getByRole('heading', { name: 'No MCP servers yet' })).toBeTruthy();
    expect(screen.getByText(/mcp\.enable=true/, { selector: 'pre' })).toBeTruthy();
    expect(screen.getByText(/backends:/, { selector: 'pre' })).toBeTruthy();
  });
});

describe('conflicts view', () => {
  it('shows candidates side by side with the schema diff, and picks a winner', async () => {
    await renderApp();
    dashboard.ui.getState().setView('conflicts');
    await act(() => flush());
    const card = screen.getByRole('article');
    expect(within(card).getByText('needs a decision')).toBeTruthy();
    const beta = within(card).getByRole('region', { name: "beta's echo" });
    expect(within(beta).getByText('beta__echo')).toBeTruthy();
    expect(within(beta).getByText('~ message: type string → number')).toBeTruthy();
    expect(within(beta).getByText('+ loud (boolean, required)')).toBeTruthy();

    await userEvent.click(within(card).getByRole('button', { name: 'Use this one: beta keeps echo' }));
    await act(() => flush());
    expect(bridge.callsOf('resolveConflict')).toEqual([['tool:echo', { action: 'winner', backend: 'beta' }]]);
    expect(screen.getByRole('tab', { name: 'Conflicts' })).toBeTruthy(); // badge gone
    expect(screen.getByRole('status', { name: '' }).textContent).toMatch(/beta keeps "echo"/);
    await userEvent.click(screen.getAllByRole('button', { name: 'Undo' })[0]!);
    await act(() => flush());
    expect(bridge.callsOf('resolveConflict').at(-1)).toEqual(['tool:echo', null]);
  });

  it('validates a new name before renaming', async () => {
    await renderApp();
    dashboard.ui.getState().setView('conflicts');
    await act(() => flush());
    await userEvent.click(screen.getByRole('button', { name: "Rename beta's echo" }));
    const input = screen.getByLabelText("New name for beta's tool");
    await userEvent.clear(input);
    await userEvent.type(input, 'say it');
    expect(screen.getByRole('alert').textContent).toMatch(/letters, digits/);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    await userEvent.clear(input);
    await userEvent.type(input, 'echo');
    expect(screen.getByRole('alert').textContent).toMatch(/already advertised/);
    await userEvent.clear(input);
    await userEvent.type(input, 'say');
    await userEvent.click(screen.getByRole('button', { name: 'Rename' }));
    await act(() => flush());
    expect(bridge.callsOf('resolveConflict')).toEqual([
      ['tool:echo', { action: 'rename', names: { beta: 'say' } }],
    ]);
  });

  it('hides one candidate, keeps all with prefixes, and changes the strategy', async () => {
    await renderApp();
    dashboard.ui.getState().setView('conflicts');
    await act(() => flush());
    await userEvent.click(screen.getByRole('button', { name: "Hide alpha's echo" }));
    await act(() => flush());
    await userEvent.click(screen.getByRole('button', { name: 'Keep all with prefixes' }));
    await act(() => flush());
    expect(bridge.callsOf('resolveConflict')).toEqual([
      ['tool:echo', { action: 'hide', backend: 'alpha' }],
      ['tool:echo', { action: 'prefix' }],
    ]);
    await userEvent.selectOptions(screen.getByLabelText('Default strategy'), 'manual');
    await act(() => flush());
    expect(bridge.callsOf('setStrategy')).toEqual([]); // nothing changes before Apply
    await userEvent.click(screen.getByRole('button', { name: 'Use this strategy' }));
    await act(() => flush());
    expect(bridge.callsOf('setStrategy')).toEqual([['manual']]);
  });
});

describe('audit view', () => {
  beforeEach(() => {
    // happy-dom has no layout: give elements a size so the virtualizer renders rows.
    const saved = ['clientHeight', 'clientWidth'].map(
      (key) => [key, Object.getOwnPropertyDescriptor(HTMLElement.prototype, key)] as const,
    );
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
    return () => {
      for (const [key, descriptor] of saved) {
        if (descriptor) Object.defineProperty(HTMLElement.prototype, key, descriptor);
        else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[key];
      }
    };
  });

  it('shows rows, filters them, and opens a row in detail', async () => {
    const now = Date.now();
    bridge.rows = Array.from({ length: 300 }, (_, i) =>
      auditRow(
        300 - i,
        now - (i + 1) * 1000,
        i === 0 ? { requestPayload: '{"name":"tool_0","arguments":{"q":1}}' } : {},
      ),
    );
    // Two refused requests, older than every call: counted as requests and as denied, not as calls.
    for (const id of [301, 302]) {
      bridge.rows.push(
        auditRow(id, now - 400_000 - id, {
          method: 'http /mcp',
          name: undefined,
          backend: undefined,
          outcome: 'denied',
        }),
      );
    }
    await renderApp();
    dashboard.ui.getState().setView('audit');
    await act(() => flush());
    expect(screen.getByRole('heading', { name: /Audit history \(302 requests\)/ })).toBeTruthy();
    const card = (label: string) =>
      screen.getByText(label, { selector: 'dt' }).nextElementSibling?.textContent;
    expect(card('Calls')).toBe('300');
    expect(card('Denied')).toBe('2');
    // auditRow fails every 7th id: 42 of the 300 calls; the refusals do not count.
    expect(bridge.rows.filter((r) => r.backend && r.outcome === 'tool_error')).toHaveLength(42);
    expect(card('Error rate')).toBe('14%');
    const table = screen.getByRole('grid', { name: 'Audit history' });
    expect(table.getAttribute('aria-rowcount')).toBe('303');
    const rows = within(table).getAllByRole('row');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(80); // virtualized
    expect(screen.getByRole('figure', { name: 'Calls per backend' })).toBeTruthy();
    expect(screen.getByText('Error rate', { selector: 'dt' })).toBeTruthy();

    await userEvent.click(rows[1]!);
    const dialog = screen.getByRole('dialog', { name: /tools\/call/ });
    expect(within(dialog).getByLabelText('Request payload').textContent).toContain('"q": 1');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();

    await userEvent.selectOptions(screen.getByLabelText('Backend'), 'alpha');
    await act(() => flush());
    expect(screen.getByRole('heading', { name: /Audit history \(150 requests\)/ })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'tool error' }));
    await act(() => flush());
    const last = bridge.callsOf('queryAudit').at(-1)![0] as { backend: string[]; outcome: string[] };
    expect(last).toMatchObject({ backend: ['alpha'], outcome: ['tool_error'] });
    await userEvent.type(screen.getByLabelText('Search'), 'nothing-matches');
    await act(() => flush(10));
    expect(screen.getByRole('heading', { name: 'No requests match these filters' })).toBeTruthy();
    await userEvent.click(screen.getAllByRole('button', { name: /Reset filters/ }).at(-1)!);
    await act(() => flush());
    expect(screen.getByRole('heading', { name: /Audit history \(302 requests\)/ })).toBeTruthy();
  });

  it('says what to do when nothing was recorded yet', async () => {
    await renderApp();
    dashboard.ui.getState().setView('audit');
    await act(() => flush());
    expect(screen.getByRole('heading', { name: 'No requests in this time range' })).toBeTruthy();
  });
});

describe('sessions and connect views', () => {
  it('lists connected clients and links a session to its audit history', async () => {
    await renderApp();
    await userEvent.click(screen.getByRole('tab', { name: /Sessions/ }));
    const row = screen.getAllByRole('row')[1]!;
    expect(within(row).getByText('claude-code')).toBeTruthy();
    expect(within(row).getByText('2025 era')).toBeTruthy();
    expect(within(row).getByText('12')).toBeTruthy();
    await userEvent.click(within(row).getByRole('button', { name: /Show the audit history of session/ }));
    await act(() => flush());
    expect(screen.getByRole('tab', { name: 'Audit' }).getAttribute('aria-selected')).toBe('true');
    expect((screen.getByLabelText('Session') as HTMLInputElement).value).toBe(
      '0d5c9a7e-1f2b-4c3d-8e9f-000000000001',
    );
  });

  it('hides the token until revealed, and copies the real one', async () => {
    await renderApp();
    await userEvent.click(screen.getByRole('tab', { name: 'Connect' }));
    await act(() => flush());
    expect(document.body.textContent).not.toContain('secret-token-123');
    expect(screen.getByLabelText('Token (hidden)')).toBeTruthy();
    for (const client of ['Claude Code', 'Cursor', 'VS Code', 'Claude Desktop']) {
      expect(screen.getByRole('heading', { name: client })).toBeTruthy();
    }
    await userEvent.click(screen.getByRole('button', { name: 'Copy: Cursor configuration' }));
    expect(copied.at(-1)).toContain('Bearer secret-token-123');
    await userEvent.click(screen.getByRole('button', { name: 'Copy token' }));
    expect(copied.at(-1)).toBe('secret-token-123');
    await userEvent.click(screen.getByRole('button', { name: 'Reveal the token' }));
    expect(screen.getByLabelText('Token').textContent).toBe('secret-token-123');
    expect(screen.getByRole('button', { name: 'Hide the token' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByText(/dist\/core\/cli\/main\.js/)).toBeTruthy();
  });

  it('tells how to connect a client when none is connected', async () => {
    await renderApp();
    const snapshot = bridge.buildSnapshot();
    act(() =>
      bridge.emit({
        type: 'snapshot',
        snapshot: { ...snapshot, sessions: [], counts: { ...snapshot.counts, sessions: 0 } },
      }),
    );
    await userEvent.click(screen.getByRole('tab', { name: 'Sessions' }));
    expect(screen.getByRole('heading', { name: 'No client connected' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    expect(screen.getByRole('tab', { name: 'Connect' }).getAttribute('aria-selected')).toBe('true');
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Connect a client' })).toBeTruthy());
  });
});

describe('status that is true', () => {
  it('shows every backend as Paused while the endpoint is off, with no error, and why its tools are missing', async () => {
    bridge.backends = [
      backendStatus('alpha', {
        state: 'down',
        lastError: { message: 'connect ECONNREFUSED', at: Date.now() },
      }),
    ];
    bridge.running = false;
    await renderApp();
    const row = screen.getAllByRole('row')[1]!;
    expect(within(row).getByText('Paused')).toBeTruthy();
    expect(within(row).queryByText(/ECONNREFUSED/)).toBeNull();
    bridge.details.alpha = { ...(await bridge.backend('alpha')), tools: [] };
    await userEvent.click(within(row).getByRole('button', { name: 'alpha' }));
    await act(() => flush());
    const panel = screen.getByRole('complementary', { name: 'alpha' });
    expect(within(panel).getByRole('status').textContent).toMatch(/endpoint is off/);
    expect(within(panel).queryByRole('note', { name: 'Last error' })).toBeNull();
  });

  it('focuses the detail when it opens and closes it with Escape, focus back on the row', async () => {
    await renderApp();
    await userEvent.click(screen.getByRole('button', { name: 'beta' }));
    await act(() => flush());
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'beta' }));
    await userEvent.keyboard('{Escape}');
    await act(() => flush());
    expect(screen.queryByRole('complementary')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'beta' }));
  });

  it('says when the engine is unreachable, above everything', async () => {
    await renderApp();
    bridge.failures.set('snapshot', new Error('Failed to fetch'));
    await act(() => dashboard.gateway.getState().load());
    const banner = screen.getByRole('alert');
    expect(banner.textContent).toMatch(/Switchyard is not answering/);
    expect(screen.getByText('Unknown')).toBeTruthy(); // not "Running"
    bridge.failures.delete('snapshot');
    await act(() => dashboard.gateway.getState().load());
    expect(screen.queryByText(/Switchyard is not answering/)).toBeNull();
  });

  it('tells the outcome of a reconnect', async () => {
    bridge.reconnectOutcome = { state: 'down', error: 'connect ECONNREFUSED 127.0.0.1:9' };
    await renderApp();
    await userEvent.click(screen.getByRole('button', { name: 'alpha' }));
    await act(() => flush());
    await userEvent.click(screen.getByRole('button', { name: /Reconnect/ }));
    await act(() => flush(10));
    expect(screen.getByRole('alert').textContent).toMatch(/alpha could not reconnect: connect ECONNREFUSED/);
  });
});

describe('conflicts at scale', () => {
  const many = (names: string[], same: boolean) =>
    names.map((name) =>
      echoConflict({
        id: `tool:${name}`,
        name,
        candidates: ['alpha', 'beta'].map((backend, i) => ({
          backend,
          originalName: name,
          advertisedAs: i ? `${backend}__${name}` : name,
          definition: { name, description: same ? 'Same' : `From ${backend}` },
        })),
      }),
    );

  it('groups identical ones, decides a group with one notification, and undoes it in one step', async () => {
    bridge.conflicts = [...many(['s1', 's2', 's3', 's4'], true), ...many(['d1', 'd2', 'd3', 'd4'], false)];
    await renderApp();
    dashboard.ui.getState().setView('conflicts');
    await act(() => flush());
    expect(screen.getAllByRole('article')).toHaveLength(5); // 4 cards and one group
    const group = screen.getByRole('article', { name: /^4 identical tools in alpha and beta/ });
    await userEvent.click(within(group).getByRole('button', { name: "Use beta's for all" }));
    await act(() => flush(20));
    expect(bridge.callsOf('resolveConflict')).toEqual(
      ['s1', 's2', 's3', 's4'].map((n) => [`tool:${n}`, { action: 'winner', backend: 'beta' }]),
    );
    const toasts = screen.getAllByRole('status').filter((el) => el.classList.contains('toast'));
    expect(toasts).toHaveLength(1);
    expect(toasts[0]!.textContent).toMatch(/beta keeps 4 tools: 4 of 4 conflicts changed/);
    await userEvent.click(within(toasts[0]!).getByRole('button', { name: 'Undo' }));
    await act(() => flush(20));
    expect(
      bridge
        .callsOf('resolveConflict')
        .slice(4)
        .map((c) => c[1]),
    ).toEqual([null, null, null, null]);
    expect(bridge.conflicts.every((c) => c.open)).toBe(true);
  });

  it('moves focus to the next open conflict after a decision; the order stays', async () => {
    bridge.conflicts = many(['d1', 'd2', 'd3', 'd4', 'd5'], false);
    await renderApp();
    dashboard.ui.getState().setView('conflicts');
    await act(() => flush());
    const order = () => screen.getAllByRole('article').map((a) => a.textContent?.slice(0, 12));
    const before = order();
    await userEvent.click(screen.getByRole('button', { name: 'tool d2' }));
    await userEvent.click(screen.getByRole('button', { name: 'Use this one: alpha keeps d2' }));
    await act(() => flush(10));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'tool d3' }));
    expect(screen.getByRole('button', { name: 'tool d3' }).getAttribute('aria-expanded')).toBe('true');
    expect(order().length).toBe(before.length);
  });

  it('searches conflicts and keeps the search in the address', async () => {
    bridge.conflicts = many(['alpha_tool', 'beta_tool', 'gamma_tool', 'delta_tool'], false);
    await renderApp();
    const stop = startRouter(dashboard, window);
    dashboard.ui.getState().setView('conflicts');
    await act(() => flush());
    await userEvent.type(screen.getByLabelText('Search'), 'gam');
    expect(screen.getAllByRole('article')).toHaveLength(1);
    expect(window.location.hash).toBe('#/conflicts?q=gam');
    stop();
  });
});

describe('routes', () => {
  it('opens the view and filters in the address, and follows back/forward', async () => {
    window.history.replaceState(null, '', '/#/audit?backend=alpha&tool=tool_1');
    await renderApp();
    const stop = startRouter(dashboard, window);
    await act(() => flush());
    expect(screen.getByRole('tab', { name: 'Audit' }).getAttribute('aria-selected')).toBe('true');
    expect(dashboard.audit.getState().filter).toMatchObject({ backends: ['alpha'], name: 'tool_1' });
    await userEvent.click(screen.getByRole('tab', { name: /Sessions/ }));
    expect(window.location.hash).toBe('#/sessions');
    window.history.back();
    await waitFor(() =>
      expect(screen.getByRole('tab', { name: 'Audit' }).getAttribute('aria-selected')).toBe('true'),
    );
    stop();
    window.history.replaceState(null, '', '/');
  });
});

describe('first run', () => {
  it('shows the checklist on an empty install and ticks a step off when a client connects', async () => {
    bridge.backends = [];
    await renderApp();
    const snapshot = bridge.buildSnapshot();
    act(() => bridge.emit({ type: 'snapshot', snapshot: { ...snapshot, sessions: [] } }));
    const list = screen.getByRole('region', { name: 'Get started' });
    expect(within(list).getByText('0 of 3 done')).toBeTruthy();
    act(() =>
      bridge.emit({
        type: 'snapshot',
        snapshot: { ...snapshot, sessions: [{ ...snapshot.sessions[0]!, calls: 0 }] },
      }),
    );
    expect(within(list).getByText('1 of 3 done')).toBeTruthy();
    expect(within(list).getByText('Connect a client').closest('li')!.textContent).toContain('(done)');
    expect(within(list).getByText('Add an MCP server').closest('li')!.textContent).toContain('(to do)');
    act(() => bridge.emit({ type: 'audit', rows: [auditRow(1, Date.now())] }));
    expect(within(list).getByText('2 of 3 done')).toBeTruthy();
    await userEvent.click(within(list).getByRole('button', { name: 'Hide this list' }));
    expect(screen.queryByRole('region', { name: 'Get started' })).toBeNull();
  });
});

describe('strategy preview', () => {
  it('shows what a strategy would change for the connected clients before it is applied', async () => {
    bridge.preview = {
      strategy: 'priority',
      current: 'auto',
      tools: {
        before: 4,
        after: 3,
        gained: [],
        lost: [{ name: 'beta__echo', backend: 'beta', originalName: 'echo' }],
      },
      prompts: { before: 2, after: 1, gained: [], lost: [{ name: 'p', backend: 'beta', originalName: 'p' }] },
      openConflicts: { before: 1, after: 0 },
      profiles: [],
    };
    await renderApp();
    dashboard.ui.getState().setView('conflicts');
    await act(() => flush());
    await userEvent.selectOptions(screen.getByLabelText('Default strategy'), 'priority');
    await act(() => flush());
    expect(bridge.callsOf('previewStrategy')).toEqual([['priority']]);
    expect(bridge.callsOf('setStrategy')).toEqual([]);
    const impact = document.querySelector('.strategy-impact')!;
    expect(impact.textContent).toMatch(
      /Tools 4 → 3, prompts 2 → 1 on \/mcp for the 1 connected client; open conflicts 1 → 0/,
    );
    expect(impact.textContent).toMatch(/Tools lost: beta__echo/);
    await userEvent.click(screen.getByRole('button', { name: 'Use this strategy' }));
    await act(() => flush());
    expect(bridge.callsOf('setStrategy')).toEqual([['priority']]);
    // One step back: the toast's Undo sets the previous strategy.
    const toast = screen.getAllByRole('status').find((el) => el.textContent?.includes('Conflict strategy'))!;
    await userEvent.click(within(toast).getByRole('button', { name: 'Undo' }));
    await act(() => flush());
    expect(bridge.callsOf('setStrategy')).toEqual([['priority'], ['auto']]);
  });
});

describe('strategy preview per profile', () => {
  it('shows each profile’s counts and the names its client would lose and gain', async () => {
    const change = (name: string, backend = 'beta') => ({ name, backend, originalName: name });
    bridge.preview = {
      strategy: 'prefix',
      current: 'auto',
      tools: { before: 4, after: 4, gained: [change('beta__whoami')], lost: [change('whoami')] },
      prompts: { before: 0, after: 0, gained: [], lost: [] },
      openConflicts: { before: 1, after: 0 },
      profiles: [
        {
          profile: 'narrow',
          clientLabel: 'Cursor',
          tools: { before: 2, after: 2, gained: [], lost: [] },
          prompts: { before: 0, after: 0, gained: [], lost: [] },
          search: false,
        },
        {
          profile: 'code',
          clientLabel: 'Claude Code',
          tools: {
            before: 3,
            after: 2,
            gained: [change('beta__whoami')],
            lost: [change('whoami'), change('echo'), change('a'), change('b'), change('c'), change('d')],
          },
          prompts: { before: 1, after: 0, gained: [], lost: [change('greet')] },
          search: true,
        },
      ],
    };
    await renderApp();
    dashboard.ui.getState().setView('conflicts');
    await act(() => flush());
    await userEvent.selectOptions(screen.getByLabelText('Default strategy'), 'prefix');
    await act(() => flush());
    const table = screen.getByRole('table', { name: /Per profile/ });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map((r) =>
        within(r)
          .getAllByRole('cell')
          .map((c) => c.textContent),
      ),
    ).toEqual([
      ['2', '0', 'no change'],
      ['3 → 2 (search mode)', '1 → 0', '−whoami, −echo, −a, −b, −c, −d and 2 more'],
    ]);
    expect(within(rows[0]!).getByRole('rowheader').textContent).toBe('narrow Cursor');
    expect(within(rows[1]!).getByRole('rowheader').textContent).toBe('code Claude Code');
  });
});

describe('Try it', () => {
  it('builds a form from the input schema, checks it, and shows the result', async () => {
    bridge.details.alpha = {
      ...(await bridge.backend('alpha')),
      tools: [
        {
          kind: 'tool',
          originalName: 'add',
          advertisedAs: 'add',
          description: 'Add two numbers',
          definition: {
            name: 'add',
            inputSchema: {
              type: 'object',
              properties: {
                a: { type: 'number', description: 'first' },
                mode: { enum: ['fast', 'exact'] },
                loud: { type: 'boolean' },
                tags: { type: 'array', items: { type: 'string' } },
              },
              required: ['a'],
            },
          },
        },
      ],
    };
    bridge.calls = [];
    await renderApp();
    dashboard.ui.getState().setView('tools');
    await act(() => flush());
    await userEvent.click(screen.getByRole('button', { name: 'Try it: add' }));
    const panel = screen.getByRole('region', { name: 'Try add' });
    expect(document.activeElement).toBe(within(panel).getByRole('heading', { name: 'Try add' }));
    await userEvent.click(within(panel).getByRole('button', { name: 'Call the tool' }));
    expect(within(panel).getByRole('alert').textContent).toBe('a is required');
    await userEvent.type(within(panel).getByRole('textbox', { name: 'a (required)' }), '2.5');
    await userEvent.selectOptions(within(panel).getByLabelText('mode'), 'exact');
    await userEvent.selectOptions(within(panel).getByLabelText('loud'), 'true');
    fireEvent.change(within(panel).getByLabelText(/tags/), { target: { value: '["x","y"]' } });
    await userEvent.click(within(panel).getByRole('button', { name: 'Call the tool' }));
    await act(() => flush());
    expect(bridge.callsOf('callTool')).toEqual([
      ['add', { a: 2.5, mode: 'exact', loud: true, tags: ['x', 'y'] }],
    ]);
    expect(within(panel).getByLabelText('Result').textContent).toContain('add: {');
  });
});

describe('tools on and off', () => {
  it('turns a tool off for every client from the Tools view', async () => {
    bridge.details.beta = { ...(await bridge.backend('beta')) };
    await renderApp();
    dashboard.ui.getState().setView('tools');
    await act(() => flush());
    const toggle = screen.getByRole('switch', { name: 'echo on beta offered to clients' });
    expect(toggle.getAttribute('aria-checked')).toBe('true');
    await userEvent.click(toggle);
    await act(() => flush(10));
    expect(bridge.callsOf('setToolEnabled')).toEqual([['beta', 'echo', false]]);
    const row = screen.getByRole('switch', { name: 'echo on beta offered to clients' }).closest('tr')!;
    expect(within(row).getByText('off')).toBeTruthy();
    expect(
      screen.getByRole('switch', { name: 'echo on beta offered to clients' }).getAttribute('aria-checked'),
    ).toBe('false');
  });
});
