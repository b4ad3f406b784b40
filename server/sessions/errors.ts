import { ApiError, notFoundError } from '../../base/errors.ts';

/** The session errors several calls answer with. */
export const notFound = (key: string) => notFoundError('session', key, `no session with key "${key}"`);
export const sessionClosed = (key: string) =>
  new ApiError(409, 'session_closed', `session "${key}" is closed; create a new session to continue`);
export const sessionExited = (key: string, code: number | null) =>
  new ApiError(409, 'session_exited', `the program in session "${key}" has exited (code ${code ?? 'unknown'}); nothing can read input`);
export const sessionNotClosed = (key: string, status: string) =>
  new ApiError(409, 'session_not_closed', `session "${key}" is ${status}; close it first (POST /api/cli-sessions/${key}/close), then remove it`);
