import { NAV } from '../services/router.ts';
import { useServices } from '../services/index.ts';
import type { FeedState } from '../services/events.ts';
import { Link } from './Link.tsx';

const FEED_LABEL: Record<FeedState, string> = {
  idle: 'offline',
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
};

/** Product name, navigation, connection indicator, theme toggle. */
export function TopBar() {
  const { router, feed, theme, api } = useServices();
  const loggedIn = api.auth.value === 'ok';
  const page = router.route.value.page;
  const state = feed.state.value;
  const dark = theme.theme.value === 'dark';
  return (
    <header class="topbar">
      <Link href="/sessions" class="brand" aria-label="tmux-bridge home">
        <span class="brand-mark" aria-hidden="true">
          ▚
        </span>
        <span class="brand-name">tmux-bridge</span>
      </Link>
      <nav class="nav" aria-label="Main" hidden={!loggedIn}>
        {NAV.map((item) => (
          <Link key={item.href} href={item.href} class="nav-link" aria-current={page === item.page ? 'page' : undefined}>
            {item.label}
          </Link>
        ))}
      </nav>
      <div class="topbar-end">
        <span class={`conn conn-${state}`} data-testid="events-state" data-state={state} role="status" title="Live updates from the server">
          <span class="dot" aria-hidden="true" />
          <span class="conn-label">{FEED_LABEL[state]}</span>
        </span>
        <button
          type="button"
          class="icon-button"
          onClick={() => theme.toggle()}
          aria-label={dark ? 'Switch to light theme' : 'Switch to dark theme'}
          title={dark ? 'Switch to light theme' : 'Switch to dark theme'}
        >
          <span aria-hidden="true">{dark ? '☀' : '☾'}</span>
        </button>
      </div>
    </header>
  );
}
