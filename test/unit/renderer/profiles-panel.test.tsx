// @vitest-environment happy-dom
// The Connect view's Profiles panel, with the in-memory bridge: what each profile's client will see
// against what it accepts, what the budget cut, which names were shortened.
import { act, cleanup, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileReport } from '../../../renderer/src/contract.js';
import { overLimit, profileSentence } from '../../../renderer/src/lib/profiles.js';
import type { Dashboard } from '../../../renderer/src/stores/dashboard.js';
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
