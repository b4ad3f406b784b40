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
  'CLI_EXECUTION_STARTED',
  'CLI_OUTPUT',
  'CLI_EXECUTION_COMPLETED',
  'FLOW_RUN_UPDATED',
  /** A remote host's connection changed (connected, reconnecting with the reason, auth failed…). Not stored. */
  'HOST_STATUS',
  /** The bridge's connection to its own tmux server changed (connected, slow, reconnecting). Not stored. */
  'TMUX_STATUS',
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

/** A query-string time: an ISO 8601 date-time with Z or an offset, normalised to `toISOString()` (how `at` is stored). */
const QueryTime = z.iso
  .datetime({ offset: true, error: 'expected an ISO time such as 2025-01-31T12:00:00Z' })
  .transform((value) => new Date(value).toISOString());

/**
 * `GET /api/events`. With `since` only: events after it, oldest first (catching up).
 * With `before`: events below it, newest first (paging back through history);
 * `before=latest` starts at the newest event. The other keys filter either way.
 */
export const EventsQuery = z.object({
  since: QueryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  before: z.union([z.literal('latest'), QueryInt(1, Number.MAX_SAFE_INTEGER)]).optional(),
  limit: QueryInt(1, 1000).optional(),
  type: EventType.optional(),
  host: z.string().min(1).max(200).optional(),
  pipeline: z.string().min(1).max(200).optional(),
  /** Only events at or after this time. */
  from: QueryTime.optional(),
  /** Only events at or before this time. */
  to: QueryTime.optional(),
});
export type EventsQuery = z.infer<typeof EventsQuery>;

/** What the event stores (the durable repository, the in-memory sink) are asked for. */
export interface EventListQuery {
  /** Only ids above this one (default 0). */
  readonly since?: number;
  /** Only ids below this one, and newest first; without it, oldest first. */
  readonly before?: number;
  readonly limit?: number;
  readonly type?: EventType;
  /** The event's host, wherever its type keeps it (EVENT_SUBJECT_PATHS). */
  readonly host?: string;
  readonly pipeline?: string;
  /** ISO times as `toISOString()` writes them (compared as text, like the stored `at`). */
  readonly from?: string;
  readonly to?: string;
}

/**
 * Where each event type keeps the host and the pipeline it is about, as dotted
 * paths into the event (its stored payload): STAGE_UPDATED and STAGE_ACTIONS at the
 * top, APPROVAL_* under `approval`, NOTIFICATION under `notification.payload`.
 * The first path that holds a value counts. Session and config events have neither.
 */
export const EVENT_SUBJECT_PATHS: Readonly<Record<'host' | 'pipeline', readonly string[]>> = {
  host: ['host', 'approval.host', 'notification.payload.host'],
  pipeline: ['pipeline', 'approval.pipeline', 'notification.payload.pipeline'],
};
