import { useEffect } from 'preact/hooks';
import { plural, Rich, t } from '../i18n/index.ts';
import type { PipelinePaneView, PipelineView } from '../../schemas/index.ts';
import { CountsRow } from '../components/board/Counts.tsx';
import { PageHeader } from '../components/board/PageHeader.tsx';
import { PaneLines } from '../components/board/PaneLines.tsx';
import { PaneName } from '../components/board/PaneName.tsx';
import { StageTable } from '../components/board/StageTable.tsx';
import { Empty, Loaded } from '../components/board/States.tsx';
import { TerminalLink } from '../components/board/TerminalLink.tsx';
import { Link } from '../components/Link.tsx';
import type { Counts } from '../services/agent-types.ts';
import { useServices } from '../services/index.ts';
import { pipelineHref } from '../services/router.ts';

/** `/pipelines`: every pipeline; `/pipelines/:name`: one pipeline, pane by pane. */
export function PipelinesPage({ name }: { name: string | undefined }) {
  const { pipelines } = useServices();
  useEffect(() => pipelines.use(), []);
  return (
    <div class="page pipelines-page">
      <Loaded resource={pipelines} what={t('pipes.what')}>
        {(data) => {
          if (name === undefined) return <PipelineList list={[...data.values()]} />;
          const pipeline = data.get(name);
          return pipeline ? <PipelineDetail pipeline={pipeline} /> : <UnknownPipeline name={name} />;
        }}
      </Loaded>
    </div>
  );
}

function countsOf(pipeline: PipelineView): Counts {
  const counts: Counts = {};
  for (const pane of pipeline.panes) for (const s of pane.stages) counts[s.status] = (counts[s.status] ?? 0) + 1;
  return counts;
}

function PipelineList({ list }: { list: PipelineView[] }) {
  return (
    <>
      <PageHeader title={t('nav.pipelines')} sub={t('pipes.sub')} />
      {list.length === 0 ? (
        <Empty title={t('board.noPipelines')}>
          <p>
            <Rich k="pipes.noneHelp" values={{ file: <code>policy.yaml</code>, flag: <code>--policy</code>, config: <Link href="/config">{t('nav.config')}</Link> }} />
          </p>
        </Empty>
      ) : (
        <ul class="cards wide">
          {list.map((p) => (
            <li key={p.name} class="pipeline-card" data-pipeline={p.name}>
              <div class="card-head">
                <Link href={pipelineHref(p.name)} class="card-title">
                  {p.name}
                </Link>
                <span class="muted small">{plural('board.panes', p.panes.length)}</span>
              </div>
              <p class="stage-chain" aria-label={t('pipes.stagesInOrder')}>
                {(p.stageNames.length > 0 ? p.stageNames : (p.panes[0]?.stages.map((s) => s.name) ?? [])).join(' → ') || t('pipes.noStages')}
              </p>
              {p.panes.length > 0 ? <CountsRow counts={countsOf(p)} /> : <p class="muted small">{t('pipes.noPane')}</p>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function UnknownPipeline({ name }: { name: string }) {
  return (
    <>
      <PageHeader title={name} />
      <Empty title={t('pipes.unknown', { name })}>
        <p>
          <Rich k="pipes.unknownHelp" values={{ all: <Link href="/pipelines">{t('pipes.all')}</Link> }} />
        </p>
      </Empty>
    </>
  );
}

function PipelineDetail({ pipeline }: { pipeline: PipelineView }) {
  const stageNames = pipeline.stageNames.length > 0 ? pipeline.stageNames : (pipeline.panes[0]?.stages.map((s) => s.name) ?? []);
  return (
    <>
      <nav class="crumbs" aria-label={t('pipes.breadcrumb')}>
        <Link href="/pipelines">{t('nav.pipelines')}</Link> <span aria-hidden="true">/</span>
      </nav>
      <PageHeader
        title={pipeline.name}
        sub={`${stageNames.join(' → ')} · ${plural('board.panes', pipeline.panes.length)}`}
      />
      {pipeline.panes.length === 0 ? (
        <Empty title={t('pipes.noPane')}>
          <p>
            <Rich k="pipes.noPaneHelp" values={{ match: <code>match</code>, monitor: <Link href="/monitor">{t('pipes.monitorLink')}</Link> }} />
          </p>
        </Empty>
      ) : (
        <PaneSections pipeline={pipeline} />
      )}
    </>
  );
}

function PaneSections({ pipeline }: { pipeline: PipelineView }) {
  return (
    <>
      {pipeline.panes.map((pane) => (
        <PaneSection key={`${pane.host}/${pane.paneId}`} pipeline={pipeline.name} pane={pane} />
      ))}
    </>
  );
}

function PaneSection({ pipeline, pane }: { pipeline: string; pane: PipelinePaneView }) {
  return (
    <section class="panel pane-section" data-host={pane.host} data-pane-id={pane.paneId} aria-label={t('pipes.paneOn', { pane: pane.paneId, host: pane.host })}>
      <div class="panel-head">
        <h2>
          <PaneName host={pane.host} paneId={pane.paneId} session={pane.sessionName} window={pane.windowName} title={pane.paneTitle} />
        </h2>
        <TerminalLink host={pane.host} paneId={pane.paneId} sessionKey={pane.sessionKey} />
      </div>
      <StageTable pipeline={pipeline} pane={pane} />
      <h3 class="lines-title">{t('pipes.lastLines')}</h3>
      <PaneLines host={pane.host} paneId={pane.paneId} fallback={pane.lastLines} count={8} />
    </section>
  );
}
