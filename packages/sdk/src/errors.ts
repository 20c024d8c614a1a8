/** An error answered by Chorus: the HTTP status (or 0 over the socket) and the stable error code. */
export class ChorusError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ChorusError';
  }
}
