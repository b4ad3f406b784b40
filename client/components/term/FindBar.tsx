import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import type { TerminalTab } from '../../terminal/terminal-tab.ts';

/** Find in the scrollback (xterm's search addon): the match is selected and scrolled into view. */
export function FindBar({ tab }: { tab: TerminalTab }) {
  const input = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState('');
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [missing, setMissing] = useState(false);
  const search = tab.view.search;

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  /** Upwards (older) by default, as one reads a scrollback; `fromBottom` starts over at the newest line. */
  const find = (upwards: boolean, fromBottom = false) => {
    if (!query) return setMissing(false);
    if (fromBottom) tab.view.term.clearSelection();
    const options = { caseSensitive };
    setMissing(!(upwards ? search.findPrevious(query, options) : search.findNext(query, options)));
  };
  const close = () => {
    search.clearDecorations();
    tab.view.term.clearSelection();
    tab.searching.value = false;
    tab.focus();
  };
  // Typing searches as you go, from the newest line up.
  useEffect(() => find(true, true), [query, caseSensitive]);

  return (
    <div class="find-bar" role="search" aria-label={t('search.label')} data-testid="find-bar">
      <input
        ref={input}
        type="search"
        value={query}
        placeholder={t('search.placeholder')}
        aria-label={t('search.label')}
        aria-invalid={missing}
        onInput={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            find(!e.shiftKey);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            close();
          }
        }}
      />
      {missing && <span class="find-none" role="status">{t('search.none')}</span>}
      <label class="find-case">
        <input type="checkbox" checked={caseSensitive} onChange={(e) => setCaseSensitive(e.currentTarget.checked)} />
        {t('search.case')}
      </label>
      <button type="button" class="small" aria-label={t('search.next')} title={t('search.next')} onClick={() => find(true)}>
        ↑
      </button>
      <button type="button" class="small" aria-label={t('search.prev')} title={t('search.prev')} onClick={() => find(false)}>
        ↓
      </button>
      <button type="button" class="small" aria-label={t('search.close')} title={t('search.close')} onClick={close}>
        ×
      </button>
    </div>
  );
}
