import { useEffect, useState } from 'preact/hooks';
import { Rich, t } from '../../i18n/index.ts';
import { timeout, type IDisposable } from '../../lib/disposable.ts';
import { ApiError } from '../../services/api.ts';
import type { NotificationRecord } from '../../../schemas/index.ts';
import { useServices } from '../../services/index.ts';
import { FilterBar, FilterSelect } from './Filters.tsx';
import { Empty, LoadError, Loading } from './States.tsx';
import { At } from './Time.tsx';
import { notificationText } from '../../services/notification-text.ts';

type Status = '' | 'sent' | 'failed' | 'pending';

const STATUSES = (): ReadonlyArray<readonly [Status, string]> => [
  ['sent', t('notif.sent')],
  ['failed', t('notif.failed')],
  ['pending', t('notif.retrying')],
];

const PAGE = 50;
const MAX = 1000;

/**
 * Notification deliveries (`GET /api/notifications`), newest first, per channel
 * with their status and last error. A NOTIFICATION event refetches the list
 * once (debounced), so it stays live without polling.
 */
export function NotificationList() {
  const { agent, feed } = useServices();
  const [status, setStatus] = useState<Status>('');
  const [limit, setLimit] = useState(PAGE);
  const [rows, setRows] = useState<NotificationRecord[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let current = true;
    agent
      .notifications(limit, status || undefined)
      .then((list) => {
        if (!current) return;
        setRows([...list].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)));
        setError(undefined);
      })
      .catch((err: unknown) => current && setError(err instanceof ApiError ? err.message : String(err)));
    return () => {
      current = false;
    };
  }, [status, limit, reload]);

  useEffect(() => {
    let pending: IDisposable | undefined;
    const sub = feed.onEvent((event) => {
      if (event.type !== 'NOTIFICATION' || pending) return;
      pending = timeout(() => {
        pending = undefined;
        setReload((n) => n + 1);
      }, 300);
    });
    const reconnect = feed.onOpen(() => setReload((n) => n + 1));
    return () => {
      sub.dispose();
      reconnect.dispose();
      pending?.dispose();
    };
  }, []);

  return (
    <>
      <FilterBar label={t('notif.filter')}>
        <FilterSelect
          id="notification-status"
          label={t('notif.delivery')}
          value={status}
          all={t('notif.anyStatus')}
          options={STATUSES()}
          onChange={(next) => {
            setStatus(next);
            setLimit(PAGE);
          }}
        />
      </FilterBar>
      {rows === undefined ? (
        error ? (
          <LoadError what={t('notif.what')} message={error} onRetry={() => setReload((n) => n + 1)} />
        ) : (
          <Loading what={t('notif.what')} />
        )
      ) : rows.length === 0 ? (
        <Empty title={status ? t('notif.noneStatus') : t('notif.none')}>
          <p>
            <Rich k="notif.help" values={{ notify: <code>notify:</code> }} />
          </p>
        </Empty>
      ) : (
        <>
          <ol class="event-list notification-list" aria-label={t('notif.list')}>
            {rows.map((n) => {
              const text = notificationText(n);
              return (
                <li key={n.deliveryId} class={`event-row${n.status === 'failed' ? ' bad' : ''}`} data-kind={n.kind} data-status={n.status}>
                  <span class="event-time">
                    <At iso={n.createdAt} />
                  </span>
                  <span class="event-type">{t(`notif.kind.${n.kind}`)}</span>
                  <span class="event-text">
                    <strong>{text.title}</strong>
                    {n.body && <span class="notification-body">{text.body}</span>}
                    <span class="muted small">
                      {n.channel || t('notif.channel')} · {n.status === 'pending' ? t('notif.retryingLower') : n.status === 'sent' ? t('notif.sentLower') : t('notif.failedLower')}
                      {n.attempts > 1 ? t('notif.afterAttempts', { n: n.attempts }) : ''}
                      {n.lastError ? ` · ${n.lastError}` : ''}
                      {n.payload.pipeline ? t('notif.onPane', { pipeline: n.payload.pipeline, stage: n.payload.stage ?? '', host: n.payload.host ?? '', pane: n.payload.paneId ?? '' }) : ''}
                    </span>
                  </span>
                </li>
              );
            })}
          </ol>
          <div class="pager">
            {rows.length >= limit && limit < MAX ? (
              <button type="button" onClick={() => setLimit(Math.min(MAX, limit * 2))}>
                {t('board.showMore')}
              </button>
            ) : (
              <p class="muted small">{t('board.shown', { n: rows.length })}</p>
            )}
          </div>
        </>
      )}
    </>
  );
}
