import { useEffect, useLayoutEffect, useState, type MutableRef } from 'preact/hooks';
import type { QueueItem } from '../../../schemas/index.ts';

/** One arrow: from the item waited for to the item that waits. */
interface Arrow {
  readonly from: string;
  readonly to: string;
  readonly d: string;
  readonly tone: 'done' | 'failed' | 'running' | 'waiting';
}

interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
}

/** Where an arrow meets a card: beside its id line, so it points at the item's name. */
const HEAD_Y = 16;

function tone(dep: QueueItem): Arrow['tone'] {
  if (dep.status === 'completed' || (dep.status === 'cancelled' && dep.skipped)) return 'done';
  if (dep.status === 'failed' || dep.status === 'blocked' || dep.status === 'cancelled') return 'failed';
  return dep.status === 'executing' ? 'running' : 'waiting';
}

/**
 * A path between two cards. Side by side (other columns): from the right edge of one
 * to the left edge of the other. One above the other (the same column, or the groups
 * stacked on a phone): a bracket in the left margin, each a little wider than the last
 * so arrows sharing the margin stay apart.
 */
export function arrowPath(a: Box, b: Box, lane: number): string {
  const ay = a.top + HEAD_Y;
  const by = b.top + HEAD_Y;
  if (a.right <= b.left - 4 || b.right <= a.left - 4) {
    const forward = a.right <= b.left;
    const x1 = forward ? a.right : a.left;
    const x2 = forward ? b.left - 2 : b.right + 2;
    const bend = Math.max(24, Math.abs(x2 - x1) / 2);
    const c1 = forward ? x1 + bend : x1 - bend;
    const c2 = forward ? x2 - bend : x2 + bend;
    return `M${x1},${ay} C${c1},${ay} ${c2},${by} ${x2},${by}`;
  }
  const x = Math.min(a.left, b.left);
  const out = x - 8 - (lane % 4) * 3;
  return `M${x},${ay} C${out},${ay} ${out},${by} ${x - 2},${by}`;
}

/**
 * The queue's `depends_on` drawn as arrows over its groups (an SVG laid over the
 * groups' box, re-measured after every render and whenever a card changes size).
 * The text labels ("waits for T-2") stay on the cards: the arrows are for the eye
 * (aria-hidden). Hovering or focusing an item brings its own arrows forward.
 */
export function DependencyArrows({ container, items, hot }: { container: MutableRef<HTMLElement | null>; items: readonly QueueItem[]; hot: string | undefined }) {
  const [arrows, setArrows] = useState<readonly Arrow[]>([]);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [, setTick] = useState(0);

  // Measured after every render: cards move when items change, are dragged or expand.
  useLayoutEffect(() => {
    const box = container.current;
    if (!box) return;
    const origin = box.getBoundingClientRect();
    const boxes = new Map<string, Box>();
    for (const el of box.querySelectorAll<HTMLElement>('.queue-item[data-item-id]')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      const left = r.left - origin.left + box.scrollLeft;
      boxes.set(el.dataset.itemId!, { left, right: left + r.width, top: r.top - origin.top + box.scrollTop });
    }
    const byId = new Map(items.map((i) => [i.item_id, i]));
    const next: Arrow[] = [];
    let lane = 0;
    for (const item of items) {
      const to = boxes.get(item.item_id);
      if (!to) continue;
      for (const depId of item.depends_on) {
        const dep = byId.get(depId);
        const from = boxes.get(depId);
        if (!dep || !from) continue;
        next.push({ from: depId, to: item.item_id, d: arrowPath(from, to, lane++), tone: tone(dep) });
      }
    }
    const same = next.length === arrows.length && next.every((a, k) => a.d === arrows[k]!.d && a.tone === arrows[k]!.tone);
    if (!same) setArrows(next);
    if (size.width !== box.scrollWidth || size.height !== box.scrollHeight) setSize({ width: box.scrollWidth, height: box.scrollHeight });
  });

  // A card that grows (a result opened) or a window that narrows moves the others: measure again.
  useEffect(() => {
    const box = container.current;
    if (!box) return;
    const observer = new ResizeObserver(() => setTick((n) => n + 1));
    observer.observe(box);
    for (const el of box.querySelectorAll('.queue-item')) observer.observe(el);
    return () => observer.disconnect();
  }, [items]);

  if (arrows.length === 0) return null;
  return (
    <svg class={`dep-arrows${hot ? ' has-hot' : ''}`} width={size.width} height={size.height} aria-hidden="true" data-testid="dep-arrows">
      <defs>
        {(['done', 'failed', 'running', 'waiting'] as const).map((t) => (
          <marker key={t} id={`dep-head-${t}`} class={`dep-head tone-${t}`} viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L8,4 L0,8 z" />
          </marker>
        ))}
      </defs>
      {arrows.map((a) => (
        <path
          key={`${a.from}>${a.to}`}
          class={`dep-arrow tone-${a.tone}${hot === a.from || hot === a.to ? ' is-hot' : ''}`}
          d={a.d}
          marker-end={`url(#dep-head-${a.tone})`}
          data-from={a.from}
          data-to={a.to}
        />
      ))}
    </svg>
  );
}
