/**
 * The events domain's front door: the bus every domain publishes on (kept in
 * the store, fanned out to the events socket and SSE).
 */
export { EventBus, type EventSink } from './event-bus.ts';
