import { Link } from '../Link.tsx';
import { t } from '../../i18n/index.ts';

/**
 * "Open terminal" for a pane on the bridge's own tmux server: the server tells
 * (`sessionKey` in pane, pipeline and approval views); panes of other hosts or
 * sockets can be watched but not typed into here.
 */
export function TerminalLink({ host, paneId, sessionKey, label = t('termLink.open') }: { host: string; paneId: string; sessionKey: string | null; label?: string }) {
  if (!sessionKey) {
    return (
      <span class="muted small no-terminal" title={t('termLink.noneTitle')}>
        {t('termLink.none')}
      </span>
    );
  }
  return (
    <Link href={`/sessions/${sessionKey}`} class="button-link small terminal-link" aria-label={t('termLink.label', { label, pane: paneId, host })}>
      {label}
    </Link>
  );
}
