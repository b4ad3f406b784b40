import { z } from 'zod';
import { QueryInt } from './input.ts';
import { EventType } from './events-view.ts';

/* What the events API accepts; the event map and the events themselves are in events-view.ts. */
export * from './events-view.ts';


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
  type: z.optional(EventType),
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
