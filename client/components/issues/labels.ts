import type { IssuePriority, IssueStatus } from '../../../schemas/index.ts';
import { t } from '../../i18n/index.ts';

/** A column's name in the UI language. */
export function statusLabel(status: IssueStatus): string {
  return t(`issues.status.${status}`);
}

export function priorityLabel(priority: IssuePriority): string {
  return t(`issues.priority.${priority}`);
}
