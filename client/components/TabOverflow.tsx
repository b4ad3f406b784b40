import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { RefObject } from 'preact';
import { t } from '../i18n/index.ts';
import { Link } from './Link.tsx';

export interface TabEntry {
  readonly key: string;
  readonly label: string;
  readonly active: boolean;
}

/** Whether the element is wider than its box (kept up to date as it or its content changes size). */
export function useOverflowing(ref: RefObject<HTMLElement>, deps: readonly unknown[]): boolean {
  const [overflowing, setOverflowing] = useState(false);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const check = () => setOverflowing(element.scrollWidth > element.clientWidth + 1);
    check();
    // The box, and each child: a tab whose name arrives later grows without resizing the box.
    const observer = new ResizeObserver(check);
    observer.observe(element);
    for (const child of element.children) observer.observe(child);
    return () => observer.disconnect();
  }, deps);
  return overflowing;
}

/** "All tabs" menu for a strip too narrow for its tabs: every tab, one click away. */
export function TabOverflow({ tabs }: { tabs: readonly TabEntry[] }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: Event) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div class="tab-overflow" ref={root}>
      <button type="button" class="small" aria-haspopup="true" aria-expanded={open} aria-label={t('tabs.all', { count: tabs.length })} title={t('tabs.all', { count: tabs.length })} data-testid="tabs-overflow" onClick={() => setOpen(!open)}>
        ⋯ {tabs.length}
      </button>
      {open && (
        <ul class="tab-overflow-menu" aria-label={t('tabs.label')}>
          {tabs.map((tab) => (
            // The click reaches the item after the link has navigated.
            <li key={tab.key} onClick={() => setOpen(false)}>
              <Link href={`/sessions/${tab.key}`} class={tab.active ? 'active' : undefined} aria-current={tab.active ? 'page' : undefined}>
                {tab.label}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
