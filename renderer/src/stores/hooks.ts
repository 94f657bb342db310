// React access to the stores: one context holding the Dashboard, one hook per store taking a selector.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { AuditState } from './audit.js';
import type { ChangesState } from './changes.js';
import type { BackendsState } from './backends.js';
import type { ConflictsState } from './conflicts.js';
import type { ConnectState } from './connect.js';
import type { Dashboard } from './dashboard.js';
import type { GatewayStoreState } from './gateway.js';
import type { ToolsState } from './tools.js';
import type { FirstRunState } from './first-run.js';
import type { UiState } from './ui.js';
import type { ProfilesState } from './profiles.js';

export const DashboardContext = createContext<Dashboard | null>(null);

export function useDashboard(): Dashboard {
  const dashboard = useContext(DashboardContext);
  if (!dashboard) throw new Error('useDashboard outside <DashboardContext.Provider>');
  return dashboard;
}

export const useGateway = <T>(selector: (s: GatewayStoreState) => T): T =>
  useStore(useDashboard().gateway, selector);
export const useBackends = <T>(selector: (s: BackendsState) => T): T =>
  useStore(useDashboard().backends, selector);
export const useConflicts = <T>(selector: (s: ConflictsState) => T): T =>
  useStore(useDashboard().conflicts, selector);
export const useChanges = <T>(selector: (s: ChangesState) => T): T =>
  useStore(useDashboard().changes, selector);
export const useAudit = <T>(selector: (s: AuditState) => T): T => useStore(useDashboard().audit, selector);
export const useConnect = <T>(selector: (s: ConnectState) => T): T =>
  useStore(useDashboard().connect, selector);
export const useUi = <T>(selector: (s: UiState) => T): T => useStore(useDashboard().ui, selector);
export const useProfiles = <T>(selector: (s: ProfilesState) => T): T =>
  useStore(useDashboard().profiles, selector);
export const useTools = <T>(selector: (s: ToolsState) => T): T => useStore(useDashboard().tools, selector);
export const useFirstRun = <T>(selector: (s: FirstRunState) => T): T =>
  useStore(useDashboard().firstRun, selector);
