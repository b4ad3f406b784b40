import type { StageStatus } from '../../../schemas/index.ts';

export const STAGE_LABEL: Record<StageStatus, string> = {
  RUNNING: 'Running',
  WAITING_APPROVAL: 'Waiting approval',
  FAILED: 'Failed',
  COMPLETED: 'Completed',
  WAITING_TRIGGER: 'Waiting trigger',
  IDLE: 'Idle',
};

/** A stage status as a coloured pill; `data-status` carries the raw status for tests and styles. */
export function StageBadge({ status, small }: { status: StageStatus; small?: boolean }) {
  return (
    <span class={`stage-badge stage-${status.toLowerCase()}${small ? ' small' : ''}`} data-status={status}>
      {STAGE_LABEL[status]}
    </span>
  );
}
