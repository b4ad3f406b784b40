import { useEffect, useState } from 'preact/hooks';
import type { Issue } from '../../../schemas/index.ts';
import { useServices } from '../../services/index.ts';
import type { RunView } from '../../services/executions.ts';
import { duration, shortTime, t } from '../../i18n/index.ts';
import { plainText } from './plain-text.ts';
import { errorMessage } from '../../../base/errors.ts';

function runDuration(run: RunView, now: number): string {
  const ms = (run.endedAt ? Date.parse(run.endedAt) : now) - Date.parse(run.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? duration(ms) : '';
}

/** The issue's executions, live from EXECUTION_UPDATED: status, exit code, duration, output. */
export function RunsTab({ issue }: { issue: Issue }) {
  const { executions } = useServices();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    void executions.loadIssue(issue.id);
  }, [issue.id]);
  const runs = executions.forIssue(issue.id);
  const anyRunning = runs.some((r) => r.status === 'running');
  useEffect(() => {
    if (!anyRunning) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [anyRunning]);
  if (!executions.available.value && runs.length === 0) return <p class="muted">{t('issues.runs.unavailable')}</p>;
  if (runs.length === 0) return <p class="muted">{t('issues.runs.none')}</p>;
  return (
    <ol class="runs">
      {runs.map((run) => (
        <Run key={run.executionId} run={run} now={now} />
      ))}
    </ol>
  );
}

function Run({ run, now }: { run: RunView; now: number }) {
  const { executions } = useServices();
  const [output, setOutput] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  return (
    <li class={`run run-${run.status}`} data-execution-id={run.executionId} data-status={run.status}>
      <div class="run-head">
        <span class={`run-status status-${run.status}`}>{run.status}</span>
        {run.exitCode !== null && <span class="run-exit">{t('issues.runs.exit', { code: run.exitCode })}</span>}
        <span class="muted">{run.tool}</span>
        <span class="muted">{runDuration(run, now)}</span>
        {run.completion === 'heuristic' && <span class="muted" title={t('issues.runs.guessedHint')}>{t('issues.runs.guessed')}</span>}
        <time class="muted" dateTime={run.startedAt}>
          {shortTime(run.startedAt)}
        </time>
      </div>
      <p class="run-prompt">{run.prompt.split('\n')[0]}</p>
      {run.outputTail && !output && <pre class="run-output">{run.outputTail}</pre>}
      {output !== undefined && <pre class="run-output">{output}</pre>}
      {run.status !== 'running' && output === undefined && (
        <button
          type="button"
          class="link-button"
          onClick={() =>
            void executions.output(run.executionId).then(
              (text) => setOutput(plainText(text)),
              (e: unknown) => setError(errorMessage(e)),
            )
          }
        >
          {t('issues.runs.output')}
        </button>
      )}
      {error && <p class="form-error">{error}</p>}
    </li>
  );
}
