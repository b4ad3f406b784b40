import { isItemDone, isItemSettled } from '../../../schemas/queue.ts';
import type { Queue, QueueItem, QueueItemStatus } from '../../../schemas/queue.ts';
import { blockedFields } from '../../../schemas/queue-reason.ts';
import type { QueueReason } from '../../../schemas/queue-view.ts';
import { sortItems, waitEdges } from './graph.ts';

/** A waiting item's status as the rules see it now. */
export interface WaitingStatus {
  readonly item_id: string;
  readonly status: Extract<QueueItemStatus, 'pending' | 'ready' | 'blocked'>;
  readonly blocked_reason: string | null;
  readonly blocked_code: QueueReason | null;
}

export interface Plan {
  /** Waiting items whose status or blocked_reason should change. */
  readonly updates: WaitingStatus[];
  /** Items to start now, in order; empty unless the scheduler runs and the queue is active. */
  readonly start: string[];
  /** Items executing now. */
  readonly running: number;
  /** Every item completed or skipped (an empty queue is not finished). */
  readonly finished: boolean;
}

export interface PlanOptions {
  /** May this item start now? (false while its pinned session is busy, say). Default: yes. */
  readonly canStart?: (item: QueueItem) => boolean;
}

function why(dep: QueueItem, sequential: boolean): ReturnType<typeof blockedFields> | null {
  if (dep.status === 'failed') return blockedFields('dep_failed', dep.item_id, sequential, dep.failure_reason);
  if (dep.status === 'cancelled' && !dep.skipped) return blockedFields('dep_cancelled', dep.item_id, sequential, null);
  if (dep.status === 'blocked') return blockedFields('dep_blocked', dep.item_id, sequential, null);
  return null;
}

/**
 * The scheduler's decision, a pure function of the queue: which waiting items
 * are ready or blocked (and why), and which to start now. Rules: groups run in
 * array order (a group starts once every item of the groups before it has
 * settled); a parallel group runs its ready items at once, a sequential one by
 * execution_order; an item waits for every depends_on item to complete (or be
 * skipped); a failed, cancelled or blocked dependency blocks it; at most
 * maxConcurrentSessions items execute at once.
 */
export function planQueue(queue: Queue, options: PlanOptions = {}): Plan {
  const items = sortItems(queue.items, queue.execution_groups);
  const byId = new Map(items.map((i) => [i.item_id, i]));
  const edges = waitEdges(items, queue.execution_groups);
  const sequentialEdge = new Set<string>();
  for (const group of queue.execution_groups) {
    if (group.type !== 'sequential') continue;
    for (const [id, deps] of edges) {
      const item = byId.get(id)!;
      if (item.execution_group !== group.id) continue;
      const last = deps[deps.length - 1];
      if (last !== undefined && !item.depends_on.includes(last)) sequentialEdge.add(`${id}>${last}`);
    }
  }

  // The status each item has once blocking is worked out (waiting items are recomputed; the
  // graph is acyclic — validateQueueShape — so the recursion ends).
  const resolved = new Map<string, WaitingStatus | QueueItem>();
  const resolve = (item: QueueItem): WaitingStatus | QueueItem => {
    const known = resolved.get(item.item_id);
    if (known) return known;
    if (item.status !== 'pending' && item.status !== 'ready' && item.status !== 'blocked') {
      resolved.set(item.item_id, item);
      return item;
    }
    let blocked: ReturnType<typeof blockedFields> | null = null;
    let waiting = false;
    for (const depId of edges.get(item.item_id) ?? []) {
      const dep = byId.get(depId);
      if (!dep) continue;
      const depNow = resolve(dep);
      const depItem = { ...dep, status: depNow.status, blocked_reason: depNow.blocked_reason };
      const reason = why(depItem, sequentialEdge.has(`${item.item_id}>${depId}`));
      if (reason) {
        blocked ??= reason;
      } else if (!isItemDone(depItem)) {
        waiting = true;
      }
    }
    const out: WaitingStatus = blocked
      ? { item_id: item.item_id, status: 'blocked', ...blocked }
      : { item_id: item.item_id, status: waiting ? 'pending' : 'ready', blocked_reason: null, blocked_code: null };
    resolved.set(item.item_id, out);
    return out;
  };
  for (const item of items) resolve(item);

  // Groups in order: only the first group with an unsettled item may start anything.
  const statusOf = (item: QueueItem) => resolved.get(item.item_id)!.status;
  let current: string | undefined;
  for (const group of queue.execution_groups) {
    if (items.some((i) => i.execution_group === group.id && !isItemSettled({ status: statusOf(i) }))) {
      current = group.id;
      break;
    }
  }

  const updates: WaitingStatus[] = [];
  for (const item of items) {
    const now = resolved.get(item.item_id)!;
    if (now === item) continue;
    const waitingNow = now as WaitingStatus;
    // "ready" means it could start were there room: its group's turn has come.
    const status = waitingNow.status === 'ready' && item.execution_group !== current ? 'pending' : waitingNow.status;
    if (status !== item.status || waitingNow.blocked_reason !== item.blocked_reason || waitingNow.blocked_code?.code !== (item.blocked_code ?? undefined)?.code) {
      updates.push({ item_id: item.item_id, status, blocked_reason: waitingNow.blocked_reason, blocked_code: waitingNow.blocked_code });
    }
    resolved.set(item.item_id, { ...waitingNow, status });
  }

  const running = items.filter((i) => i.status === 'executing').length;
  const start: string[] = [];
  if (queue.scheduler.state === 'running' && queue.status === 'active') {
    let room = queue.scheduler.maxConcurrentSessions - running;
    for (const item of items) {
      if (room <= 0) break;
      if (statusOf(item) !== 'ready') continue;
      if (options.canStart && !options.canStart(item)) continue;
      start.push(item.item_id);
      room--;
    }
  }
  const finished = items.length > 0 && items.every((i) => isItemDone(i));
  return { updates, start, running, finished };
}
