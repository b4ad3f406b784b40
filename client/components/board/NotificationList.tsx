import { useEffect, useState } from 'preact/hooks';
import { timeout, type IDisposable } from '../../lib/disposable.ts';
import { ApiError } from '../../services/api.ts';
import type { NotificationRow } from '../../services/agent-types.ts';
import { useServices } from '../../services/index.ts';
import { FilterBar, FilterSelect } from './Filters.tsx';
import { Empty, LoadError, Loading } from './States.tsx';
import { At } from './Time.tsx';

type Status = '' | 'sent' | 'failed' | 'pending';

const STATUSES: ReadonlyArray<readonly [Status, string]> = [
  ['sent', 'Sent'],
  ['failed', 'Failed'],
  ['pending', 'Retrying'],
];

/** Markdown links (the signed approve/reject links) as their text; lines of nothing but links are dropped: here the page decides. */
function readableBody(body: string): string {
  const onlyLinks = /^\s*(\[[^\]]*\]\([^)]*\)\s*\|?\s*)+$/;
  return body
    .split('\n')
    .filter((line) => !onlyLinks.test(line))
    .map((line) => line.replace(/\[([^\]]*)\]\((?:https?:)?[^)]*\)/g, '$1'))
    .join('\n')
    .trim();
}
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
  const [rows, setRows] = useState<NotificationRow[] | undefined>(undefined);
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
      <FilterBar label="Filter notifications">
        <FilterSelect
          id="notification-status"
          label="Delivery"
          value={status}
          all="Any status"
          options={STATUSES}
          onChange={(next) => {
            setStatus(next);
            setLimit(PAGE);
          }}
        />
      </FilterBar>
      {rows === undefined ? (
        error ? (
          <LoadError what="notifications" message={error} onRetry={() => setReload((n) => n + 1)} />
        ) : (
          <Loading what="notifications" />
        )
      ) : rows.length === 0 ? (
        <Empty title={status ? 'No notification with this delivery status.' : 'No notifications were sent yet.'}>
          <p>
            Stage starts, successes and failures (as set in policy.yaml), approval requests and escalations are sent to the channels of{' '}
            <code>notify:</code> in hosts.yaml and listed here with how each delivery went.
          </p>
        </Empty>
      ) : (
        <>
          <ol class="event-list notification-list" aria-label="Notifications, newest first">
            {rows.map((n) => (
              <li key={n.deliveryId} class={`event-row${n.status === 'failed' ? ' bad' : ''}`} data-kind={n.kind} data-status={n.status}>
                <span class="event-time">
                  <At iso={n.createdAt} />
                </span>
                <span class="event-type">{n.kind}</span>
                <span class="event-text">
                  <strong>{n.title}</strong>
                  {n.body && <span class="notification-body">{readableBody(n.body)}</span>}
                  <span class="muted small">
                    {n.channel || 'channel?'} · {n.status === 'pending' ? 'retrying' : n.status}
                    {n.attempts > 1 ? ` after ${n.attempts} attempts` : ''}
                    {n.lastError ? ` · ${n.lastError}` : ''}
                    {n.payload.pipeline ? ` · ${n.payload.pipeline}/${n.payload.stage ?? ''} on ${n.payload.host ?? ''} ${n.payload.paneId ?? ''}` : ''}
                  </span>
                </span>
              </li>
            ))}
          </ol>
          <div class="pager">
            {rows.length >= limit && limit < MAX ? (
              <button type="button" onClick={() => setLimit(Math.min(MAX, limit * 2))}>
                Show more
              </button>
            ) : (
              <p class="muted small">{rows.length} shown.</p>
            )}
          </div>
        </>
      )}
    </>
  );
}
