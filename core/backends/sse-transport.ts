// Legacy HTTP+SSE backends (2024-11-05 transport) through the SDK's SSEClientTransport, with the
// configured headers and a cap on each event's size applied at the fetch layer.
//
// A backend that restarted no longer knows our session, and the SDK transport does not say so: a
// POST to the old endpoint fails with a plain error, and its EventSource, once it reconnects, takes
// the new endpoint of a session nobody initialized. Both are reported here as SessionLostError (a
// 404 answering a POST; a second stream opened), so the link opens a fresh session and, for a
// request, retries it once: the first call after a backend restart succeeds.
import { SSEClientTransport, type JSONRPCMessage } from '@modelcontextprotocol/client';
import type { BackendTransport, MessageContext } from './transport.js';
import { SelfConnectionError, SessionLostError } from './errors.js';
import { INSTANCE_HEADER } from './http-transport.js';
import { MessageMeter, UNBOUNDED_BUDGET, type InboundBudget, type InboundLimits } from './inbound-limits.js';

export interface SseTransportOptions {
  url: string;
  headers: Record<string, string>;
  maxMessageBytes: number;
  /** The process-wide budget for bytes in flight from backends (default: unbounded). */
  budget?: InboundBudget;
  /** This gateway's instance id (an answer carrying it means the backend is ourselves). */
  selfInstance?: string;
  backend?: string;
}

export class SseTransport implements BackendTransport {
  readonly kind = 'sse' as const;
  readonly perRequest = false;
  onmessage?: (message: JSONRPCMessage, context: MessageContext) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;
  private readonly inner: SSEClientTransport;
  private closing = false;
  /** Event streams the backend accepted: a second one is a reconnect to a new, uninitialized session. */
  private streamsOpened = 0;

  constructor(private readonly options: SseTransportOptions) {
    const fetchWithCap = cappedEventFetch(
      {
        maxMessageBytes: options.maxMessageBytes,
        budget: options.budget ?? UNBOUNDED_BUDGET,
        backend: options.backend,
      },
      options.selfInstance,
    );
    this.inner = new SSEClientTransport(new URL(options.url), {
      requestInit: { headers: options.headers },
      eventSourceInit: {
        fetch: async (url, init) => {
          const response = await fetchWithCap(url, {
            ...init,
            headers: { ...init?.headers, ...options.headers },
          });
          if (response.ok && ++this.streamsOpened > 1 && !this.closing)
            this.onerror?.(this.sessionLost('the SSE stream reconnected'));
          return response;
        },
      },
      fetch: async (url, init) => {
        const response = await fetchWithCap(url, init);
        if (response.status === 404 && !this.closing) {
          await response.body?.cancel();
          throw this.sessionLost('HTTP 404');
        }
        return response;
      },
    });
    this.inner.onmessage = (message) => this.onmessage?.(message, {});
    // A POST's SessionLostError reaches the link as that request's failure (it re-opens and
    // retries); reported here as well, its reset would end the request first, as closed.
    this.inner.onerror = (error) => {
      if (!(error instanceof SessionLostError)) this.onerror?.(error);
    };
    this.inner.onclose = () => this.onclose?.(this.closing ? undefined : new Error('SSE stream closed'));
  }

  get sessionId(): string | undefined {
    return undefined;
  }

  async start(): Promise<void> {
    try {
      await this.inner.start();
    } catch (error) {
      // A failed start leaves the SDK's EventSource retrying on its own (every 3 s, forever): it
      // would connect once the backend is back and hold that stream, keeping serve alive after
      // SIGTERM. Nothing else owns it yet, so close it here.
      this.closing = true;
      await this.inner.close().catch(() => undefined);
      throw error;
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.inner.send(message);
  }

  /** The backend forgot our session (it restarted): the link opens a new one. */
  private sessionLost(why: string): SessionLostError {
    return new SessionLostError(`backend session is gone (${why})`, this.options.backend);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.inner.close();
  }
}

/**
 * A fetch whose event-stream bodies fail once a single event grows past the message cap (an SSE
 * event ends at a blank line) or the shared in-flight budget has no room for it, so a runaway
 * backend cannot grow the gateway's memory without bound. JSON bodies (the answers to our POSTs)
 * are small acknowledgements; they are capped the same way.
 */
function cappedEventFetch(limits: InboundLimits, selfInstance?: string): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (selfInstance !== undefined && response.headers.get(INSTANCE_HEADER) === selfInstance) {
      await response.body?.cancel();
      throw new SelfConnectionError(limits.backend);
    }
    if (!response.body) return response;
    const meter = new MessageMeter(limits);
    let previousTail = '';
    const decoder = new TextDecoder();
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const text = previousTail + decoder.decode(chunk, { stream: true });
          const boundary = Math.max(text.lastIndexOf('\n\n'), text.lastIndexOf('\r\n\r\n'));
          previousTail = text.slice(-3);
          try {
            if (boundary >= 0) {
              // An event ended in this chunk: only what follows it is still being buffered.
              meter.release();
              meter.add(Buffer.byteLength(text.slice(boundary)));
            } else meter.add(chunk.length);
          } catch (error) {
            controller.error(error);
            return;
          }
          controller.enqueue(chunk);
        },
        flush() {
          meter.release();
        },
      }),
    );
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
