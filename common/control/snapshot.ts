// The shape the dashboard, the tray and `switchyard status` read: one picture of the engine.
import type { BackendStatus } from '../domain/backend.js';
import type { RefusalSummary } from '../domain/refusal.js';
import type { Conflict } from '../domain/conflict.js';
import type { SourceStatus } from '../domain/source-status.js';

export type GatewayState = 'starting' | 'running' | 'stopping' | 'stopped' | 'error';

export interface SessionSummary {
  id: string;
  clientName: string;
  clientVersion: string;
  protocolVersion: string;
  era: 'legacy' | 'modern';
  createdAt: number;
  lastSeen: number;
  calls: number;
  streamOpen: boolean;
  /** Every backend the session has a link to (open, or kept to resume), HTTP, stdio or modern alike. */
  backends: string[];
}

/** The config file's state: when it was last applied, and why the latest edit was not. */
export interface ConfigStatus {
  file?: string;
  /** When the config in force was applied (at start, or after a valid edit). */
  appliedAt: number;
  /** Why the file's current content is not in force (invalid, or deleted); the running config stays. */
  error?: { message: string; path: string; line?: number; column?: number };
  /** Key paths changed in the file that apply only after a restart (e.g. `server.port`). */
  restartNeeded?: string[];
}

export interface Snapshot {
  version: string;
  gateway: {
    /** `stopped` while the engine runs is the pause (see `paused`). */
    state: GatewayState;
    /**
     * Turned off by the user and the engine still up: client sessions and their streams are kept,
     * lists are empty, calls are refused as paused; backends stay connected with their own status.
     */
    paused?: boolean;
    url?: string;
    startedAt?: number;
    auth: 'token' | 'off';
    /** Requests the front door refused (bad Host, Origin or token), counted per reason. */
    refusals?: RefusalSummary;
    error?: string;
  };
  /** Whether calls are audited and their payloads kept (what the audit view says about a missing payload). */
  audit?: { enabled: boolean; recordPayloads: boolean };
  /** Where this engine keeps its files (the empty states name the real config file). */
  paths: { dataDir: string; configFile?: string };
  /** The config file's state (live reload); absent for an engine built without a file. */
  config?: ConfigStatus;
  /** Discovery sources: e.g. "Podman 5.4.2 at unix:///run/podman/podman.sock", or why none was found. */
  discovery: SourceStatus[];
  /** `displayName` is the user's name for a backend, when they gave one. */
  backends: (BackendStatus & { enabled: boolean; displayName?: string })[];
  conflicts: Conflict[];
  strategy: string;
  sessions: SessionSummary[];
  counts: {
    tools: number;
    prompts: number;
    resources: number;
    resourceTemplates: number;
    openConflicts: number;
    sessions: number;
    /** Tool integrity: changes that wait for a decision (GET /api/changes lists them). */
    changesToReview?: number;
    /** Tool integrity: tools (and prompts) withheld from clients until reviewed. */
    heldTools?: number;
  };
}
