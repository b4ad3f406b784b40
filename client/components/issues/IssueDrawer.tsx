import { useEffect, useRef, useState } from 'preact/hooks';
import type { Issue } from '../../../schemas/index.ts';
import { useServices } from '../../services/index.ts';
import { LoadError, Loading } from '../board/States.tsx';
import { DetailsTab } from './DetailsTab.tsx';
import { statusLabel } from './labels.ts';
import { RunsTab } from './RunsTab.tsx';
import { t } from '../../i18n/index.ts';
import { errorMessage } from '../../../base/errors.ts';

export type DrawerTab = 'details' | 'terminal' | 'runs';
export const DRAWER_TABS: ReadonlyArray<readonly [DrawerTab, () => string]> = [
  ['details', () => t('issues.drawer.details')],
  ['terminal', () => t('issues.drawer.terminal')],
  ['runs', () => t('issues.drawer.runs')],
];

interface Props {
  readonly id: string;
  readonly tab: DrawerTab;
  readonly onTab: (tab: DrawerTab) => void;
  readonly onClose: () => void;
}

/** Beside the board: one issue's details, terminals and runs. The URL (`?issue=&tab=`) holds which. */
export function IssueDrawer({ id, tab, onTab, onClose }: Props) {
  const { issues, terminals } = useServices();
  const known = issues.data.value?.get(id);
  const [fetched, setFetched] = useState<Issue | undefined>();
  const [error, setError] = useState<string | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);
  // An issue the board does not show (closed, filtered out): fetch it.
  useEffect(() => {
    setError(undefined);
    if (known || !issues.data.value) return;
    issues.api.get(id).then(setFetched, (e: unknown) => setError(errorMessage(e)));
  }, [id, !known, !issues.data.value]);
  useEffect(() => {
    if (tab === 'terminal') void terminals.load().catch(() => undefined);
  }, [tab]);
  useEffect(() => heading.current?.focus(), [id]);
  const issue = known ?? (fetched?.id === id ? fetched : undefined);
  const module = terminals.module.value;

  return (
    <aside
      class="issue-drawer"
      aria-labelledby="drawer-title"
      data-issue-id={id}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !(e.target as HTMLElement).closest('.term-frame, dialog')) onClose();
      }}
    >
      <header class="drawer-head">
        <div>
          <span class="card-id">{id}</span>
          {issue && <span class={`status-pill status-${issue.status}`}>{statusLabel(issue.status)}</span>}
          <h2 id="drawer-title" ref={heading} tabIndex={-1}>
            {issue?.title ?? id}
          </h2>
        </div>
        <button type="button" class="small" aria-label={t('issues.drawer.close')} onClick={onClose}>
          ✕
        </button>
      </header>
      <div class="drawer-tabs" role="tablist" aria-label={t('issues.drawer.tabs')}>
        {DRAWER_TABS.map(([key, label]) => (
          <button key={key} type="button" role="tab" id={`drawer-tab-${key}`} aria-selected={tab === key} aria-controls="drawer-panel" onClick={() => onTab(key)}>
            {label()}
            {key === 'terminal' && issue && issue.sessions.length > 0 ? ` (${issue.sessions.length})` : ''}
          </button>
        ))}
      </div>
      <div class="drawer-panel" id="drawer-panel" role="tabpanel" aria-labelledby={`drawer-tab-${tab}`}>
        {!issue ? (
          error ? (
            <LoadError what={t('issues.drawer.whatIssue', { id })} message={error} />
          ) : (
            <Loading what={t('issues.drawer.theIssue')} />
          )
        ) : tab === 'details' ? (
          <DetailsTab issue={issue} onDeleted={onClose} />
        ) : tab === 'runs' ? (
          <RunsTab issue={issue} />
        ) : module ? (
          <module.IssueTerminals issue={issue} />
        ) : terminals.loadError.value ? (
          <LoadError what={t('issues.drawer.terminalWhat')} message={terminals.loadError.value} />
        ) : (
          <Loading what={t('issues.drawer.terminalWhat')} />
        )}
      </div>
    </aside>
  );
}
