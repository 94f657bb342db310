// The tray, as pure functions of the engine's real state: which icon, which tooltip, which menu.
// main.ts turns the menu descriptors into an Electron Menu and runs the actions; nothing here keeps
// state of its own, so the tray can never disagree with the engine (lessons: toolhive-studio#952).
import type { MenuItemConstructorOptions } from 'electron';
import type { Snapshot } from '../common/control/snapshot.js';
import type { EngineStatus } from './engine-client.js';

/** The four icon states (resources/tray/<state>.png, and <state>Template.png on macOS). */
export type TrayState = 'running' | 'stopped' | 'error' | 'attention';
export const TRAY_STATES: readonly TrayState[] = ['running', 'stopped', 'error', 'attention'];

export type TrayAction =
  | { kind: 'set-gateway'; running: boolean }
  | { kind: 'copy-endpoint'; url: string }
  | { kind: 'open-dashboard'; view?: 'backends' | 'conflicts' | 'changes' }
  | { kind: 'set-open-at-login'; openAtLogin: boolean }
  | { kind: 'restart-engine' }
  | { kind: 'quit' };

export type TrayItem =
  | { type: 'separator' }
  | { type: 'normal'; id: string; label: string; enabled: boolean; action?: TrayAction }
  | { type: 'checkbox'; id: string; label: string; enabled: boolean; checked: boolean; action: TrayAction }
  | { type: 'submenu'; id: string; label: string; enabled: boolean; submenu: TrayItem[] };

export interface TrayInput {
  engine: EngineStatus;
  /** The engine's latest snapshot; undefined until the engine answers. */
  snapshot?: Snapshot;
  openAtLogin: boolean;
  /** False where the OS has no login items we can set (then the item is not shown). */
  loginItemSupported: boolean;
  /** Quit was chosen: the gateway is being stopped. */
  quitting: boolean;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function enabledBackends(snapshot: Snapshot) {
  return snapshot.backends.filter((b) => b.enabled);
}

/** Backends that are enabled but cannot be reached. */
function downBackends(snapshot: Snapshot) {
  return enabledBackends(snapshot).filter((b) => b.state === 'down');
}

/** Why the user should look: tool changes to review, open conflicts, unreachable backends. */
export function attentionReasons(snapshot: Snapshot): string[] {
  const reasons: string[] = [];
  const changes = snapshot.counts.changesToReview ?? 0;
  if (changes > 0) reasons.push(`${plural(changes, 'tool change')} to review`);
  const conflicts = snapshot.counts.openConflicts;
  if (conflicts > 0) reasons.push(`${plural(conflicts, 'conflict')} to resolve`);
  const down = downBackends(snapshot).length;
  if (down > 0) reasons.push(`${plural(down, 'backend')} down`);
  return reasons;
}

export function trayState(input: Pick<TrayInput, 'engine' | 'snapshot'>): TrayState {
  const { engine, snapshot } = input;
  if (engine.state === 'failed') return 'error';
  if (engine.state !== 'running' || !snapshot) return 'stopped';
  const gateway = snapshot.gateway.state;
  if (gateway === 'error') return 'error';
  if (gateway !== 'running') return 'stopped';
  return attentionReasons(snapshot).length > 0 ? 'attention' : 'running';
}

/** The first line of the menu and the tooltip: what is happening, in a few words. */
export function statusLine(input: TrayInput): string {
  const { engine, snapshot } = input;
  if (input.quitting) {
    const stdio = snapshot?.backends.filter((b) => b.enabled && b.transport === 'stdio').length ?? 0;
    return stdio > 0 ? `Stopping the gateway and ${plural(stdio, 'stdio server')}…` : 'Stopping the gateway…';
  }
  switch (engine.state) {
    case 'failed':
      return `Error: ${engine.error ?? 'the engine stopped'}`;
    case 'starting':
      return 'Starting…';
    case 'stopping':
      return 'Stopping…';
    case 'stopped':
      return 'Stopped';
    case 'running':
      break;
  }
  if (!snapshot) return 'Starting…';
  const gateway = snapshot.gateway;
  switch (gateway.state) {
    case 'running':
      return `Running on ${gateway.url ?? 'the local endpoint'}`;
    case 'starting':
      return 'Starting the gateway…';
    // Off is a pause: sessions and their streams stay, backends keep their own status.
    case 'stopping':
      return 'Pausing the gateway…';
    case 'stopped':
      return 'Paused: clients stay connected, calls wait for Resume';
    case 'error':
      return `Error: ${gateway.error ?? 'the gateway failed'}`;
  }
}

export function trayTooltip(input: TrayInput): string {
  const lines = [`Switchyard — ${statusLine(input)}`];
  if (!input.quitting && input.snapshot && input.engine.state === 'running') {
    const s = input.snapshot;
    const ready = enabledBackends(s).filter((b) => b.state === 'ready' || b.state === 'degraded').length;
    lines.push(
      `${ready}/${plural(enabledBackends(s).length, 'backend')} ready, ${plural(s.counts.tools, 'tool')}`,
    );
    const reasons = attentionReasons(s);
    if (reasons.length) lines.push(reasons.join(', '));
  }
  return lines.join('\n');
}

const STATE_LABEL: Record<string, string> = {
  ready: 'ready',
  degraded: 'degraded',
  connecting: 'connecting',
  down: 'down',
  disabled: 'disabled',
};

function backendsSubmenu(snapshot: Snapshot): TrayItem {
  const items: TrayItem[] = snapshot.backends.length
    ? snapshot.backends.map((b) => ({
        type: 'normal' as const,
        id: `backend:${b.name}`,
        label: `${b.displayName ?? b.name} — ${b.enabled ? (STATE_LABEL[b.state] ?? b.state) : 'disabled'}${
          b.enabled && b.state === 'ready' ? ` (${plural(b.counts.tools, 'tool')})` : ''
        }`,
        enabled: true,
        action: { kind: 'open-dashboard', view: 'backends' } as const,
      }))
    : [{ type: 'normal', id: 'backends:none', label: 'No backends yet', enabled: false }];
  const ready = enabledBackends(snapshot).filter((b) => b.state === 'ready').length;
  return {
    type: 'submenu',
    id: 'backends',
    label: `Backends (${ready}/${enabledBackends(snapshot).length} ready)`,
    enabled: true,
    submenu: items,
  };
}

/** The tray menu for this state of the engine. */
export function trayMenuModel(input: TrayInput): TrayItem[] {
  const { engine, snapshot } = input;
  const items: TrayItem[] = [{ type: 'normal', id: 'status', label: statusLine(input), enabled: false }];

  if (input.quitting) {
    items.push({ type: 'separator' }, { type: 'normal', id: 'quit', label: 'Quitting…', enabled: false });
    return items;
  }

  const running = engine.state === 'running' && snapshot !== undefined;
  const gateway = snapshot?.gateway.state;
  items.push({ type: 'separator' });
  if (engine.state === 'failed') {
    items.push({
      type: 'normal',
      id: 'restart-engine',
      label: 'Restart Switchyard engine',
      enabled: true,
      action: { kind: 'restart-engine' },
    });
  } else {
    const on = gateway === 'running';
    const busy = !running || gateway === 'starting' || gateway === 'stopping';
    items.push({
      type: 'normal',
      id: 'toggle-gateway',
      label: on ? 'Pause gateway' : 'Resume gateway',
      enabled: !busy && gateway !== 'error',
      action: { kind: 'set-gateway', running: !on },
    });
  }
  const url = snapshot?.gateway.url;
  items.push({
    type: 'normal',
    id: 'copy-endpoint',
    label: 'Copy endpoint URL',
    enabled: running && url !== undefined,
    ...(url ? { action: { kind: 'copy-endpoint', url } as const } : {}),
  });

  if (running && snapshot) {
    items.push({ type: 'separator' }, backendsSubmenu(snapshot));
    const changes = snapshot.counts.changesToReview ?? 0;
    if (changes > 0) {
      // The notice: a tool changed what it says; until reviewed it is held from every client.
      const held = snapshot.counts.heldTools ?? 0;
      items.push({
        type: 'normal',
        id: 'review-changes',
        label: `Review ${plural(changes, 'tool change')}${held > 0 ? ` (${held} held)` : ''}…`,
        enabled: true,
        action: { kind: 'open-dashboard', view: 'changes' },
      });
    }
    const conflicts = snapshot.counts.openConflicts;
    if (conflicts > 0) {
      items.push({
        type: 'normal',
        id: 'resolve-conflicts',
        label: `Resolve ${plural(conflicts, 'conflict')}…`,
        enabled: true,
        action: { kind: 'open-dashboard', view: 'conflicts' },
      });
    }
  }

  items.push(
    { type: 'separator' },
    {
      type: 'normal',
      id: 'open-dashboard',
      label: 'Open dashboard',
      enabled: true,
      action: { kind: 'open-dashboard' },
    },
  );
  if (input.loginItemSupported) {
    items.push({
      type: 'checkbox',
      id: 'open-at-login',
      label: 'Start at login',
      enabled: true,
      checked: input.openAtLogin,
      action: { kind: 'set-open-at-login', openAtLogin: !input.openAtLogin },
    });
  }
  items.push(
    { type: 'separator' },
    { type: 'normal', id: 'quit', label: 'Quit Switchyard', enabled: true, action: { kind: 'quit' } },
  );
  return items;
}

/**
 * The icon file for a state: the coloured PNG, or on macOS the monochrome template image (the OS
 * tints it for light and dark menu bars). Electron picks the @2x file on its own.
 */
export function trayIconFile(state: TrayState, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `${state}Template.png` : `${state}.png`;
}

/**
 * A label as Electron should get it: a single `&` marks a keyboard mnemonic (and disappears), so a
 * literal one, as in a display name such as "R&D tools", is written `&&`.
 */
export function menuLabel(text: string): string {
  return text.replaceAll('&', '&&');
}

/** Electron's menu template for the descriptors; a click runs the item's action. */
export function toMenuTemplate(
  items: TrayItem[],
  run: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return {
          id: item.id,
          label: menuLabel(item.label),
          enabled: item.enabled,
          submenu: toMenuTemplate(item.submenu, run),
        };
      case 'checkbox': {
        const action = item.action;
        return {
          id: item.id,
          type: 'checkbox',
          label: menuLabel(item.label),
          enabled: item.enabled,
          checked: item.checked,
          click: () => run(action),
        };
      }
      case 'normal': {
        const action = item.action;
        return {
          id: item.id,
          label: menuLabel(item.label),
          enabled: item.enabled,
          ...(action ? { click: () => run(action) } : {}),
        };
      }
    }
  });
}
