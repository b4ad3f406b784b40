/** A failure the API reports with a status code and a message that says what to do. */
export class HubError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 413 | 500 | 503,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = 'HubError';
  }
}

export const notFound = (key: string) => new HubError(404, 'not_found', `no session with key "${key}"`);
export const sessionClosed = (key: string) =>
  new HubError(409, 'session_closed', `session "${key}" is closed; create a new session to continue`);
export const sessionExited = (key: string, code: number | null) =>
  new HubError(409, 'session_exited', `the program in session "${key}" has exited (code ${code ?? 'unknown'}); nothing can read input`);
