import { t } from '../../i18n/index.ts';
import type { FlowNodeStatus, FlowRunStatus } from '../../../schemas/index.ts';

/** A run's or a node's status as a coloured pill (the word is always there, colour only helps). */
export function RunBadge({ status }: { status: FlowRunStatus | FlowNodeStatus }) {
  return <span class={`badge run-badge run-badge-${status}`} data-status={status}>{t(`flows.status.${status}`)}</span>;
}
