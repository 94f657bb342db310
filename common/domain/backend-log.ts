// A backend's recent life, for the dashboard's backend detail and `switchyard logs`: what its stdio
// processes wrote to stderr and its connection history, one bounded ring per backend. Plain data.

/**
 * `stderr`: a line a stdio process wrote. The rest is connection history: `connected` (handshake and
 * lists done), `disconnected` (the connection went down, with why), `error` (degraded, a failed
 * refresh or health check), `started` / `exited` (a stdio process, with its pid), `idle` (a client
 * session's backend session closed after `sessions.backendIdleTtl`).
 */
export type BackendLogKind =
  'stderr' | 'connected' | 'disconnected' | 'error' | 'started' | 'exited' | 'idle';

export interface BackendLogEntry {
  /** Increases by one per entry of this backend (survives the ring dropping old entries). */
  seq: number;
  /** Epoch ms. */
  at: number;
  kind: BackendLogKind;
  /** One line, control characters removed, at most BACKEND_LOG_LINE_MAX bytes. */
  text: string;
  /** The stdio process it came from. */
  pid?: number;
}

export interface BackendLogQuery {
  /** Only entries with a larger seq (to follow: pass the last seq seen). */
  after?: number;
  /** At most this many, the newest ones (default and maximum: BACKEND_LOG_PAGE_MAX). */
  limit?: number;
}

export interface BackendLogPage {
  backend: string;
  entries: BackendLogEntry[];
  /** The seq of the newest entry there is (0 when none): `after` for the next call. */
  lastSeq: number;
  /** Entries after `after` that the ring no longer holds, or that `limit` left out. */
  skipped: number;
}
