import type { TerminalTab } from '../terminal/terminal-tab.ts';
import { Rich, t } from '../i18n/index.ts';
import { useServices, useTabs } from '../services/index.ts';
import { Link } from './Link.tsx';
import { TerminalPanel } from './TerminalPanel.tsx';
import { ConnectionDot } from './ConnectionState.tsx';
import { useEffect, useRef } from 'preact/hooks';
import { TabOverflow, useOverflowing } from './TabOverflow.tsx';
import { TerminalDialogs } from './term/TerminalDialogs.tsx';
import { keysHelpOpen } from '../terminal/ui-state.ts';

/**
 * Browsers whose on-screen keyboard overlays the page instead of resizing it
 * (Safari; those without interactive-widget): the app takes the visual viewport's
 * height, so the terminal and its extra keys stay above the keyboard.
 */
function useKeyboardAwareHeight(): void {
  useEffect(() => {
    const viewport = window.visualViewport;
    if (!viewport || !matchMedia('(pointer: coarse)').matches) return;
    const root = document.documentElement;
    const update = () => {
      const covered = window.innerHeight - viewport.height > 80;
      if (covered) root.style.setProperty('--app-height', `${Math.round(viewport.height)}px`);
      else root.style.removeProperty('--app-height');
    };
    viewport.addEventListener('resize', update);
    update();
    return () => {
      viewport.removeEventListener('resize', update);
      root.style.removeProperty('--app-height');
    };
  }, []);
}

/** `?` opens the keys help, unless the focus is where `?` is typed (a field, or a terminal, whose textarea counts). */
function useHelpKey(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '?' || e.ctrlKey || e.altKey || e.metaKey || e.defaultPrevented) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable], dialog')) return;
      e.preventDefault();
      keysHelpOpen.value = true;
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

/** The strip of open terminals and their panels; inactive panels stay mounted (hidden) with their sockets. */
export function TerminalTabs({ activeKey }: { activeKey: string | undefined }) {
  const { sessions, router } = useServices();
  const tabs = useTabs();
  const list = tabs.tabs.value;
  useHelpKey();
  useKeyboardAwareHeight();
  const strip = useRef<HTMLUListElement>(null);
  const overflowing = useOverflowing(strip, [list.length]);
  // The active tab scrolls into the strip (opened from the list or the overflow menu).
  useEffect(() => {
    strip.current?.querySelector('.tab.active')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [activeKey, list.length]);
  const closeTab = (tab: TerminalTab) => {
    const next = tabs.close(tab.sessionKey);
    if (activeKey === tab.sessionKey) router.navigate(next ? `/sessions/${next}` : '/sessions');
  };
  return (
    <div class="terminal-tabs">
      <div class="tab-strip" hidden={list.length === 0}>
        <Link href="/sessions" class="back-link">
          {t('tabs.back')}
        </Link>
        {list.length > 0 && (
          <ul class="tab-list" aria-label={t('tabs.label')} ref={strip}>
            {list.map((tab) => {
              const session = sessions.byKey.value.get(tab.sessionKey);
              const active = tab.sessionKey === activeKey;
              const label = session?.name ?? tab.sessionKey;
              return (
                <li key={tab.sessionKey} class={`tab${active ? ' active' : ''}`}>
                  <Link href={`/sessions/${tab.sessionKey}`} class="tab-link" aria-current={active ? 'page' : undefined}>
                    <ConnectionDot tab={tab} />
                    <span class="tab-name">{label}</span>
                  </Link>
                  <button type="button" class="tab-close" aria-label={t('tabs.closeLabel', { name: label })} title={t('tabs.closeTitle')} onClick={() => closeTab(tab)}>
                    ×
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        {overflowing && <TabOverflow tabs={list.map((tab) => ({ key: tab.sessionKey, label: sessions.byKey.value.get(tab.sessionKey)?.name ?? tab.sessionKey, active: tab.sessionKey === activeKey }))} />}
      </div>
      <div class="panels">
        {list.map((tab) => (
          <TerminalPanel key={tab.sessionKey} tab={tab} active={tab.sessionKey === activeKey} onCloseTab={() => closeTab(tab)} withExecutions />
        ))}
        {!list.some((tab) => tab.sessionKey === activeKey) && (
          <div class="panel-empty">
            <p>
              <Rich k="tabs.emptyOpen" values={{ new: <strong>{t('sessions.new')}</strong> }} />
            </p>
            <p class="hint">{t('tabs.emptyHint')}</p>
          </div>
        )}
      </div>
      <TerminalDialogs />
    </div>
  );
}
