import type { IssueStatus } from '../../../schemas/index.ts';

export const STATUS_LABELS: Record<IssueStatus, string> = {
  open: 'Open',
  queued: 'Queued',
  in_progress: 'In progress',
  resolved: 'Resolved',
  completed: 'Completed',
  closed: 'Closed',
};
