import { useEffect, useMemo, useState } from 'preact/hooks';
import { plural, t } from '../i18n/index.ts';
import { EventRow, typeLabel } from '../components/board/EventRow.tsx';
import { asOptions, FilterBar, FilterSelect } from '../components/board/Filters.tsx';
import { PageHeader } from '../components/board/PageHeader.tsx';
import { Empty, LoadError, Loading } from '../components/board/States.tsx';
import { NotificationList } from '../components/board/NotificationList.tsx';
import { EventHistory, NO_FILTERS, type HistoryFilters, type TimeRange } from '../services/history.ts';
import { useServices } from '../services/index.ts';
import { addEnglish } from '../i18n/index.ts';
import { history as strings } from '../i18n/en/history.ts';

addEnglish(strings);

/** Event types worth filtering by (PANE_TAIL is live-only and never stored). */
const TYPES = [
  'STAGE_UPDATED',
  'STAGE_ACTIONS',
  'APPROVAL_REQUESTED',
  'APPROVAL_DECIDED',
  'NOTIFICATION',
  'CONFIG_RELOADED',
  'CONFIG_ERROR',
  'CLI_SESSION_CREATED',
  'CLI_SESSION_UPDATED',
  'CLI_SESSION_CLOSED',
  'CLI_SESSION_REMOVED',
  'CLI_SESSION_ERROR',
  'STREAM_GAP',
] as const;
const typeOptions = () => TYPES.map((type) => [type, typeLabel(type)] as const);

const ranges = (): ReadonlyArray<readonly [TimeRange, string]> => [
  ['hour', t('hist.lastHour')],
  ['day', t('hist.lastDay')],
  ['week', t('hist.lastWeek')],
  ['all', t('hist.allTime')],
];

type Tab = 'events' | 'notifications';

/** Stored events and notifications, filtered and paged. */
export function HistoryPage() {
  const [tab, setTab] = useState<Tab>(() => (location.hash === '#notifications' ? 'notifications' : 'events'));
  const select = (next: Tab) => {
    setTab(next);
    history.replaceState(null, '', next === 'notifications' ? '#notifications' : location.pathname + location.search);
  };
  return (
    <div class="page history-page">
      <PageHeader title={t('nav.history')} sub={t('hist.sub')} />
      <div class="segmented" role="tablist" aria-label={t('nav.history')}>
        <button type="button" role="tab" id="tab-events" aria-selected={tab === 'events'} aria-controls="panel-history" onClick={() => select('events')}>
          {t('hist.events')}
        </button>
        <button type="button" role="tab" id="tab-notifications" aria-selected={tab === 'notifications'} aria-controls="panel-history" onClick={() => select('notifications')}>
          {t('hist.notifications')}
        </button>
      </div>
      <div id="panel-history" role="tabpanel" aria-labelledby={tab === 'events' ? 'tab-events' : 'tab-notifications'}>
        {tab === 'events' ? <EventsTab /> : <NotificationList />}
      </div>
    </div>
  );
}

function EventsTab() {
  const { agent, feed, overview, pipelines } = useServices();
  const store = useMemo(() => new EventHistory(agent, feed), []);
  const [filters, setFilters] = useState<HistoryFilters>(NO_FILTERS);
  useEffect(() => {
    overview.use();
    pipelines.use();
    return () => store.dispose();
  }, []);
  useEffect(() => {
    void store.reset(filters);
  }, [filters]);
  const hosts = [...new Set([...(overview.data.value?.hosts.map((h) => h.name) ?? []), ...(filters.host ? [filters.host] : [])])].sort();
  const pipelineNames = [...new Set([...(pipelines.data.value?.keys() ?? []), ...(filters.pipeline ? [filters.pipeline] : [])])].sort();
  const set = (change: Partial<HistoryFilters>) => setFilters({ ...filters, ...change });
  const rows = store.rows.value;
  const loading = store.loading.value;
  const error = store.error.value;
  const filtered = filters.type !== '' || filters.host !== '' || filters.pipeline !== '' || filters.range !== 'all';
  return (
    <>
      <FilterBar label={t('hist.filter')}>
        <FilterSelect id="history-type" label={t('hist.type')} value={filters.type} all={t('hist.allTypes')} options={typeOptions()} onChange={(type) => set({ type })} />
        <FilterSelect id="history-host" label={t('mon.host')} value={filters.host} all={t('board.allHosts')} options={asOptions(hosts)} onChange={(host) => set({ host })} />
        <FilterSelect id="history-pipeline" label={t('hist.pipeline')} value={filters.pipeline} all={t('hist.allPipelines')} options={asOptions(pipelineNames)} onChange={(pipeline) => set({ pipeline })} />
        <FilterSelect id="history-range" label={t('hist.time')} value={filters.range} options={ranges()} onChange={(range) => set({ range })} />
        {filtered && (
          <div class="filter filter-end">
            <button type="button" onClick={() => setFilters(NO_FILTERS)}>
              {t('board.clearFilters')}
            </button>
          </div>
        )}
      </FilterBar>
      {error && rows.length === 0 ? (
        <LoadError what={t('hist.what')} message={error} onRetry={() => void store.reset(filters)} />
      ) : rows.length === 0 && loading ? (
        <Loading what={t('hist.eventsWhat')} />
      ) : rows.length === 0 ? (
        <Empty title={filtered ? t('hist.noMatch') : t('hist.none')}>
          <p>{filtered ? t('hist.widen') : t('hist.kept')}</p>
        </Empty>
      ) : (
        <>
          <p class="result-count" role="status">
            {plural('hist.count', rows.length)}
            {store.exhausted.value ? t('hist.all') : ''}
            {t('hist.newOnTop')}
          </p>
          <ol class="event-list" aria-label={t('hist.list')}>
            {rows.map((event) => (
              <EventRow key={event.id} event={event} />
            ))}
          </ol>
          {error && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
          <div class="pager">
            {store.exhausted.value ? (
              <p class="muted small">{filters.range === 'all' ? t('hist.oldest') : t('hist.rangeStart')}</p>
            ) : (
              <button type="button" onClick={() => void store.loadOlder()} disabled={loading}>
                {loading ? t('app.loading') : t('hist.loadOlder')}
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}
