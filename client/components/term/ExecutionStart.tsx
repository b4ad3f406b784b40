import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import type { RunView } from '../../services/executions.ts';
import { useServices } from '../../services/index.ts';
import { terminalHref } from '../../services/router.ts';
import type { TerminalTab } from '../../terminal/terminal-tab.ts';
import { plainText } from '../issues/plain-text.ts';
import { errorMessage } from '../../../base/errors.ts';

/** The session's execution that starts at `offset` (or, failing that, the one running over it). */
function runAt(runs: readonly RunView[], offset: number): RunView | undefined {
  return (
    runs.find((r) => r.offsetStart === offset) ??
    runs.filter((r) => r.offsetStart !== null && r.offsetStart <= offset && (r.offsetEnd === null || r.offsetEnd >= offset)).sort((a, b) => b.offsetStart! - a.offsetStart!)[0]
  );
}

function shortPrompt(prompt: string): string {
  const line = prompt.split('\n')[0]!.trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

/**
 * A terminal opened at an execution's start (`?offset=N`). While the server's buffer
 * still holds that point, the terminal itself replays from it (its first line at the
 * top, then live) and this is a banner saying so. When it does not, the terminal shows
 * the current screen and this shows the execution's recorded output above it.
 */
export function ExecutionStart({ tab }: { tab: TerminalTab }) {
  const { executions, router } = useServices();
  const from = tab.from.value;
  const [text, setText] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (from) void executions.loadSession(tab.sessionKey);
  }, [from?.offset]);
  const run = from ? runAt(executions.forSession(tab.sessionKey), from.offset) : undefined;
  const missed = from?.found === false;
  useEffect(() => {
    if (!missed || !run) return;
    let current = true;
    setText(undefined);
    setError(undefined);
    executions.output(run.executionId).then(
      (bytes) => current && setText(plainText(bytes)),
      (e: unknown) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
    // Fetched again when it ends: the rest of its output is in then.
  }, [missed, run?.executionId, run?.status]);
  if (!from) return null;
  const what = run ? t('term.from.what', { prompt: shortPrompt(run.prompt) }) : t('term.from.offset', { offset: from.offset });
  return (
    <div class="terminal-from" data-testid="terminal-from" data-found={from.found === undefined ? 'pending' : String(from.found)}>
      <div class="terminal-banner banner-info" role="status">
        <span>{from.found === undefined ? t('term.from.opening') : from.found ? t('term.from.found', { what }) : t('term.from.missed', { what })}</span>
        <button type="button" class="small" onClick={() => router.navigate(terminalHref(tab.sessionKey))}>
          {t('term.from.current')}
        </button>
      </div>
      {missed && (
        <pre class="from-output" data-testid="terminal-from-output" aria-label={t('term.from.outputLabel', { what })}>
          {text ?? error ?? (run ? t('term.from.loading') : t('term.from.unknown'))}
        </pre>
      )}
    </div>
  );
}
