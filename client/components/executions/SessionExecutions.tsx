import { useEffect } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import { useServices } from '../../services/index.ts';
import { ExecuteForm, type ExecuteInput } from './ExecuteForm.tsx';
import { RunItem } from './RunItem.tsx';

/** How many of a session's executions the panel lists (newest first). */
const SHOWN = 20;

/**
 * The terminal page's executions of one session: the Execute box and the
 * session's runs, live from EXECUTION_UPDATED (the running one first and
 * highlighted, with its elapsed time).
 */
export function SessionExecutions({ sessionKey, sessionTool, closed }: { sessionKey: string; sessionTool: string | undefined; closed: boolean }) {
  const { executions } = useServices();
  useEffect(() => {
    void executions.loadSession(sessionKey);
  }, [sessionKey]);
  const runs = executions.forSession(sessionKey);
  const running = executions.runningBySession.value.get(sessionKey);
  const start = (input: ExecuteInput) =>
    executions.start(sessionKey, {
      prompt: input.prompt,
      ...(input.tool ? { tool: input.tool } : {}),
      ...(input.timeoutS !== undefined ? { timeoutS: input.timeoutS } : {}),
      ...(input.resumeKey ? { resumeKey: input.resumeKey } : {}),
      ...(input.resumeStrategy ? { resumeStrategy: input.resumeStrategy } : {}),
    });
  return (
    <section class="session-executions" aria-label={t('executions.sessionLabel')} data-testid="session-executions">
      {!closed && <ExecuteForm mode="session" idPrefix={`exec-${sessionKey}`} sessionTool={sessionTool} busyReason={running ? t('executions.busyHint') : undefined} onSubmit={start} />}
      {runs.length === 0 ? (
        <p class="muted exec-none">{executions.available.value ? t('executions.noneSession') : t('executions.unavailable')}</p>
      ) : (
        <ol class="runs exec-runs" aria-label={t('executions.listLabel')}>
          {runs.slice(0, SHOWN).map((run) => (
            <RunItem key={run.executionId} run={run} />
          ))}
        </ol>
      )}
    </section>
  );
}
