import { useEffect, useMemo, useState } from 'preact/hooks';
import { EventRow, typeLabel } from '../components/board/EventRow.tsx';
import { asOptions, FilterBar, FilterSelect } from '../components/board/Filters.tsx';
import { PageHeader } from '../components/board/PageHeader.tsx';
import { Empty, LoadError, Loading } from '../components/board/States.tsx';
import { NotificationList } from '../components/board/NotificationList.tsx';
import { EventHistory, NO_FILTERS, type HistoryFilters, type TimeRange } from '../services/history.ts';
import { useServices } from '../services/index.ts';

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
  'CLI_SESSION_ERROR',
] as const;
const TYPE_OPTIONS = TYPES.map((t) => [t, typeLabel(t)] as const);

const RANGES: ReadonlyArray<readonly [TimeRange, string]> = [
  ['hour', 'Last hour'],
  ['day', 'Last 24 hours'],
  ['week', 'Last 7 days'],
  ['all', 'All time'],
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
      <PageHeader title="History" sub="What the agent and the bridge did, newest first." />
      <div class="segmented" role="tablist" aria-label="History">
        <button type="button" role="tab" id="tab-events" aria-selected={tab === 'events'} aria-controls="panel-history" onClick={() => select('events')}>
          Events
        </button>
        <button type="button" role="tab" id="tab-notifications" aria-selected={tab === 'notifications'} aria-controls="panel-history" onClick={() => select('notifications')}>
          Notifications
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
      <FilterBar label="Filter events">
        <FilterSelect id="history-type" label="Type" value={filters.type} all="All types" options={TYPE_OPTIONS} onChange={(type) => set({ type })} />
        <FilterSelect id="history-host" label="Host" value={filters.host} all="All hosts" options={asOptions(hosts)} onChange={(host) => set({ host })} />
        <FilterSelect id="history-pipeline" label="Pipeline" value={filters.pipeline} all="All pipelines" options={asOptions(pipelineNames)} onChange={(pipeline) => set({ pipeline })} />
        <FilterSelect id="history-range" label="Time" value={filters.range} options={RANGES} onChange={(range) => set({ range })} />
        {filtered && (
          <div class="filter filter-end">
            <button type="button" onClick={() => setFilters(NO_FILTERS)}>
              Clear filters
            </button>
          </div>
        )}
      </FilterBar>
      {error && rows.length === 0 ? (
        <LoadError what="the history" message={error} onRetry={() => void store.reset(filters)} />
      ) : rows.length === 0 && loading ? (
        <Loading what="events" />
      ) : rows.length === 0 ? (
        <Empty title={filtered ? 'No event matches these filters.' : 'No events are stored yet.'}>
          <p>{filtered ? 'Widen the time range or clear a filter.' : 'Stage changes, approvals, notifications, config reloads and session events are kept here.'}</p>
        </Empty>
      ) : (
        <>
          <p class="result-count" role="status">
            {rows.length} event{rows.length === 1 ? '' : 's'}
            {store.exhausted.value ? ' (all)' : ''}; new ones appear on top as they happen.
          </p>
          <ol class="event-list" aria-label="Events, newest first">
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
              <p class="muted small">{filters.range === 'all' ? 'That is the oldest stored event.' : 'That is the start of the time range.'}</p>
            ) : (
              <button type="button" onClick={() => void store.loadOlder()} disabled={loading}>
                {loading ? 'Loading…' : 'Load older events'}
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}
