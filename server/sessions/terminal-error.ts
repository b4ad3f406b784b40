import { apiErrorCode, errorMessage } from '../../base/errors.ts';
import type { TerminalErrorMessage } from '../../schemas/index.ts';

/** A failure as a terminal `error` message: its words, and its API code (`session_exited`…) for the UI to word. */
export function terminalError(error: unknown): TerminalErrorMessage {
  const code = apiErrorCode(error);
  return { type: 'error', message: errorMessage(error), ...(code ? { code } : {}) };
}
