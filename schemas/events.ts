import { z } from 'zod';
import { IsoDate, QueryInt } from './common.ts';

export const EventType = z.enum([
  'CLI_SESSION_CREATED',
  'CLI_SESSION_CLOSED',
  'CLI_SESSION_ERROR',
  'CLI_SESSION_UPDATED',
  'STAGE_UPDATED',
  'APPROVAL_REQUESTED',
  'APPROVAL_DECIDED',
  'NOTIFICATION',
  'ISSUE_UPDATED',
  'QUEUE_UPDATED',
  'EXECUTION_UPDATED',
  'CONFIG_RELOADED',
  'CONFIG_ERROR',
  'PANE_TAIL',
  'STAGE_ACTIONS',
]);
export type EventType = z.infer<typeof EventType>;

/**
 * Every event on `/ws/events`, `GET /events` and in `GET /api/events`:
 * `type`, `at` (ISO time), `id` once stored (monotonic), and a payload
 * whose fields depend on the type.
 */
export const BridgeEvent = z
  .object({
    type: EventType,
    at: IsoDate,
    id: z.number().int().optional(),
  })
  .passthrough();
export type BridgeEvent = z.infer<typeof BridgeEvent>;

export const EventsQuery = z.object({
  since: QueryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: QueryInt(1, 1000).optional(),
  type: EventType.optional(),
});
export type EventsQuery = z.infer<typeof EventsQuery>;
