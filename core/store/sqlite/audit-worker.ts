// The audit writer's thread: owns its own connection to the database and does all the audit
// writing (inserts, retention), so SQLite's work on the audit table — index upkeep, page writes,
// checkpoints — never runs on the gateway's event loop. See audit-writer.ts for the protocol's
// other end.
import { parentPort, workerData } from 'node:worker_threads';
import { AuditSql, type AuditParams, type RetentionOptions } from './audit-sql.js';
import { openConnection } from './database.js';

export interface AuditWorkerData {
  file: string;
  busyTimeoutMs?: number;
  /** How long a batch the database refused (busy, disk full) waits before it is tried again. */
  retryMs: number;
}

export type ToAuditWorker =
  | { type: 'rows'; id: number; rows: AuditParams[] }
  | { type: 'prune'; id: number; now: number; options: RetentionOptions }
  | { type: 'close' };

export type FromAuditWorker =
  /** The thread has opened the database. */
  | { type: 'ready' }
  | { type: 'written'; id: number; written: number; refused: number; refusal?: string }
  /** The batch could not be written yet; it is kept and tried again. */
  | { type: 'retrying'; id: number; error: string }
  | { type: 'pruned'; id: number; deleted: number; error?: string }
  /** Closed; `lost` rows could not be written. */
  | { type: 'closed'; lost: number };

const port = parentPort;
if (!port) throw new Error('audit-worker.ts runs as a worker thread');
const data = workerData as AuditWorkerData;
const db = openConnection(data.file, {
  synchronous: 'NORMAL',
  ...(data.busyTimeoutMs !== undefined ? { busyTimeoutMs: data.busyTimeoutMs } : {}),
});
const sql = new AuditSql(db);
const queue: { id: number; rows: AuditParams[]; reported: boolean }[] = [];
let retry: NodeJS.Timeout | undefined;

const send = (message: FromAuditWorker) => port.postMessage(message);

/** Writes queued batches in order; stops at the first the database refuses and tries again later. */
function drain(): void {
  clearTimeout(retry);
  retry = undefined;
  while (queue.length) {
    const batch = queue[0]!;
    try {
      const result = sql.insert(batch.rows);
      queue.shift();
      send({ type: 'written', id: batch.id, ...result });
    } catch (error) {
      if (!batch.reported) send({ type: 'retrying', id: batch.id, error: String(error) });
      batch.reported = true;
      retry = setTimeout(drain, data.retryMs);
      return;
    }
  }
}

send({ type: 'ready' });
port.on('message', (message: ToAuditWorker) => {
  switch (message.type) {
    case 'rows':
      queue.push({ id: message.id, rows: message.rows, reported: false });
      if (!retry) drain();
      break;
    case 'prune': {
      let deleted = 0;
      try {
        for (const chunk of sql.prune(message.now, message.options)) deleted += chunk;
        send({ type: 'pruned', id: message.id, deleted });
      } catch (error) {
        send({ type: 'pruned', id: message.id, deleted, error: String(error) });
      }
      break;
    }
    case 'close': {
      drain(); // one last attempt
      clearTimeout(retry);
      const lost = queue.reduce((n, batch) => n + batch.rows.length, 0);
      db.close();
      send({ type: 'closed', lost });
      port.close();
      break;
    }
  }
});
