// What clients need to connect: endpoint, token (hidden until revealed), bridge command; and the
// clients Switchyard can connect by itself (the Connect view's table), with connect/disconnect.
import { createStore } from 'zustand/vanilla';
import { errorMessage, isUnauthorized, type Bridge } from '../bridge/bridge.js';
import type { ClientId, ClientSummary, ConnectInfo, SessionSummary } from '../contract.js';
import type { GatewayStore } from './gateway.js';
import type { UiStore } from './ui.js';

export interface ConnectState {
  info: ConnectInfo | null;
  loading: boolean;
  error: string | null;
  revealed: boolean;
  /** null until loaded. */
  clients: ClientSummary[] | null;
  clientsError: string | null;
  /** Clients with a connect/disconnect under way. */
  busy: ClientId[];
  load(): Promise<void>;
  setRevealed(revealed: boolean): void;
  loadClients(): Promise<void>;
  connectClient(id: ClientId): Promise<void>;
  disconnectClient(id: ClientId): Promise<void>;
  /** A snapshot's sessions: when the set of sessions changes, "last seen" is read again. */
  onSessions(sessions: SessionSummary[]): void;
}

export type ConnectStore = ReturnType<typeof createConnectStore>;

export function createConnectStore(deps: { bridge: Bridge; gateway: GatewayStore; ui: UiStore }) {
  const { bridge, gateway, ui } = deps;
  let seq = 0;
  let clientsSeq = 0;
  let sessionsSeen = '';
  return createStore<ConnectState>()((set, get) => {
    const refused = (error: unknown) => {
      if (isUnauthorized(error)) gateway.getState().markUnauthorized();
      return errorMessage(error);
    };
    /** Runs connect or disconnect for one client, then shows its new row (or why not). */
    const change = async (
      id: ClientId,
      run: () => Promise<ClientSummary>,
      done: (c: ClientSummary) => string,
    ) => {
      if (get().busy.includes(id)) return;
      set({ busy: [...get().busy, id] });
      try {
        const row = await run();
        set({ clients: (get().clients ?? []).map((c) => (c.id === id ? row : c)) });
        ui.getState().notify(done(row), { kind: 'success' });
      } catch (error) {
        ui.getState().notify(refused(error), { kind: 'error' });
      } finally {
        set({ busy: get().busy.filter((b) => b !== id) });
      }
    };
    return {
      info: null,
      loading: false,
      error: null,
      revealed: false,
      clients: null,
      clientsError: null,
      busy: [],
      async load() {
        const mine = ++seq;
        set({ loading: true });
        try {
          const info = await bridge.connectInfo();
          if (mine !== seq) return;
          set({ info, loading: false, error: null });
        } catch (error) {
          if (mine !== seq) return;
          set({ loading: false, error: refused(error) });
        }
      },
      setRevealed: (revealed) => set({ revealed }),
      async loadClients() {
        const mine = ++clientsSeq;
        try {
          const clients = await bridge.clients();
          if (mine === clientsSeq) set({ clients, clientsError: null });
        } catch (error) {
          if (mine === clientsSeq) set({ clientsError: refused(error) });
        }
      },
      connectClient: (id) =>
        change(
          id,
          () => bridge.connectClient(id),
          (c) => `${c.name} connected: restart it (or reload its MCP servers) to pick up Switchyard`,
        ),
      disconnectClient: (id) =>
        change(
          id,
          () => bridge.disconnectClient(id),
          (c) => `${c.name} disconnected`,
        ),
      onSessions(sessions) {
        const seen = sessions
          .map((s) => s.id)
          .sort()
          .join();
        if (seen === sessionsSeen) return;
        sessionsSeen = seen;
        if (get().clients) void get().loadClients();
      },
    };
  });
}
