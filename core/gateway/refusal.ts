// Refusing an HTTP request before it reaches the dispatcher (bad body, no session, wrong version,
// the gateway paused): the JSON-RPC error with the right HTTP status, and its audit event with the
// era the request was classified as and the bytes actually sent.
import type { ServerResponse } from 'node:http';
import type { RequestId } from '@modelcontextprotocol/client';
import type { AuditSink } from '../domain/audit.js';
import type { Clock } from '../domain/runtime.js';
import type { Era } from './inbound.js';
import { errorJson } from './wire.js';

export interface Refusal {
  status: number;
  code: number;
  message: string;
  id?: RequestId | null;
  data?: unknown;
  /** The era the request was classified as (legacy until classification says otherwise). */
  era?: Era;
  /** Bytes of the refused request body, when it was read. */
  requestBytes?: number;
}

export class Refuser {
  constructor(
    private readonly audit: AuditSink,
    private readonly clock: Clock,
  ) {}

  refuse(res: ServerResponse, refusal: Refusal): void {
    const json = errorJson(refusal.id ?? null, refusal.code, refusal.message, refusal.data);
    const bytes = Buffer.byteLength(json);
    res.writeHead(refusal.status, { 'content-type': 'application/json', 'content-length': bytes });
    res.end(json);
    this.audit.record({
      time: this.clock.now(),
      method: 'http',
      durationMs: 0,
      outcome: 'denied',
      httpStatus: refusal.status,
      errorCode: refusal.code,
      errorMessage: refusal.message,
      requestBytes: refusal.requestBytes ?? 0,
      responseBytes: bytes,
      era: refusal.era ?? 'legacy',
    });
  }
}
