// @vitest-environment happy-dom
// The Connect view's Profiles panel, with the in-memory bridge: what each profile's client will see
// against what it accepts, what the budget cut, which names were shortened.
import { act, cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileReport } from '../../../renderer/src/contract.js';
import { overLimit, profileSentence } from '../../../renderer/src/lib/profiles.js';
import type { Dashboard } from '../../../renderer/src/stores/dashboard.js';
import { BridgeError } from '../../../renderer/src/bridge/bridge.js';
import { flush, MemoryBridge } from './memory-bridge.js';
import { renderDashboard } from './render-dashboard.js';

function report(patch: Partial<ProfileReport>): ProfileReport {
  return {
    profile: 'cursor',
    client: 'cursor',
    clientLabel: 'Cursor',
    endpointPath: '/mcp/cursor',
    selected: 112,
    advertised: 112,
    reachable: 112,
    budget: 200,
    clientLimit: 80,
    limitKind: 'hard',
    search: false,
    searchSetting: 'off',
    nameRule: '<switchyard> + <tool> < 60',
    maxNameLength: 49,
    cut: [],
    shortened: [],
    ...patch,
  };
}

describe('profile sentences', () => {
  it('say what the client will see against its limit', () => {
    expect(profileSentence(report({}))).toBe('Cursor will see 112 tools; its limit is 80.');
    expect(overLimit(report({}))).toBe(true);
    expect(profileSentence(report({ advertised: 80, limitKind: 'soft' }))).toBe(
      'Cursor will see 80 tools; it warns past 80.',
    );
    expect(profileSentence(report({ search: true, advertised: 2 }))).toBe(
      'Cursor will see find_tools and call_tool (search mode), reaching 112 tools.',
    );
    expect(profileSentence(report({ client: 'generic', clientLimit: null, advertised: 1 }))).toBe(
      'Clients of /mcp/cursor will see 1 tool.',
    );
  });
});

describe('the Profiles panel', () => {
  let bridge: MemoryBridge;
  let dashboard: Dashboard;

  beforeEach(() => {
    bridge = new MemoryBridge();
    bridge.profileReports = [
      report({
        profile: 'default',
        client: 'generic',
        clientLabel: 'Any client',
        endpointPath: '/mcp',
        clientLimit: null,
        budget: null,
        limitKind: null,
      }),
      report({
        cut: ['github/delete_repo'],
        shortened: [{ from: 'a'.repeat(60), to: 'aaa_123abc', backend: 'x' }],
      }),
    ];
  });

  afterEach(() => {
    cleanup();
    dashboard?.stop();
  });

  it("shows each profile on the Connect view, flagging one over its client's limit", async () => {
    ({ dashboard } = await renderDashboard(bridge));
    await userEvent.click(screen.getByRole('tab', { name: 'Connect' }));
    await act(() => flush());
    expect(bridge.callsOf('profiles').length).toBeGreaterThan(0);
    const cursor = screen.getByRole('listitem', { name: 'Profile cursor' });
    const sentence = within(cursor).getByText('Cursor will see 112 tools; its limit is 80.');
    expect(sentence.className).toBe('form-error');
    expect(within(cursor).getByText('1 tool cut by the budget')).toBeTruthy();
    expect(within(cursor).getByText('github/delete_repo')).toBeTruthy();
    expect(within(cursor).getByText('1 name shortened to fit')).toBeTruthy();
    const whole = screen.getByRole('listitem', { name: 'Profile default' });
    expect(within(whole).getByText('Clients of /mcp will see 112 tools.')).toBeTruthy();
  });
});

describe("a profile's tool pick", () => {
  let bridge: MemoryBridge;
  let dashboard: Dashboard;
  const choice = (backend: string, name: string, selected: boolean, description?: string) => ({
    key: `${backend}/${name}`,
    backend,
    originalName: name,
    name,
    selected,
    ...(description ? { description } : {}),
  });

  beforeEach(async () => {
    bridge = new MemoryBridge();
    bridge.profileReports = [
      report({ profile: 'default', client: 'generic', clientLabel: 'Any client', endpointPath: '/mcp' }),
      report({ selected: 3, advertised: 3, reachable: 3, budget: 2, clientLimit: 2 }),
    ];
    bridge.profileToolLists.cursor = {
      profile: 'cursor',
      backends: null,
      include: [],
      exclude: ['github/delete_repo'],
      newTools: 'shown',
      budget: 2,
      clientLimit: 2,
      limitKind: 'hard',
      clientLabel: 'Cursor',
      tools: [
        choice('github', 'search_code', true, 'Search code'),
        choice('github', 'delete_repo', false, 'Delete a repository'),
        choice('memory', 'read_graph', true),
        choice('memory', 'add_note', true),
      ],
    };
    ({ dashboard } = await renderDashboard(bridge));
    await userEvent.click(screen.getByRole('tab', { name: 'Connect' }));
    await act(() => flush());
  });

  afterEach(() => {
    cleanup();
    dashboard?.stop();
  });

  it('offers no pick for the default profile, and sends the user to Tools', async () => {
    const whole = screen.getByRole('listitem', { name: 'Profile default' });
    expect(within(whole).queryByRole('button', { name: /Choose tools/ })).toBeNull();
    await userEvent.click(within(whole).getByRole('button', { name: 'Tools' }));
    expect(dashboard.ui.getState().view).toBe('tools');
  });

  it('lists the tools with labelled checkboxes, counts against the limit, and saves once', async () => {
    const cursor = screen.getByRole('listitem', { name: 'Profile cursor' });
    const open = within(cursor).getByRole('button', { name: 'Choose tools for cursor' });
    await userEvent.click(open);
    await act(() => flush());
    expect(open.getAttribute('aria-expanded')).toBe('true');
    const pick = within(cursor).getByRole('group', { name: 'Tools of cursor' });
    const box = (name: string) => within(pick).getByRole('checkbox', { name: new RegExp(`^${name}`) });
    expect((box('search_code') as HTMLInputElement).checked).toBe(true);
    expect((box('delete_repo') as HTMLInputElement).checked).toBe(false);
    const count = within(pick).getByText(/of 4 tools picked/);
    expect(count.textContent).toContain('3 of 4 tools picked · budget 2 · Cursor accepts at most 2');
    expect(count.className).toBe('form-error');
    const save = within(pick).getByRole('button', { name: 'Save' });
    expect((save as HTMLButtonElement).disabled).toBe(true);

    // Keyboard: focus a checkbox and toggle it with Space.
    box('add_note').focus();
    await userEvent.keyboard(' ');
    expect(count.textContent).toContain('2 of 4 tools picked');
    expect(count.className).toBe('muted');
    expect((save as HTMLButtonElement).disabled).toBe(false);

    // Search narrows the list; "Clear memory" acts on the whole backend.
    await userEvent.type(within(pick).getByRole('searchbox', { name: 'Find tools' }), 'repo');
    expect(within(pick).queryByRole('checkbox', { name: /^search_code/ })).toBeNull();
    await userEvent.click(within(pick).getByRole('button', { name: 'Pick all shown' }));
    expect((box('delete_repo') as HTMLInputElement).checked).toBe(true);
    await userEvent.clear(within(pick).getByRole('searchbox', { name: 'Find tools' }));
    await userEvent.click(within(pick).getByRole('button', { name: 'Clear memory' }));
    expect(count.textContent).toContain('2 of 4 tools picked');

    await userEvent.click(save);
    await act(() => flush());
    expect(bridge.callsOf('setProfileTools')).toEqual([
      [
        'cursor',
        ['github/search_code', 'github/delete_repo'],
        ['github/search_code', 'github/delete_repo', 'memory/read_graph', 'memory/add_note'],
      ],
    ]);
    // The pick closes, the report is reloaded, and one toast says what the client now sees.
    expect(within(cursor).queryByRole('group', { name: 'Tools of cursor' })).toBeNull();
    expect(within(cursor).getByText('Cursor will see 2 tools; its limit is 2.')).toBeTruthy();
    const toasts = dashboard.ui.getState().toasts;
    expect(toasts.map((t) => t.message)).toEqual([
      'Saved the tools of cursor. Cursor will see 2 tools; its limit is 2.',
    ]);
  });

  it("follows the profile's tools while open: a tool added shows up, one dropped goes, ticks are kept", async () => {
    const cursor = screen.getByRole('listitem', { name: 'Profile cursor' });
    await userEvent.click(within(cursor).getByRole('button', { name: 'Choose tools for cursor' }));
    await act(() => flush());
    const pick = within(cursor).getByRole('group', { name: 'Tools of cursor' });
    const box = (name: string) =>
      within(pick).queryByRole('checkbox', { name: new RegExp(`^${name}`) }) as HTMLInputElement | null;
    await userEvent.click(box('read_graph')!);
    expect(box('read_graph')!.checked).toBe(false);
    // A backend adds a tool (the profile shows it: new tools show) and drops one; a snapshot comes.
    const tools = bridge.profileToolLists.cursor!.tools;
    bridge.profileToolLists.cursor!.tools = [
      ...tools.filter((t) => t.key !== 'memory/add_note'),
      choice('memory', 'new_tool', true),
    ];
    act(() => bridge.emit({ type: 'snapshot', snapshot: bridge.buildSnapshot() }));
    await act(() => flush());
    expect(box('new_tool')?.checked).toBe(true);
    expect(box('add_note')).toBeNull();
    expect(box('read_graph')!.checked).toBe(false); // the user's untick survives the refresh
    expect(within(pick).getByText(/of 4 tools picked/).textContent).toContain('2 of 4 tools picked');
    await userEvent.click(within(pick).getByRole('button', { name: 'Save' }));
    await act(() => flush());
    expect(bridge.callsOf('setProfileTools')).toEqual([
      [
        'cursor',
        ['github/search_code', 'memory/new_tool'],
        ['github/search_code', 'github/delete_repo', 'memory/read_graph', 'memory/new_tool'],
      ],
    ]);
  });

  it('shows why a save failed and keeps the draft', async () => {
    const cursor = screen.getByRole('listitem', { name: 'Profile cursor' });
    await userEvent.click(within(cursor).getByRole('button', { name: 'Choose tools for cursor' }));
    await act(() => flush());
    const pick = within(cursor).getByRole('group', { name: 'Tools of cursor' });
    await userEvent.click(within(pick).getByRole('checkbox', { name: /^read_graph/ }));
    bridge.failures.set(
      'setProfileTools',
      new BridgeError(
        'config.yaml:3:5  profiles.cursor: unknown key\nFix the file first; it was not changed.',
        409,
      ),
    );
    await userEvent.click(within(pick).getByRole('button', { name: 'Save' }));
    await act(() => flush());
    expect(within(pick).getByRole('alert').textContent).toMatch(/profiles\.cursor: unknown key/);
    expect((within(pick).getByRole('checkbox', { name: /^read_graph/ }) as HTMLInputElement).checked).toBe(
      false,
    );
  });
});
