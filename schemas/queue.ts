import { z } from 'zod';
import { IsoDate } from './common.ts';
import { ResumeStrategy, ToolName } from './session.ts';

/**
 * Queues: items run in CLI sessions, in groups, in order, after their
 * dependencies, by a scheduler that survives restarts. Queue items keep the
 * snake_case field names of the CCW queue data users already have.
 */

export const QueueStatus = z.enum(['active', 'inactive', 'completed', 'archived']);
export type QueueStatus = z.infer<typeof QueueStatus>;

export const QueueItemStatus = z.enum(['pending', 'ready', 'executing', 'completed', 'failed', 'blocked', 'cancelled']);
export type QueueItemStatus = z.infer<typeof QueueItemStatus>;

export const SchedulerState = z.enum(['idle', 'running', 'paused', 'stopped']);
export type SchedulerState = z.infer<typeof SchedulerState>;

export const ExecutionGroupType = z.enum(['parallel', 'sequential']);
export type ExecutionGroupType = z.infer<typeof ExecutionGroupType>;

/** Item and group ids: short, readable ("T-3", "P1"), safe in session names and URLs. */
export const QueueRef = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, _ and - (starting with a letter or digit)');

export const ExecutionGroup = z.object({ id: QueueRef, type: ExecutionGroupType }).strict();
export type ExecutionGroup = z.infer<typeof ExecutionGroup>;

export const QueueItem = z.object({
  item_id: z.string(),
  issue_id: z.string().nullable(),
  tool: z.string(),
  prompt: z.string(),
  resumeKey: z.string().nullable(),
  resumeStrategy: ResumeStrategy.nullable(),
  sessionKey: z.string().nullable(),
  execution_group: z.string(),
  execution_order: z.number().int(),
  depends_on: z.array(z.string()),
  status: QueueItemStatus,
  blocked_reason: z.string().nullable(),
  executionId: z.string().nullable(),
  started_at: IsoDate.nullable(),
  completed_at: IsoDate.nullable(),
  result: z.string().nullable(),
  failure_reason: z.string().nullable(),
  /** Extension: a short title (the issue's title for items made from issues). */
  title: z.string().nullable().optional(),
  /** Extension: a skipped item ends `cancelled` with `skipped: true` and releases its dependents. */
  skipped: z.boolean().optional(),
  /** Extension: how many times the item was started (retry adds one). */
  attempts: z.number().int().optional(),
  /**
   * Extension: the session the scheduler chose when it decided to start the item, written
   * before anything is typed, so a restart knows where to look and never starts it again.
   */
  launch_session: z.string().nullable().optional(),
});
export type QueueItem = z.infer<typeof QueueItem>;

export const QueueScheduler = z.object({
  state: SchedulerState,
  maxConcurrentSessions: z.number().int().min(1).max(64),
});
export type QueueScheduler = z.infer<typeof QueueScheduler>;

export const Queue = z.object({
  id: z.string(),
  name: z.string(),
  status: QueueStatus,
  execution_groups: z.array(ExecutionGroup),
  items: z.array(QueueItem),
  scheduler: QueueScheduler,
  createdAt: IsoDate,
  updatedAt: IsoDate,
});
export type Queue = z.infer<typeof Queue>;

export const QueueList = z.object({ queues: z.array(Queue) });
export type QueueList = z.infer<typeof QueueList>;

export const DEFAULT_MAX_CONCURRENT_SESSIONS = 2;

const Prompt = z.string().min(1).max(256 * 1024);
const OptionalText = (max: number) => z.string().min(1).max(max).nullable().optional();

/** One item to add by hand (`POST /api/queues/:id/items`, or inside a new queue). */
export const NewQueueItem = z
  .object({
    item_id: QueueRef.optional(),
    issue_id: OptionalText(200),
    title: z.string().max(500).nullable().optional(),
    tool: ToolName.optional(),
    prompt: Prompt,
    resumeKey: OptionalText(200),
    resumeStrategy: ResumeStrategy.nullable().optional(),
    sessionKey: OptionalText(100),
    execution_group: QueueRef.optional(),
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
    tool: ToolName.optional(),
    execution_group: QueueRef.optional(),
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
    tool: ToolName.optional(),
    prompt: Prompt.optional(),
    resumeKey: OptionalText(200),
    resumeStrategy: ResumeStrategy.nullable().optional(),
    sessionKey: OptionalText(100),
    execution_group: QueueRef.optional(),
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

export const QueueListQuery = z.object({ status: QueueStatus.optional() });

/** Statuses an item never leaves on its own. */
export const SETTLED_ITEM_STATUSES: readonly QueueItemStatus[] = ['completed', 'failed', 'blocked', 'cancelled'];

export function isItemSettled(item: Pick<QueueItem, 'status'>): boolean {
  return SETTLED_ITEM_STATUSES.includes(item.status);
}

/** A dependency is met when it completed or was skipped on purpose. */
export function isItemDone(item: Pick<QueueItem, 'status' | 'skipped'>): boolean {
  return item.status === 'completed' || (item.status === 'cancelled' && item.skipped === true);
}
