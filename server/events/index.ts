/**
 * The events domain's front door: the bus every domain publishes on (kept in
 * the store, fanned out to the events socket and SSE) and its query.
 */
export { EventBus, MemoryEventSink, type EventSink } from './event-bus.ts';
export { eventSubject, matchesEventQuery, queryEvents } from './event-query.ts';
