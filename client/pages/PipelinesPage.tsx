import { useEffect } from 'preact/hooks';
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
      <Loaded resource={pipelines} what="pipelines">
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
      <PageHeader title="Pipelines" sub="Each pipeline of policy.yaml and the panes it drives. Open one to see its stages pane by pane." />
      {list.length === 0 ? (
        <Empty title="No pipelines are loaded.">
          <p>
            Pipelines come from <code>policy.yaml</code> (start with <code>--policy</code>). The <Link href="/config">Config</Link> page shows what
            was loaded and the last load error.
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
                <span class="muted small">
                  {p.panes.length} pane{p.panes.length === 1 ? '' : 's'}
                </span>
              </div>
              <p class="stage-chain" aria-label="Stages in order">
                {(p.stageNames.length > 0 ? p.stageNames : (p.panes[0]?.stages.map((s) => s.name) ?? [])).join(' → ') || 'no stages'}
              </p>
              {p.panes.length > 0 ? <CountsRow counts={countsOf(p)} /> : <p class="muted small">No pane matches this pipeline yet.</p>}
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
      <Empty title={`There is no pipeline named “${name}”.`}>
        <p>
          It may have been renamed or removed from policy.yaml. See <Link href="/pipelines">all pipelines</Link>.
        </p>
      </Empty>
    </>
  );
}

function PipelineDetail({ pipeline }: { pipeline: PipelineView }) {
  const stageNames = pipeline.stageNames.length > 0 ? pipeline.stageNames : (pipeline.panes[0]?.stages.map((s) => s.name) ?? []);
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/pipelines">Pipelines</Link> <span aria-hidden="true">/</span>
      </nav>
      <PageHeader
        title={pipeline.name}
        sub={
          <>
            {stageNames.join(' → ')} · {pipeline.panes.length} pane{pipeline.panes.length === 1 ? '' : 's'}
          </>
        }
      />
      {pipeline.panes.length === 0 ? (
        <Empty title="No pane matches this pipeline yet.">
          <p>
            A pane joins when its window name, pane title or session name matches the pipeline's <code>match</code> in policy.yaml, on a host
            and session that hosts.yaml watches. The <Link href="/monitor">pane monitor</Link> lists every watched pane.
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
    <section class="panel pane-section" data-host={pane.host} data-pane-id={pane.paneId} aria-label={`Pane ${pane.paneId} on ${pane.host}`}>
      <div class="panel-head">
        <h2>
          <PaneName host={pane.host} paneId={pane.paneId} session={pane.sessionName} window={pane.windowName} title={pane.paneTitle} />
        </h2>
        <TerminalLink host={pane.host} paneId={pane.paneId} sessionKey={pane.sessionKey} />
      </div>
      <StageTable pipeline={pipeline} pane={pane} />
      <h3 class="lines-title">Last lines</h3>
      <PaneLines host={pane.host} paneId={pane.paneId} fallback={pane.lastLines} count={8} />
    </section>
  );
}
