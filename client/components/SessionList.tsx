import type { CliSession } from '../../schemas/index.ts';
import { absoluteTime, now, relativeTime } from '../lib/format.ts';
import { useServices } from '../services/index.ts';
import { Link } from './Link.tsx';
import { StatusBadge } from './StatusBadge.tsx';

/** Every session the server knows, live from events. */
export function SessionList({ activeKey }: { activeKey: string | undefined }) {
  const { sessions } = useServices();
  const list = sessions.list.value;
  const error = sessions.loadError.value;
  if (!sessions.loaded.value) {
    return error ? (
      <div class="list-message" role="alert">
        <p>{error}</p>
        <button type="button" onClick={() => void sessions.refresh()}>
          Retry
        </button>
      </div>
    ) : (
      <p class="list-message" role="status">
        Loading sessions…
      </p>
    );
  }
  if (list.length === 0) {
    return (
      <p class="list-message">
        No sessions yet. Create one with <strong>New session</strong>; sessions started natively on the bridge's tmux server
        show up here too.
      </p>
    );
  }
  const at = now.value;
  return (
    <ul class="session-list" aria-label="Sessions">
      {list.map((s, i) => [
        s.status === 'closed' && list[i - 1]?.status !== 'closed' ? (
          <li key="closed-divider" class="list-divider" aria-hidden="true">
            Closed
          </li>
        ) : null,
        <SessionRow key={s.sessionKey} session={s} active={s.sessionKey === activeKey} at={at} />,
      ])}
    </ul>
  );
}

function SessionRow({ session: s, active, at }: { session: CliSession; active: boolean; at: number }) {
  // The command running now, when it is not just the tool's own program (bash in a bash session).
  const command = s.status === 'running' && s.currentCommand && s.currentCommand !== s.tool ? s.currentCommand : undefined;
  return (
    <li class={`session-row status-${s.status}${active ? ' active' : ''}`} data-session-key={s.sessionKey}>
      <Link href={`/sessions/${s.sessionKey}`} class="session-link" aria-current={active ? 'page' : undefined}>
        <span class="session-line">
          <span class="session-name">{s.name}</span>
          <StatusBadge session={s} />
        </span>
        <span class="session-meta">
          <span class="tool" title="tool">
            {s.tool}
          </span>
          {command && (
            <span class="command" title="running now">
              {command}
            </span>
          )}
          {s.adopted && (
            <span class="adopted" title="created outside the bridge (native tmux) and adopted">
              adopted
            </span>
          )}
          <time class="activity" dateTime={s.lastActivityAt} title={`last activity ${absoluteTime(s.lastActivityAt)}`}>
            {relativeTime(s.lastActivityAt, at)}
          </time>
        </span>
      </Link>
    </li>
  );
}
