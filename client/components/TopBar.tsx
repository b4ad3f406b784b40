import { useEffect, useRef, useState } from 'preact/hooks';
import { NAV, type NavItem, type PageName } from '../services/router.ts';
import { useServices } from '../services/index.ts';
import type { FeedState } from '../services/events.ts';
import { listen } from '../lib/disposable.ts';
import { Link } from './Link.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { plural, t, type MessageKey } from '../i18n/index.ts';

const FEED_LABEL: Record<FeedState, MessageKey> = {
  idle: 'feed.idle',
  connecting: 'feed.connecting',
  live: 'feed.live',
  reconnecting: 'feed.reconnecting',
};

/**
 * Product name, navigation, connection indicator, language and theme switches. On a phone the
 * navigation folds into a menu button that names the current page.
 */
export function TopBar() {
  const { router, feed, theme, api } = useServices();
  const loggedIn = api.auth.value === 'ok';
  const page = router.route.value.page;
  const state = feed.state.value;
  const dark = theme.theme.value === 'dark';
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const nav = useRef<HTMLElement>(null);
  // Queues is a tab of the Issues section (the page shows Board | Queues): the nav marks Issues.
  const current = NAV.find((item) => item.page === (page === 'queues' ? 'issues' : page));

  // The menu closes when a page is chosen, on Escape, and on a click elsewhere.
  useEffect(() => setMenuOpen(false), [router.path.value]);
  useEffect(() => {
    if (!menuOpen) return;
    const keys = listen(document, 'keydown', (e) => {
      if (e.key !== 'Escape') return;
      setMenuOpen(false);
      menuButton.current?.focus();
    });
    const clicks = listen(document, 'click', (e) => {
      const target = e.target as Node;
      if (!nav.current?.contains(target) && !menuButton.current?.contains(target)) setMenuOpen(false);
    });
    return () => {
      keys.dispose();
      clicks.dispose();
    };
  }, [menuOpen]);

  return (
    <header class="topbar">
      <Link href="/" class="brand" aria-label={t('app.homeLabel')}>
        <span class="brand-mark" aria-hidden="true">
          ▚
        </span>
        <span class="brand-name">tmux-bridge</span>
      </Link>
      {loggedIn && (
        <button
          type="button"
          ref={menuButton}
          class="menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          aria-label={t('nav.menuFor', { page: current ? t(current.label) : t('nav.pages') })}
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <span aria-hidden="true">☰</span> {current ? t(current.label) : t('nav.menu')}
          <NavBadge page="approvals" quiet />
        </button>
      )}
      <nav id="main-nav" ref={nav} class={`nav${menuOpen ? ' open' : ''}`} aria-label={t('nav.label')} hidden={!loggedIn}>
        {NAV.map((item) => (
          <NavLink key={item.href} item={item} current={item === current} />
        ))}
      </nav>
      <div class="topbar-end">
        {loggedIn && <ApprovalsShortcut />}
        <span class={`conn conn-${state}`} data-testid="events-state" data-state={state} role="status" title={t('feed.title')}>
          <span class="dot" aria-hidden="true" />
          <span class="conn-label">{t(FEED_LABEL[state])}</span>
        </span>
        <LanguageSwitch />
        <button
          type="button"
          class="icon-button"
          onClick={() => theme.toggle()}
          aria-label={dark ? t('theme.toLight') : t('theme.toDark')}
          title={dark ? t('theme.toLight') : t('theme.toDark')}
        >
          <span aria-hidden="true">{dark ? '☀' : '☾'}</span>
        </button>
      </div>
    </header>
  );
}

function NavLink({ item, current }: { item: NavItem; current: boolean }) {
  return (
    <Link href={item.href} class="nav-link" aria-current={current ? 'page' : undefined} data-page={item.page}>
      {t(item.label)}
      <NavBadge page={item.page} />
    </Link>
  );
}

/** Pending approvals and open terminal tabs, counted next to their nav entries. */
function NavBadge({ page, quiet }: { page: PageName; quiet?: boolean }) {
  const { approvals, terminals } = useServices();
  if (page === 'approvals') {
    const n = approvals.pendingCount.value;
    if (n === 0) return null;
    return (
      <>
        <span class="nav-badge attention" title={plural('nav.waiting', n)} aria-hidden="true">
          {n}
        </span>
        {!quiet && <span class="visually-hidden">{t('nav.waitingShort', { n })}</span>}
      </>
    );
  }
  if (page === 'sessions') {
    const n = terminals.openCount.value;
    if (n === 0) return null;
    return (
      <>
        <span class="nav-badge" title={plural('nav.tabsOpen', n)} aria-hidden="true">
          {n}
        </span>
        <span class="visually-hidden">{t('nav.openShort', { n })}</span>
      </>
    );
  }
  return null;
}

/** On a phone: the approval center in one tap, with how many wait (the nav is folded into a menu there). */
function ApprovalsShortcut() {
  const { approvals } = useServices();
  const n = approvals.pendingCount.value;
  return (
    <Link href="/approvals" class={`approvals-shortcut${n > 0 ? ' attention' : ''}`} aria-label={t('nav.approvalsShortcut', { n })} title={t('nav.approvalsShortcut', { n })} data-testid="approvals-shortcut">
      <span aria-hidden="true">✓</span>
      {n > 0 && <span class="nav-badge attention" aria-hidden="true">{n}</span>}
    </Link>
  );
}
