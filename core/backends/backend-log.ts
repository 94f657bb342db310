// One bounded ring per backend: what its stdio processes wrote to stderr and its connection
// history (see common/domain/backend-log.ts). Bounded three ways, since every byte of it comes from
// outside: entries per backend, bytes per backend, bytes per line (a partial line is never buffered
// beyond that). Text is kept printable: a backend cannot reach the user's terminal with escape
// sequences through `switchyard logs`.
import type {
  BackendLogEntry,
  BackendLogKind,
  BackendLogPage,
  BackendLogQuery,
} from '../../common/domain/backend-log.js';
import { BACKEND_LOG_PAGE_MAX } from '../../common/control/limits.js';
import type { Clock } from '../domain/runtime.js';
import { systemClock } from '../domain/runtime.js';
import { Emitter } from '../support/emitter.js';

export interface BackendLogLimits {
  /** Entries kept per backend. */
  entries: number;
  /** Bytes of text kept per backend. */
  bytes: number;
  /** Bytes per line; longer ones are cut (marked with …). */
  lineBytes: number;
}

export const DEFAULT_BACKEND_LOG_LIMITS: BackendLogLimits = {
  entries: BACKEND_LOG_PAGE_MAX,
  bytes: 256 * 1024,
  lineBytes: 4096,
};

// ANSI escape sequences (CSI/OSC and two-byte ones), then any other control or bidi character.
/* eslint-disable no-control-regex -- matching control characters is the point */
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

/** A line as it is kept: printable, tabs as spaces, at most `maxBytes` of UTF-8. */
export function printableLine(text: string, maxBytes: number): string {
  let line = text.replace(ESCAPES, '').replace(UNPRINTABLE, '').replace(/\t/g, ' ').trimEnd();
  if (Buffer.byteLength(line) <= maxBytes) return line;
  // Cut on a character boundary, leaving room for the mark.
  line = Buffer.from(line)
    .subarray(0, maxBytes - 3)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${line}…`;
}

export class BackendLog {
  /** Fires with each new entry (a follower, the dashboard). */
  readonly appended = new Emitter<BackendLogEntry>();
  private entries: BackendLogEntry[] = [];
  private head = 0;
  private bytes = 0;
  private seq = 0;

  constructor(
    readonly backend: string,
    private readonly limits: BackendLogLimits = DEFAULT_BACKEND_LOG_LIMITS,
    private readonly clock: Clock = systemClock,
  ) {}

  append(kind: BackendLogKind, text: string, pid?: number): void {
    const entry: BackendLogEntry = {
      seq: ++this.seq,
      at: this.clock.now(),
      kind,
      text: printableLine(text, this.limits.lineBytes),
      ...(pid !== undefined ? { pid } : {}),
    };
    this.entries.push(entry);
    this.bytes += Buffer.byteLength(entry.text);
    while (
      this.entries.length - this.head > this.limits.entries ||
      (this.bytes > this.limits.bytes && this.entries.length - this.head > 1)
    ) {
      this.bytes -= Buffer.byteLength(this.entries[this.head]!.text);
      this.head++;
    }
    // Drop the consumed front now and then instead of shifting on every append.
    if (this.head > 256 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    this.appended.emit(entry);
  }

  /** Entries after `query.after`, oldest first; the newest `limit` when there are more. */
  read(query: BackendLogQuery = {}): BackendLogPage {
    const after = query.after ?? 0;
    const limit = Math.min(query.limit ?? BACKEND_LOG_PAGE_MAX, BACKEND_LOG_PAGE_MAX);
    const held = this.entries.slice(this.head).filter((e) => e.seq > after);
    const entries = held.slice(Math.max(0, held.length - limit));
    const wanted = Math.max(0, this.seq - after);
    return { backend: this.backend, entries, lastSeq: this.seq, skipped: wanted - entries.length };
  }
}

/**
 * Splits a byte stream into lines without ever holding more than `maxBytes` of one: the rest of an
 * over-long line is dropped up to its newline.
 */
export class BoundedLines {
  private parts: Buffer[] = [];
  private size = 0;
  private overflow = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.take(chunk.subarray(start, nl));
      this.flush();
      start = nl + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
  }

  /** What is left when the stream ends. */
  end(): void {
    if (this.size > 0 || this.overflow) this.flush();
  }

  private take(piece: Buffer): void {
    if (this.overflow) return;
    const room = this.maxBytes - this.size;
    if (piece.length > room) {
      if (room > 0) this.parts.push(Buffer.from(piece.subarray(0, room)));
      this.size = this.maxBytes;
      this.overflow = true;
      return;
    }
    this.parts.push(Buffer.from(piece));
    this.size += piece.length;
  }

  private flush(): void {
    const text = Buffer.concat(this.parts).toString('utf8');
    const cut = this.overflow;
    this.parts = [];
    this.size = 0;
    this.overflow = false;
    this.onLine(cut ? `${text}…` : text);
  }
}

/** A backend's ring grew: which backend, and its newest seq (a follower reads `after` its cursor). */
export interface BackendLogAppended {
  backend: string;
  seq: number;
}

/** Every backend's ring, by backend name. A backend that is replaced (a config edit) keeps its log. */
export class BackendLogs {
  /** Fires with every entry of every backend, carrying only its name and seq (the dashboard's push). */
  readonly appended = new Emitter<BackendLogAppended>();
  private readonly logs = new Map<string, BackendLog>();

  constructor(
    private readonly limits: BackendLogLimits = DEFAULT_BACKEND_LOG_LIMITS,
    private readonly clock: Clock = systemClock,
  ) {}

  for(backend: string): BackendLog {
    let log = this.logs.get(backend);
    if (!log) {
      log = new BackendLog(backend, this.limits, this.clock);
      log.appended.on((entry) => this.appended.emit({ backend, seq: entry.seq }));
      this.logs.set(backend, log);
    }
    return log;
  }

  get(backend: string): BackendLog | undefined {
    return this.logs.get(backend);
  }

  /** The backend left for good (removed from the config, its container gone). */
  delete(backend: string): void {
    this.logs.delete(backend);
  }
}
