// The control API over HTTP (`switchyard serve`): JSON requests under /api with the bearer token,
// one per call, as the method table routes it (common/control/http.ts), and the live events from `GET /api/events` — a text/event-stream that needs the Authorization
// header, so it is read with fetch and a streamed SSE parser (EventSource cannot send headers),
// reconnecting with capped, jittered backoff.
import { createParser } from 'eventsource-parser';
import type { ControlEvent } from '../../../common/control/api.js';
import { createControlClient } from '../../../common/control/client.js';
import { EVENTS_PATH, httpRequestFor } from '../../../common/control/http.js';
import { BridgeError, UnauthorizedError, type Bridge, type ConnectionState } from './bridge.js';

export interface HttpBridgeOptions {
  /** Origin (and optional path prefix) of the server, e.g. "http://127.0.0.1:4750"; "" for this page's origin. */
  baseUrl?: string;
  /** The token to send, read on every request (null: send none, e.g. auth off). */
  token?: string | null;
  /** Called when the token changes through setToken (to persist it). */
  onTokenChange?: (token: string | null) => void;
  fetch?: typeof fetch;
  /** Reconnect delays of the event stream. */
  backoff?: { initialMs: number; maxMs: number };
  /** Per-request timeout for JSON calls. */
  timeoutMs?: number;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function createHttpBridge(options: HttpBridgeOptions = {}): Bridge {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 15_000 };
  const timeoutMs = options.timeoutMs ?? 30_000;
  let token = options.token ?? null;

  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });

  async function request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: headers(
          body === undefined
            ? { accept: 'application/json' }
            : { 'content-type': 'application/json', accept: 'application/json' },
        ),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch (error) {
      throw new BridgeError(
        controller.signal.aborted
          ? `Switchyard did not answer within ${Math.round(timeoutMs / 1000)} s`
          : `Cannot reach Switchyard (${error instanceof Error ? error.message : String(error)})`,
      );
    } finally {
      clearTimeout(timer);
    }
    if (response.status === 401) throw new UnauthorizedError();
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (response.ok) throw new BridgeError(`Unexpected answer from ${path}`, response.status);
      }
    }
    if (!response.ok) {
      const message =
        parsed && typeof parsed === 'object' && typeof (parsed as { error?: unknown }).error === 'string'
          ? (parsed as { error: string }).error
          : `${method} ${path} failed with HTTP ${response.status}`;
      throw new BridgeError(message, response.status);
    }
    return parsed;
  }

  // --- Live events: one stream shared by every subscriber -----------------------------------------
  const listeners = new Set<(event: ControlEvent) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let connection: ConnectionState = 'connecting';
  let stream: AbortController | null = null;
  /** Wakes a stream that stopped on 401 once a new token is set. */
  let tokenChanged: (() => void) | null = null;

  const setConnection = (state: ConnectionState) => {
    if (state === connection) return;
    connection = state;
    for (const listener of connectionListeners) listener(state);
  };

  const emit = (event: ControlEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('switchyard: event listener failed', error);
      }
    }
  };

  async function readOnce(signal: AbortSignal): Promise<'ended' | 'unauthorized'> {
    const response = await doFetch(`${base}${EVENTS_PATH}`, {
      headers: headers({ accept: 'text/event-stream' }),
      cache: 'no-store',
      signal,
    });
    if (response.status === 401) return 'unauthorized';
    if (!response.ok || !response.body) throw new BridgeError(`event stream: HTTP ${response.status}`);
    setConnection('open');
    const parser = createParser({
      onEvent(message) {
        if (!message.data) return;
        try {
          const event = JSON.parse(message.data) as ControlEvent;
          if (event && typeof event === 'object' && typeof event.type === 'string') emit(event);
        } catch {
          // not a ControlEvent (e.g. a comment-like keep-alive): ignore
        }
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'ended';
        parser.feed(value);
      }
    } finally {
      reader.releaseLock();
    }
  }

  async function run(signal: AbortSignal) {
    let attempt = 0;
    while (!signal.aborted) {
      let outcome: 'ended' | 'unauthorized' | 'failed';
      try {
        outcome = await readOnce(signal);
      } catch {
        outcome = 'failed';
      }
      if (signal.aborted) return;
      if (outcome === 'unauthorized') {
        setConnection('unauthorized');
        await new Promise<void>((resolve) => {
          tokenChanged = resolve;
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        tokenChanged = null;
        attempt = 0;
        setConnection('connecting');
        continue;
      }
      setConnection('reconnecting');
      // An orderly end (server restarted) retries at once the first time; failures back off.
      const exp = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt);
      const wait = outcome === 'ended' && attempt === 0 ? 0 : exp / 2 + Math.random() * (exp / 2);
      attempt++;
      await delay(wait, signal);
    }
  }

  const ensureStream = () => {
    if (stream || listeners.size === 0) return;
    stream = new AbortController();
    setConnection('connecting');
    void run(stream.signal);
  };

  const stopStreamIfIdle = () => {
    if (listeners.size > 0 || !stream) return;
    stream.abort();
    stream = null;
  };

  return {
    ...createControlClient((method, args) => {
      const call = httpRequestFor(method, args);
      return request(call.verb, call.path, call.body);
    }),
    subscribe(listener) {
      listeners.add(listener);
      ensureStream();
      return () => {
        listeners.delete(listener);
        stopStreamIfIdle();
      };
    },
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      listener(connection);
      return () => connectionListeners.delete(listener);
    },
    setToken(next) {
      token = next;
      options.onTokenChange?.(next);
      tokenChanged?.();
    },
  };
}
