import { useState } from 'preact/hooks';
import { duration, shortTime, t } from '../../i18n/index.ts';
import { seconds } from '../../lib/format.ts';
import { ApiError } from '../../services/api.ts';
import { useServices } from '../../services/index.ts';
import { terminalHref } from '../../services/router.ts';
import { Link } from '../Link.tsx';
import type { RunChunk, RunView } from '../../services/executions.ts';
import { plainText } from '../issues/plain-text.ts';
import { errorMessage } from '../../../base/errors.ts';

/** Escape sequences out of a stateless run's chunk (pipes seldom carry any; chunks join as they are). */
function withoutEscapes(text: string): string {
  return text.replace(/\x1b\[[0-?]*[ -\/]*[@-~]|\x1b\][\s\S]*?(?:\x07|\x1b\\)/g, '');
}

/** Under a second in ms (executions are often that short), else the UI's duration. */
export function runDuration(ms: number): string {
  return ms < 1000 ? t('executions.ms', { n: Math.max(0, Math.round(ms)) }) : duration(ms);
}

/** Elapsed time of a run: ticking while it runs (a UI clock, not a poll). */
function Elapsed({ run }: { run: RunView }) {
  const end = run.endedAt ? Date.parse(run.endedAt) : seconds.value;
  const ms = end - Date.parse(run.startedAt);
  return <span class="exec-duration">{Number.isFinite(ms) ? runDuration(ms) : ''}</span>;
}

/** The status word, the exit code and how the end was known. */
export function RunStatus({ run }: { run: RunView }) {
  return (
    <>
      <span class={`run-status status-${run.status}`} data-testid="exec-status">
        {t(`executions.status.${run.status}`)}
      </span>
      {run.exitCode !== null && (
        <span class="run-exit" data-testid="exec-exit">
          {t('executions.exit', { code: run.exitCode })}
        </span>
      )}
      {run.completion && (
        <span class={`exec-completion completion-${run.completion}`} title={t(`executions.completionHint.${run.completion}`)} data-testid="exec-completion">
          {t(`executions.completion.${run.completion}`)}
        </span>
      )}
    </>
  );
}

/**
 * One execution in a list: status, exit code, completion, duration, tool, start
 * time, prompt; the output on demand (a session's exact pane bytes, or a
 * stateless run's stdout/stderr, live while it runs); Cancel while it runs.
 */
export function RunItem({ run }: { run: RunView }) {
  const { executions } = useServices();
  const [userOpen, setOpen] = useState<boolean | undefined>(undefined);
  const [output, setOutput] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [cancelling, setCancelling] = useState(false);
  const stateless = run.sessionKey === null;
  const chunks = stateless ? executions.chunks.value.get(run.executionId) : undefined;
  // A stateless run started while the page was open shows its output as it comes.
  const open = userOpen ?? chunks !== undefined;

  const show = async () => {
    setError(undefined);
    setOpen(true);
    try {
      if (stateless) await executions.loadChunks(run.executionId);
      else setOutput(plainText(await executions.output(run.executionId)));
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const cancel = async () => {
    setCancelling(true);
    setError(undefined);
    try {
      await executions.cancel(run.executionId);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setCancelling(false);
    }
  };

  return (
    <li class={`run exec-run run-${run.status}`} data-execution-id={run.executionId} data-status={run.status} aria-current={run.status === 'running' ? 'true' : undefined}>
      <div class="run-head">
        <RunStatus run={run} />
        <span class="muted">{run.tool}</span>
        <Elapsed run={run} />
        <time class="muted" dateTime={run.startedAt}>
          {shortTime(run.startedAt)}
        </time>
        <span class="run-actions">
          {run.status === 'running' && (
            <button type="button" class="small danger" disabled={cancelling} onClick={() => void cancel()} data-testid="exec-cancel">
              {t('executions.cancel')}
            </button>
          )}
          {!open && (stateless || run.status !== 'running') && (
            <button type="button" class="link-button" onClick={() => void show()} data-testid="exec-output">
              {t('executions.output')}
            </button>
          )}
          {run.sessionKey !== null && run.offsetStart !== null && (
            <Link href={terminalHref(run.sessionKey, run.offsetStart)} title={t('executions.atStartHint')} data-testid="exec-at-start">
              {t('executions.atStart')}
            </Link>
          )}
          {open && (
            <button type="button" class="link-button" onClick={() => setOpen(false)}>
              {t('executions.hideOutput')}
            </button>
          )}
        </span>
      </div>
      <p class="run-prompt" title={run.command}>
        {run.prompt.split('\n')[0]}
      </p>
      {!open && run.outputTail && run.status !== 'running' && <pre class="run-output run-tail">{run.outputTail}</pre>}
      {open && stateless && <ChunkOutput chunks={chunks} running={run.status === 'running'} />}
      {open && !stateless && output !== undefined && (
        <pre class="run-output" data-testid="exec-output-text" data-offsets={`${run.offsetStart ?? ''}-${run.offsetEnd ?? ''}`}>
          {output || t('executions.noOutput')}
        </pre>
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

function ChunkOutput({ chunks, running }: { chunks: readonly RunChunk[] | undefined; running: boolean }) {
  if (!chunks) return <p class="muted">{t('executions.loadingOutput')}</p>;
  if (chunks.length === 0) return <p class="muted">{running ? t('executions.waitingOutput') : t('executions.noOutput')}</p>;
  return (
    <pre class="run-output" data-testid="exec-output-text">
      {chunks.map((chunk) => (
        <span key={chunk.seq} class={chunk.stream === 'stderr' ? 'out-stderr' : undefined}>
          {withoutEscapes(chunk.data)}
        </span>
      ))}
    </pre>
  );
}
