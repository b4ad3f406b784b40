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

/** A run live: node states on the graph, each node's output, links into the terminal where it ran. */
export function RunMonitor({ runId }: { runId: string }) {
  const services = useServices();
  const flows = useMemo(() => new FlowsApi(services.api), []);
  const { run, error } = useRun(runId);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const [routing, setRouting] = useState<{ nodeId: string } | undefined>(undefined);
  if (!run) return error ? <LoadError what="the run" message={error} /> : <Loading what="the run" />;

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
    <div class="run-monitor" data-testid="run-monitor" data-status={run.status}>
      <PageHeader
        title={`Run of ${run.flowName}`}
        sub={
          <>
            <Link href="/flows">← All flows</Link> · <Link href={`/flows/${encodeURIComponent(run.flowId)}`}>Edit the flow</Link> · started <Ago iso={run.startedAt} />
          </>
        }
      >
        {run.status === 'running' && (
          <button type="button" onClick={() => void control('pause')}>
            Pause
          </button>
        )}
        {run.status === 'paused' && (
          <button type="button" class="primary" onClick={() => void control('resume')}>
            Resume
          </button>
        )}
        {active && (
          <button type="button" class="danger" onClick={() => void control('stop')}>
            Stop
          </button>
        )}
      </PageHeader>
      <p class="run-summary">
        <RunBadge status={run.status} /> <span class="mono small">{run.runId}</span>
        {run.status === 'running' && (
          <span class="muted small">
            {' '}
            · running for <Elapsed from={run.startedAt} />
          </span>
        )}
        {run.reason && <span class="run-reason"> · {run.reason}</span>}
      </p>
      {actionError && (
        <p class="form-error" role="alert">
          {actionError}
        </p>
      )}
      {error && (
        <p class="stale-warning" role="status">
          Showing the last known state: {error}
        </p>
      )}
      <div class="run-layout">
        <section class="panel" aria-label="Graph">
          <h2>Graph</h2>
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
        <section class="run-nodes" aria-label="Nodes">
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
  return (
    <article class={`panel run-node${selected ? ' selected' : ''}`} id={`run-node-${node.id}`} data-node={node.id} data-status={s?.status ?? 'pending'}>
      <header class="panel-head">
        <h2>
          {node.data.label || node.id} <span class="muted small mono">{node.id}</span>
        </h2>
        <RunBadge status={s?.status ?? 'pending'} />
      </header>
      <p class="small muted">
        {node.data.delivery === 'sendToSession' ? `sent to session ${node.data.targetSessionKey}` : node.data.terminal ? 'new terminal' : 'new execution'} · {node.data.tool}
        {node.data.outputName ? ` · output {{${node.data.outputName}}}` : ''}
        {s && s.attempts > 1 ? ` · attempt ${s.attempts}` : ''}
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
          <summary class="small">Instruction as sent</summary>
          <pre class="run-output">{s.prompt}</pre>
        </details>
      )}
      {s?.output !== null && s?.output !== undefined && (
        <pre class="run-output" data-testid={`output-${node.id}`} aria-label={`Output of ${node.id}`}>
          {s.output || '(no output)'}
        </pre>
      )}
      <div class="run-node-actions">
        {s?.sessionKey && (
          <Link href={terminalHref(s.sessionKey, s.offsetStart)} class="button-link small" data-testid={`terminal-${node.id}`}>
            Open terminal{s.offsetStart !== null ? ' at its start' : ''}
          </Link>
        )}
        {s?.executionId && (
          <a class="button-link small" href={`/api/executions/${encodeURIComponent(s.executionId)}/output`} target="_blank" rel="noopener">
            Exact output bytes
          </a>
        )}
        <button type="button" class="small" onClick={onRoute}>
          Route to session…
        </button>
      </div>
    </article>
  );
}

export type { FlowRunDetail };
