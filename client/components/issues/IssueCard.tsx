import { memo } from 'preact/compat';
import { useRef, useState } from 'preact/hooks';
import type { Issue, IssueSessionState, IssueStatus } from '../../../schemas/index.ts';
import { priorityLabel, statusLabel } from './labels.ts';
import { MoveMenu } from './MoveMenu.tsx';
import { stateLabel } from './session-state.ts';
import { t } from '../../i18n/index.ts';
import { failureText } from '../queues/item-reason.ts';

interface Props {
  readonly issue: Issue;
  /** The live states of the issue's open sessions (closed ones are left out). */
  readonly states: readonly IssueSessionState[];
  /** Where the card is in its column now (asked when a key or the menu needs it, so a move elsewhere does not re-render every card). */
  readonly locate: (id: string) => { index: number; length: number };
  readonly statuses: readonly IssueStatus[];
  readonly selected: boolean;
  readonly onOpen: (id: string) => void;
  readonly onMove: (id: string, status: IssueStatus, index: number) => void;
}

/** A card: title, id, priority, labels, the sessions' live state; keyboard moves with Alt+arrows or the Move menu. */
export const IssueCard = memo(function IssueCard({ issue, states, locate, statuses, selected, onOpen, onMove }: Props) {
  const [menu, setMenu] = useState(false);
  const moveButton = useRef<HTMLButtonElement>(null);
  const column = statuses.indexOf(issue.status);
  const failed = issue.lastRun && (issue.lastRun.error || ['failed', 'timeout', 'cancelled'].includes(issue.lastRun.status)) ? issue.lastRun : null;
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.target !== e.currentTarget) return;
    const { index, length: columnLength } = locate(issue.id);
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onOpen(issue.id);
    } else if (e.key === 'm' || e.key === 'M') {
      e.preventDefault();
      setMenu(true);
    } else if (e.altKey && e.key === 'ArrowUp' && index > 0) {
      e.preventDefault();
      onMove(issue.id, issue.status, index - 1);
    } else if (e.altKey && e.key === 'ArrowDown' && index < columnLength - 1) {
      e.preventDefault();
      onMove(issue.id, issue.status, index + 1);
    } else if (e.altKey && e.key === 'ArrowLeft' && column > 0) {
      e.preventDefault();
      onMove(issue.id, statuses[column - 1]!, index);
    } else if (e.altKey && e.key === 'ArrowRight' && column < statuses.length - 1) {
      e.preventDefault();
      onMove(issue.id, statuses[column + 1]!, index);
    }
  };
  return (
    <li
      class={`issue-card priority-${issue.priority}${selected ? ' selected' : ''}`}
      data-issue-id={issue.id}
      tabIndex={0}
      aria-label={t('issues.card.label', { title: issue.title, priority: priorityLabel(issue.priority), status: statusLabel(issue.status) })}
      aria-describedby="board-keys-help"
      aria-current={selected ? 'true' : undefined}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('.move-menu, .card-move')) return;
        onOpen(issue.id);
      }}
      onKeyDown={onKeyDown}
    >
      <div class="card-top">
        <span class="card-id">{issue.id}</span>
        <span class={`priority priority-${issue.priority}`}>{priorityLabel(issue.priority)}</span>
        <button
          type="button"
          ref={moveButton}
          class="card-move small"
          aria-haspopup="menu"
          aria-expanded={menu}
          aria-label={t('issues.card.moveLabel', { id: issue.id })}
          onClick={(e) => {
            e.stopPropagation();
            setMenu(!menu);
          }}
        >
          {t('issues.card.move')}
        </button>
      </div>
      <p class="card-title">{issue.title}</p>
      {issue.labels.length > 0 && (
        <ul class="card-labels" aria-label={t('issues.card.labels')}>
          {issue.labels.map((label) => (
            <li key={label} class="label">
              {label}
            </li>
          ))}
        </ul>
      )}
      {states.length > 0 && (
        <ul class="card-sessions" aria-label={t('issues.card.sessions')}>
          {states.map((state, i) => (
            <li key={i} class={`session-state state-${state.kind}`} data-state={state.kind}>
              <span class="dot" aria-hidden="true" />
              {stateLabel(state)}
            </li>
          ))}
        </ul>
      )}
      {failed && (
        <p class="card-failure" data-testid="card-failure">
          {t('issues.card.runFailed', { status: failed.status })}
          {failed.exitCode !== null ? t('issues.card.exit', { code: failed.exitCode }) : ''}
          {failed.error ? `: ${failureText({ failure_reason: failed.error, failure_code: failed.errorCode })}` : ''}
        </p>
      )}
      {menu && (
        <MoveMenu
          issue={issue}
          statuses={statuses}
          {...locate(issue.id)}
          anchor={moveButton.current}
          onClose={() => setMenu(false)}
          onMove={(status, to) => {
            setMenu(false);
            onMove(issue.id, status, to);
          }}
        />
      )}
    </li>
  );
});
