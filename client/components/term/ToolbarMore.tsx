import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';

export interface MoreItem {
  readonly label: string;
  readonly onSelect: () => void;
  readonly testId?: string;
  readonly danger?: boolean;
  /** Only in the menu while the toolbar is narrow: a wide one shows it on the row itself. */
  readonly narrowOnly?: boolean;
}

/**
 * The toolbar's "More" menu: the actions used less often than the terminal
 * itself, so the toolbar stays one row however long the session's name and
 * however narrow the window.
 */
export function ToolbarMore({ items }: { items: readonly MoreItem[] }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useLayoutEffect(() => {
    if (open) root.current?.querySelector<HTMLButtonElement>('[role="menuitem"]:not([disabled])')?.focus();
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const away = (e: Event) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        setOpen(false);
        button.current?.focus();
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        // Up and down move between the items that are shown, as in any menu.
        const shown = [...(root.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])].filter((item) => item.offsetParent !== null);
        const at = shown.indexOf(document.activeElement as HTMLButtonElement);
        shown[(at + (e.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length]?.focus();
        e.preventDefault();
      }
    };
    document.addEventListener('pointerdown', away, true);
    document.addEventListener('keydown', key, true);
    return () => {
      document.removeEventListener('pointerdown', away, true);
      document.removeEventListener('keydown', key, true);
    };
  }, [open]);

  return (
    <div class="toolbar-more" ref={root}>
      <button
        type="button"
        class={`small icon${open ? ' pressed' : ''}`}
        ref={button}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={t('term.more')}
        title={t('term.more')}
        data-testid="toolbar-more"
        data-focus-from-terminal
        onClick={() => setOpen(!open)}
      >
        ⋯
      </button>
      {open && (
        <div class="term-menu toolbar-menu" role="menu" aria-label={t('term.more')}>
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              class={`${item.danger ? 'danger' : ''}${item.narrowOnly ? ' narrow-only' : ''}`}
              data-testid={item.testId}
              onClick={() => {
                setOpen(false);
                item.onSelect();
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
