import { useEffect } from 'preact/hooks';
import { plural, Rich, t } from '../i18n/index.ts';
import type { Approval, Overview } from '../../schemas/index.ts';
import { addCounts, CountsRow } from '../components/board/Counts.tsx';
import { PageHeader } from '../components/board/PageHeader.tsx';
import { Empty, Loaded } from '../components/board/States.tsx';
import { Ago, Elapsed } from '../components/board/Time.tsx';
import { HostStateBadge } from '../components/HostState.tsx';
import { Link } from '../components/Link.tsx';
import type { Counts } from '../services/agent-types.ts';
import type { CountTable } from '../services/board.ts';
import { reasonText } from '../services/stage-reason.ts';
import { useServices } from '../services/index.ts';
import { pipelineHref } from '../services/router.ts';

interface Card {
  readonly host: string;
  readonly pipeline: string;
  readonly panes: number;
  readonly counts: Counts;
}

/**
 * Host → pipeline cards. The hosts and pipelines come from the overview; the
 * counts from the live stage table when it is loaded (else the overview's).
 */
function cardsByHost(overview: Overview, table: CountTable | undefined): Array<[string, Card[]]> {
  const hosts = new Map<string, Map<string, Card>>();
  for (const host of overview.hosts) {
    const cards = new Map<string, Card>();
    for (const p of host.pipelines) {
      const live = table?.get(host.name)?.get(p.name);
      cards.set(p.name, { host: host.name, pipeline: p.name, panes: live?.panes ?? (table ? 0 : p.panes), counts: live?.counts ?? (table ? {} : p.counts) });
    }
    hosts.set(host.name, cards);
  }
  // A pane that started to match after the overview was fetched.
  for (const [host, byPipeline] of table ?? []) {
    const cards = hosts.get(host) ?? new Map<string, Card>();
    for (const [pipeline, c] of byPipeline) if (!cards.has(pipeline)) cards.set(pipeline, { host, pipeline, panes: c.panes, counts: c.counts });
    hosts.set(host, cards);
  }
  return [...hosts].map(([host, cards]) => [host, [...cards.values()]]);
}

/** The landing page: what every pane and pipeline is doing, what waits for a human, what failed. */
export function DashboardPage() {
  const { overview, pipelines, hosts } = useServices();
  useEffect(() => {
    overview.use();
    pipelines.use();
    hosts.use();
  }, []);
  return (
    <div class="page dashboard">
      <Loaded resource={overview} what={t('dash.overview')}>
        {(data) => <Dashboard overview={data} />}
      </Loaded>
    </div>
  );
}

function Dashboard({ overview }: { overview: Overview }) {
  const { pipelines, approvals } = useServices();
  const groups = cardsByHost(overview, pipelines.counts.value);
  const totals: Counts = {};
  let panes = 0;
  const names = new Set<string>();
  for (const [, cards] of groups) {
    for (const card of cards) {
      addCounts(totals, card.counts);
      panes += card.panes;
      names.add(card.pipeline);
    }
  }
  const pipelineCount = names.size;
  const pending = approvals.data.value?.pending ?? overview.pendingApprovals;
  return (
    <>
      <PageHeader
        title={t('nav.dashboard')}
        sub={`${plural('board.hosts', groups.length)} · ${plural('board.pipelines', pipelineCount)} · ${plural('board.watchedPanes', panes)}`}
      />
      <section class="totals" aria-label={t('dash.allStages')}>
        <CountsRow counts={totals} />
      </section>
      <div class="dashboard-grid">
        <div class="dashboard-main">
          <PendingApprovals pending={pending} />
          <section class="panel pipelines-panel" aria-labelledby="pipelines-title">
            <h2 id="pipelines-title">{t('dash.byHost')}</h2>
            {pipelineCount === 0 ? (
              <Empty title={t('board.noPipelines')}>
                <p>
                  <Rich
                    k="dash.noPipelinesHelp"
                    values={{ flags: <code>--config hosts.yaml --policy policy.yaml</code>, doc: <code>docs/agent.md</code>, config: <Link href="/config">{t('nav.config')}</Link> }}
                  />
                </p>
              </Empty>
            ) : (
              groups.map(([host, cards]) => <HostGroup key={host} host={host} cards={cards} />)
            )}
          </section>
        </div>
        <aside class="dashboard-side">
          <RecentFailures failures={pipelines.failures.value ?? overview.recentFailures} />
          {overview.principles.length > 0 && (
            <section class="panel principles-panel" aria-labelledby="principles-title">
              <h2 id="principles-title">{t('dash.principles')}</h2>
              <ul class="principles">
                {overview.principles.map((p, i) => (
                  <li key={i}>{p}</li>
                ))}
              </ul>
            </section>
          )}
        </aside>
      </div>
    </>
  );
}

function HostGroup({ host, cards }: { host: string; cards: Card[] }) {
  const view = useServices().hosts.get(host);
  const active = cards.filter((c) => c.panes > 0);
  const idle = cards.filter((c) => c.panes === 0).map((c) => c.pipeline);
  return (
    <div class="host-group" data-host={host}>
      <h3 class="host-name">
        <span class="host-mark" aria-hidden="true">
          ⌂
        </span>{' '}
        {host}
        {view && view.kind === 'ssh' && <HostStateBadge state={view.state} reason={view.reason} showReason={view.state !== 'connected'} />}
      </h3>
      {active.length === 0 ? (
        <p class="muted small">{t('dash.noPaneMatches')}</p>
      ) : (
        <ul class="cards">
          {active.map((card) => (
            <li key={card.pipeline} class="pipeline-card" data-pipeline={card.pipeline} data-host={host}>
              <div class="card-head">
                <Link href={pipelineHref(card.pipeline)} class="card-title">
                  {card.pipeline}
                </Link>
                <span class="muted small">{plural('board.panes', card.panes)}</span>
              </div>
              <CountsRow counts={card.counts} />
            </li>
          ))}
        </ul>
      )}
      {idle.length > 0 && active.length > 0 && <p class="muted small idle-pipelines">{t('dash.idlePipelines', { names: idle.join(', ') })}</p>}
    </div>
  );
}

function PendingApprovals({ pending }: { pending: readonly Approval[] }) {
  return (
    <section class="panel attention pending-panel" aria-labelledby="pending-title">
      <div class="panel-head">
        <h2 id="pending-title">
          {t('dash.waitingApproval')} <span class="count-pill">{pending.length}</span>
        </h2>
        {pending.length > 0 && <Link href="/approvals">{t('dash.openApprovals')}</Link>}
      </div>
      {pending.length === 0 ? (
        <p class="muted">{t('dash.nothingWaits')}</p>
      ) : (
        <ul class="rows">
          {pending.map((a) => (
            <li key={a.id} class="row pending-row" data-approval-id={a.id}>
              <span class="row-main">
                <Link href={pipelineHref(a.pipeline)}>
                  {a.pipeline} / {a.stage}
                </Link>
                <span class="muted small">
                  {a.host} · {a.paneId}
                </span>
              </span>
              <span class="row-side">
                <span class="waiting" title={t('board.waitingFor')}>
                  <Rich k="board.waiting" values={{ time: <Elapsed from={a.requestedAt} /> }} />
                </span>
                <Link href={`/approvals#approval-${a.id}`} class="button-link small">
                  {t('dash.review')}
                </Link>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RecentFailures({ failures }: { failures: Overview['recentFailures'] }) {
  return (
    <section class="panel failures-panel" aria-labelledby="failures-title">
      <h2 id="failures-title">
        {t('dash.failures')} <span class="count-pill">{failures.length}</span>
      </h2>
      {failures.length === 0 ? (
        <p class="muted">{t('dash.noFailures')}</p>
      ) : (
        <ul class="rows">
          {failures.slice(0, 12).map((f) => (
            <li key={`${f.host}/${f.paneId}/${f.pipeline}/${f.stage}/${f.at}`} class="row failure-row">
              <span class="row-main">
                <Link href={pipelineHref(f.pipeline)}>
                  {f.pipeline} / {f.stage}
                </Link>
                <span class="muted small">
                  {f.host} · {f.paneId}
                </span>
                {f.reason && <span class="reason">{reasonText(f)}</span>}
              </span>
              <span class="row-side">
                {f.escalateCode && (
                  <span class="escalate" title={t('board.escalateCode')}>
                    {f.escalateCode}
                  </span>
                )}
                <Ago iso={f.at} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
