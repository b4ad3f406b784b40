import { Link } from '../Link.tsx';

/**
 * "Open terminal" for a pane on the bridge's own tmux server: the server tells
 * (`sessionKey` in pane, pipeline and approval views); panes of other hosts or
 * sockets can be watched but not typed into here.
 */
export function TerminalLink({ host, paneId, sessionKey, label = 'Open terminal' }: { host: string; paneId: string; sessionKey: string | null; label?: string }) {
  if (!sessionKey) {
    return (
      <span class="muted small no-terminal" title="Only panes on the bridge's own tmux server open as terminals here; attach with tmux on that host.">
        no terminal here
      </span>
    );
  }
  return (
    <Link href={`/sessions/${sessionKey}`} class="button-link small terminal-link" aria-label={`${label}: pane ${paneId} on ${host}`}>
      {label}
    </Link>
  );
}
