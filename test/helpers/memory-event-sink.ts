/**
 * An EventSink that keeps the last `capacity` events in memory, for tests that need
 * an EventBus without a store. It answers queries as the store's EventRepository does
 * (test/unit/store-repos.test.ts holds them to that).
 */
import type { BridgeEvent, EventListQuery, UncheckedEvent } from '../../schemas/index.ts';
import type { EventSink } from '../../server/events/event-bus.ts';
import { queryEvents } from './event-query.ts';

export class MemoryEventSink implements EventSink {
  private readonly events: BridgeEvent[] = [];
  private nextId = 1;

  constructor(private readonly capacity = 10_000) {}

  /** Takes what the durable store takes (its twin in tests); the bus only ever gives it events of the map. */
  async append(event: UncheckedEvent): Promise<BridgeEvent> {
    const stored = { ...event, id: this.nextId++ } as BridgeEvent;
    this.events.push(stored);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    return stored;
  }

  list(query: EventListQuery): BridgeEvent[] {
    return queryEvents(this.events, query);
  }
}
