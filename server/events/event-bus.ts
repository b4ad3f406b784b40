import type { BridgeEvent, BridgeEventOf, EventListQuery, EventPayload, EventType, UncheckedEvent } from '../../schemas/index.ts';
import { Emitter } from '../../base/emitter.ts';
import { Disposable } from '../../base/lifecycle.ts';
import { toError } from '../../base/errors.ts';

/** Where events are kept: the durable store (tests may keep them in memory: test/helpers/memory-event-sink.ts). */
export interface EventSink {
  /** Stores the event; resolves once it is durable, with its id. */
  append(event: BridgeEvent): Promise<BridgeEvent>;
  /** After `since` oldest first, or below `before` newest first; filtered by type, host, pipeline and time. */
  list(query: EventListQuery): BridgeEvent[];
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
