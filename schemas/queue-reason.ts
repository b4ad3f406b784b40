import type { QueueReason } from './queue-view.ts';
import { apiErrorCode, errorMessage } from '../base/errors.ts';

/**
 * Why a queue item is blocked or failed, in English (`blocked_reason`, `failure_reason`:
 * what API users read) and as a code with its free parts (`blocked_code`, `failure_code`:
 * what the queue page words in its language). Built here together so the two always agree.
 */

const FAILURES = {
  exit_code: (p: Record<string, string>) => `exited with code ${p.code ?? 'unknown'}`,
  timed_out: () => 'timed out',
  cancelled: () => 'its execution was cancelled',
  stopped: () => 'stopped by the user',
  could_not_start: (p: Record<string, string>) => `could not start: ${p.message ?? ''}`,
  auto_start_failed: (p: Record<string, string>) => `auto-start failed: ${p.message ?? ''}`,
  execution_lost: (p: Record<string, string>) => `its execution ${p.execution ?? ''} is not known any more`,
} as const;
export type QueueFailureCode = keyof typeof FAILURES;

/**
 * A start error as failure parameters: its words, and its API code (`session_busy`…) when it
 * has one, so a UI can word the error itself in its language (`apiError.<code>`).
 */
export function startErrorParams(error: unknown): Record<string, string> {
  const code = apiErrorCode(error);
  return { message: errorMessage(error), ...(code ? { error: code } : {}) };
}

/** An item's failure: both fields, to spread into the item. */
export function failureFields(code: QueueFailureCode, params: Record<string, string> = {}): { failure_reason: string; failure_code: QueueReason } {
  return { failure_reason: FAILURES[code](params), failure_code: { code, params } };
}

export type QueueBlockedCode = 'dep_failed' | 'dep_cancelled' | 'dep_blocked';

/** Why an item waits on `dep` for good; `sequential`: dep runs before it in its sequential group. */
export function blockedFields(code: QueueBlockedCode, dep: string, sequential: boolean, depFailure: string | null): { blocked_reason: string; blocked_code: QueueReason } {
  const what = sequential ? `${dep}, which runs before it in its sequential group,` : dep;
  const text =
    code === 'dep_failed' ? `waits for ${what} which failed${depFailure ? ` (${depFailure})` : ''}` : code === 'dep_cancelled' ? `waits for ${what} which was cancelled` : `waits for ${what} which is blocked`;
  return { blocked_reason: text, blocked_code: { code, params: { dep, ...(sequential ? { sequential: 'yes' } : {}) } } };
}
