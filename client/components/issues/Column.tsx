import Sortable from 'sortablejs';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CliSession, Issue, IssueSessionState, IssueStatus } from '../../../schemas/index.ts';
import type { RunView } from '../../services/executions.ts';
import { IssueCard } from './IssueCard.tsx';
import { statusLabel } from './labels.ts';
import { issueSessionKeys, sessionState } from './session-state.ts';
import { t } from '../../i18n/index.ts';

interface Props {
  readonly status: IssueStatus;
  readonly issues: readonly Issue[];
  readonly statuses: readonly IssueStatus[];
  readonly sessions: ReadonlyMap<string, CliSession>;
  /** Live sessions by the issue they were created for. */
  readonly byIssue: ReadonlyMap<string, CliSession[]>;
  readonly running: ReadonlyMap<string, RunView>;
  readonly selectedId: string | undefined;
  readonly onOpen: (id: string) => void;
  readonly onMove: (id: string, status: IssueStatus, index: number) => void;
}

/** Cards rendered in the first frame, then added per frame: 1,000 issues never block the page at once. */
const FIRST_CARDS = 25;
const MORE_CARDS = 25;

const ANIMATION_MS = 120;
/** Sortable measures every card of a list for its animation on each step of a drag: not for long lists. */
const ANIMATE_UP_TO = 60;

const NO_STATES: readonly IssueSessionState[] = [];

/** Live states of an issue's open sessions; the same array object while nothing changed, so memoised cards skip rendering. */
function statesOf(issue: Issue, sessions: ReadonlyMap<string, CliSession>, byIssue: ReadonlyMap<string, CliSession[]>, running: ReadonlyMap<string, RunView>, cache: Map<string, readonly IssueSessionState[]>) {
  const keys = issueSessionKeys(issue, byIssue.get(issue.id) ?? []);
  if (keys.length === 0) return NO_STATES;
  const states = keys.map((k) => sessionState(sessions.get(k), running.get(k))).filter((s) => s.kind !== 'closed');
  const previous = cache.get(issue.id);
  if (previous && previous.length === states.length && previous.every((s, i) => JSON.stringify(s) === JSON.stringify(states[i]))) return previous;
  cache.set(issue.id, states);
  return states;
}

/**
 * One board column. SortableJS moves the DOM while dragging; on drop the DOM is put
 * back as it was and the move goes to the store, so Preact stays the only owner of
 * the list and renders the new order (or the old one, if the server refuses).
 */
export function Column({ status, issues, statuses, sessions, byIssue, running, selectedId, onOpen, onMove }: Props) {
  const list = useRef<HTMLOListElement>(null);
  const sortableRef = useRef<Sortable | undefined>(undefined);
  const current = useRef(issues);
  current.current = issues;
  const [locate] = useState(() => (id: string) => ({ index: current.current.findIndex((i) => i.id === id), length: current.current.length }));
  const moveRef = useRef(onMove);
  moveRef.current = onMove;
  const cache = useRef(new Map<string, readonly IssueSessionState[]>());
  const [shown, setShown] = useState(FIRST_CARDS);
  useEffect(() => {
    if (shown >= issues.length) return;
    const frame = requestAnimationFrame(() => setShown((n) => n + MORE_CARDS));
    return () => cancelAnimationFrame(frame);
  }, [shown, issues.length]);
  const visible = shown >= issues.length ? issues : issues.slice(0, shown);

  useEffect(() => {
    let nextSibling: Node | null = null;
    const sortable = Sortable.create(list.current!, {
      group: 'issues',
      animation: ANIMATION_MS,
      draggable: '.issue-card',
      filter: '.move-menu, .card-move',
      preventOnFilter: false,
      // Mouse events instead of native drag and drop: the same on every browser, and touch needs a press first so lists still scroll.
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
        const index = evt.newDraggableIndex ?? evt.newIndex ?? 0;
        const id = item.dataset.issueId;
        const target = (to.dataset.status ?? status) as IssueStatus;
        // Undo Sortable's DOM change: Preact re-renders from the store.
        from.insertBefore(item, nextSibling && nextSibling.parentNode === from ? nextSibling : null);
        if (!id || (from === to && evt.oldDraggableIndex === evt.newDraggableIndex)) return;
        moveRef.current(id, target, index);
      },
    });
    sortableRef.current = sortable;
    return () => sortable.destroy();
  }, []);
  useEffect(() => {
    sortableRef.current?.option('animation', issues.length > ANIMATE_UP_TO ? 0 : ANIMATION_MS);
  }, [issues.length > ANIMATE_UP_TO]);

  return (
    <section class={`board-column column-${status}`} aria-labelledby={`column-${status}-title`} data-status={status}>
      <header class="column-header">
        <h2 id={`column-${status}-title`}>{statusLabel(status)}</h2>
        <span class="column-count" aria-label={t('issues.column.count', { n: issues.length })}>
          {issues.length}
        </span>
      </header>
      <ol class="column-list" ref={list} data-status={status} aria-labelledby={`column-${status}-title`}>
        {visible.map((issue) => (
          <IssueCard
            key={issue.id}
            issue={issue}
            states={statesOf(issue, sessions, byIssue, running, cache.current)}
            locate={locate}
            statuses={statuses}
            selected={issue.id === selectedId}
            onOpen={onOpen}
            onMove={onMove}
          />
        ))}
      </ol>
    </section>
  );
}
