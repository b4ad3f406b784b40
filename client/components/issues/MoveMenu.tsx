import { createPortal } from 'preact/compat';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Issue, IssueStatus } from '../../../schemas/index.ts';
import { statusLabel } from './labels.ts';
import { t } from '../../i18n/index.ts';

interface Props {
  readonly issue: Issue;
  readonly statuses: readonly IssueStatus[];
  readonly index: number;
  readonly length: number;
  readonly onClose: () => void;
  readonly onMove: (status: IssueStatus, index: number) => void;
  /** The button the menu belongs to: the menu opens under it. */
  readonly anchor: HTMLElement | null;
}

/** "Move to…": every other column (at its end), or the top/bottom of this one. Arrow keys walk it, Escape closes. */
export function MoveMenu({ issue, statuses, index, length: columnLength, onClose, onMove, anchor }: Props) {
  const ref = useRef<HTMLUListElement>(null);
  // In a portal on <body>: a card clips what it holds (content-visibility), and columns scroll.
  const [position] = useState(() => {
    const rect = anchor?.getBoundingClientRect();
    if (!rect) return { top: 80, left: 16 };
    const width = 190;
    return { top: Math.min(rect.bottom + 4, window.innerHeight - 260), left: Math.max(8, Math.min(rect.right - width, window.innerWidth - width - 8)) };
  });
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onDoc = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    document.addEventListener('mousedown', onDoc);
    return () => document.removeEventListener('mousedown', onDoc);
  }, []);
  const items: Array<{ key: string; label: string; run: () => void }> = [];
  if (index > 0) items.push({ key: 'top', label: t('issues.menu.top'), run: () => onMove(issue.status, 0) });
  if (index < columnLength - 1) items.push({ key: 'bottom', label: t('issues.menu.bottom'), run: () => onMove(issue.status, columnLength - 1) });
  for (const status of statuses) {
    if (status !== issue.status) items.push({ key: status, label: statusLabel(status), run: () => onMove(status, Number.MAX_SAFE_INTEGER) });
  }
  const onKeyDown = (e: KeyboardEvent) => {
    const all = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = all.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
      anchor?.closest<HTMLElement>('.issue-card')?.focus();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      all[(at + 1) % all.length]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      all[(at - 1 + all.length) % all.length]?.focus();
    }
    e.stopPropagation();
  };
  return createPortal(
    <ul class="move-menu" role="menu" aria-label={t('issues.menu.label', { id: issue.id })} ref={ref} onKeyDown={onKeyDown} style={{ top: `${position.top}px`, left: `${position.left}px` }}>
      {items.map((item) => (
        <li key={item.key} role="none">
          <button
            type="button"
            role="menuitem"
            data-move-to={item.key}
            onClick={(e) => {
              e.stopPropagation();
              item.run();
            }}
          >
            {item.label}
          </button>
        </li>
      ))}
    </ul>,
    document.body,
  );
}
