// The tray as pure functions of the engine's state (electron/tray-model.ts): icon, tooltip and menu
// for each state, and the Electron menu template the actions run from.
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../common/control/snapshot.js';
import type { EngineStatus } from '../../../electron/engine-client.js';
import {
  statusLine,
  toMenuTemplate,
  trayIconFile,
  trayMenuModel,
  trayState,
  trayTooltip,
  type TrayAction,
  type TrayInput,
  type TrayItem,
} from '../../../electron/tray-model.js';

const URL = 'http://127.0.0.1:4750/mcp';
const running: EngineStatus = { state: 'running', started: { url: URL, token: 'keyring' } };

function backend(name: string, state: Snapshot['backends'][number]['state'], extra: object = {}) {
  return {
    name,
    state,
    since: 0,
    transport: 'streamable-http' as const,
    source: { kind: 'config' as const },
    target: `http://127.0.0.1:3001/${name}`,
    counts: { tools: 2, prompts: 0, resources: 0, resourceTemplates: 0 },
    enabled: state !== 'disabled',
    ...extra,
  };
}

function snapshot(overrides: Partial<Snapshot> = {}, openConflicts = 0): Snapshot {
  return {
    version: '0.1.0',
    gateway: { state: 'running', url: URL, auth: 'token', startedAt: 1 },
    paths: { dataDir: '/tmp/switchyard' },
    discovery: [],
    backends: [backend('everything', 'ready'), backend('memory', 'ready', { transport: 'stdio' })],
    conflicts: [],
    strategy: 'auto',
    sessions: [],
    counts: { tools: 4, prompts: 0, resources: 0, resourceTemplates: 0, openConflicts, sessions: 0 },
    ...overrides,
  };
}

const input = (over: Partial<TrayInput> = {}): TrayInput => ({
  engine: running,
  snapshot: snapshot(),
  openAtLogin: false,
  loginItemSupported: true,
  quitting: false,
  ...over,
});

const byId = (items: TrayItem[], id: string) =>
  items.find((i): i is Exclude<TrayItem, { type: 'separator' }> => i.type !== 'separator' && i.id === id);
const labels = (items: TrayItem[]) => items.map((i) => (i.type === 'separator' ? '---' : i.label));

describe('tray state (icon)', () => {
  it('running, with nothing to look at', () => {
    expect(trayState(input())).toBe('running');
  });
  it('needs attention with open conflicts, or an enabled backend down', () => {
    expect(trayState(input({ snapshot: snapshot({}, 2) }))).toBe('attention');
    expect(
      trayState(input({ snapshot: snapshot({ backends: [backend('a', 'ready'), backend('b', 'down')] }) })),
    ).toBe('attention');
    // A disabled backend is the user's choice, not a problem.
    expect(trayState(input({ snapshot: snapshot({ backends: [backend('a', 'disabled')] }) }))).toBe(
      'running',
    );
  });
  it('stopped when the gateway is off, or the engine is not up yet', () => {
    expect(trayState(input({ snapshot: snapshot({ gateway: { state: 'stopped', auth: 'token' } }) }))).toBe(
      'stopped',
    );
    expect(trayState(input({ engine: { state: 'starting' }, snapshot: undefined }))).toBe('stopped');
    expect(trayState(input({ snapshot: undefined }))).toBe('stopped');
  });
  it('error when the engine failed or the gateway reports an error', () => {
    expect(trayState(input({ engine: { state: 'failed', error: 'port in use' } }))).toBe('error');
    expect(
      trayState(input({ snapshot: snapshot({ gateway: { state: 'error', auth: 'token', error: 'boom' } }) })),
    ).toBe('error');
  });
  it('uses template images on macOS, coloured ones elsewhere', () => {
    expect(trayIconFile('attention', 'darwin')).toBe('attentionTemplate.png');
    expect(trayIconFile('attention', 'linux')).toBe('attention.png');
    expect(trayIconFile('error', 'win32')).toBe('error.png');
  });
});

describe('tray menu', () => {
  it('running: status with the endpoint, Pause gateway, copy URL, backends, dashboard, login, quit', () => {
    const menu = trayMenuModel(input());
    expect(labels(menu)).toEqual([
      `Running on ${URL}`,
      '---',
      'Pause gateway',
      'Copy endpoint URL',
      '---',
      'Backends (2/2 ready)',
      '---',
      'Open dashboard',
      'Start at login',
      '---',
      'Quit Switchyard',
    ]);
    expect(byId(menu, 'status')).toMatchObject({ enabled: false });
    expect(byId(menu, 'toggle-gateway')).toMatchObject({
      enabled: true,
      action: { kind: 'set-gateway', running: false },
    });
    expect(byId(menu, 'copy-endpoint')).toMatchObject({
      enabled: true,
      action: { kind: 'copy-endpoint', url: URL },
    });
    expect(byId(menu, 'quit')).toMatchObject({ action: { kind: 'quit' } });
  });

  it('lists each backend with its status', () => {
    const s = snapshot({
      backends: [
        backend('everything', 'ready'),
        backend('memory', 'down', { displayName: 'Notes memory' }),
        backend('old', 'disabled'),
      ],
    });
    const sub = byId(trayMenuModel(input({ snapshot: s })), 'backends');
    expect(
      sub?.type === 'submenu' && sub.submenu.map((i) => (i.type === 'separator' ? '' : i.label)),
    ).toEqual(['everything — ready (2 tools)', 'Notes memory — down', 'old — disabled']);
    expect(sub?.label).toBe('Backends (1/2 ready)');
    const empty = byId(trayMenuModel(input({ snapshot: snapshot({ backends: [] }) })), 'backends');
    expect(empty?.type === 'submenu' && empty.submenu[0]).toMatchObject({
      label: 'No backends yet',
      enabled: false,
    });
  });

  it('offers "Resolve N conflicts…" that opens the conflicts view', () => {
    const menu = trayMenuModel(input({ snapshot: snapshot({}, 3) }));
    expect(byId(menu, 'resolve-conflicts')).toMatchObject({
      label: 'Resolve 3 conflicts…',
      action: { kind: 'open-dashboard', view: 'conflicts' },
    });
    expect(byId(trayMenuModel(input({ snapshot: snapshot({}, 1) })), 'resolve-conflicts')?.label).toBe(
      'Resolve 1 conflict…',
    );
    expect(byId(trayMenuModel(input()), 'resolve-conflicts')).toBeUndefined();
  });

  it('shows a notice and a count for tool changes to review, opening the Changes view', () => {
    const counts = (changesToReview: number, heldTools: number) => ({
      ...snapshot().counts,
      changesToReview,
      heldTools,
    });
    const withChanges = input({ snapshot: snapshot({ counts: counts(2, 1) }) });
    expect(byId(trayMenuModel(withChanges), 'review-changes')).toMatchObject({
      label: 'Review 2 tool changes (1 held)…',
      action: { kind: 'open-dashboard', view: 'changes' },
    });
    expect(trayState(withChanges)).toBe('attention');
    expect(trayTooltip(withChanges)).toContain('2 tool changes to review');
    expect(
      byId(trayMenuModel(input({ snapshot: snapshot({ counts: counts(1, 0) }) })), 'review-changes')?.label,
    ).toBe('Review 1 tool change…');
    expect(byId(trayMenuModel(input()), 'review-changes')).toBeUndefined();
    expect(trayState(input())).toBe('running');
  });

  it('gateway off is a pause: Paused, Resume gateway, the endpoint and backends keep their state', () => {
    const paused = snapshot({
      gateway: { state: 'stopped', auth: 'token', url: URL, paused: true },
      backends: [backend('a', 'ready'), backend('b', 'down')],
    });
    const menu = trayMenuModel(input({ snapshot: paused }));
    expect(menu[0]).toMatchObject({ label: 'Paused: clients stay connected, calls wait for Resume' });
    expect(menu[0]!.type !== 'separator' && menu[0]!.label).not.toMatch(/down|off/i);
    expect(byId(menu, 'toggle-gateway')).toMatchObject({
      label: 'Resume gateway',
      enabled: true,
      action: { kind: 'set-gateway', running: true },
    });
    // Sessions stay on the same URL while paused.
    expect(byId(menu, 'copy-endpoint')).toMatchObject({ enabled: true });
    const sub = byId(menu, 'backends');
    expect(
      sub?.type === 'submenu' && sub.submenu.map((i) => (i.type === 'separator' ? '' : i.label)),
    ).toEqual(['a — ready (2 tools)', 'b — down']);
    expect(trayTooltip(input({ snapshot: paused }))).toMatch(/^Switchyard — Paused/);
    expect(
      trayMenuModel(input({ snapshot: snapshot({ gateway: { state: 'stopping', auth: 'token' } }) }))[0],
    ).toMatchObject({ label: 'Pausing the gateway…' });
  });

  it('engine starting: nothing to switch yet', () => {
    const menu = trayMenuModel(input({ engine: { state: 'starting' }, snapshot: undefined }));
    expect(menu[0]).toMatchObject({ label: 'Starting…' });
    expect(byId(menu, 'toggle-gateway')).toMatchObject({ enabled: false });
    expect(byId(menu, 'backends')).toBeUndefined();
    expect(byId(menu, 'open-dashboard')).toMatchObject({ enabled: true });
  });

  it('engine failed: the error, and Restart', () => {
    const menu = trayMenuModel(
      input({ engine: { state: 'failed', error: 'listen EADDRINUSE 127.0.0.1:4750' }, snapshot: undefined }),
    );
    expect(menu[0]).toMatchObject({ label: 'Error: listen EADDRINUSE 127.0.0.1:4750', enabled: false });
    expect(byId(menu, 'restart-engine')).toMatchObject({ enabled: true, action: { kind: 'restart-engine' } });
    expect(byId(menu, 'toggle-gateway')).toBeUndefined();
  });

  it('quitting: says what it stops, and offers nothing else', () => {
    const menu = trayMenuModel(input({ quitting: true }));
    expect(labels(menu)).toEqual(['Stopping the gateway and 1 stdio server…', '---', 'Quitting…']);
    expect(menu.every((i) => i.type === 'separator' || !i.enabled)).toBe(true);
    expect(statusLine(input({ quitting: true, snapshot: snapshot({ backends: [] }) }))).toBe(
      'Stopping the gateway…',
    );
  });

  it('start at login: off by default, opt-in, hidden where unsupported', () => {
    expect(byId(trayMenuModel(input()), 'open-at-login')).toMatchObject({
      type: 'checkbox',
      checked: false,
      action: { kind: 'set-open-at-login', openAtLogin: true },
    });
    expect(byId(trayMenuModel(input({ openAtLogin: true })), 'open-at-login')).toMatchObject({
      checked: true,
      action: { kind: 'set-open-at-login', openAtLogin: false },
    });
    expect(byId(trayMenuModel(input({ loginItemSupported: false })), 'open-at-login')).toBeUndefined();
  });

  it('tooltip: status, backends ready, what needs attention', () => {
    expect(trayTooltip(input({ snapshot: snapshot({}, 2) }))).toBe(
      `Switchyard — Running on ${URL}\n2/2 backends ready, 4 tools\n2 conflicts to resolve`,
    );
  });
});

describe('menu template', () => {
  it('maps descriptors to Electron items whose click runs the action', () => {
    const ran: TrayAction[] = [];
    const template = toMenuTemplate(trayMenuModel(input({ snapshot: snapshot({}, 1) })), (a) => ran.push(a));
    const find = (id: string) => template.find((t) => t.id === id)!;
    expect(template[1]).toEqual({ type: 'separator' });
    expect(find('status').click).toBeUndefined();
    expect(find('open-at-login')).toMatchObject({ type: 'checkbox', checked: false });
    const click = (id: string) => (find(id).click as () => void)();
    click('toggle-gateway');
    click('resolve-conflicts');
    click('open-at-login');
    click('quit');
    expect(ran).toEqual([
      { kind: 'set-gateway', running: false },
      { kind: 'open-dashboard', view: 'conflicts' },
      { kind: 'set-open-at-login', openAtLogin: true },
      { kind: 'quit' },
    ]);
    const backends = find('backends');
    expect(Array.isArray(backends.submenu)).toBe(true);
  });

  it('keeps a literal & in a label (Electron reads a single & as a mnemonic)', () => {
    const s = snapshot({ backends: [backend('rnd', 'ready', { displayName: 'R&D tools' })] });
    const model = byId(trayMenuModel(input({ snapshot: s })), 'backends');
    expect(model?.type === 'submenu' && model.submenu[0]).toMatchObject({
      label: 'R&D tools — ready (2 tools)',
    });
    const template = toMenuTemplate(trayMenuModel(input({ snapshot: s })), () => undefined);
    const submenu = template.find((t) => t.id === 'backends')!.submenu as { label?: string }[];
    expect(submenu[0]!.label).toBe('R&&D tools — ready (2 tools)');
  });
});
