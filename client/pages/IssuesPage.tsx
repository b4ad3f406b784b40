import { useEffect, useRef, useState } from 'preact/hooks';
import { Board } from '../components/issues/Board.tsx';
import { DRAWER_TABS, IssueDrawer, type DrawerTab } from '../components/issues/IssueDrawer.tsx';
import { NewIssueDialog } from '../components/issues/NewIssueDialog.tsx';
import { SettingsDialog } from '../components/issues/SettingsDialog.tsx';
import { PageHeader } from '../components/board/PageHeader.tsx';
import { LoadError, Loading } from '../components/board/States.tsx';
import { t } from '../i18n/index.ts';
import { useServices } from '../services/index.ts';
import { addEnglish } from '../i18n/index.ts';
import { issues as issuesStrings } from '../i18n/en/issues.ts';
import { queues as queuesStrings } from '../i18n/en/queues.ts';
import { errorMessage } from '../../base/errors.ts';

// This chunk's English strings travel with it (the first paint carries only common and board).
addEnglish(issuesStrings);
addEnglish(queuesStrings);

/** The tabs of the issues hub; the board is the first. */
export const HUB_TABS: ReadonlyArray<{ readonly href: string; readonly label: () => string }> = [
  { href: '/issues', label: () => t('issues.tab.board') },
  { href: '/queues', label: () => t('queues.tabQueues') },
];

/** `/issues`: the kanban board, with the issue drawer beside it when `?issue=` names one. */
export function IssuesPage() {
  const { issues, executions, router } = useServices();
  const params = new URLSearchParams(router.search.value);
  const selected = params.get('issue') ?? undefined;
  const tabParam = params.get('tab');
  const tab: DrawerTab = DRAWER_TABS.some(([k]) => k === tabParam) ? (tabParam as DrawerTab) : 'details';
  const [creating, setCreating] = useState(false);
  const [settings, setSettings] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'error' | 'info'; text: string } | undefined>();
  const filters = issues.filters.value;
  const [q, setQ] = useState(filters.q);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    issues.use();
    executions.use();
  }, []);
  // Text search on the server, once typing pauses.
  useEffect(() => {
    if (q === issues.filters.value.q) return;
    const timer = setTimeout(() => issues.setFilters({ q }), 250);
    return () => clearTimeout(timer);
  }, [q]);

  const go = (issue: string | undefined, nextTab: DrawerTab = tab) => {
    const query = new URLSearchParams();
    if (issue) query.set('issue', issue);
    if (issue && nextTab !== 'details') query.set('tab', nextTab);
    router.navigate(`/issues${query.size ? `?${query}` : ''}`, { replace: selected !== undefined && issue !== undefined });
  };

  const exportAll = async () => {
    try {
      const data = await issues.api.exportAll();
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `issues-${new Date().toISOString().slice(0, 10)}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      setNotice({ kind: 'error', text: t('issues.exportFailed', { message: errorMessage(error) }) });
    }
  };

  const importFile = async (file: File) => {
    try {
      const result = await issues.api.importFile(JSON.parse(await file.text()));
      setNotice({ kind: 'info', text: `${t('issues.imported', { created: result.created, updated: result.updated })}${result.warnings.length ? ` ${result.warnings.join(' ')}` : ''}` });
      void issues.refresh();
    } catch (error) {
      setNotice({ kind: 'error', text: t('issues.importFailed', { message: errorMessage(error) }) });
    }
  };

  const data = issues.data.value;
  const loadError = issues.error.value;
  return (
    <div class={`issues-page${selected ? ' has-drawer' : ''}`}>
      <PageHeader title={t('issues.title')}>
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          {t('issues.new')}
        </button>
        <button type="button" onClick={() => setSettings(true)}>
          {t('issues.settings')}
        </button>
        <button type="button" onClick={() => void exportAll()}>
          {t('issues.export')}
        </button>
        <button type="button" onClick={() => fileInput.current?.click()}>
          {t('issues.import')}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          hidden
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) void importFile(file);
          }}
        />
      </PageHeader>
      <nav class="hub-tabs" aria-label={t('issues.hub')}>
        {HUB_TABS.map((tab) => (
          <a key={tab.href} href={tab.href} aria-current={router.path.value === tab.href ? 'page' : undefined} onClick={(e) => router.handleLinkClick(e, tab.href)}>
            {tab.label()}
          </a>
        ))}
      </nav>
      <div class="board-filters" role="search">
        <label>
          <span class="visually-hidden">{t('issues.search')}</span>
          <input type="search" placeholder={t('issues.searchPlaceholder')} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <label>
          <span class="visually-hidden">{t('issues.label')}</span>
          <input type="search" placeholder={t('issues.label')} value={filters.label} onChange={(e) => issues.setFilters({ label: e.currentTarget.value })} />
        </label>
        <label class="check">
          <input type="checkbox" checked={filters.showClosed} onChange={(e) => issues.setFilters({ showClosed: e.currentTarget.checked })} /> {t('issues.showClosed')}
        </label>
      </div>
      {notice && (
        <p class={notice.kind === 'error' ? 'form-error' : 'notice'} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}{' '}
          <button type="button" class="link-button" onClick={() => setNotice(undefined)}>
            {t('issues.dismiss')}
          </button>
        </p>
      )}
      <div class="issues-layout">
        {data === undefined ? (
          loadError ? (
            <LoadError what={t('issues.whatIssues')} message={loadError} onRetry={() => void issues.refresh()} />
          ) : (
            <Loading what={t('issues.whatIssues')} />
          )
        ) : (
          <Board selectedId={selected} onOpen={(id) => go(id, 'details')} onError={(text) => setNotice({ kind: 'error', text })} />
        )}
        {selected && <IssueDrawer key={selected} id={selected} tab={tab} onTab={(t) => go(selected, t)} onClose={() => go(undefined)} />}
      </div>
      {creating && (
        <NewIssueDialog
          onClose={() => setCreating(false)}
          onCreated={(issue) => {
            setCreating(false);
            go(issue.id, 'details');
          }}
        />
      )}
      {settings && <SettingsDialog onClose={() => setSettings(false)} />}
    </div>
  );
}
