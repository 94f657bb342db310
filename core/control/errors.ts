/** An action the control API refuses (unknown backend, bad conflict id): a 4xx over HTTP. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}
