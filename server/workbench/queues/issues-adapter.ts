import type { IssueService } from '../issues/index.ts';
import type { QueueIssues } from './ports.ts';

/**
 * The issue board's public face as the queues use it. Status changes are made
 * `by: 'scheduler'` so the board's auto-start (which starts a run when an issue
 * enters in_progress by hand) can tell them apart and does not run the issue a
 * second time; failures show on the card as the issue's last run.
 */
export function queueIssuesFrom(service: IssueService): QueueIssues {
  return {
    get: (id) => (service.has(id) ? service.get(id) : undefined),
    setStatus: async (id, status) => {
      await service.update(id, { status }, 'scheduler');
    },
    recordRun: async (id, run) => {
      await service.setLastRun(id, { ...run, at: new Date().toISOString() });
    },
  };
}
