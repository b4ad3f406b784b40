import { z } from 'zod';
import { ExecutionGroup, QueueItem, QueueScheduler, QueueStatus } from '../../../schemas/queue.ts';
import type { Queue } from '../../../schemas/queue.ts';
import type { StoreCore, WriteTx } from '../tx.ts';
import type { SqlRow } from '../types.ts';
import { int, jsonValue, text } from './rows.ts';

/** A queue as stored: the queue without its items, plus the counter that names new items. */
export interface QueueRecord {
  readonly queue: Omit<Queue, 'items'>;
  readonly nextItem: number;
}

function queueFromSql(row: SqlRow): QueueRecord {
  return {
    queue: {
      id: text(row.id),
      name: text(row.name),
      status: QueueStatus.parse(text(row.status)),
      execution_groups: z.array(ExecutionGroup).parse(jsonValue(row.execution_groups)),
      scheduler: QueueScheduler.parse(jsonValue(row.scheduler)),
      createdAt: text(row.created_at),
      updatedAt: text(row.updated_at),
    },
    nextItem: int(row.next_item),
  };
}

function putQueue(tx: WriteTx, record: QueueRecord): void {
  const { queue } = record;
  tx.run(
    `INSERT INTO queues (id, name, status, execution_groups, scheduler, next_item, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name, status = excluded.status, execution_groups = excluded.execution_groups,
       scheduler = excluded.scheduler, next_item = excluded.next_item, updated_at = excluded.updated_at`,
    [queue.id, queue.name, queue.status, JSON.stringify(queue.execution_groups), JSON.stringify(queue.scheduler), record.nextItem, queue.createdAt, queue.updatedAt],
  );
}

function putItem(tx: WriteTx, queueId: string, item: QueueItem): void {
  tx.run(
    `INSERT INTO queue_items (queue_id, item_id, issue_id, status, data) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(queue_id, item_id) DO UPDATE SET issue_id = excluded.issue_id, status = excluded.status, data = excluded.data`,
    [queueId, item.item_id, item.issue_id, item.status, JSON.stringify(item)],
  );
}

/**
 * `queues` and `queue_items`. The queues service keeps every queue in memory and
 * writes through here; each write resolves once durable.
 */
export class QueueRepository {
  constructor(private readonly store: StoreCore) {}

  /** Every queue with its items (items in no particular order: the service sorts). */
  loadAll(): Array<QueueRecord & { items: QueueItem[] }> {
    const items = new Map<string, QueueItem[]>();
    for (const row of this.store.all('SELECT queue_id, data FROM queue_items')) {
      const parsed = QueueItem.safeParse(jsonValue(row.data));
      if (!parsed.success) {
        this.store.log.warn(`queue item ${text(row.queue_id)}: unreadable row skipped (${parsed.error.issues[0]?.message ?? 'invalid'})`);
        continue;
      }
      const list = items.get(text(row.queue_id)) ?? [];
      list.push(parsed.data);
      items.set(text(row.queue_id), list);
    }
    return this.store
      .all('SELECT id, name, status, execution_groups, scheduler, next_item, created_at, updated_at FROM queues ORDER BY created_at, id')
      .map((row) => {
        const record = queueFromSql(row);
        return { ...record, items: items.get(record.queue.id) ?? [] };
      });
  }

  /** Writes the queue row and the given items (all of them, or only those that changed) in one transaction. */
  save(record: QueueRecord, items: readonly QueueItem[] = [], deletedItemIds: readonly string[] = []): Promise<void> {
    return this.store.write((tx) => {
      putQueue(tx, record);
      for (const item of items) putItem(tx, record.queue.id, item);
      for (const itemId of deletedItemIds) tx.run('DELETE FROM queue_items WHERE queue_id = ? AND item_id = ?', [record.queue.id, itemId]);
      tx.changed({ table: 'queues', op: 'upsert', key: { id: record.queue.id } });
    });
  }

  /** Writes items only (the scheduler's progress). */
  saveItems(queueId: string, items: readonly QueueItem[]): Promise<void> {
    return this.store.write((tx) => {
      for (const item of items) putItem(tx, queueId, item);
      tx.changed({ table: 'queue_items', op: 'upsert', key: { queueId } });
    });
  }

  delete(queueId: string): Promise<boolean> {
    return this.store.write((tx) => {
      tx.run('DELETE FROM queue_items WHERE queue_id = ?', [queueId]);
      const { changes } = tx.run('DELETE FROM queues WHERE id = ?', [queueId]);
      if (changes > 0) tx.changed({ table: 'queues', op: 'delete', key: { id: queueId } });
      return changes > 0;
    });
  }
}
