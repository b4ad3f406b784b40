import { Emitter } from '../../../base/emitter.ts';
import { Disposable, toDisposable } from '../../../base/lifecycle.ts';
import type { EventPayload } from '../../../schemas/events.ts';
import type { Queue, QueueItem } from '../../../schemas/queue.ts';
import type { QueueRepository } from '../../store/index.ts';
import { ApiError, notFoundError } from '../../../base/errors.ts';
import { sortItems } from './graph.ts';

export interface QueuePublisher {
  publish(type: 'QUEUE_UPDATED', payload: EventPayload<'QUEUE_UPDATED'>): Promise<unknown>;
}

/** How often QUEUE_UPDATED goes out per queue at most while it keeps changing (the last change is never lost). */
const EVENT_INTERVAL_MS = 100;

/**
 * Every queue in memory, the authority the service and scheduler read
 * synchronously; each change is written through the repository (durable before
 * the caller's promise resolves) and announced as QUEUE_UPDATED, at most every
 * 100 ms per queue so a busy scheduler does not flood the event history.
 */
export class QueueState extends Disposable {
  private readonly queues = new Map<string, Queue>();
  private readonly nextItem = new Map<string, number>();
  private readonly pendingEvents = new Map<string, NodeJS.Timeout | null>();
  private readonly changedEmitter = this.register(new Emitter<Queue>());
  /** Fires synchronously on every change (the scheduler listens). */
  readonly onDidChange = this.changedEmitter.event;

  constructor(
    private readonly repo: QueueRepository,
    private readonly bus: QueuePublisher,
  ) {
    super();
    for (const { queue, items, nextItem } of repo.loadAll()) {
      this.queues.set(queue.id, { ...queue, items: sortItems(items, queue.execution_groups) });
      this.nextItem.set(queue.id, nextItem);
    }
    this.register(
      toDisposable(() => {
        for (const timer of this.pendingEvents.values()) if (timer) clearTimeout(timer);
        this.pendingEvents.clear();
      }),
    );
  }

  list(): Queue[] {
    return [...this.queues.values()];
  }

  find(id: string): Queue | undefined {
    return this.queues.get(id);
  }

  get(id: string): Queue {
    const queue = this.queues.get(id);
    if (!queue) throw notFoundError('queue', id, `no queue "${id}"; GET /api/queues lists them`);
    return queue;
  }

  item(queueId: string, itemId: string): QueueItem {
    const item = this.get(queueId).items.find((i) => i.item_id === itemId);
    if (!item) throw notFoundError('queue_item', itemId, `queue ${queueId} has no item "${itemId}"`);
    return item;
  }

  /** The next free "T-n" id of a queue (reserved: the counter moves on). */
  reserveItemId(queueId: string, taken: ReadonlySet<string>): string {
    let n = this.nextItem.get(queueId) ?? 1;
    while (taken.has(`T-${n}`)) n++;
    this.nextItem.set(queueId, n + 1);
    return `T-${n}`;
  }

  /**
   * Replaces the queue in memory at once and writes what changed (the queue row,
   * changed and removed items). Resolves with the queue once durable.
   */
  async commit(next: Queue, options: { touch?: boolean } = {}): Promise<Queue> {
    const previous = this.queues.get(next.id);
    const queue: Queue = {
      ...next,
      items: sortItems(next.items, next.execution_groups),
      updatedAt: options.touch === false && previous ? next.updatedAt : new Date().toISOString(),
    };
    const before = new Map((previous?.items ?? []).map((i) => [i.item_id, i]));
    const changed = queue.items.filter((i) => {
      const old = before.get(i.item_id);
      return old !== i && (!old || JSON.stringify(old) !== JSON.stringify(i));
    });
    const keep = new Set(queue.items.map((i) => i.item_id));
    const deleted = [...before.keys()].filter((id) => !keep.has(id));
    this.queues.set(queue.id, queue);
    const written = this.repo.save({ queue: { ...queue, items: undefined } as never, nextItem: this.nextItem.get(queue.id) ?? 1 }, changed, deleted);
    this.changedEmitter.fire(queue);
    this.announce(queue.id);
    await written;
    return queue;
  }

  /** Changes items only (the scheduler's progress): one small write. */
  async commitItems(queueId: string, update: (items: QueueItem[]) => QueueItem[]): Promise<Queue> {
    return this.commit({ ...this.get(queueId), items: update(this.get(queueId).items) }, { touch: true });
  }

  async remove(id: string): Promise<void> {
    this.get(id);
    this.queues.delete(id);
    this.nextItem.delete(id);
    await this.repo.delete(id);
    void this.bus.publish('QUEUE_UPDATED', { queue: null, queueId: id, deleted: true });
  }

  private announce(id: string): void {
    if (this.isDisposed) return;
    const open = this.pendingEvents.get(id);
    if (open !== undefined) {
      // A window is open: the trailing send picks up this change.
      if (open === null) this.pendingEvents.set(id, this.trailing(id));
      return;
    }
    this.send(id);
    this.pendingEvents.set(id, null);
    const timer = setTimeout(() => {
      if (this.pendingEvents.get(id) === null) this.pendingEvents.delete(id);
    }, EVENT_INTERVAL_MS);
    timer.unref?.();
  }

  private trailing(id: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.pendingEvents.delete(id);
      this.send(id);
    }, EVENT_INTERVAL_MS);
    timer.unref?.();
    return timer;
  }

  private send(id: string): void {
    const queue = this.queues.get(id);
    if (queue) void this.bus.publish('QUEUE_UPDATED', { queue }).catch(() => undefined);
  }
}
