import { z } from 'zod';
import { ExecutionGroup, QueueItem, QueueItemStatus, QueueRef, QueueStatus } from './queue-view.ts';
import { IsoDate } from './common.ts';
import { ResumeStrategy, ToolName } from './session-view.ts';

/* What the server sends back is in queue-view.ts (zod/mini, bundled by the client); this file holds what it accepts. */
export * from './queue-view.ts';

/**
 * Queues: items run in CLI sessions, in groups, in order, after their
 * dependencies, by a scheduler that survives restarts. Queue items keep the
 * snake_case field names of the CCW queue data users already have.
 */

export const DEFAULT_MAX_CONCURRENT_SESSIONS = 2;

const Prompt = z.string().min(1).max(256 * 1024);
const OptionalText = (max: number) => z.string().min(1).max(max).nullable().optional();

/** One item to add by hand (`POST /api/queues/:id/items`, or inside a new queue). */
export const NewQueueItem = z
  .object({
    item_id: z.optional(QueueRef),
    issue_id: OptionalText(200),
    title: z.string().max(500).nullable().optional(),
    tool: z.optional(ToolName),
    prompt: Prompt,
    resumeKey: OptionalText(200),
    resumeStrategy: z.nullable(ResumeStrategy).optional(),
    sessionKey: OptionalText(100),
    execution_group: z.optional(QueueRef),
    execution_order: z.number().int().min(0).max(1_000_000).optional(),
    depends_on: z.array(QueueRef).max(500).optional(),
  })
  .strict();
export type NewQueueItem = z.infer<typeof NewQueueItem>;

/** Items made from issues: one per issue; `{{title}}`, `{{body}}`, `{{id}}` fill the template. */
export const ItemsFromIssues = z
  .object({
    issue_ids: z.array(z.string().min(1).max(200)).min(1).max(500),
    prompt_template: z.string().min(1).max(64 * 1024).optional(),
    tool: z.optional(ToolName),
    execution_group: z.optional(QueueRef),
  })
  .strict();
export type ItemsFromIssues = z.infer<typeof ItemsFromIssues>;

export const NewQueueItems = z.object({ items: z.array(NewQueueItem).min(1).max(1000) }).strict();

export const AddItemsBody = z.union([NewQueueItem, NewQueueItems, ItemsFromIssues]);
export type AddItemsBody = z.infer<typeof AddItemsBody>;

/** The schema a `POST …/items` body is meant for, so a 400 names the wrong field rather than "no union member". */
export function addItemsSchema(body: unknown): typeof NewQueueItem | typeof NewQueueItems | typeof ItemsFromIssues {
  const keys = typeof body === 'object' && body !== null ? Object.keys(body) : [];
  if (keys.includes('issue_ids')) return ItemsFromIssues;
  if (keys.includes('items')) return NewQueueItems;
  return NewQueueItem;
}

export const CreateQueueBody = z
  .object({
    name: z.string().min(1).max(200),
    status: z.enum(['active', 'inactive']).optional(),
    execution_groups: z.array(ExecutionGroup).max(100).optional(),
    items: z.array(NewQueueItem).max(1000).optional(),
    maxConcurrentSessions: z.number().int().min(1).max(64).optional(),
  })
  .strict();
export type CreateQueueBody = z.infer<typeof CreateQueueBody>;

export const UpdateQueueBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    execution_groups: z.array(ExecutionGroup).max(100).optional(),
  })
  .strict();
export type UpdateQueueBody = z.infer<typeof UpdateQueueBody>;

export const UpdateQueueItemBody = z
  .object({
    issue_id: OptionalText(200),
    title: z.string().max(500).nullable().optional(),
    tool: z.optional(ToolName),
    prompt: Prompt.optional(),
    resumeKey: OptionalText(200),
    resumeStrategy: z.nullable(ResumeStrategy).optional(),
    sessionKey: OptionalText(100),
    execution_group: z.optional(QueueRef),
    execution_order: z.number().int().min(0).max(1_000_000).optional(),
    depends_on: z.array(QueueRef).max(500).optional(),
  })
  .strict();
export type UpdateQueueItemBody = z.infer<typeof UpdateQueueItemBody>;

export const ReorderBody = z.object({ execution_group: QueueRef, itemIds: z.array(QueueRef).max(1000) }).strict();
export type ReorderBody = z.infer<typeof ReorderBody>;

export const MoveBody = z.object({ itemId: QueueRef, execution_group: QueueRef, index: z.number().int().min(0).max(100_000) }).strict();
export type MoveBody = z.infer<typeof MoveBody>;

export const ExecuteItemBody = z.object({ sessionKey: z.string().min(1).max(100).optional() }).strict();
export type ExecuteItemBody = z.infer<typeof ExecuteItemBody>;

export const SchedulerSettingsBody = z.object({ maxConcurrentSessions: z.number().int().min(1).max(64) }).strict();
export type SchedulerSettingsBody = z.infer<typeof SchedulerSettingsBody>;

export const QueueListQuery = z.object({ status: z.optional(QueueStatus) });

/** Statuses an item never leaves on its own. */
export const SETTLED_ITEM_STATUSES: readonly QueueItemStatus[] = ['completed', 'failed', 'blocked', 'cancelled'];

export function isItemSettled(item: Pick<QueueItem, 'status'>): boolean {
  return SETTLED_ITEM_STATUSES.includes(item.status);
}

/** A dependency is met when it completed or was skipped on purpose. */
export function isItemDone(item: Pick<QueueItem, 'status' | 'skipped'>): boolean {
  return item.status === 'completed' || (item.status === 'cancelled' && item.skipped === true);
}
