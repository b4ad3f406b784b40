import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import { shortcutLabel } from '../../terminal/settings.ts';
import type { TerminalTab } from '../../terminal/terminal-tab.ts';
import { keysHelpOpen, settingsOpen } from '../../terminal/ui-state.ts';

/** The terminal's right-click menu: copy, paste, select all, find, settings, keys. */
export function TerminalMenu({ tab, at }: { tab: TerminalTab; at: { x: number; y: number } }) {
  const ref = useRef<HTMLDivElement>(null);
  const close = () => (tab.menu.value = undefined);
  const term = tab.view.term;
  const hasSelection = term.hasSelection();

  // Kept inside the window; the first item takes the focus so the keyboard works too.
  useLayoutEffect(() => {
    const menu = ref.current!;
    const x = Math.max(0, Math.min(at.x, window.innerWidth - menu.offsetWidth - 4));
    const y = Math.max(0, Math.min(at.y, window.innerHeight - menu.offsetHeight - 4));
    menu.style.left = `${x}px`;
    menu.style.top = `${y}px`;
    menu.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
  }, [at]);

  useEffect(() => {
    const away = (e: Event) => {
      if (!ref.current?.contains(e.target as Node)) close();
    };
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        close();
        tab.focus();
      }
    };
    document.addEventListener('pointerdown', away, true);
    document.addEventListener('keydown', key, true);
    window.addEventListener('blur', close);
    return () => {
      document.removeEventListener('pointerdown', away, true);
      document.removeEventListener('keydown', key, true);
      window.removeEventListener('blur', close);
    };
  }, []);

  const run = (action: () => void) => () => {
    close();
    action();
  };
  return (
    <div class="term-menu" role="menu" aria-label={t('menu.label')} ref={ref} data-testid="terminal-menu">
      <button type="button" role="menuitem" disabled={!hasSelection} onClick={run(() => void tab.view.copySelection())}>
        <span>{t('menu.copy')}</span>
        <kbd>{shortcutLabel('copy')}</kbd>
      </button>
      <button type="button" role="menuitem" onClick={run(() => {
          // Focus back at once: keys pressed while the clipboard is read go to the program.
          tab.focus();
          void tab.view.pasteClipboard();
        })}>
        <span>{t('menu.paste')}</span>
        <kbd>{shortcutLabel('paste')}</kbd>
      </button>
      <button type="button" role="menuitem" onClick={run(() => term.selectAll())}>
        <span>{t('menu.selectAll')}</span>
      </button>
      <hr />
      <button type="button" role="menuitem" onClick={run(() => (tab.searching.value = true))}>
        <span>{t('menu.find')}</span>
        <kbd>{shortcutLabel('find')}</kbd>
      </button>
      <button type="button" role="menuitem" onClick={run(() => (settingsOpen.value = true))}>
        <span>{t('menu.settings')}</span>
      </button>
      <button type="button" role="menuitem" onClick={run(() => (keysHelpOpen.value = true))}>
        <span>{t('menu.keys')}</span>
        <kbd>?</kbd>
      </button>
    </div>
  );
}
