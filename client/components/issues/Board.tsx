import { useMemo } from 'preact/hooks';
import type { CliSession, IssueStatus } from '../../../schemas/index.ts';
import { useServices } from '../../services/index.ts';
import { Column } from './Column.tsx';
import { t } from '../../i18n/index.ts';
import { errorMessage } from '../../../base/errors.ts';

interface Props {
  readonly selectedId: string | undefined;
  readonly onOpen: (id: string) => void;
  readonly onError: (message: string) => void;
}

/** The columns. Moves (drag or keyboard) go through the store: shown at once, kept once the server agrees. */
export function Board({ selectedId, onOpen, onError }: Props) {
  const { issues, sessions, executions } = useServices();
  const columns = issues.columns.value;
  const statuses = issues.statuses.value;
  const byKey = sessions.byKey.value;
  const byIssue = useMemo(() => {
    const out = new Map<string, CliSession[]>();
    for (const s of byKey.values()) {
      if (!s.issueId) continue;
      const list = out.get(s.issueId) ?? [];
      list.push(s);
      out.set(s.issueId, list);
    }
    return out;
  }, [byKey]);
  const running = executions.runningBySession.value;
  const onMove = useMemo(
    () => (id: string, status: IssueStatus, index: number) => {
      const hadFocus = (document.activeElement as HTMLElement | null)?.closest?.('.issue-card')?.getAttribute('data-issue-id') === id;
      const done = issues.move(id, status, index).catch((error: unknown) => onError(t('issues.notMoved', { message: errorMessage(error) })));
      // Keyboard moves keep the focus on the card, wherever it went.
      if (hadFocus) {
        requestAnimationFrame(() => document.querySelector<HTMLElement>(`.issue-card[data-issue-id="${CSS.escape(id)}"]`)?.focus());
        void done.then(() => document.querySelector<HTMLElement>(`.issue-card[data-issue-id="${CSS.escape(id)}"]`)?.focus());
      }
    },
    [],
  );
  return (
    <div class="board" data-testid="issue-board">
      <p id="board-keys-help" class="visually-hidden">
        {t('issues.keysHelp')}
      </p>
      {statuses.map((status) => (
        <Column
          key={status}
          status={status}
          issues={columns.get(status) ?? []}
          statuses={statuses}
          sessions={byKey}
          byIssue={byIssue}
          running={running}
          selectedId={selectedId}
          onOpen={onOpen}
          onMove={onMove}
        />
      ))}
    </div>
  );
}
