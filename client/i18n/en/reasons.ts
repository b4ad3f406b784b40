/**
 * Why a queue item is blocked or failed (schemas/queue-reason.ts codes): shown on the
 * queue page and on an issue's card, so an area of its own that either page adds.
 */
export const reasons = {
  // {what}: the item it waits for.
  'queues.why.dep_failed': 'waits for {what} which failed{failure}',
  'queues.why.dep_cancelled': 'waits for {what} which was cancelled',
  'queues.why.dep_blocked': 'waits for {what} which is blocked',
  'queues.why.sequential': '{dep}, which runs before it in its sequential group,',
  'queues.why.depFailure': ' ({reason})',
  'queues.why.exit_code': 'exited with code {code}',
  'queues.why.timed_out': 'timed out',
  'queues.why.cancelled': 'its execution was cancelled',
  'queues.why.stopped': 'stopped by the user',
  'queues.why.could_not_start': 'could not start: {message}',
  'queues.why.auto_start_failed': 'auto-start failed: {message}',
  'queues.why.execution_lost': 'its execution {execution} is not known any more',
} as const;
