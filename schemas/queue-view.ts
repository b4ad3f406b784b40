import * as z from 'zod/mini';
import { IsoDate } from './common.ts';
import { ResumeStrategy } from './session-view.ts';

/* Queues as the server shows them (zod/mini: the client checks them; see common.ts). */

export const QueueStatus = z.enum(['active', 'inactive', 'completed', 'archived']);
export type QueueStatus = z.infer<typeof QueueStatus>;

export const QueueItemStatus = z.enum(['pending', 'ready', 'executing', 'completed', 'failed', 'blocked', 'cancelled']);
export type QueueItemStatus = z.infer<typeof QueueItemStatus>;

export const SchedulerState = z.enum(['idle', 'running', 'paused', 'stopped']);
export type SchedulerState = z.infer<typeof SchedulerState>;

export const ExecutionGroupType = z.enum(['parallel', 'sequential']);
export type ExecutionGroupType = z.infer<typeof ExecutionGroupType>;

/** Item and group ids: short, readable ("T-3", "P1"), safe in session names and URLs. */
export const QueueRef = z.string().check(z.minLength(1), z.maxLength(40), z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, _ and - (starting with a letter or digit)'));

export const ExecutionGroup = z.strictObject({ id: QueueRef, type: ExecutionGroupType });
export type ExecutionGroup = z.infer<typeof ExecutionGroup>;

/** `blocked_reason` / `failure_reason` as a code and its free parts (schemas/queue-reason.ts), for a UI to word. */
export const QueueReason = z.object({
  code: z.enum(['dep_failed', 'dep_cancelled', 'dep_blocked', 'exit_code', 'timed_out', 'cancelled', 'stopped', 'could_not_start', 'auto_start_failed', 'execution_lost']),
  params: z.record(z.string(), z.string()),
});
export type QueueReason = z.infer<typeof QueueReason>;

export const QueueItem = z.object({
  item_id: z.string(),
  issue_id: z.nullable(z.string()),
  tool: z.string(),
  prompt: z.string(),
  resumeKey: z.nullable(z.string()),
  resumeStrategy: z.nullable(ResumeStrategy),
  sessionKey: z.nullable(z.string()),
  execution_group: z.string(),
  execution_order: z.int(),
  depends_on: z.array(z.string()),
  status: QueueItemStatus,
  blocked_reason: z.nullable(z.string()),
  blocked_code: z.optional(z.nullable(QueueReason)),
  executionId: z.nullable(z.string()),
  started_at: z.nullable(IsoDate),
  completed_at: z.nullable(IsoDate),
  result: z.nullable(z.string()),
  failure_reason: z.nullable(z.string()),
  failure_code: z.optional(z.nullable(QueueReason)),
  /** Extension: a short title (the issue's title for items made from issues). */
  title: z.optional(z.nullable(z.string())),
  /** Extension: a skipped item ends `cancelled` with `skipped: true` and releases its dependents. */
  skipped: z.optional(z.boolean()),
  /** Extension: how many times the item was started (retry adds one). */
  attempts: z.optional(z.int()),
  /**
   * Extension: the session the scheduler chose when it decided to start the item, written
   * before anything is typed, so a restart knows where to look and never starts it again.
   */
  launch_session: z.optional(z.nullable(z.string())),
});
export type QueueItem = z.infer<typeof QueueItem>;

export const QueueScheduler = z.object({
  state: SchedulerState,
  maxConcurrentSessions: z.int().check(z.minimum(1), z.maximum(64)),
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

/** `POST /api/queues/:id/items` (201): the items added and the queue after. */
export const ItemsAdded = z.object({ items: z.array(QueueItem), queue: Queue });
export type ItemsAdded = z.infer<typeof ItemsAdded>;
