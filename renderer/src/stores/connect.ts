// What clients need to connect: endpoint, token (hidden until revealed), bridge command.
import { createStore } from 'zustand/vanilla';
import { errorMessage, isUnauthorized, type Bridge } from '../bridge/bridge.js';
import type { ConnectInfo } from '../contract.js';
import type { GatewayStore } from './gateway.js';

export interface ConnectState {
  info: ConnectInfo | null;
  loading: boolean;
  error: string | null;
  revealed: boolean;
  load(): Promise<void>;
  setRevealed(revealed: boolean): void;
}

export type ConnectStore = ReturnType<typeof createConnectStore>;

export function createConnectStore(deps: { bridge: Bridge; gateway: GatewayStore }) {
  const { bridge, gateway } = deps;
  let seq = 0;
  return createStore<ConnectState>()((set) => ({
    info: null,
    loading: false,
    error: null,
    revealed: false,
    async load() {
      const mine = ++seq;
      set({ loading: true });
      try {
        const info = await bridge.connectInfo();
        if (mine !== seq) return;
        set({ info, loading: false, error: null });
      } catch (error) {
        if (mine !== seq) return;
        if (isUnauthorized(error)) gateway.getState().markUnauthorized();
        set({ loading: false, error: errorMessage(error) });
      }
    },
    setRevealed: (revealed) => set({ revealed }),
  }));
}
