import type { StageStatus } from '../../../schemas/index.ts';
import { t, type MessageKey } from '../../i18n/index.ts';

/** A stage status in the UI language. */
export function stageLabel(status: StageStatus): string {
  return t(`stage.${status}` as MessageKey);
}

/** A stage status as a coloured pill; `data-status` carries the raw status for tests and styles. */
export function StageBadge({ status, small }: { status: StageStatus; small?: boolean }) {
  return (
    <span class={`stage-badge stage-${status.toLowerCase()}${small ? ' small' : ''}`} data-status={status}>
      {stageLabel(status)}
    </span>
  );
}
