// Writing a stream of events to a client that may stop reading. `res.write()` never refuses: what a
// slow client does not read stays in the process (a flood of notifications grew the gateway by
// ~65 MB/s). Every SSE writer (a session's GET stream, a POST answer upgraded to a stream,
// /api/events) goes through `ClientStream`, which looks at what is still buffered before each write:
//   - past SOFT_LIMIT, what a client can do without is dropped: progress and log messages; a
//     list_changed is remembered (once per method) and sent when the client catches up (`drain`);
//   - past HARD_LIMIT, the client is not reading at all: the stream is closed (a client reconnects
//     and re-fetches; a session's notices wait for its next stream or request).
// One answer larger than the limits still goes out whole: the check is on what is already queued.
import type { ServerResponse } from 'node:http';

/** Buffered bytes beyond which droppable messages are dropped. */
export const SOFT_LIMIT = 1024 * 1024;
/** Buffered bytes beyond which the stream is closed. */
export const HARD_LIMIT = 16 * 1024 * 1024;

/** How much a message matters to a client that falls behind. */
export type MessageWeight = 'droppable' | 'coalesce' | 'essential';

const DROPPABLE = new Set(['notifications/progress', 'notifications/message']);

/** The weight of a JSON-RPC message by its method (responses and requests are essential). */
export function weightOf(message: unknown): MessageWeight {
  if (typeof message !== 'object' || message === null || 'id' in message) return 'essential';
  const method = (message as { method?: unknown }).method;
  if (typeof method !== 'string') return 'essential';
  if (DROPPABLE.has(method)) return 'droppable';
  if (method.endsWith('/list_changed')) return 'coalesce';
  return 'essential';
}

export interface ClientStreamStats {
  dropped: number;
  coalesced: number;
}

export class ClientStream {
  /** list_changed methods held back while the client catches up, sent once each on drain. */
  private held: Set<string> | undefined;
  private closed = false;
  readonly stats: ClientStreamStats = { dropped: 0, coalesced: 0 };

  constructor(
    private readonly res: ServerResponse,
    private readonly frame: (json: string) => string,
    private readonly limits = { soft: SOFT_LIMIT, hard: HARD_LIMIT },
  ) {
    res.on('drain', () => this.release());
    res.once('close', () => (this.closed = true));
  }

  get isOpen(): boolean {
    return !this.closed && !this.res.destroyed && !this.res.writableEnded;
  }

  /**
   * Writes `message` (or drops or defers it, by its weight, when the client lags). False only when
   * the stream is closed (now or before): the caller may deliver it another way.
   */
  write(message: unknown, weight: MessageWeight = weightOf(message)): boolean {
    if (!this.isOpen) return false;
    const queued = this.res.writableLength;
    if (queued > this.limits.hard) {
      // Not reading at all: give up on this stream rather than hold more for it.
      this.closed = true;
      this.res.destroy();
      return false;
    }
    if (queued > this.limits.soft && weight !== 'essential') {
      if (weight === 'droppable') this.stats.dropped++;
      else {
        this.held ??= new Set();
        this.held.add((message as { method: string }).method);
        this.stats.coalesced++;
      }
      return true;
    }
    this.res.write(this.frame(typeof message === 'string' ? message : JSON.stringify(message)));
    return true;
  }

  /** Writes raw text (a comment keep-alive) unless the client lags. */
  writeRaw(text: string): void {
    if (this.isOpen && this.res.writableLength <= this.limits.soft) this.res.write(text);
  }

  private release(): void {
    const held = this.held;
    if (!held || !this.isOpen) return;
    this.held = undefined;
    for (const method of held) this.write({ jsonrpc: '2.0', method }, 'essential');
  }
}
