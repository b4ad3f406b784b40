/**
 * The in-memory twin of EventRepository.list's SQL: the same filters, order and
 * limit over a list of events, for the tests' MemoryEventSink and the fake agent board.
 */
import { EVENT_SUBJECT_PATHS, type BridgeEvent, type EventListQuery } from '../../schemas/index.ts';

/** The value at a dotted path of the event, as json_extract reads the stored payload. */
function at(event: BridgeEvent, path: string): unknown {
  let value: unknown = event;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The event's host or pipeline: the first of its EVENT_SUBJECT_PATHS that holds a value (as SQL's coalesce). */
export function eventSubject(event: BridgeEvent, key: 'host' | 'pipeline'): unknown {
  for (const path of EVENT_SUBJECT_PATHS[key]) {
    const value = at(event, path);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

export function matchesEventQuery(event: BridgeEvent, query: EventListQuery): boolean {
  const id = event.id ?? 0;
  if (id <= (query.since ?? 0)) return false;
  if (query.before !== undefined && id >= query.before) return false;
  if (query.type !== undefined && event.type !== query.type) return false;
  if (query.from !== undefined && event.at < query.from) return false;
  if (query.to !== undefined && event.at > query.to) return false;
  if (query.host !== undefined && eventSubject(event, 'host') !== query.host) return false;
  if (query.pipeline !== undefined && eventSubject(event, 'pipeline') !== query.pipeline) return false;
  return true;
}

/** `events` in id order → the page the query asks for (oldest first, or newest first with `before`). */
export function queryEvents(events: readonly BridgeEvent[], query: EventListQuery, defaultLimit = 100): BridgeEvent[] {
  const limit = query.limit ?? defaultLimit;
  const out: BridgeEvent[] = [];
  const newestFirst = query.before !== undefined;
  for (let i = 0; i < events.length && out.length < limit; i++) {
    const event = events[newestFirst ? events.length - 1 - i : i]!;
    if (matchesEventQuery(event, query)) out.push(event);
  }
  return out;
}
