import { plural, Rich, t } from '../../i18n/index.ts';
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
import { RunDialog } from './RunDialog.tsx';
import { errorMessage } from '../../../base/errors.ts';

/** All flows (new, import, run, duplicate, export, delete) and the run history. */
export function FlowList() {
  const services = useServices();
  const flows = useMemo(() => new FlowsApi(services.api), []);
  const [list, setList] = useState<Flow[] | undefined>(undefined);
  const [runs, setRuns] = useState<FlowRunDetail[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  /** The flow whose variables are being set for a run. */
  const [running, setRunning] = useState<Flow | undefined>(undefined);
  const startRun = async (flow: Flow, variables: Record<string, string>) => {
    const runId = await flows.execute(flow.id, variables);
    services.router.navigate(`/flows/runs/${encodeURIComponent(runId)}`);
  };

  const load = () => {
    flows.list().then(setList, (e: unknown) => setError(errorMessage(e)));
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
        throw new Error(t('flows.notJson', { file: file.name }));
      }
      const flow = await flows.import(parsed);
      services.router.navigate(`/flows/${encodeURIComponent(flow.id)}`);
    });
  };

  return (
    <div class="page flow-list-page">
      <PageHeader title={t('flows.title')} sub={t('flows.sub')}>
        <label class="button-like">
          {t('flows.import')}
          <input type="file" accept="application/json,.json" class="visually-hidden" onChange={(e) => importFile(e.currentTarget.files?.[0])} />
        </label>
        <Link href="/flows/new" class="button-link primary-link" data-testid="flow-new">
          {t('flows.new')}
        </Link>
      </PageHeader>
      {message && (
        <p class="form-error" role="alert">
          {message}
        </p>
      )}
      {!list ? (
        error ? (
          <LoadError what={t('flows.what')} message={error} onRetry={load} />
        ) : (
          <Loading what={t('flows.whatShort')} />
        )
      ) : list.length === 0 ? (
        <Empty title={t('flows.empty')}>
          <p>
            <Rich k="flows.emptyHelp" values={{ file: <code>examples/flows/*.flow.json</code> }} />
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
                  {plural('flows.nodes', flow.nodes.length)} · <Rich k="flows.edited" values={{ ago: <Ago iso={flow.updatedAt} /> }} />
                </span>
              </div>
              {flow.description && <p class="small">{flow.description}</p>}
              <div class="run-node-actions">
                <button
                  type="button"
                  class="small primary"
                  onClick={() => (Object.keys(flow.variables).length ? setRunning(flow) : void act(() => startRun(flow, {})))}
                >
                  {t('flows.run')}
                </button>
                <button type="button" class="small" onClick={() => void act(() => flows.duplicate(flow.id))}>
                  {t('flows.duplicate')}
                </button>
                <button type="button" class="small" onClick={() => void act(() => download(flow))}>
                  {t('flows.export')}
                </button>
                <button type="button" class="small danger" onClick={() => confirm(t('flows.confirmDelete', { name: flow.name })) && void act(() => flows.remove(flow.id))}>
                  {t('flows.delete')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {running && <RunDialog flow={running} onRun={(variables) => startRun(running, variables)} onClose={() => setRunning(undefined)} />}
      <h2 class="section-title">{t('flows.history')}</h2>
      {!runs ? (
        <Loading what={t('flows.runsWhat')} />
      ) : runs.length === 0 ? (
        <p class="muted">{t('flows.noRuns')}</p>
      ) : (
        <div class="table-wrap">
          <table class="run-table">
            <thead>
              <tr>
                <th>{t('flows.col.flow')}</th>
                <th>{t('flows.col.status')}</th>
                <th>{t('flows.col.nodes')}</th>
                <th>{t('flows.col.started')}</th>
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
                      {t('flows.doneCount', { done: states.filter((s) => s.status === 'completed').length, total: states.length })}
                      {states.some((s) => s.status === 'failed') ? t('flows.failedCount', { n: states.filter((s) => s.status === 'failed').length }) : ''}
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
