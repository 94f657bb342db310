// Per-profile reports (GET /api/profiles): what each client will see, loaded with the Connect view
// and after every snapshot while it is open.
import { createStore } from 'zustand/vanilla';
import { errorMessage, isUnauthorized, type Bridge } from '../bridge/bridge.js';
import type { ProfileReport } from '../contract.js';
import type { GatewayStore } from './gateway.js';

export interface ProfilesState {
  reports: ProfileReport[] | null;
  error: string | null;
  load(): Promise<void>;
}

export type ProfilesStore = ReturnType<typeof createProfilesStore>;

export function createProfilesStore(deps: { bridge: Bridge; gateway: GatewayStore }) {
  const { bridge, gateway } = deps;
  let seq = 0;
  return createStore<ProfilesState>()((set) => ({
    reports: null,
    error: null,
    async load() {
      const mine = ++seq;
      try {
        const reports = await bridge.profiles();
        if (mine === seq) set({ reports, error: null });
      } catch (error) {
        if (mine !== seq) return;
        if (isUnauthorized(error)) gateway.getState().markUnauthorized();
        set({ error: errorMessage(error) });
      }
    },
  }));
}
