import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Flow, FlowRunDetail } from '../../../schemas/index.ts';
import { ApiError } from '../../services/api.ts';
import { useServices } from '../../services/index.ts';
import { Link } from '../Link.tsx';
import { PageHeader } from '../board/PageHeader.tsx';
import { Empty, LoadError, Loading } from '../board/States.tsx';
import { Ago } from '../board/Time.tsx';
import { FlowsApi } from './api.ts';
import { RunBadge } from './RunBadge.tsx';

/** All flows (new, import, run, duplicate, export, delete) and the run history. */
export function FlowList() {
  const services = useServices();
  const flows = useMemo(() => new FlowsApi(services.api), []);
  const [list, setList] = useState<Flow[] | undefined>(undefined);
  const [runs, setRuns] = useState<FlowRunDetail[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);

  const load = () => {
    flows.list().then(setList, (e: unknown) => setError(String(e instanceof Error ? e.message : e)));
    flows.runs().then(setRuns, () => undefined);
  };
  useEffect(() => {
    load();
    const sub = services.feed.onEvent((e) => e.type === 'FLOW_RUN_UPDATED' && flows.runs().then(setRuns, () => undefined));
    return () => sub.dispose();
  }, []);

  const act = async (fn: () => Promise<unknown>) => {
    setMessage(undefined);
    try {
      await fn();
      load();
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : String(e));
    }
  };
  const download = async (flow: Flow) => {
    const body = await flows.export(flow.id);
    const url = URL.createObjectURL(new Blob([JSON.stringify(body, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${flow.name.replace(/[^A-Za-z0-9_.-]+/g, '-') || 'flow'}.flow.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const importFile = (file: File | undefined) => {
    if (!file) return;
    void act(async () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await file.text());
      } catch {
        throw new Error(`${file.name} is not JSON`);
      }
      const flow = await flows.import(parsed);
      services.router.navigate(`/flows/${encodeURIComponent(flow.id)}`);
    });
  };

  return (
    <div class="flow-list-page">
      <PageHeader title="Flows" sub="Chains of prompts and commands: each node runs in a session or on its own, and its output feeds the next.">
        <label class="button-like">
          Import…
          <input type="file" accept="application/json,.json" class="visually-hidden" onChange={(e) => importFile(e.currentTarget.files?.[0])} />
        </label>
        <Link href="/flows/new" class="button-link primary-link" data-testid="flow-new">
          New flow
        </Link>
      </PageHeader>
      {message && (
        <p class="form-error" role="alert">
          {message}
        </p>
      )}
      {!list ? (
        error ? (
          <LoadError what="the flows" message={error} onRetry={load} />
        ) : (
          <Loading what="flows" />
        )
      ) : list.length === 0 ? (
        <Empty title="No flows yet">
          <p>
            Create one with <strong>New flow</strong>, or import <code>examples/flows/*.flow.json</code>.
          </p>
        </Empty>
      ) : (
        <ul class="flow-cards">
          {list.map((flow) => (
            <li key={flow.id} class="panel flow-card" data-flow={flow.id}>
              <div class="panel-head">
                <h2>
                  <Link href={`/flows/${encodeURIComponent(flow.id)}`}>{flow.name}</Link>
                </h2>
                <span class="muted small">
                  {flow.nodes.length} node{flow.nodes.length === 1 ? '' : 's'} · edited <Ago iso={flow.updatedAt} />
                </span>
              </div>
              {flow.description && <p class="small">{flow.description}</p>}
              <div class="run-node-actions">
                <button
                  type="button"
                  class="small primary"
                  onClick={() =>
                    void act(async () => {
                      const runId = await flows.execute(flow.id, {});
                      services.router.navigate(`/flows/runs/${encodeURIComponent(runId)}`);
                    })
                  }
                >
                  Run
                </button>
                <button type="button" class="small" onClick={() => void act(() => flows.duplicate(flow.id))}>
                  Duplicate
                </button>
                <button type="button" class="small" onClick={() => void act(() => download(flow))}>
                  Export
                </button>
                <button type="button" class="small danger" onClick={() => confirm(`Delete the flow "${flow.name}"? Its runs stay in the history.`) && void act(() => flows.remove(flow.id))}>
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <h2 class="section-title">Run history</h2>
      {!runs ? (
        <Loading what="runs" />
      ) : runs.length === 0 ? (
        <p class="muted">No runs yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="run-table">
            <thead>
              <tr>
                <th>Flow</th>
                <th>Status</th>
                <th>Nodes</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => {
                const states = Object.values(run.nodes);
                return (
                  <tr key={run.runId} data-run={run.runId}>
                    <td>
                      <Link href={`/flows/runs/${encodeURIComponent(run.runId)}`}>{run.flowName}</Link>
                    </td>
                    <td>
                      <RunBadge status={run.status} />
                    </td>
                    <td class="small">
                      {states.filter((s) => s.status === 'completed').length}/{states.length} done
                      {states.some((s) => s.status === 'failed') ? ` · ${states.filter((s) => s.status === 'failed').length} failed` : ''}
                    </td>
                    <td class="small">
                      <Ago iso={run.startedAt} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
