import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../../base/errors.ts';
import type { CliSession } from '../../schemas/index.ts';
import { Rich, t } from '../i18n/index.ts';
import { absoluteTime, now, relativeTime } from '../lib/format.ts';
import { useServices } from '../services/index.ts';
import { Link } from './Link.tsx';
import { HostStateBadge } from './HostState.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { closedSessions, setShowClosed, showClosed, visibleSessions } from './closed-filter.ts';
import { hostReasonText } from '../services/host-reason.ts';

/** Every session the server knows, live from events. */
export function SessionList({ activeKey }: { activeKey: string | undefined }) {
  const { sessions, hosts } = useServices();
  useEffect(() => hosts.use(), [hosts]);
  const all = sessions.list.value;
  const list = visibleSessions(all, activeKey);
  const error = sessions.loadError.value;
  if (!sessions.loaded.value) {
    return error ? (
      <div class="list-message" role="alert">
        <p>{error}</p>
        <button type="button" onClick={() => void sessions.refresh()}>
          {t('sessions.retry')}
        </button>
      </div>
    ) : (
      <p class="list-message" role="status">
        {t('sessions.loading')}
      </p>
    );
  }
  const filter = <ClosedFilter all={all} activeKey={activeKey} />;
  if (list.length === 0) {
    return (
      <>
        {filter}
        <p class="list-message">
          {all.length === 0 ? <Rich k="sessions.empty" values={{ new: <strong>{t('sessions.new')}</strong> }} /> : t('sessions.allClosed')}
        </p>
      </>
    );
  }
  const at = now.value;
  const groups = byHost(list, hosts.remote().map((h) => h.name));
  const polled = hosts.polled();
  // Only the bridge's own sessions and no remote host: no group headings.
  if (groups.length === 1 && groups[0]![0] === null && polled.length === 0) {
    return (
      <>
        {filter}
        <Sessions list={list} activeKey={activeKey} at={at} label={t('sessions.title')} />
      </>
    );
  }
  return (
    <div class="session-groups">
      {filter}
      {groups.filter(([host, sessions]) => host !== null || sessions.length > 0).map(([host, sessions]) => {
        const view = host === null ? undefined : hosts.get(host);
        const label = host ?? t('host.thisMachine');
        return (
          <section key={host ?? ''} class="host-sessions" data-host={host ?? 'local'} aria-label={label}>
            <h3 class="host-group-head">
              <span>{label}</span>
              {view && <HostStateBadge state={view.state} reason={view.reason} />}
            </h3>
            {sessions.length > 0 && <Sessions list={sessions} activeKey={activeKey} at={at} label={label} />}
          </section>
        );
      })}
      {polled.map((h) => (
        // Why a polled host has no sessions: captures every interval are not an exact stream.
        <section key={`polled-${h.name}`} class="host-sessions host-polled" data-host={h.name} aria-label={h.name}>
          <h3 class="host-group-head">
            <span>{h.name}</span>
            <span class="host-state host-control_unavailable" data-host-state="polled" title={hostReasonText(h.reason) ?? undefined}>
              {t('host.polledShort')}
            </span>
          </h3>
          <p class="polled-note" data-testid="polled-host-note">
            <Rich k="sessions.polledHost" values={{ monitor: <Link href="/monitor">{t('sessions.monitorPage')}</Link> }} />
          </p>
        </section>
      ))}
    </div>
  );
}

/** "Show closed (N)" and "Clear closed" (on the server, for every browser): only when there are closed sessions. */
function ClosedFilter({ all, activeKey }: { all: readonly CliSession[]; activeKey: string | undefined }) {
  const { sessions } = useServices();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const closed = closedSessions(all, activeKey).length;
  if (closed === 0) return null;
  const clear = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await sessions.clearClosed();
    } catch (e) {
      setError(t('sessions.clearClosedFailed', { error: errorMessage(e) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="closed-filter">
      <div class="closed-filter-row">
        <label>
          <input type="checkbox" checked={showClosed.value} onChange={(e) => setShowClosed((e.currentTarget as HTMLInputElement).checked)} />
          {t('sessions.showClosed', { count: closed })}
        </label>
        <button type="button" disabled={busy} onClick={() => void clear()} title={t('sessions.clearClosedTitle')}>
          {t('sessions.clearClosed')}
        </button>
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Sessions by host: the bridge's own first, then each remote host (also those without sessions yet). */
function byHost(list: readonly CliSession[], remoteHosts: readonly string[]): [string | null, CliSession[]][] {
  const groups = new Map<string | null, CliSession[]>([[null, []]]);
  for (const host of remoteHosts) groups.set(host, []);
  for (const s of list) {
    const host = s.host ?? null;
    const group = groups.get(host);
    if (group) group.push(s);
    else groups.set(host, [s]);
  }
  return [...groups];
}

function Sessions({ list, activeKey, at, label }: { list: readonly CliSession[]; activeKey: string | undefined; at: number; label: string }) {
  return (
    <ul class="session-list" aria-label={label}>
      {list.map((s, i) => [
        s.status === 'closed' && list[i - 1]?.status !== 'closed' ? (
          <li key="closed-divider" class="list-divider" aria-hidden="true">
            {t('sessions.closedDivider')}
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
          <span class="tool" title={t('sessions.tool')}>
            {s.tool}
          </span>
          {command && (
            <span class="command" title={t('sessions.runningNow')}>
              {command}
            </span>
          )}
          {s.adopted && (
            <span class="adopted" title={t('sessions.adoptedTitle')}>
              {t('sessions.adopted')}
            </span>
          )}
          <time class="activity" dateTime={s.lastActivityAt} title={t('sessions.lastActivity', { time: absoluteTime(s.lastActivityAt) })}>
            {relativeTime(s.lastActivityAt, at)}
          </time>
        </span>
      </Link>
    </li>
  );
}
