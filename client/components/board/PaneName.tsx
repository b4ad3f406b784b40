/** A pane as people know it: session:window, its title, and host · pane id in small print. */
export function PaneName({ host, paneId, session, window, title }: { host: string; paneId: string; session?: string; window?: string; title?: string }) {
  const where = session ? `${session}${window ? `:${window}` : ''}` : paneId;
  return (
    <span class="pane-name">
      <span class="pane-where">{where}</span>
      {title && title !== where && <span class="pane-title">{title}</span>}
      <span class="pane-id">
        {host} · {paneId}
      </span>
    </span>
  );
}
