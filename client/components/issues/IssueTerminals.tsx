import { useEffect, useMemo, useState } from 'preact/hooks';
import type { CliSession, CreateSessionBody, Issue, ToolName } from '../../../schemas/index.ts';
import { ApiError } from '../../services/api.ts';
import { wsBase } from '../../services/events.ts';
import { useServices } from '../../services/index.ts';
import { TerminalTab } from '../../terminal/terminal-tab.ts';
import { TerminalDialogs } from '../term/TerminalDialogs.tsx';
import { TerminalPanel } from '../TerminalPanel.tsx';
import { issueSessionKeys, sessionState, stateLabel } from './session-state.ts';
import { t } from '../../i18n/index.ts';

const TOOLS = ['bash', 'claude', 'codex', 'gemini', 'qwen', 'opencode', 'custom'] as const satisfies readonly ToolName[];

interface Props {
  readonly issue: Issue;
}

/**
 * The drawer's Terminal tab: the issue's sessions (switch between them), a form to
 * create one for the issue, the live terminal (the terminals page's panel, with its
 * resume, flow control, sizing, attach command and close), and Send / Execute.
 */
export function IssueTerminals({ issue }: Props) {
  const { sessions, executions } = useServices();
  const all = sessions.byKey.value;
  const keys = issueSessionKeys(issue, all.values()).filter((k) => all.has(k));
  const open = keys.filter((k) => all.get(k)?.status !== 'closed');
  const [activeKey, setActiveKey] = useState<string | undefined>(open.at(-1));
  const [creating, setCreating] = useState(keys.length === 0);
  const active = activeKey && keys.includes(activeKey) ? activeKey : open.at(-1);
  const running = executions.runningBySession.value;

  return (
    <div class="issue-terminals">
      <div class="issue-session-bar" role="tablist" aria-label={t('issues.term.sessions')}>
        {keys.map((key) => {
          const session = all.get(key)!;
          const state = sessionState(session, running.get(key));
          return (
            <button
              key={key}
              type="button"
              role="tab"
              class={`issue-session-tab state-${state.kind}`}
              aria-selected={key === active && !creating}
              data-session-key={key}
              onClick={() => {
                setActiveKey(key);
                setCreating(false);
              }}
            >
              {session.name} <span class="muted">· {stateLabel(state)}</span>
            </button>
          );
        })}
        <button type="button" class={`small${creating ? ' primary' : ''}`} onClick={() => setCreating(true)}>
          {t('issues.term.new')}
        </button>
      </div>
      {creating ? (
        <NewIssueSession
          issue={issue}
          onCancel={keys.length ? () => setCreating(false) : undefined}
          onCreated={(session) => {
            setActiveKey(session.sessionKey);
            setCreating(false);
          }}
        />
      ) : active ? (
        <ActiveTerminal key={active} sessionKey={active} session={all.get(active)} />
      ) : (
        <p class="muted">{t('issues.term.none')}</p>
      )}
    </div>
  );
}

function ActiveTerminal({ sessionKey, session }: { sessionKey: string; session: CliSession | undefined }) {
  const { api, theme } = useServices();
  const tab = useMemo(() => {
    const created = new TerminalTab({
      sessionKey,
      mode: 'control',
      baseUrl: wsBase(),
      theme: theme.theme,
      probe: (k) => api.probeSession(k),
      onEscapeFocus: () => document.querySelector<HTMLElement>('.issue-drawer [data-focus-from-terminal], .issue-drawer .send-box textarea')?.focus(),
    });
    if (session?.status === 'closed') created.connection.markClosed('the session is closed');
    else created.start();
    return created;
  }, [sessionKey]);
  useEffect(() => {
    tab.setActive(true);
    return () => tab.dispose();
  }, [tab]);
  return (
    <div class="issue-terminal">
      <TerminalPanel tab={tab} active onCloseTab={() => undefined} />
      <TerminalDialogs />
      {session && session.status !== 'closed' && <SendBox session={session} />}
    </div>
  );
}

/**
 * Text to the pane (with or without Enter), or an execution of it through the executions API.
 * Execute runs the session's own tool unless another is chosen: in a shell session that is the
 * tool run one-shot at its prompt, as the board's auto-start does.
 */
function SendBox({ session }: { session: CliSession }) {
  const { api, executions } = useServices();
  const sessionKey = session.sessionKey;
  const ownTool: string = session.tool === 'custom' ? 'bash' : session.tool;
  // The tools installed on the server (GET /api/tools) once known; the built-in names until then.
  const installed = executions.tools.value?.filter((x) => x.available && x.supports.oneShot).map((x) => x.tool);
  const toolChoices = [...new Set([ownTool, ...(installed ?? TOOLS.filter((name) => name !== 'custom'))])];
  useEffect(() => {
    void executions.loadTools().catch(() => undefined);
  }, []);
  const [text, setText] = useState('');
  const [tool, setTool] = useState(ownTool);
  const [newline, setNewline] = useState(true);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | undefined>();
  const busyRun = executions.runningBySession.value.get(sessionKey);
  const run = async (what: 'send' | 'execute') => {
    const sent = text;
    if (!sent) return;
    setBusy(true);
    setMessage(undefined);
    try {
      if (what === 'send') await api.call('POST', `/api/cli-sessions/${encodeURIComponent(sessionKey)}/send`, { text: sent, appendNewline: newline });
      else await executions.execute(sessionKey, sent, tool === ownTool ? undefined : tool);
      // Text typed while this was sending is the next message: keep it.
      setText((current) => (current === sent ? '' : current));
      setMessage({ kind: 'ok', text: what === 'send' ? t('issues.term.sent') : t('issues.term.started') });
    } catch (error) {
      setMessage({ kind: 'error', text: error instanceof ApiError ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="send-box"
      onSubmit={(e) => {
        e.preventDefault();
        void run('send');
      }}
    >
      <label class="visually-hidden" for={`send-${sessionKey}`}>
        {t('issues.term.textLabel')}
      </label>
      <textarea
        id={`send-${sessionKey}`}
        rows={2}
        value={text}
        placeholder={t('issues.term.textPlaceholder')}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void run('send');
          }
        }}
      />
      <div class="send-actions">
        <label class="check">
          <input type="checkbox" checked={newline} onChange={(e) => setNewline(e.currentTarget.checked)} /> {t('issues.term.newline')}
        </label>
        <button type="submit" class="small" disabled={busy || !text}>
          {t('issues.term.send')}
        </button>
        <label class="execute-tool">
          <span class="visually-hidden">{t('issues.term.executeWith')}</span>
          <select name="executeTool" value={tool} title={t('issues.term.executeWith')} onChange={(e) => setTool(e.currentTarget.value)}>
            {toolChoices.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          class="small primary"
          disabled={busy || !text || busyRun !== undefined}
          title={busyRun ? t('issues.term.busy') : t('issues.term.executeHint')}
          onClick={() => void run('execute')}
        >
          {t('issues.term.execute')}
        </button>
        {message && (
          <span class={message.kind === 'error' ? 'form-error inline' : 'muted'} role={message.kind === 'error' ? 'alert' : 'status'}>
            {message.text}
          </span>
        )}
      </div>
    </form>
  );
}

/** A session for this issue: tool, model, working directory, env wrapper, resume key (default `issue-<id>`). */
function NewIssueSession({ issue, onCreated, onCancel }: { issue: Issue; onCreated: (s: CliSession) => void; onCancel?: () => void }) {
  const { api, sessions } = useServices();
  const [tool, setTool] = useState<ToolName>('bash');
  const [model, setModel] = useState('');
  const [workingDir, setWorkingDir] = useState('');
  const [envWrapper, setEnvWrapper] = useState('');
  const [shell, setShell] = useState('');
  const [resumeKey, setResumeKey] = useState(`issue-${issue.id}`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: CreateSessionBody = { tool, issueId: issue.id };
    if (model.trim()) body.model = model.trim();
    if (workingDir.trim()) body.workingDir = workingDir.trim();
    if (envWrapper.trim()) body.envWrapper = envWrapper.trim();
    if (shell.trim()) body.shell = shell.trim();
    if (resumeKey.trim()) body.resumeKey = resumeKey.trim();
    setBusy(true);
    setError(undefined);
    try {
      const session = await api.createSession(body);
      sessions.upsert(session);
      onCreated(session);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form new-issue-session" onSubmit={submit} noValidate>
      <h3>{t('issues.term.newFor', { id: issue.id })}</h3>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <div class="form-grid">
        <label>
          {t('issues.term.tool')}
          <select name="tool" value={tool} onChange={(e) => setTool(e.currentTarget.value as ToolName)}>
            {TOOLS.map((name) => (
              <option key={name} value={name}>
                {name === 'custom' ? t('issues.term.customTool') : name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('issues.term.model')}
          <input name="model" value={model} placeholder={t('issues.term.modelDefault')} onInput={(e) => setModel(e.currentTarget.value)} />
        </label>
        <label>
          {t('issues.term.workingDir')}
          <input name="workingDir" value={workingDir} placeholder={t('issues.term.workingDirDefault')} onInput={(e) => setWorkingDir(e.currentTarget.value)} />
        </label>
        <label>
          {t('issues.term.envWrapper')}
          <input name="envWrapper" value={envWrapper} placeholder={t('issues.term.envWrapperExample')} onInput={(e) => setEnvWrapper(e.currentTarget.value)} />
        </label>
        <label>
          {t('issues.term.resumeKey')}
          <input name="resumeKey" value={resumeKey} onInput={(e) => setResumeKey(e.currentTarget.value)} />
        </label>
        {(tool === 'custom' || shell) && (
          <label>
            {t('issues.term.command')}
            <input name="shell" value={shell} placeholder={t('issues.term.commandExample')} onInput={(e) => setShell(e.currentTarget.value)} />
          </label>
        )}
      </div>
      <div class="form-actions">
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={busy}>
            {t('issues.cancel')}
          </button>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('issues.term.creating') : t('issues.term.create')}
        </button>
      </div>
    </form>
  );
}
