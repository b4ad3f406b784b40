import type { BridgeEvent, Queue, QueueItem } from '../../schemas/index.ts';
import type { ApiClient } from './api.ts';
import type { EventFeed } from './events.ts';
import { payloadOf } from './event-readers.ts';
import { LiveResource } from './resource.ts';

export type QueueMap = ReadonlyMap<string, Queue>;

const path = (id: string) => `/api/queues/${encodeURIComponent(id)}`;

/** The queues' REST calls (docs/api.md "Queues"). */
export class QueuesApi {
  constructor(private readonly api: ApiClient) {}

  async list(): Promise<Queue[]> {
    return (await this.api.get('/api/queues', 'QueueList')).queues;
  }
  create(name: string): Promise<Queue> {
    const groups = [
      { id: 'P1', type: 'parallel' },
      { id: 'S1', type: 'sequential' },
    ];
    return this.api.send('POST', '/api/queues', { name, execution_groups: groups }, 'Queue');
  }
  addItem(id: string, body: { prompt: string; title?: string; tool?: string; execution_group?: string; depends_on?: string[] }): Promise<void> {
    return this.api.call('POST', `${path(id)}/items`, body);
  }
  deleteItem(id: string, itemId: string): Promise<void> {
    return this.api.call('DELETE', `${path(id)}/items/${encodeURIComponent(itemId)}`);
  }
  move(id: string, itemId: string, group: string, index: number): Promise<Queue> {
    return this.api.send('POST', `${path(id)}/move`, { itemId, execution_group: group, index }, 'Queue');
  }
  scheduler(id: string, action: 'start' | 'pause' | 'resume' | 'stop'): Promise<Queue> {
    return this.api.send('POST', `${path(id)}/scheduler/${action}`, undefined, 'Queue');
  }
  setMax(id: string, maxConcurrentSessions: number): Promise<Queue> {
    return this.api.send('PATCH', `${path(id)}/scheduler`, { maxConcurrentSessions }, 'Queue');
  }
  itemAction(id: string, itemId: string, action: 'retry' | 'skip'): Promise<Queue> {
    return this.api.send('POST', `${path(id)}/items/${encodeURIComponent(itemId)}/${action}`, undefined, 'Queue');
  }
  execute(id: string, itemId: string, sessionKey?: string): Promise<QueueItem> {
    return this.api.send('POST', `${path(id)}/items/${encodeURIComponent(itemId)}/execute`, sessionKey ? { sessionKey } : {}, 'QueueItem');
  }
  setStatus(id: string, action: 'activate' | 'deactivate' | 'archive'): Promise<Queue> {
    return this.api.send('POST', `${path(id)}/${action}`, undefined, 'Queue');
  }
}

/** Every queue that is not archived, kept live by QUEUE_UPDATED (no polling). */
export class QueueStore extends LiveResource<QueueMap> {
  protected readonly refetchOn = new Set<string>();

  constructor(
    feed: EventFeed,
    readonly api: QueuesApi,
  ) {
    super(feed);
  }

  protected async load(): Promise<QueueMap> {
    return new Map((await this.api.list()).map((q) => [q.id, q]));
  }

  protected apply(data: QueueMap, event: BridgeEvent): QueueMap {
    if (event.type !== 'QUEUE_UPDATED') return data;
    const p = payloadOf(event, 'QUEUE_UPDATED');
    if (!p) return data;
    if (p.queue === null) {
      if (!data.has(p.queueId)) return data;
      const next = new Map(data);
      next.delete(p.queueId);
      return next;
    }
    const queue = p.queue;
    const known = data.get(queue.id);
    // Events may arrive after a fresher API answer: keep the newer one.
    if (known && known.updatedAt > queue.updatedAt) return data;
    const next = new Map(data);
    if (queue.status === 'archived') next.delete(queue.id);
    else next.set(queue.id, queue);
    return next;
  }

  /** Puts a queue from an API answer. */
  put(queue: Queue): void {
    this.update((data) => this.apply(data, { type: 'QUEUE_UPDATED', at: '', queue }));
  }

  /** Moves an item (drag or keyboard): shown at once, then the server's answer, or the old order if refused. */
  async move(queueId: string, itemId: string, group: string, index: number): Promise<void> {
    const queue = this.data.value?.get(queueId);
    const item = queue?.items.find((i) => i.item_id === itemId);
    if (!queue || !item) return;
    const target = queue.items.filter((i) => i.execution_group === group && i.item_id !== itemId).sort((a, b) => a.execution_order - b.execution_order);
    target.splice(Math.max(0, Math.min(index, target.length)), 0, { ...item, execution_group: group });
    const order = new Map(target.map((i, k) => [i.item_id, k]));
    const source = queue.items.filter((i) => i.execution_group === item.execution_group && i.item_id !== itemId).sort((a, b) => a.execution_order - b.execution_order);
    source.forEach((i, k) => order.has(i.item_id) || order.set(i.item_id, k));
    const guess = queue.items.map((i) => (i.item_id === itemId ? { ...i, execution_group: group, execution_order: order.get(itemId)! } : order.has(i.item_id) ? { ...i, execution_order: order.get(i.item_id)! } : i));
    this.update((data) => new Map(data).set(queueId, { ...queue, items: guess }));
    try {
      this.put(await this.api.move(queueId, itemId, group, index));
    } catch (error) {
      this.update((data) => new Map(data).set(queueId, queue));
      void this.refresh();
      throw error;
    }
  }
}
