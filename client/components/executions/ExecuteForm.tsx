import { useEffect, useState } from 'preact/hooks';
import type { ResumeStrategy, ToolInfo } from '../../../schemas/index.ts';
import { t } from '../../i18n/index.ts';
import { ApiError } from '../../services/api.ts';
import { useServices } from '../../services/index.ts';
import { errorMessage } from '../../../base/errors.ts';

/** What the form asks for; the caller turns it into its request. */
export interface ExecuteInput {
  readonly prompt: string;
  /** Empty: the session's own tool (session form only). */
  readonly tool: string;
  readonly timeoutS: number | undefined;
  readonly resumeKey: string;
  readonly resumeStrategy: ResumeStrategy | '';
  readonly workingDir: string;
}

interface Props {
  /** `session`: the terminal page's box; `stateless`: the runs page (a tool is required, a working directory offered). */
  readonly mode: 'session' | 'stateless';
  readonly idPrefix: string;
  /** Shown as the default tool choice in session mode. */
  readonly sessionTool?: string;
  /** A run in progress: said beside the box (the server refuses a second one with 409 session_busy). */
  readonly busyReason?: string;
  readonly onSubmit: (input: ExecuteInput) => Promise<unknown>;
}

/** An API error as the user needs it: which case it is, and the server's words (what to do). */
export function executeError(error: unknown): string {
  if (!(error instanceof ApiError)) return errorMessage(error);
  if (error.code === 'session_busy') return t('executions.err.busy', { message: error.message });
  if (error.code === 'tool_not_found') return t('executions.err.tool', { message: error.message });
  // A 400's field issues are in the message already, worded from their codes (services/api.ts).
  return error.message;
}

function toolLabel(tool: ToolInfo): string {
  return tool.available ? tool.tool : t('executions.form.toolMissing', { tool: tool.tool });
}

/** The "Execute" box: prompt, tool (from GET /api/tools), optional timeout and resume settings. */
export function ExecuteForm({ mode, idPrefix, sessionTool, busyReason, onSubmit }: Props) {
  const { executions } = useServices();
  const tools = executions.tools.value;
  const [prompt, setPrompt] = useState('');
  const [tool, setTool] = useState(mode === 'session' ? '' : 'bash');
  const [timeout, setTimeoutS] = useState('');
  const [resumeKey, setResumeKey] = useState('');
  const [resumeStrategy, setResumeStrategy] = useState<ResumeStrategy | ''>('');
  const [workingDir, setWorkingDir] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | undefined>();
  const [toolsError, setToolsError] = useState<string | undefined>();

  useEffect(() => {
    executions.loadTools().catch((e: unknown) => setToolsError(executeError(e)));
  }, []);

  const chosen = tools?.find((x) => x.tool === tool);
  const timeoutS = timeout.trim() === '' ? undefined : Number(timeout);
  const timeoutBad = timeoutS !== undefined && (!Number.isInteger(timeoutS) || timeoutS < 1);

  const submit = async (e: Event) => {
    e.preventDefault();
    const sent = prompt;
    if (busy || !sent.trim() || timeoutBad) return;
    setBusy(true);
    setMessage(undefined);
    try {
      await onSubmit({ prompt: sent, tool, timeoutS, resumeKey: resumeKey.trim(), resumeStrategy, workingDir: workingDir.trim() });
      // Text typed while this was starting is the next prompt: keep it.
      setPrompt((current) => (current === sent ? '' : current));
      setMessage({ kind: 'ok', text: t('executions.form.started') });
    } catch (error) {
      setMessage({ kind: 'error', text: executeError(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="execute-form" onSubmit={(e) => void submit(e)} noValidate data-testid="execute-form">
      <label class="visually-hidden" for={`${idPrefix}-prompt`}>
        {t('executions.form.prompt')}
      </label>
      <textarea
        id={`${idPrefix}-prompt`}
        name="prompt"
        rows={2}
        value={prompt}
        spellcheck={false}
        placeholder={mode === 'session' ? t('executions.form.promptPlaceholder') : t('executions.form.promptStateless')}
        onInput={(e) => setPrompt(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit(e);
        }}
      />
      <div class="execute-row">
        <label class="execute-field">
          <span>{t('executions.form.tool')}</span>
          <select name="tool" value={tool} onChange={(e) => setTool(e.currentTarget.value)} data-testid="execute-tool">
            {mode === 'session' && <option value="">{t('executions.form.sessionTool', { tool: sessionTool ?? '?' })}</option>}
            {(tools ?? []).map((x) => (
              <option key={x.tool} value={x.tool}>
                {toolLabel(x)}
              </option>
            ))}
            {mode === 'stateless' && !tools && <option value="bash">bash</option>}
          </select>
        </label>
        <label class="execute-field execute-timeout">
          <span>{t('executions.form.timeout')}</span>
          <input
            type="number"
            name="timeoutS"
            min={1}
            inputMode="numeric"
            value={timeout}
            placeholder={t('executions.form.noTimeout')}
            aria-invalid={timeoutBad ? 'true' : undefined}
            onInput={(e) => setTimeoutS(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="small primary" disabled={busy || !prompt.trim() || timeoutBad} title={t('executions.form.hint')} data-testid="execute-submit">
          {busy ? t('executions.form.starting') : t('executions.form.execute')}
        </button>
      </div>
      <details class="execute-more">
        <summary>{t('executions.form.more')}</summary>
        <div class="execute-row">
          {mode === 'stateless' && (
            <label class="execute-field execute-wide">
              <span>{t('executions.form.workingDir')}</span>
              <input name="workingDir" value={workingDir} placeholder={t('executions.form.workingDirDefault')} onInput={(e) => setWorkingDir(e.currentTarget.value)} />
            </label>
          )}
          <label class="execute-field">
            <span>{t('executions.form.resumeKey')}</span>
            <input name="resumeKey" value={resumeKey} placeholder={mode === 'session' ? t('executions.form.resumeKeySession') : t('executions.form.resumeKeyNone')} onInput={(e) => setResumeKey(e.currentTarget.value)} />
          </label>
          <label class="execute-field">
            <span>{t('executions.form.strategy')}</span>
            <select name="resumeStrategy" value={resumeStrategy} onChange={(e) => setResumeStrategy(e.currentTarget.value as ResumeStrategy | '')}>
              <option value="">{mode === 'session' ? t('executions.form.strategySession') : t('executions.form.strategyNone')}</option>
              <option value="nativeResume">nativeResume</option>
              <option value="promptConcat">promptConcat</option>
            </select>
          </label>
        </div>
      </details>
      {chosen && !chosen.available && (
        <p class="hint" role="note">
          {t('executions.form.notInstalled', { tool: chosen.tool, install: chosen.install ?? '' })}
        </p>
      )}
      {busyReason && <p class="hint">{busyReason}</p>}
      {toolsError && <p class="form-error inline">{toolsError}</p>}
      {message && (
        <p class={message.kind === 'error' ? 'form-error' : 'form-ok'} role={message.kind === 'error' ? 'alert' : 'status'} data-testid={message.kind === 'error' ? 'execute-error' : 'execute-ok'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
