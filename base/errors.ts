/**
 * What was thrown, as words. `catch` hands over `unknown`: an Error says its message,
 * anything else (a string, a number, a rejected plain value) is stringified.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The same for a log: an Error's stack when it has one (it starts with the message). */
export function errorDetail(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** What was thrown as an Error, for emitters and promises that carry Error objects. */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * A failure the API reports: its HTTP status, a code a program can test and a
 * message that says what to do (zod issues, if any, in `details`). Any domain
 * throws it; the HTTP layer turns it into the error body.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
