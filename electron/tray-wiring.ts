// The tray icon, tooltip and menu, rendered from tray-model.ts's pure functions whenever the engine
// pushes a snapshot or changes state. Electron's Tray and Menu are passed in (only main.ts imports
// electron at run time).
import type { Menu, MenuItemConstructorOptions, NativeImage, Tray } from 'electron';
import type { Snapshot } from '../common/control/snapshot.js';
import type { Engine } from './engine-client.js';
import {
  toMenuTemplate,
  trayMenuModel,
  trayState,
  trayTooltip,
  type TrayAction,
  type TrayInput,
} from './tray-model.js';

export interface TrayDeps {
  tray: Tray;
  buildMenu(template: MenuItemConstructorOptions[]): Menu;
  icon(state: ReturnType<typeof trayState>): NativeImage;
  engine: Engine;
  /** Everything but the engine's status and snapshot (prefs, login item, quitting). */
  input(): Omit<TrayInput, 'engine' | 'snapshot'>;
  run(action: TrayAction): void;
  /** Once per start of the engine (the token warning). */
  onEngineRunning(): void;
  log(message: string): void;
}

export function wireTray(deps: TrayDeps): { render(): void } {
  let snapshot: Snapshot | undefined;
  const { tray, engine } = deps;
  const render = () => {
    if (tray.isDestroyed()) return;
    const current: TrayInput = { ...deps.input(), engine: engine.status, ...(snapshot ? { snapshot } : {}) };
    tray.setImage(deps.icon(trayState(current)));
    tray.setToolTip(trayTooltip(current));
    tray.setContextMenu(deps.buildMenu(toMenuTemplate(trayMenuModel(current), deps.run)));
  };
  render();
  // The tray follows the engine's own snapshots: every change it pushes, and its process state.
  engine.subscribe((event) => {
    if (event.type !== 'snapshot') return;
    snapshot = event.snapshot;
    render();
  });
  engine.onStatus((status) => {
    if (status.state !== 'running') snapshot = undefined;
    render();
    if (status.state === 'running') {
      void engine.snapshot().then((s) => {
        snapshot = s;
        render();
      }, deps.log);
      deps.onEngineRunning();
    }
  });
  return { render };
}
