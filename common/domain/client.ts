// The clients `switchyard connect` knows, and what the CLI and the dashboard show of each.
// Browser-safe: the renderer and the method table use it; core/clients has the catalogue.

export const CLIENT_IDS = [
  'claude-desktop',
  'claude-code',
  'cursor',
  'vscode',
  'windsurf',
  'zed',
  'codex',
  'gemini-cli',
  'goose',
  'lm-studio',
  'cline',
  'continue',
] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

export interface ClientState {
  id: ClientId;
  name: string;
  file: string;
  transport: 'http' | 'bridge';
  installed: boolean;
  /** Our entry is in the file and points at Switchyard. */
  connected: boolean;
  /** Connected with exactly what connect would write now (false: e.g. another port or token). */
  current?: boolean;
  /** Where the entry points (no token in it); with the profile that URL serves. */
  endpoint?: string;
  profile?: string;
  /** Why the file could not be read. */
  error?: string;
}

/** One client in the Connect view. Never carries the token. */
export interface ClientSummary extends ClientState {
  /** Epoch ms of the newest session from this client. */
  lastSeen?: number;
  /** `clientInfo` of that session, e.g. "claude-code 2.1.197". */
  lastClient?: string;
}
