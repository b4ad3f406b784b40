import type { StageStatus } from '../../../schemas/index.ts';
import type { Counts } from '../../services/agent-types.ts';
import { stageLabel } from './StageBadge.tsx';
import { t } from '../../i18n/index.ts';

/** The four statuses a person acts on; the others are summed as "other". */
const MAIN: readonly StageStatus[] = ['RUNNING', 'WAITING_APPROVAL', 'FAILED', 'COMPLETED'];

/** Stage counts as labelled numbers; zero counts are dimmed, not hidden, so cards line up. */
export function CountsRow({ counts }: { counts: Counts }) {
  const other = (counts.IDLE ?? 0) + (counts.WAITING_TRIGGER ?? 0);
  return (
    <dl class="counts">
      {MAIN.map((status) => {
        const n = counts[status] ?? 0;
        return (
          <div key={status} class={`count count-${status.toLowerCase()}${n === 0 ? ' zero' : ''}`} data-status={status} data-count={n}>
            <dt>{stageLabel(status)}</dt>
            <dd>{n}</dd>
          </div>
        );
      })}
      <div class={`count count-other${other === 0 ? ' zero' : ''}`} data-status="OTHER" data-count={other} title={t('counts.otherTitle')}>
        <dt>{t('stage.IDLE')}</dt>
        <dd>{other}</dd>
      </div>
    </dl>
  );
}

export function addCounts(into: Counts, from: Counts): void {
  for (const [status, n] of Object.entries(from) as Array<[StageStatus, number]>) into[status] = (into[status] ?? 0) + n;
}
