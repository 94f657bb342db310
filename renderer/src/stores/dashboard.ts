// Assembles the stores around one Bridge and wires the live events into them. Components get the
// stores from React context (hooks.ts) and never talk to the bridge themselves.
import type { Bridge } from '../bridge/bridge.js';
import { createAuditStore, type AuditStore } from './audit.js';
import { createBackendsStore, type BackendsStore } from './backends.js';
import { createChangesStore, type ChangesStore } from './changes.js';
import { createConflictsStore, type ConflictsStore } from './conflicts.js';
import { createConnectStore, type ConnectStore } from './connect.js';
import { createProfilesStore, type ProfilesStore } from './profiles.js';
import { createGatewayStore, type GatewayStore } from './gateway.js';
import { createToolsStore, type ToolsStore } from './tools.js';
import { createFirstRunStore, type FirstRunStore } from './first-run.js';
import { createUiStore, isView, type UiStore, type ViewId } from './ui.js';

export interface Dashboard {
  bridge: Bridge;
  ui: UiStore;
  gateway: GatewayStore;
  backends: BackendsStore;
  conflicts: ConflictsStore;
  changes: ChangesStore;
  audit: AuditStore;
  connect: ConnectStore;
  /** Per-profile reports, shown on the Connect view. */
  profiles: ProfilesStore;
  tools: ToolsStore;
  firstRun: FirstRunStore;
  /** Loads the snapshot, follows the event stream, keeps relative times fresh. */
  start(): void;
  stop(): void;
}

export interface DashboardOptions {
  now?: () => number;
  copy?: (text: string) => Promise<void>;
  /** Whether the bridge was given a token at start. */
  hadToken?: boolean;
  /** Snapshot polling while the event stream is down (ms; 0 = never). */
  pollMs?: number;
  /** How often relative times ("5 min ago") are refreshed (ms). */
  tickMs?: number;
  audit?: { typingDelayMs?: number; liveRefreshMs?: number; liveStatsMs?: number };
  /** Where small preferences live (the first-run list hidden): localStorage in the page. */
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  /** Whether the audit charts start unfolded (the page folds them in a short window). */
  chartsOpen?: boolean;
}

export function createDashboard(bridge: Bridge, options: DashboardOptions = {}): Dashboard {
  const now = options.now ?? Date.now;
  const ui = createUiStore({
    now,
    ...(options.copy ? { copy: options.copy } : {}),
    ...(options.chartsOpen !== undefined ? { chartsOpen: options.chartsOpen } : {}),
  });
  // onAuthorized reloads everything that may have failed before the token was accepted.
  const reloadAll = () => {
    void dashboard.connect.getState().load();
    if (dashboard.connect.getState().clients) void dashboard.connect.getState().loadClients();
    const audit = dashboard.audit.getState();
    if (audit.active) void audit.refresh();
    const selected = dashboard.backends.getState().selected;
    if (selected) void dashboard.backends.getState().refresh(selected);
  };
  const gateway = createGatewayStore({
    bridge,
    ui,
    onAuthorized: () => reloadAll(),
    ...(options.hadToken !== undefined ? { hadToken: options.hadToken } : {}),
  });
  const backends = createBackendsStore({ bridge, ui, gateway });
  const conflicts = createConflictsStore({ bridge, ui, gateway });
  const changes = createChangesStore({ bridge, ui, gateway });
  const audit = createAuditStore({ bridge, gateway, now, ...options.audit });
  const connect = createConnectStore({ bridge, gateway, ui });
  const profiles = createProfilesStore({ bridge, gateway, ui });
  const tools = createToolsStore({ bridge, gateway, ui });
  const firstRun = createFirstRunStore({
    bridge,
    gateway,
    ...(options.storage ? { storage: options.storage } : {}),
  });

  const cleanups: (() => void)[] = [];
  const activate = (view: ViewId) => {
    audit.getState().setActive(view === 'audit');
    tools.getState().setActive(view === 'tools');
    if (view === 'connect' && !connect.getState().info) void connect.getState().load();
    if (view === 'connect') void connect.getState().loadClients();
    if (view === 'connect') void profiles.getState().load();
  };

  const dashboard: Dashboard = {
    bridge,
    ui,
    gateway,
    backends,
    conflicts,
    changes,
    audit,
    connect,
    profiles,
    tools,
    firstRun,
    start() {
      void gateway.getState().load();
      void connect.getState().load();
      cleanups.push(
        bridge.subscribe((event) => {
          if (event.type === 'snapshot') {
            const before = gateway.getState().snapshot?.counts;
            gateway.getState().applySnapshot(event.snapshot);
            // Tool counts follow the set: refresh what each profile's client will see.
            if (ui.getState().view === 'connect') void profiles.getState().load();
            backends.getState().onSnapshot(event.snapshot);
            tools.getState().onSnapshot(event.snapshot);
            if (ui.getState().view === 'connect') connect.getState().onSessions(event.snapshot.sessions);
            // Tool changes come with their own list: fetch it again when the counts move.
            const after = event.snapshot.counts;
            if (
              changes.getState().loaded &&
              (before?.changesToReview !== after.changesToReview || before?.heldTools !== after.heldTools)
            ) {
              void changes.getState().load();
            }
          } else if (event.type === 'audit') {
            audit.getState().onLiveRows(event.rows);
            firstRun.getState().onAuditRows(event.rows);
          }
        }),
      );
      if (bridge.onNavigate) {
        cleanups.push(
          bridge.onNavigate((view) => {
            if (isView(view)) ui.getState().setView(view);
          }),
        );
      }
      if (bridge.onConnectionChange) {
        let opened = false;
        cleanups.push(
          bridge.onConnectionChange((state) => {
            gateway.getState().setConnection(state);
            // After a reconnect, events may have been missed: take a fresh picture.
            if (state === 'open') {
              if (opened) void gateway.getState().load();
              opened = true;
            }
          }),
        );
      }
      cleanups.push(
        ui.subscribe((state, previous) => {
          if (state.view !== previous.view) activate(state.view);
        }),
      );
      activate(ui.getState().view);
      const tick = setInterval(() => ui.getState().tick(now()), options.tickMs ?? 10_000);
      cleanups.push(() => clearInterval(tick));
      const pollMs = options.pollMs ?? 5000;
      if (pollMs > 0 && bridge.onConnectionChange) {
        // Without the event stream the picture would go stale: poll until it is back.
        const poll = setInterval(() => {
          const { connection, status } = gateway.getState();
          if (connection !== 'open' && status !== 'unauthorized') void gateway.getState().load();
        }, pollMs);
        cleanups.push(() => clearInterval(poll));
      }
    },
    stop() {
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  };
  return dashboard;
}
