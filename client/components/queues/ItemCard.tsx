import { useState } from 'preact/hooks';
import type { CliSession, Queue, QueueItem } from '../../../schemas/index.ts';
import { duration, t, type MessageKey } from '../../i18n/index.ts';
import { terminalHref } from '../../services/router.ts';
import { RouteToSessionDialog } from '../flows/RouteToSession.tsx';
import { blockedText, failureText } from './item-reason.ts';

interface Props {
  readonly queue: Queue;
  readonly item: QueueItem;
  readonly byId: ReadonlyMap<string, QueueItem>;
  readonly sessions: ReadonlyMap<string, CliSession>;
  readonly now: number;
  readonly canPrev: boolean;
  readonly canNext: boolean;
  readonly first: boolean;
  readonly last: boolean;
  readonly onMove: (itemId: string, how: 'up' | 'down' | 'prev' | 'next') => void;
  readonly onAction: (itemId: string, action: 'retry' | 'skip' | 'delete') => void;
  readonly onExecute: (itemId: string, sessionKey: string | undefined) => void;
  /** Opens the item's terminal (a terminal page URL, at its execution's start when known). */
  readonly onOpenSession: (href: string) => void;
  /** Where the item's execution started in its session's stream, when known. */
  readonly startOf: (executionId: string) => number | null;
}

export function itemStatusLabel(item: Pick<QueueItem, 'status' | 'skipped'>): string {
  return item.skipped ? t('queues.item.skipped') : t(`queues.item.${item.status}` as MessageKey);
}

/** One queue item: status, what it waits for or why it is blocked, its session, duration and result; moves by keyboard too. */
export function ItemCard({ queue, item, byId, sessions, now, canPrev, canNext, first, last, onMove, onAction, onExecute, onOpenSession, startOf }: Props) {
  const [picking, setPicking] = useState(false);
  const [choice, setChoice] = useState('');
  const [routing, setRouting] = useState(false);
  const waits = item.status === 'pending' || item.status === 'ready' ? item.depends_on.map((id) => byId.get(id)).filter((d): d is QueueItem => !!d && d.status !== 'completed' && !d.skipped) : [];
  const session = item.sessionKey ? sessions.get(item.sessionKey) : undefined;
  const took =
    item.started_at && item.completed_at
      ? t('queues.duration', { time: duration(Date.parse(item.completed_at) - Date.parse(item.started_at)) })
      : item.started_at && item.status === 'executing'
        ? t('queues.runningFor', { time: duration(now - Date.parse(item.started_at)) })
        : null;
  // The session link opens the terminal at this item's execution (docs/workbench.md).
  const sessionHref = item.sessionKey ? terminalHref(item.sessionKey, item.executionId ? startOf(item.executionId) : null) : '';
  const idle = [...sessions.values()].filter((s) => s.status === 'running');
  const statusClass = item.skipped ? 'skipped' : item.status;
  return (
    <li class={`queue-item qi-${statusClass}`} data-item-id={item.item_id} data-status={item.status} aria-label={`${item.item_id}: ${itemStatusLabel(item)}`}>
      <div class="item-head">
        <span class="item-grip" aria-hidden="true">
          ⋮⋮
        </span>
        <span class="item-id">{item.item_id}</span>
        <span class={`item-status status-${statusClass}`}>{itemStatusLabel(item)}</span>
        <span class="item-moves">
          <button type="button" class="icon" disabled={first} aria-label={t('queues.moveUp', { id: item.item_id })} title={t('queues.moveUp', { id: item.item_id })} onClick={() => onMove(item.item_id, 'up')}>
            ↑
          </button>
          <button type="button" class="icon" disabled={last} aria-label={t('queues.moveDown', { id: item.item_id })} title={t('queues.moveDown', { id: item.item_id })} onClick={() => onMove(item.item_id, 'down')}>
            ↓
          </button>
          <button type="button" class="icon" disabled={!canPrev} aria-label={t('queues.movePrev', { id: item.item_id })} title={t('queues.movePrev', { id: item.item_id })} onClick={() => onMove(item.item_id, 'prev')}>
            ←
          </button>
          <button type="button" class="icon" disabled={!canNext} aria-label={t('queues.moveNext', { id: item.item_id })} title={t('queues.moveNext', { id: item.item_id })} onClick={() => onMove(item.item_id, 'next')}>
            →
          </button>
        </span>
      </div>
      <p class="item-title">{item.title || item.prompt}</p>
      {item.title && <code class="item-prompt">{item.prompt}</code>}
      {waits.length > 0 && (
        <ul class="item-waits">
          {waits.map((d) => (
            <li key={d.item_id}>{t('queues.waitsFor', { id: d.item_id, status: itemStatusLabel(d) })}</li>
          ))}
        </ul>
      )}
      {item.status === 'blocked' && item.blocked_reason && <p class="item-blocked">{t('queues.blockedBy', { reason: blockedText(item, byId) })}</p>}
      {item.status === 'failed' && item.failure_reason && <p class="item-failure">{t('queues.failure', { reason: failureText(item) })}</p>}
      <div class="item-meta">
        {item.sessionKey && (
          <a
            href={sessionHref}
            class="item-session"
            aria-label={t('queues.openSession', { id: item.item_id })}
            onClick={(e) => {
              if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
              e.preventDefault();
              onOpenSession(sessionHref);
            }}
          >
            {t('queues.session', { name: session?.name ?? item.sessionKey })}
          </a>
        )}
        {took && <span class="item-duration">{took}</span>}
      </div>
      {item.result && (
        <details class="item-result">
          <summary>{t('queues.result')}</summary>
          <pre>{item.result}</pre>
        </details>
      )}
      <div class="item-actions">
        {(item.status === 'failed' || item.status === 'blocked' || (item.status === 'cancelled' && !item.skipped)) && (
          <button type="button" onClick={() => onAction(item.item_id, 'retry')}>
            {t('queues.retry')}
          </button>
        )}
        {(item.status === 'failed' || item.status === 'blocked' || item.status === 'pending' || item.status === 'ready') && (
          <button type="button" onClick={() => onAction(item.item_id, 'skip')}>
            {t('queues.skip')}
          </button>
        )}
        {item.status !== 'executing' && item.status !== 'completed' && (
          <button type="button" aria-expanded={picking} onClick={() => setPicking(!picking)}>
            {t('queues.execute')}
          </button>
        )}
        {/* Route to session: the item's prompt into any session, by hand; the item itself does not change. */}
        <button type="button" data-testid={`route-${item.item_id}`} onClick={() => setRouting(true)}>
          {t('flows.routeButton')}
        </button>
        {item.status !== 'executing' && (
          <button type="button" class="danger" onClick={() => onAction(item.item_id, 'delete')}>
            {t('queues.delete')}
          </button>
        )}
      </div>
      {picking && item.status !== 'executing' && (
        <form
          class="item-execute"
          onSubmit={(e) => {
            e.preventDefault();
            setPicking(false);
            onExecute(item.item_id, choice || undefined);
          }}
        >
          <label>
            <span class="visually-hidden">{t('queues.sessionPicker', { id: item.item_id })}</span>
            <select value={choice} onChange={(e) => setChoice(e.currentTarget.value)} data-queue={queue.id}>
              <option value="">{t('queues.newSession')}</option>
              {idle.map((s) => (
                <option key={s.sessionKey} value={s.sessionKey}>
                  {s.name} ({s.tool})
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary">
            {t('queues.executeRun')}
          </button>
        </form>
      )}
      {routing && <RouteToSessionDialog text={item.prompt} tool={item.tool} onClose={() => setRouting(false)} />}
    </li>
  );
}
