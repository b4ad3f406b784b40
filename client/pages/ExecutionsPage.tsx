import { useEffect } from 'preact/hooks';
import { Rich, t } from '../i18n/index.ts';
import { Empty } from '../components/board/States.tsx';
import { PageHeader } from '../components/board/PageHeader.tsx';
import { ExecuteForm, type ExecuteInput } from '../components/executions/ExecuteForm.tsx';
import { RunItem } from '../components/executions/RunItem.tsx';
import { useServices } from '../services/index.ts';
import { addEnglish } from '../i18n/index.ts';
import { executions as executionsStrings } from '../i18n/en/executions.ts';

// This chunk's English strings travel with it (the first paint carries only common and board).
addEnglish(executionsStrings);

/** How many stateless runs the page lists (the server keeps more; newest first). */
const SHOWN = 100;

/**
 * `/executions`: stateless runs (`POST /api/cli/execute`, no terminal), newest
 * first, with their stdout and stderr live from CLI_OUTPUT and their status
 * from EXECUTION_UPDATED; a form starts one.
 */
export function ExecutionsPage() {
  const { executions } = useServices();
  useEffect(() => {
    void executions.loadStateless();
  }, []);
  const runs = executions.stateless.value;
  const start = (input: ExecuteInput) =>
    executions.startStateless({
      tool: input.tool || 'bash',
      prompt: input.prompt,
      ...(input.workingDir ? { workingDir: input.workingDir } : {}),
      ...(input.timeoutS !== undefined ? { timeoutS: input.timeoutS } : {}),
      ...(input.resumeKey ? { resumeKey: input.resumeKey } : {}),
      ...(input.resumeStrategy ? { resumeStrategy: input.resumeStrategy } : {}),
    });
  return (
    <div class="page executions-page">
      <PageHeader title={t('executions.title')} sub={<Rich k="executions.sub" values={{ api: <code>POST /api/cli/execute</code> }} />} />
      <section class="panel" aria-labelledby="stateless-new">
        <h2 id="stateless-new">{t('executions.statelessNew')}</h2>
        <ExecuteForm mode="stateless" idPrefix="stateless" onSubmit={start} />
      </section>
      <h2 class="section-title">{t('executions.statelessList')}</h2>
      {runs.length === 0 ? (
        <Empty title={executions.available.value ? t('executions.statelessNone') : t('executions.unavailable')}>
          <p>{t('executions.statelessHelp')}</p>
        </Empty>
      ) : (
        <ol class="runs exec-runs" data-testid="stateless-runs">
          {runs.slice(0, SHOWN).map((run) => (
            <RunItem key={run.executionId} run={run} />
          ))}
        </ol>
      )}
    </div>
  );
}
