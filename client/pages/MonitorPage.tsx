import { Component } from 'preact';
import { plural, Rich, t, type MessageKey } from '../i18n/index.ts';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { PaneView, StageStatus } from '../../schemas/index.ts';
import { asOptions, Filter, FilterBar, FilterSelect } from '../components/board/Filters.tsx';
import { PageHeader } from '../components/board/PageHeader.tsx';
import { PaneLines } from '../components/board/PaneLines.tsx';
import { PaneName } from '../components/board/PaneName.tsx';
import { StageBadge } from '../components/board/StageBadge.tsx';
import { Empty, Loaded } from '../components/board/States.tsx';
import { TerminalLink } from '../components/board/TerminalLink.tsx';
import { Link } from '../components/Link.tsx';
import type { PaneStageSummary } from '../services/board.ts';
import { useServices } from '../services/index.ts';
import type { PaneEntry } from '../services/panes.ts';

const PANE_STATUS: Record<PaneView['status'], MessageKey> = {
  starting: 'mon.pane.starting',
  watching: 'mon.pane.watching',
  polling: 'mon.pane.polling',
  unwatched: 'mon.pane.unwatched',
  dead: 'mon.pane.dead',
};

/** Lines shown per tile (the API keeps 20). */
const TILE_LINES = 8;

type StatusFilter = 'all' | 'attention' | 'running' | 'completed' | 'idle';
type SourceFilter = 'all' | 'watched' | 'terminal';

const STATUS_FILTERS = (): ReadonlyArray<readonly [StatusFilter, string]> => [
  ['all', t('mon.anyStatus')],
  ['attention', t('mon.attention')],
  ['running', t('mon.running')],
  ['completed', t('mon.completed')],
  ['idle', t('mon.idle')],
];

const SOURCE_FILTERS = (): ReadonlyArray<readonly [SourceFilter, string]> => [
  ['all', t('mon.allPanes')],
  ['watched', t('mon.watched')],
  ['terminal', t('mon.withTerminal')],
];

function statusMatches(filter: StatusFilter, summary: readonly PaneStageSummary[] | undefined): boolean {
  if (filter === 'all') return true;
  const statuses = new Set<StageStatus>((summary ?? []).map((s) => s.status));
  switch (filter) {
    case 'attention':
      return statuses.has('FAILED') || statuses.has('WAITING_APPROVAL');
    case 'running':
      return statuses.has('RUNNING');
    case 'completed':
      return statuses.size > 0 && [...statuses].every((s) => s === 'COMPLETED');
    case 'idle':
      return statuses.size === 0 || [...statuses].every((s) => s === 'IDLE' || s === 'WAITING_TRIGGER');
  }
}

/** One string per pane's summary: tiles re-render only when theirs changes. */
const summaryKey = (s: readonly PaneStageSummary[] | undefined) => (s ?? []).map((x) => `${x.pipeline}:${x.stage}:${x.status}`).join('|');

/** Every watched or bridge pane as a live tile, with filter and search; a tile opens its terminal. */
export function MonitorPage() {
  const { panes, pipelines } = useServices();
  useEffect(() => {
    panes.use();
    pipelines.use();
  }, []);
  return (
    <div class="page monitor-page">
      <Loaded resource={panes} what={t('mon.what')}>
        {(list) => <Monitor list={list} summaries={pipelines.byPane.value} />}
      </Loaded>
    </div>
  );
}

function Monitor({ list, summaries: byPane }: { list: readonly PaneEntry[]; summaries: Map<string, PaneStageSummary[]> }) {
  const { router } = useServices();
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [source, setSource] = useState<SourceFilter>('all');
  const [host, setHost] = useState('');
  const hosts = useMemo(() => [...new Set(list.map((p) => p.info.host))].sort(), [list]);
  const needle = query.trim().toLowerCase();
  const shown = list.filter(({ key, info }) => {
    if (host && info.host !== host) return false;
    if (source === 'watched' && !info.watched) return false;
    if (source === 'terminal' && !info.sessionKey) return false;
    if (!statusMatches(status, byPane.get(key))) return false;
    if (!needle) return true;
    const hay = `${info.host} ${info.paneId} ${info.session}:${info.window} ${info.title} ${info.pipelines.join(' ')}`.toLowerCase();
    return hay.includes(needle);
  });
  const filtered = shown.length !== list.length;
  return (
    <>
      <PageHeader title={t('mon.title')} sub={plural('mon.sub', list.length)} />
      <FilterBar label={t('mon.filter')} search>
        <Filter id="monitor-search" label={t('mon.search')} grow>
          <input id="monitor-search" type="search" placeholder={t('mon.searchPlaceholder')} value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </Filter>
        <FilterSelect id="monitor-status" label={t('mon.status')} value={status} options={STATUS_FILTERS()} onChange={setStatus} />
        <FilterSelect id="monitor-source" label={t('mon.show')} value={source} options={SOURCE_FILTERS()} onChange={setSource} />
        {hosts.length > 1 && <FilterSelect id="monitor-host" label={t('mon.host')} value={host} all={t('board.allHosts')} options={asOptions(hosts)} onChange={setHost} />}
      </FilterBar>
      <p class="result-count" role="status" aria-live="polite">
        {filtered ? t('mon.matchCount', { shown: shown.length, total: list.length }) : ''}
      </p>
      {list.length === 0 ? (
        <Empty title={t('mon.none')}>
          <p>
            <Rich k="mon.noneHelp" values={{ terminals: <Link href="/sessions">{t('nav.terminals')}</Link> }} />
          </p>
        </Empty>
      ) : shown.length === 0 ? (
        <Empty title={t('mon.noMatch')}>
          <button
            type="button"
            onClick={() => {
              setQuery('');
              setStatus('all');
              setSource('all');
              setHost('');
            }}
          >
            {t('board.clearFilters')}
          </button>
        </Empty>
      ) : (
        <ul class="tiles" aria-label={t('mon.tiles')}>
          {shown.map((entry) => {
            const summary = byPane.get(entry.key);
            return <PaneTile key={entry.key} entry={entry} summary={summary} summaryKey={summaryKey(summary)} onOpen={(key) => router.navigate(`/sessions/${key}`)} />;
          })}
        </ul>
      )}
    </>
  );
}

interface TileProps {
  readonly entry: PaneEntry;
  readonly summary: readonly PaneStageSummary[] | undefined;
  readonly summaryKey: string;
  /** Opens the pane's terminal (by session key). */
  readonly onOpen: (sessionKey: string) => void;
}

/** A click anywhere on a tile opens its terminal, except on controls or while selecting text. */
function tileClick(event: MouseEvent, sessionKey: string | null | undefined, open: (key: string) => void): void {
  if (!sessionKey || event.button !== 0 || event.defaultPrevented) return;
  if ((event.target as Element).closest('a, button, input, select, textarea')) return;
  if (getSelection()?.toString()) return;
  open(sessionKey);
}

/**
 * One pane. A class for shouldComponentUpdate (preact/compat's memo would add a
 * dependency): a tile re-renders when its pane or its stages change; its output
 * re-renders inside PaneLines alone.
 */
class PaneTile extends Component<TileProps> {
  override shouldComponentUpdate(next: TileProps): boolean {
    return next.entry !== this.props.entry || next.summaryKey !== this.props.summaryKey;
  }

  override render() {
    const { entry, summary } = this.props;
    const p = entry.info;
    return (
      <li
        class={`tile${p.sessionKey ? ' has-terminal' : ''}`}
        onClick={(e) => tileClick(e, p.sessionKey, this.props.onOpen)}
        data-pane-key={entry.key} data-pane-id={p.paneId} data-host={p.host} data-session-key={p.sessionKey ?? undefined}>
        <div class="tile-head">
          <PaneName host={p.host} paneId={p.paneId} session={p.session} window={p.window} title={p.title} />
          {p.status && <span class="pane-status" data-status={p.status}>{t(PANE_STATUS[p.status])}</span>}
        </div>
        {summary && summary.length > 0 ? (
          <ul class="tile-stages" aria-label={t('mon.pipelines')}>
            {summary.map((s) => (
              <li key={s.pipeline}>
                <span class="tile-stage-name">
                  {s.pipeline}/{s.stage}
                </span>{' '}
                <StageBadge status={s.status} small />
              </li>
            ))}
          </ul>
        ) : (
          <p class="tile-stages muted small">{p.watched ? t('mon.watchedNoPipeline') : t('mon.notWatched')}</p>
        )}
        <PaneLines host={p.host} paneId={p.paneId} fallback={p.lastLines} count={TILE_LINES} />
        <div class="tile-foot">
          <TerminalLink host={p.host} paneId={p.paneId} sessionKey={p.sessionKey} />
        </div>
      </li>
    );
  }
}
