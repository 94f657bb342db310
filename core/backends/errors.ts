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
    super(`HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`, backend);
  }
}

export class ResponseTooLargeError extends BackendError {
  constructor(
    readonly limit: number,
    backend?: string,
  ) {
    super(`response exceeded the ${limit}-byte limit`, backend);
  }
}

/** The connection closed (process exited, stream ended) while requests were in flight. */
export class ConnectionClosedError extends BackendError {}

/** No connection to the backend right now. */
export class BackendUnavailableError extends BackendError {}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = (cause as { code?: string } | undefined)?.code ?? (error as { code?: string }).code;
    if (code === 'ECONNREFUSED') return `connection refused (${error.message})`;
    return error.message;
  }
  return String(error);
}
