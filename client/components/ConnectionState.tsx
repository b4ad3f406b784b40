import type { ConnectionState as State } from '../terminal/terminal-connection.ts';
import { t, type MessageKey } from '../i18n/index.ts';
import type { TerminalTab } from '../terminal/terminal-tab.ts';

const LABEL: Record<State, MessageKey> = {
  connecting: 'conn.connecting',
  live: 'conn.live',
  reconnecting: 'conn.reconnecting',
  closed: 'conn.closed',
};

/** The terminal socket's state as a labelled indicator (live / reconnecting… / closed). */
export function ConnectionState({ tab }: { tab: TerminalTab }) {
  const connection = tab.connection;
  const state = connection.state.value;
  const attempts = connection.attempts.value;
  return (
    <span class={`conn conn-${state}`} data-testid="terminal-state" data-state={state} role="status" title={state === 'closed' ? connection.closedReason.value : undefined}>
      <span class="dot" aria-hidden="true" />
      <span class="conn-label">
        {t(LABEL[state])}
        {state === 'reconnecting' && attempts > 1 ? ` (${attempts})` : ''}
      </span>
    </span>
  );
}

export function ConnectionDot({ tab }: { tab: TerminalTab }) {
  const state = tab.connection.state.value;
  const exited = tab.connection.exit.value !== undefined;
  return <span class={`dot conn-${exited && state === 'live' ? 'exited' : state}`} title={t(LABEL[state])} aria-hidden="true" />;
}
