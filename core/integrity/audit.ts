// Tool integrity in the audit trail: one row for every hold, approval and rejection, beside the
// client requests (calls refused while held are audited by the dispatcher as `denied`, -32003).
import type { AuditEvent } from '../../common/domain/audit.js';
import type { IntegrityEvent } from './guard.js';

const METHOD: Record<IntegrityEvent['type'], string> = {
  held: 'integrity/hold',
  approved: 'integrity/approve',
  rejected: 'integrity/reject',
};

export function integrityAuditEvent(event: IntegrityEvent, time: number): AuditEvent {
  const change = event.change;
  const findings = change.findings.length
    ? `; ${change.findings.length} finding${change.findings.length === 1 ? '' : 's'}: ${[...new Set(change.findings.map((f) => f.kind))].join(', ')}`
    : '';
  const what =
    event.type === 'held'
      ? `${change.kind === 'new' ? 'new' : 'changed'} ${change.capability} held for review`
      : event.type === 'approved'
        ? `${change.capability} change approved: new definition pinned`
        : `${change.capability} change rejected: stays held`;
  return {
    time,
    method: METHOD[event.type],
    name: change.tool,
    backend: change.backend,
    originalName: change.tool,
    durationMs: 0,
    outcome: event.type === 'approved' ? 'ok' : 'denied',
    errorMessage: `${what} (change ${change.id})${findings}`,
    requestBytes: 0,
    responseBytes: 0,
  };
}
