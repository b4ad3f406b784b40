import { errorMessage } from '../../../base/errors.ts';
import { failureFields } from '../../../schemas/queue-reason.ts';
import type { QueueItem } from '../../../schemas/queue.ts';
import type { QueueExecution, QueueIssues } from './ports.ts';
import type { QueueState } from './queue-state.ts';

/**
 * What a queue item's execution leaves behind: the item's end (status, reason, the output's tail)
 * and its issue's status. The scheduler decides when; these say what.
 */

/** The end of an output kept on the item. */
const RESULT_CHARS = 4000;

/** The item as its execution ended it: completed, cancelled or failed, keeping what it left. */
export function settledItem(item: QueueItem, execution: QueueExecution): QueueItem {
  const status = execution.status === 'completed' ? 'completed' : execution.status === 'cancelled' ? 'cancelled' : 'failed';
  const failure =
    execution.status === 'failed'
      ? failureFields('exit_code', { code: String(execution.exitCode ?? 'unknown') })
      : execution.status === 'timeout'
        ? failureFields('timed_out')
        : execution.status === 'cancelled'
          ? failureFields('cancelled')
          : { failure_reason: null, failure_code: null };
  const tail = execution.outputTail ?? null;
  return {
    ...item,
    status,
    completed_at: execution.endedAt ?? new Date().toISOString(),
    result: tail && tail.length > RESULT_CHARS ? tail.slice(-RESULT_CHARS) : tail,
    ...failure,
  };
}

export interface IssueFollowDeps {
  readonly state: Pick<QueueState, 'list'>;
  readonly issues: () => QueueIssues | undefined;
  readonly log: (message: string) => void;
}

/** Issues follow their items: in_progress when one starts, resolved when all of them completed. */
export function followIssue(deps: IssueFollowDeps, item: QueueItem, what: 'started' | 'completed' | 'failed', exitCode?: number | null): void {
  const issues = deps.issues();
  if (!issues || !item.issue_id) return;
  const issue = issues.get(item.issue_id);
  if (!issue) return;
  const by = `queue item ${item.item_id}`;
  const report = (e: unknown) => deps.log(`issue ${item.issue_id}: ${errorMessage(e)}`);
  if (what === 'started' && (issue.status === 'open' || issue.status === 'queued')) void issues.setStatus(issue.id, 'in_progress', by).catch(report);
  if (what !== 'started') {
    void issues
      .recordRun?.(issue.id, { executionId: item.executionId, sessionKey: item.sessionKey, status: item.status, exitCode: exitCode ?? null, error: item.failure_reason, errorCode: item.failure_code ?? null })
      .catch(report);
  }
  if (what === 'completed' && issue.status !== 'resolved' && issue.status !== 'completed' && issue.status !== 'closed') {
    const all = deps.state
      .list()
      .filter((q) => q.status !== 'archived')
      .flatMap((q) => q.items.filter((i) => i.issue_id === item.issue_id));
    if (all.every((i) => i.status === 'completed' || (i.status === 'cancelled' && i.skipped))) void issues.setStatus(issue.id, 'resolved', by).catch(report);
  }
}
