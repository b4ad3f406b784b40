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
    /** The free parts of the message (`what`, `id`…), for a client that words the code itself. */
    readonly params?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The API code of what was thrown (`session_busy`…); undefined for any other failure. */
export function apiErrorCode(error: unknown): string | undefined {
  return error instanceof ApiError ? error.code : undefined;
}

/**
 * A 404 that says what was missing in `params` (`what`: queue, execution, pipeline…; `id`),
 * so a client in another language can say it too; `message` says it in English.
 */
export function notFoundError(what: string, id: string, message: string): ApiError {
  return new ApiError(404, 'not_found', message, undefined, { what, id });
}
