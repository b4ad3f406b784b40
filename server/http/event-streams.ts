/**
 * Limits for the live event streams (`/ws/events`, `GET /events`): a cap on how
 * many one client may hold open, and how far a reader may fall behind. A reader
 * whose unsent bytes pass the limit is dropped rather than buffered without end;
 * it reconnects and resumes from the last event id it has (`?since=`, or
 * `Last-Event-ID` for SSE), so nothing stored is lost.
 */
import type { IncomingMessage } from 'node:http';
import type { BridgeEvent } from '../../schemas/index.ts';
import type { IDisposable } from '../../base/lifecycle.ts';
import type { EventBus } from '../events/index.ts';
import { peerAddress } from './proxy.ts';

export interface EventStreamOptions {
  /** Open event streams per client address (default 32: one per tab, with room). */
  readonly perClient?: number;
  /** Unsent bytes a reader may have before it is dropped (default 4 MiB). */
  readonly maxBufferedBytes?: number;
  readonly trustProxy?: boolean;
  /** What the streams are, for the refusal ("event streams", "terminal sockets"). */
  readonly what?: string;
}

export class EventStreamLimits {
  private readonly open = new Map<string, number>();
  readonly perClient: number;
  readonly maxBufferedBytes: number;

  constructor(private readonly options: EventStreamOptions = {}) {
    this.perClient = options.perClient ?? 32;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  }

  /** A slot for this request's client (call the result when the stream ends), or undefined when it holds too many. */
  acquire(req: Pick<IncomingMessage, 'socket' | 'headers'>): (() => void) | undefined {
    const client = peerAddress(req, this.options.trustProxy ?? false);
    const count = this.open.get(client) ?? 0;
    if (count >= this.perClient) return undefined;
    this.open.set(client, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(client) ?? 1) - 1;
      if (left <= 0) this.open.delete(client);
      else this.open.set(client, left);
    };
  }

  tooManyMessage(): string {
    return `too many ${this.options.what ?? 'event streams'} from this client (at most ${this.perClient}); close some tabs`;
  }
}

/** One live reader of the events, as its transport (WebSocket, SSE) sees it. */
export interface EventReader {
  /** False while the transport cannot take a message (a socket closing): the event is skipped. */
  writable(): boolean;
  /** Bytes written to the reader and not yet sent. */
  buffered(): number;
  send(event: BridgeEvent): void;
  /** The reader fell too far behind: end it; `lastId` is the last stored event it was sent. */
  drop(lastId: number): void;
}

/**
 * The fan-out of the bus to one reader, the same for every transport: the stored events
 * after `since` first (catching up, at most 1000), then every event live. A reader
 * whose unsent bytes pass the limit is dropped, not buffered for. Dispose when the
 * reader goes.
 */
export function streamEvents(bus: EventBus, since: number, reader: EventReader, limits: EventStreamLimits): IDisposable {
  let last = since;
  let dropped = false;
  const send = (event: BridgeEvent) => {
    if (dropped || !reader.writable()) return;
    if (reader.buffered() > limits.maxBufferedBytes) {
      dropped = true;
      sub.dispose();
      reader.drop(last);
      return;
    }
    reader.send(event);
    if (event.id !== undefined) last = event.id;
  };
  const sub = bus.onEvent(send);
  if (since > 0) {
    for (const event of bus.history({ since, limit: 1000 })) send(event);
  }
  return sub;
}
