// The first-run checklist's facts, from the engine's real state: a server added (the snapshot's
// backends), a client connected (a session now, or a client's request in the audit trail), a first
// call made (a tools/call, prompts/get or resources/read in the audit trail). Each ticks itself
// off as the snapshot and the live audit rows arrive.
import { createStore } from 'zustand/vanilla';
import { isUnauthorized, type Bridge } from '../bridge/bridge.js';
import type { AuditRow, Snapshot } from '../contract.js';
import type { GatewayStore } from './gateway.js';

export const CALL_METHODS = ['tools/call', 'prompts/get', 'resources/read'] as const;
const CLIENT_METHODS = ['initialize', 'server/discover', 'tools/list', ...CALL_METHODS];

export interface FirstRunState {
  /** A client has talked to the endpoint (known from the audit trail). */
  clientSeen: boolean;
  /** A client has called a tool, read a resource or got a prompt. */
  callSeen: boolean;
  /** The audit trail was asked (until then, the steps it decides are unknown). */
  checked: boolean;
  dismissed: boolean;
  check(): Promise<void>;
  onAuditRows(rows: readonly AuditRow[]): void;
  dismiss(): void;
}

export type FirstRunStore = ReturnType<typeof createFirstRunStore>;

const DISMISSED_KEY = 'switchyard.firstRun.dismissed';

function readDismissed(storage: Pick<Storage, 'getItem'> | undefined): boolean {
  try {
    return storage?.getItem(DISMISSED_KEY) === '1';
  } catch {
    return false;
  }
}

export interface FirstRunSteps {
  server: boolean;
  client: boolean;
  call: boolean;
}

/** The three steps, from the snapshot and what the audit trail showed. */
export function firstRunSteps(
  snapshot: Snapshot | null,
  state: Pick<FirstRunState, 'clientSeen' | 'callSeen'>,
): FirstRunSteps {
  const server = (snapshot?.backends.length ?? 0) > 0;
  const call = state.callSeen || (snapshot?.sessions ?? []).some((s) => s.calls > 0);
  const client = call || state.clientSeen || (snapshot?.sessions.length ?? 0) > 0;
  return { server, client, call };
}

export function createFirstRunStore(deps: {
  bridge: Bridge;
  gateway: GatewayStore;
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
}) {
  const { bridge, gateway, storage } = deps;
  return createStore<FirstRunState>()((set, get) => ({
    clientSeen: false,
    callSeen: false,
    checked: false,
    dismissed: readDismissed(storage),
    async check() {
      if (get().callSeen) return;
      try {
        const [calls, requests] = await Promise.all([
          bridge.queryAudit({ method: [...CALL_METHODS], limit: 1 }),
          get().clientSeen ? null : bridge.queryAudit({ method: CLIENT_METHODS, limit: 1 }),
        ]);
        set({
          callSeen: get().callSeen || calls.total > 0,
          clientSeen: get().clientSeen || calls.total > 0 || (requests?.total ?? 0) > 0,
          checked: true,
        });
      } catch (error) {
        if (isUnauthorized(error)) gateway.getState().markUnauthorized();
        set({ checked: true });
      }
    },
    onAuditRows(rows) {
      const call = rows.some(
        (r) => (CALL_METHODS as readonly string[]).includes(r.method) && r.outcome !== 'denied',
      );
      const client = call || rows.some((r) => r.clientName !== undefined && r.outcome !== 'denied');
      if ((call && !get().callSeen) || (client && !get().clientSeen)) {
        set({ callSeen: get().callSeen || call, clientSeen: get().clientSeen || client });
      }
    },
    dismiss() {
      try {
        storage?.setItem(DISMISSED_KEY, '1');
      } catch {
        // storage disabled: dismissed for this page only
      }
      set({ dismissed: true });
    },
  }));
}
