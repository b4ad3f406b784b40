import type { QueueItem } from '../../../schemas/index.ts';
import { addEnglish, t, type MessageKey } from '../../i18n/index.ts';
import { reasons } from '../../i18n/en/reasons.ts';
import { errorText } from '../../services/api.ts';

addEnglish(reasons);

/**
 * Why an item failed or is blocked, in the UI language when the server gave a code
 * (schemas/queue-reason.ts); the free parts (an item id, a start error) stay as sent,
 * and a reason without a code shows as the server wrote it.
 */
export function failureText(item: Pick<QueueItem, 'failure_reason' | 'failure_code'>): string {
  const why = item.failure_code;
  if (!why) return item.failure_reason ?? '';
  // A start error with an API code: the error itself in the UI language too.
  const { error, message } = why.params;
  const params = error && message !== undefined ? { ...why.params, message: errorText(error, message) } : why.params;
  return t(`queues.why.${why.code}` as MessageKey, params);
}

export function blockedText(item: Pick<QueueItem, 'blocked_reason' | 'blocked_code'>, byId: ReadonlyMap<string, QueueItem>): string {
  const why = item.blocked_code;
  if (!why) return item.blocked_reason ?? '';
  const dep = why.params.dep ?? '';
  const failed = why.code === 'dep_failed' ? byId.get(dep) : undefined;
  return t(`queues.why.${why.code}` as MessageKey, {
    what: why.params.sequential ? t('queues.why.sequential', { dep }) : dep,
    failure: failed && (failed.failure_code || failed.failure_reason) ? t('queues.why.depFailure', { reason: failureText(failed) }) : '',
  });
}
