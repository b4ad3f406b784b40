import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { useServices, useTabs } from '../services/index.ts';
import { offsetParam } from '../services/router.ts';
import { NewSessionDialog } from './NewSessionDialog.tsx';
import { SessionList } from './SessionList.tsx';
import { TerminalTabs } from './TerminalTabs.tsx';

/** The session list beside the terminal tabs; `/sessions/:key` shows that session's tab. */
export function SessionsPage({ sessionKey }: { sessionKey: string | undefined }) {
  const { router, executions } = useServices();
  const tabs = useTabs();
  const [creating, setCreating] = useState(false);
  // `?offset=N`: the terminal opens at that point of its stream (an execution's start).
  const offset = offsetParam(router.search.value);
  useEffect(() => {
    tabs.activate(sessionKey);
    if (sessionKey) tabs.get(sessionKey)?.showFrom(offset);
  }, [sessionKey, offset]);
  useEffect(() => () => tabs.activate(undefined), []);
  // The toolbars show a session's running execution, wherever it was started.
  useEffect(() => executions.use(), []);
  return (
    <div class={`sessions-page${sessionKey ? ' has-terminal' : ''}`}>
      <aside class="sidebar" aria-labelledby="sessions-title">
        <div class="sidebar-head">
          <h1 id="sessions-title">{t('sessions.title')}</h1>
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            {t('sessions.new')}
          </button>
        </div>
        <SessionList activeKey={sessionKey} />
      </aside>
      <section class="workspace" aria-label={t('sessions.workspace')}>
        <TerminalTabs activeKey={sessionKey} />
      </section>
      {creating && (
        <NewSessionDialog
          onClose={() => setCreating(false)}
          onCreated={(session) => {
            setCreating(false);
            router.navigate(`/sessions/${session.sessionKey}`);
          }}
        />
      )}
    </div>
  );
}
