import Sortable from 'sortablejs';
import { useEffect, useRef } from 'preact/hooks';
import type { CliSession, ExecutionGroup, Queue, QueueItem } from '../../../schemas/index.ts';
import { t, type MessageKey } from '../../i18n/index.ts';
import { ItemCard } from './ItemCard.tsx';

interface Props {
  readonly queue: Queue;
  readonly group: ExecutionGroup;
  readonly index: number;
  readonly items: readonly QueueItem[];
  readonly byId: ReadonlyMap<string, QueueItem>;
  readonly sessions: ReadonlyMap<string, CliSession>;
  readonly now: number;
  readonly onDrop: (itemId: string, group: string, index: number) => void;
  readonly onMove: (itemId: string, how: 'up' | 'down' | 'prev' | 'next') => void;
  readonly onAction: (itemId: string, action: 'retry' | 'skip' | 'delete') => void;
  readonly onExecute: (itemId: string, sessionKey: string | undefined) => void;
  readonly onOpenSession: (href: string) => void;
  readonly startOf: (executionId: string) => number | null;
}

/**
 * One execution group as a column. SortableJS (the board's drag library too) moves
 * the DOM while dragging; on drop the DOM is put back and the move goes to the store,
 * so Preact stays the only owner of the list and renders the server's order.
 */
export function GroupColumn({ queue, group, index, items, byId, sessions, now, onDrop, onMove, onAction, onExecute, onOpenSession, startOf }: Props) {
  const list = useRef<HTMLOListElement>(null);
  const dropRef = useRef(onDrop);
  dropRef.current = onDrop;

  useEffect(() => {
    let nextSibling: Node | null = null;
    const sortable = Sortable.create(list.current!, {
      group: `queue-${queue.id}`,
      animation: 120,
      draggable: '.queue-item',
      // A dialog opened from an item (route to session) is not a drag handle.
      filter: 'button, select, a, summary, pre, input, textarea, dialog',
      preventOnFilter: false,
      forceFallback: true,
      fallbackOnBody: true,
      fallbackTolerance: 4,
      delay: 180,
      delayOnTouchOnly: true,
      ghostClass: 'card-ghost',
      chosenClass: 'card-chosen',
      dragClass: 'card-drag',
      onStart: (evt) => {
        nextSibling = evt.item.nextSibling;
      },
      onEnd: (evt) => {
        const { item, from, to } = evt;
        const at = evt.newDraggableIndex ?? evt.newIndex ?? 0;
        const id = item.dataset.itemId;
        const target = to.dataset.group ?? group.id;
        from.insertBefore(item, nextSibling && nextSibling.parentNode === from ? nextSibling : null);
        if (!id || (from === to && evt.oldDraggableIndex === evt.newDraggableIndex)) return;
        dropRef.current(id, target, at);
      },
    });
    return () => sortable.destroy();
  }, [queue.id]);

  const last = queue.execution_groups.length - 1;
  return (
    <section class={`queue-group group-${group.type}`} aria-labelledby={`group-${group.id}-title`} data-group={group.id}>
      <header class="group-header">
        <h3 id={`group-${group.id}-title`}>{t('queues.groupTitle', { id: group.id })}</h3>
        <span class={`group-type type-${group.type}`}>{t(`queues.group.${group.type}` as MessageKey)}</span>
      </header>
      <ol class="group-list" ref={list} data-group={group.id} aria-labelledby={`group-${group.id}-title`}>
        {items.map((item, k) => (
          <ItemCard
            key={item.item_id}
            queue={queue}
            item={item}
            byId={byId}
            sessions={sessions}
            now={now}
            first={k === 0}
            last={k === items.length - 1}
            canPrev={index > 0}
            canNext={index < last}
            onMove={onMove}
            onAction={onAction}
            onExecute={onExecute}
            onOpenSession={onOpenSession}
            startOf={startOf}
          />
        ))}
      </ol>
      {items.length === 0 && <p class="group-empty">{t('queues.groupEmpty')}</p>}
    </section>
  );
}
