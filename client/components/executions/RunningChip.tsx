import { t } from '../../i18n/index.ts';
import { seconds } from '../../lib/format.ts';
import type { RunView } from '../../services/executions.ts';
import { runDuration } from './RunItem.tsx';

/** The toolbar's sign that an execution runs in this session, with its elapsed time; opens the list. */
export function RunningChip({ run, onClick }: { run: RunView; onClick: () => void }) {
  const ms = seconds.value - Date.parse(run.startedAt);
  return (
    <button type="button" class="small exec-chip" onClick={onClick} title={run.command} data-testid="execution-running">
      <span class="exec-chip-dot" aria-hidden="true" />
      {t('executions.runningFor', { time: runDuration(Math.max(0, ms)) })}
    </button>
  );
}
