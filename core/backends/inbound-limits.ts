// Every byte a backend sends passes through here before it becomes a message: one cap per message
// (`limits.backendResponse`) and one budget for everything all backends have in flight at once
// (`limits.backendInFlight`), on every path (HTTP JSON bodies, SSE events on POST and GET streams,
// legacy SSE, stdio lines). A message over either is dropped with ResponseTooLargeError; the framing
// that carried it is reset by the caller; the process never buffers without bound.
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import { ResponseTooLargeError } from './errors.js';

/** Bytes read from backends and not yet handed on as a message, summed over the whole process. */
export class InboundBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Takes `bytes` from the budget; false (nothing taken) when that would pass the limit. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** A budget that never refuses (tests and tools that build transports on their own). */
export const UNBOUNDED_BUDGET = new InboundBudget(Number.MAX_SAFE_INTEGER);

export interface InboundLimits {
  /** Largest single message (JSON body, SSE event, stdio line), bytes. */
  maxMessageBytes: number;
  budget: InboundBudget;
  backend?: string | undefined;
}

/** The failure for one message over a limit, saying which one. */
export function tooLarge(limits: InboundLimits, overBudget: boolean): ResponseTooLargeError {
  return overBudget
    ? new ResponseTooLargeError(limits.budget.limit, limits.backend, 'in-flight')
    : new ResponseTooLargeError(limits.maxMessageBytes, limits.backend);
}

/**
 * Counts the bytes of one message as they arrive. `add` throws ResponseTooLargeError (and gives back
 * what it took) once the message passes its cap or the shared budget has no room.
 */
export class MessageMeter {
  private taken = 0;
  constructor(private readonly limits: InboundLimits) {}

  get bytes(): number {
    return this.taken;
  }

  add(bytes: number): void {
    const overMessage = this.taken + bytes > this.limits.maxMessageBytes;
    if (overMessage || !this.limits.budget.take(bytes)) {
      const error = tooLarge(this.limits, !overMessage);
      this.release();
      throw error;
    }
    this.taken += bytes;
  }

  /** The message was handed on (or dropped): its bytes no longer count. */
  release(): void {
    this.limits.budget.release(this.taken);
    this.taken = 0;
  }
}

/**
 * Reads a body into one buffer, preallocated when the length is declared (no chunk list plus a
 * concatenated copy), failing as soon as it passes the caps. The meter is left holding the bytes
 * until the caller releases it (once the message has been handed on).
 */
export function collectBody(
  stream: NodeJS.ReadableStream & { destroy(error?: Error): void },
  declaredLength: number | undefined,
  meter: MessageMeter,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buffer: Buffer | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    if (declaredLength !== undefined && Number.isSafeInteger(declaredLength) && declaredLength >= 0) {
      try {
        meter.add(declaredLength); // refuse an announced oversize body before reading it
      } catch (error) {
        failed = true;
        stream.destroy();
        reject(error as Error);
        return;
      }
      buffer = Buffer.allocUnsafe(declaredLength);
    }
    stream.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        if (buffer) {
          if (size + chunk.length > buffer.length) throw new Error('body longer than its Content-Length');
          chunk.copy(buffer, size);
        } else {
          meter.add(chunk.length);
          chunks.push(chunk);
        }
        size += chunk.length;
      } catch (error) {
        failed = true;
        meter.release();
        stream.destroy();
        reject(error as Error);
      }
    });
    stream.on('end', () => {
      if (failed) return;
      if (buffer) resolve(size === buffer.length ? buffer : buffer.subarray(0, size));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    stream.on('error', (error: Error) => {
      if (failed) return;
      failed = true;
      meter.release();
      reject(error);
    });
  });
}

export interface SseReaderHandlers {
  onEvent(event: EventSourceMessage): void;
  /** An event passed a limit: the stream must be reset (its framing cannot be trusted past it). */
  onOverflow(error: ResponseTooLargeError): void;
}

/**
 * An SSE parser whose buffered, not yet complete event is bounded by the message cap
 * (eventsource-parser's maxBufferSize) and counted against the shared budget.
 */
export class SseReader {
  private readonly parser;
  private readonly meter: MessageMeter;
  private dispatched = false;
  private failed = false;
  /** Nothing of this stream went to the parser yet: it holds no partial event (see wholeEvent). */
  private clean = true;

  constructor(
    private readonly limits: InboundLimits,
    private handlers: SseReaderHandlers,
  ) {
    this.meter = new MessageMeter(limits);
    this.parser = createParser({
      // Characters, not bytes: a character is at least one byte, so this never lets more through.
      maxBufferSize: limits.maxMessageBytes,
      onEvent: (event) => {
        this.dispatched = true;
        this.handlers.onEvent(event);
      },
      onError: (error: ParseError) => {
        if (error.type === 'max-buffer-size-exceeded') this.overflow(tooLarge(this.limits, false));
      },
    });
  }

  /**
   * Makes a closed reader ready for another stream, with other handlers: nothing of the previous
   * stream is kept (its partial event, its counted bytes). A transport reuses one reader for the
   * responses it reads one after another, instead of building a parser (and its closures) each time.
   */
  reuse(handlers: SseReaderHandlers): this {
    this.close();
    this.parser.reset();
    this.handlers = handlers;
    this.dispatched = false;
    this.failed = false;
    this.clean = true;
    return this;
  }

  feed(chunk: string): void {
    if (this.failed) return;
    const bytes = chunk.length;
    try {
      this.meter.add(bytes);
    } catch (error) {
      this.overflow(error as ResponseTooLargeError);
      return;
    }
    this.dispatched = false;
    // Most answers arrive as one chunk holding one whole event: taken as it is, without a parser pass.
    const event = this.clean ? wholeEvent(chunk) : undefined;
    if (event !== undefined) {
      this.dispatched = true;
      this.handlers.onEvent(event);
    } else {
      this.clean = false;
      this.parser.feed(chunk);
    }
    // Once an event completed inside this chunk, what is still buffered is at most this chunk.
    if (this.dispatched && !this.failed) {
      this.meter.release();
      try {
        this.meter.add(Math.min(bytes, this.limits.maxMessageBytes));
      } catch (error) {
        this.overflow(error as ResponseTooLargeError);
      }
    }
  }

  /** The stream ended or was reset: nothing it buffered counts any more. */
  close(): void {
    this.failed = true;
    this.meter.release();
  }

  private overflow(error: ResponseTooLargeError): void {
    if (this.failed) return;
    this.close();
    this.handlers.onOverflow(error);
  }
}

/**
 * A chunk that is exactly one event of one data line (`data: …` after an optional
 * `event: message` line, then a blank line), as eventsource-parser would give it; anything else
 * (ids, comments, CR line ends, several lines or events, a partial event) is undefined and
 * left to the parser.
 */
function wholeEvent(chunk: string): EventSourceMessage | undefined {
  let start: number;
  let event: string | undefined;
  if (chunk.startsWith('event: message\ndata: ')) {
    start = 21;
    event = 'message';
  } else if (chunk.startsWith('data: ')) start = 6;
  else return undefined;
  const end = chunk.length - 2;
  if (end < start || chunk.charCodeAt(end) !== 10 || chunk.charCodeAt(end + 1) !== 10) return undefined;
  if (chunk.indexOf('\n', start) !== end || chunk.indexOf('\r', start) !== -1) return undefined;
  return { id: undefined, event, data: chunk.slice(start, end) };
}

/** What an oversized line began with (enough to say which request it answered). */
const HEAD_BYTES = 256;

export interface LineHandlers {
  onLine(line: Buffer): void;
  /** A line passed a limit and was skipped up to its newline; `head` is how it began. */
  onOversize(head: Buffer, error: ResponseTooLargeError): void;
}

/**
 * Newline framing (stdio) with a cap per line: the pieces of a partial line are kept as a list and
 * joined once (no re-copy per chunk), and a line over the cap is skipped up to its newline, so the
 * stream stays usable and memory stays bounded whatever the other side writes.
 */
export class LineFramer {
  private parts: Buffer[] = [];
  private readonly meter: MessageMeter;
  private skipping: ResponseTooLargeError | undefined;
  private head: Buffer | undefined;

  constructor(
    limits: InboundLimits,
    private readonly handlers: LineHandlers,
  ) {
    this.meter = new MessageMeter(limits);
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 ? chunk.length : newline;
      if (end > start) this.append(chunk.subarray(start, end));
      if (newline < 0) return;
      this.endLine();
      start = newline + 1;
    }
  }

  /** Drops a partial line (the stream closed). */
  clear(): void {
    this.parts = [];
    this.meter.release();
    this.skipping = undefined;
    this.head = undefined;
  }

  private append(piece: Buffer): void {
    if (this.skipping) return;
    try {
      this.meter.add(piece.length);
      this.parts.push(piece);
    } catch (error) {
      const joined = Buffer.concat([...this.parts, piece].slice(0, 8));
      this.head = Buffer.from(joined.subarray(0, HEAD_BYTES));
      this.parts = [];
      this.skipping = error as ResponseTooLargeError;
    }
  }

  private endLine(): void {
    if (this.skipping) {
      const error = this.skipping;
      const head = this.head ?? Buffer.alloc(0);
      this.clear();
      this.handlers.onOversize(head, error);
      return;
    }
    const parts = this.parts;
    this.parts = [];
    let line = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    try {
      if (line.length > 0) this.handlers.onLine(line);
    } finally {
      this.meter.release();
    }
  }
}

/**
 * The id of the response an oversized message began with, when it starts the way JSON-RPC
 * libraries write a response (`{"jsonrpc":"2.0","id":…`), so that request can fail at once
 * instead of waiting for its timeout.
 */
export function responseIdOf(head: string): string | number | undefined {
  const m =
    /^\s*\{\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*,\s*"(?:result|error)"/.exec(
      head,
    );
  if (!m) return undefined;
  return m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : Number(m[1]);
}
