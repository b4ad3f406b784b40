import { paneKey } from '../../services/agent-types.ts';
import { useServices } from '../../services/index.ts';
import { Link } from '../Link.tsx';

/**
 * "Open terminal" for a pane on the bridge's own tmux server (it has a session
 * key); panes of other hosts or sockets can be watched but not typed into here.
 */
export function TerminalLink({ host, paneId, sessionKey, label = 'Open terminal' }: { host: string; paneId: string; sessionKey?: string | null; label?: string }) {
  const { panes } = useServices();
  const key = sessionKey ?? panes.byKey.value.get(paneKey(host, paneId))?.sessionKey ?? null;
  if (!key) {
    return (
      <span class="muted small no-terminal" title="Only panes on the bridge's own tmux server open as terminals here; attach with tmux on that host.">
        no terminal here
      </span>
    );
  }
  return (
    <Link href={`/sessions/${key}`} class="button-link small terminal-link" aria-label={`${label}: pane ${paneId} on ${host}`}>
      {label}
    </Link>
  );
}
