import type { BridgeEvent, BridgeEventOf, EventListQuery, EventPayload, EventType, UncheckedEvent } from '../../schemas/index.ts';
import { Emitter } from '../../base/emitter.ts';
import { Disposable } from '../../base/lifecycle.ts';
import { queryEvents } from './event-query.ts';
import { toError } from '../../base/errors.ts';

/** Where events are kept: the durable store, or memory in tests. */
export interface EventSink {
  /** Stores the event; resolves once it is durable, with its id. */
  append(event: BridgeEvent): Promise<BridgeEvent>;
  /** After `since` oldest first, or below `before` newest first; filtered by type, host, pipeline and time. */
  list(query: EventListQuery): BridgeEvent[];
}

/** Keeps the last `capacity` events in memory. */
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

/**
 * Every event goes through here: stored first, then fanned out to the
 * WebSocket and SSE subscribers. An event nobody could store is still
 * delivered live (and reported), so a full disk never blinds the UI.
 */
export class EventBus extends Disposable {
  private readonly onEventEmitter = this.register(new Emitter<BridgeEvent>());
  readonly onEvent = this.onEventEmitter.event;
  private readonly onErrorEmitter = this.register(new Emitter<Error>());
  readonly onError = this.onErrorEmitter.event;
  /** Keeps delivery in publish order even though storing is asynchronous. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly sink: EventSink) {
    super();
  }

  /**
   * Stores the event, then delivers it. `ephemeral` events (fast-changing views
   * such as pane tails and session details) are delivered live only: they get no
   * id and are not in the history.
   */
  publish<K extends EventType>(type: K, payload: EventPayload<K>, options: { ephemeral?: boolean } = {}): Promise<BridgeEventOf<K>> {
    // The map ties `payload` to `type`; TypeScript cannot see that a generic K's pair is one member of the union.
    const event = { ...payload, type, at: new Date().toISOString() } as BridgeEventOf<K> & BridgeEvent;
    if (options.ephemeral) {
      if (!this.isDisposed) this.onEventEmitter.fire(event);
      return Promise.resolve(event);
    }
    const stored = this.chain.then(async () => {
      let result: BridgeEvent;
      try {
        result = await this.sink.append(event);
      } catch (error) {
        this.onErrorEmitter.fire(toError(error));
        result = event;
      }
      if (!this.isDisposed) this.onEventEmitter.fire(result);
      return result as BridgeEventOf<K> & BridgeEvent;
    });
    this.chain = stored;
    return stored;
  }

  history(query: EventListQuery): BridgeEvent[] {
    return this.sink.list(query);
  }
}
