import { Rich, t } from '../../i18n/index.ts';
import { useMemo, useState } from 'preact/hooks';
import type { FlowNode, FlowNodeState, FlowRunDetail } from '../../../schemas/index.ts';
import { ApiError } from '../../services/api.ts';
import { useServices } from '../../services/index.ts';
import { Link } from '../Link.tsx';
import { PageHeader } from '../board/PageHeader.tsx';
import { LoadError, Loading } from '../board/States.tsx';
import { Ago, Elapsed } from '../board/Time.tsx';
import { FlowsApi, terminalHref } from './api.ts';
import { FlowGraph } from './FlowGraph.tsx';
import { RouteToSessionDialog } from './RouteToSession.tsx';
import { RunBadge } from './RunBadge.tsx';
import { useRun } from './useRun.ts';
import { runReasonText } from './run-reason.ts';

/** A run live: node states on the graph, each node's output, links into the terminal where it ran. */
export function RunMonitor({ runId }: { runId: string }) {
  const services = useServices();
  const flows = useMemo(() => new FlowsApi(services.api), []);
  const { run, error } = useRun(runId);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const [routing, setRouting] = useState<{ nodeId: string } | undefined>(undefined);
  if (!run) return error ? <LoadError what={t('flows.runWhat')} message={error} /> : <Loading what={t('flows.runWhat')} />;

  const control = async (action: 'pause' | 'resume' | 'stop') => {
    setActionError(undefined);
    try {
      await flows.control(run.runId, action);
    } catch (e) {
      setActionError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const active = run.status === 'running' || run.status === 'paused';
  return (
    <div class="page run-monitor" data-testid="run-monitor" data-status={run.status}>
      <PageHeader
        title={t('flows.runTitle', { name: run.flowName })}
        sub={
          <>
            <Link href="/flows">{t('flows.back')}</Link> · <Link href={`/flows/${encodeURIComponent(run.flowId)}`}>{t('flows.editFlow')}</Link> ·{' '}
            <Rich k="flows.started" values={{ ago: <Ago iso={run.startedAt} /> }} />
          </>
        }
      >
        {run.status === 'running' && (
          <button type="button" onClick={() => void control('pause')}>
            {t('flows.pause')}
          </button>
        )}
        {run.status === 'paused' && (
          <button type="button" class="primary" onClick={() => void control('resume')}>
            {t('flows.resume')}
          </button>
        )}
        {active && (
          <button type="button" class="danger" onClick={() => void control('stop')}>
            {t('flows.stop')}
          </button>
        )}
      </PageHeader>
      <p class="run-summary">
        <RunBadge status={run.status} /> <span class="mono small">{run.runId}</span>
        {run.status === 'running' && (
          <span class="muted small">
            {' '}
            · <Rich k="flows.runningFor" values={{ elapsed: <Elapsed from={run.startedAt} /> }} />
          </span>
        )}
      </p>
      {/* Its own line: a long reason wraps under itself, not under the badge. */}
      {run.reason && <p class="run-reason">{runReasonText(run)}</p>}
      {actionError && (
        <p class="form-error" role="alert">
          {actionError}
        </p>
      )}
      {error && (
        <p class="stale-warning" role="status">
          {t('flows.stale', { error })}
        </p>
      )}
      <div class="run-layout">
        <section class="panel" aria-label={t('flows.graph')}>
          <h2>{t('flows.graph')}</h2>
          <FlowGraph nodes={run.flow.nodes} edges={run.flow.edges} states={run.nodes} selected={selected} onSelect={(id) => {
            setSelected(id);
            document.getElementById(`run-node-${id}`)?.scrollIntoView({ block: 'nearest' });
          }} />
          {Object.keys(run.variables).length > 0 && (
            <dl class="run-vars small">
              {Object.entries(run.variables).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd class="mono">{v}</dd>
                </div>
              ))}
            </dl>
          )}
        </section>
        <section class="run-nodes" aria-label={t('flows.nodesLabel')}>
          {run.flow.nodes.map((node) => (
            <NodeCard key={node.id} node={node} state={run.nodes[node.id]} selected={selected === node.id} onRoute={() => setRouting({ nodeId: node.id })} />
          ))}
        </section>
      </div>
      {routing && <RouteToSessionDialog runId={run.runId} nodeId={routing.nodeId} onClose={() => setRouting(undefined)} />}
    </div>
  );
}

function NodeCard({ node, state, selected, onRoute }: { node: FlowNode; state: FlowNodeState | undefined; selected: boolean; onRoute: () => void }) {
  const s = state;
  const services = useServices();
  // The session's name where it is known: keys are for machines.
  const targetKey = node.data.targetSessionKey ?? '';
  const targetName = services.sessions.list.value.find((x) => x.sessionKey === targetKey)?.name;
  return (
    <article class={`panel run-node${selected ? ' selected' : ''}`} id={`run-node-${node.id}`} data-node={node.id} data-status={s?.status ?? 'pending'}>
      <header class="panel-head">
        <h2>
          {node.data.label || node.id} {node.data.label && node.data.label !== node.id && <span class="muted small mono">{node.id}</span>}
        </h2>
        <RunBadge status={s?.status ?? 'pending'} />
      </header>
      <p class="small muted">
        {node.data.delivery === 'sendToSession'
          ? t('flows.via.session', { key: targetName ?? targetKey })
          : node.data.terminal
            ? t('flows.via.terminal')
            : t('flows.via.new')}{' '}
        · {node.data.tool}
        {node.data.outputName ? ` · ${t('flows.outputAs', { name: `{{${node.data.outputName}}}` })}` : ''}
        {s && s.attempts > 1 ? ` · ${t('flows.attempt', { n: s.attempts })}` : ''}
        {s?.status === 'running' && (
          <>
            {' '}
            · <Elapsed from={s.startedAt} />
          </>
        )}
      </p>
      {s?.error && <p class="field-error">{s.error}</p>}
      {s?.prompt && (
        <details>
          <summary class="small">{t('flows.sentInstruction')}</summary>
          <pre class="run-output">{s.prompt}</pre>
        </details>
      )}
      {s?.output !== null && s?.output !== undefined && (
        <pre class="run-output" data-testid={`output-${node.id}`} aria-label={t('flows.outputOf', { id: node.id })}>
          {s.output || t('flows.noOutput')}
        </pre>
      )}
      <div class="run-node-actions">
        {s?.sessionKey && (
          <Link href={terminalHref(s.sessionKey, s.offsetStart)} class="button-link small" data-testid={`terminal-${node.id}`}>
            {s.offsetStart !== null ? t('flows.openTerminalAt') : t('flows.openTerminal')}
          </Link>
        )}
        {/* A run in a session has its exact pane bytes; a one-shot run without one keeps its stdout/stderr chunks. */}
        {s?.executionId && (
          <a
            class="button-link small"
            data-testid={`output-link-${node.id}`}
            href={s.sessionKey ? `/api/executions/${encodeURIComponent(s.executionId)}/output` : `/api/cli/executions/${encodeURIComponent(s.executionId)}/output`}
            target="_blank"
            rel="noopener"
          >
            {s.sessionKey ? t('flows.outputBytes') : t('flows.outputChunks')}
          </a>
        )}
        <button type="button" class="small" onClick={onRoute}>
          {t('flows.routeButton')}
        </button>
      </div>
    </article>
  );
}

export type { FlowRunDetail };
