// Where the gateway writes audited requests (the request path calls it). The event itself is
// browser-safe data and lives in common/domain/audit.ts.
import type { AuditEvent } from '../../common/domain/audit.js';

export interface AuditSink {
  /** Must not block: the gateway calls it on the request path. */
  record(event: AuditEvent): void;
  /** Whether payloads should be captured for the writer. */
  readonly wantsPayloads: boolean;
}

export const nullAuditSink: AuditSink = { record: () => undefined, wantsPayloads: false };
