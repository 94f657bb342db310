// How a call's outcome crosses a process boundary (Electron IPC, the engine's utility process):
// errors travel as data, so their message and status arrive unchanged.

/** An error on the wire: message, and the HTTP-like status when there is one. */
export interface WireError {
  message: string;
  name?: string;
  status?: number;
}

export type WireResult = { ok: true; value: unknown } | { ok: false; error: WireError };

export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const status = (error as { status?: unknown }).status;
    return {
      message: error.message,
      name: error.name,
      ...(typeof status === 'number' ? { status } : {}),
    };
  }
  return { message: String(error) };
}
