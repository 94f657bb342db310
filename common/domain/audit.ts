// One audited client request through the gateway, as stored and as the dashboard shows it.
// (The writer's port, AuditSink, is in core/domain/audit.ts.)

export type AuditOutcome =
  'ok' | 'tool_error' | 'protocol_error' | 'denied' | 'timeout' | 'backend_down' | 'cancelled';

export interface AuditEvent {
  time: number;
  sessionId?: string;
  clientName?: string;
  clientVersion?: string;
  era?: 'legacy' | 'modern';
  method: string;
  /** Advertised tool/prompt name or resource URI. */
  name?: string;
  backend?: string;
  originalName?: string;
  durationMs: number;
  outcome: AuditOutcome;
  httpStatus?: number;
  errorCode?: number;
  errorMessage?: string;
  requestBytes: number;
  responseBytes: number;
  /** Only when audit.recordPayloads is on (redacted and capped by the writer). */
  requestPayload?: unknown;
  responsePayload?: unknown;
}
