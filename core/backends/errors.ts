// Failures of a backend connection, each with a message fit to show a user or a model.

export class BackendError extends Error {
  constructor(
    message: string,
    readonly backend?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The backend did not answer within its configured timeout. */
export class BackendTimeoutError extends BackendError {
  constructor(
    readonly timeoutMs: number,
    readonly method: string,
    backend?: string,
  ) {
    super(`${method} timed out after ${timeoutMs} ms`, backend);
  }
}

/** The backend no longer knows our session (HTTP 404 on a session request): re-initialize and retry once. */
export class SessionLostError extends BackendError {}

/** An HTTP status that is not part of the protocol exchange. */
export class HttpStatusError extends BackendError {
  constructor(
    readonly status: number,
    readonly body: string,
    backend?: string,
  ) {
    super(`HTTP ${status}${body ? `: ${oneLine(body, 200)}` : ''}`, backend);
  }
}

/**
 * A message from the backend passed the per-message cap (`limits.backendResponse`), or arrived while
 * the gateway's budget for everything in flight (`limits.backendInFlight`) was used up.
 */
export class ResponseTooLargeError extends BackendError {
  constructor(
    readonly limit: number,
    backend?: string,
    readonly kind: 'message' | 'in-flight' = 'message',
  ) {
    super(
      kind === 'message'
        ? `response exceeded the ${limit}-byte limit (limits.backendResponse)`
        : `responses in flight from backends exceeded the gateway's ${limit}-byte budget (limits.backendInFlight)`,
      backend,
    );
  }
}

/**
 * A long-lived stream from the backend (the legacy GET stream) ended or broke: the backend may be
 * gone. Not a failure by itself (servers may end it); the connection checks health at once.
 */
export class StreamLostError extends BackendError {}

/** The backend's address leads back to this very gateway (it would aggregate itself without end). */
export class SelfConnectionError extends BackendError {
  constructor(backend?: string) {
    super(
      'this backend is Switchyard itself (its address leads back to this gateway): remove it, or point it at a real MCP server',
      backend,
    );
  }
}

/** The backend sent something that is not JSON-RPC (bad JSON, a bare array of numbers, …). */
export class BackendProtocolError extends BackendError {}

/** The connection closed (process exited, stream ended) while requests were in flight. */
export class ConnectionClosedError extends BackendError {}

/** No connection to the backend right now. */
export class BackendUnavailableError extends BackendError {}

/** Longest error text from a backend kept in status, logs and audit rows. */
export const ERROR_TEXT_LIMIT = 300;

/**
 * Text that came from outside (a backend's error body, a process's stderr) made fit for a status
 * line or a log field: control characters and line breaks become spaces, runs of blanks collapse,
 * and it is cut at ERROR_TEXT_LIMIT characters.
 */
export function oneLine(text: string, limit = ERROR_TEXT_LIMIT): string {
  // Look at a bounded prefix only: the input may be megabytes.
  const flat = text
    .slice(0, limit * 4)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (cause as { code?: string } | undefined)?.code ?? (error as { code?: string }).code;
    if (code === 'ECONNREFUSED') return oneLine(`connection refused (${error.message})`);
    return oneLine(error.message);
  }
  return oneLine(String(error));
}
