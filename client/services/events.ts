import { signal } from '@preact/signals';
import type { BridgeEvent } from '../../schemas/index.ts';
import { Backoff, Disposable, Emitter, listen, MutableDisposable, timeout, toDisposable } from '../lib/disposable.ts';
import { contractNow, loadContract } from './schemas.ts';
import { BASE_PATH } from '../lib/base-path.ts';

export type FeedState = 'idle' | 'connecting' | 'live' | 'reconnecting';

/**
 * `/ws/events`: the live event feed. Reconnects with backoff and resumes with
 * `since=<last event id>`; `onOpen` fires on every (re)connect so stores can
 * refetch what they show (events missed while away may be gone from the log).
 */
export class EventFeed extends Disposable {
  readonly state = signal<FeedState>('idle');
  private lastEventId = 0;
  private socket: WebSocket | undefined;
  private readonly retry = this.register(new MutableDisposable());
  private readonly backoff = new Backoff();
  private running = false;

  private readonly eventEmitter = this.register(new Emitter<BridgeEvent>());
  readonly onEvent = this.eventEmitter.event;
  private readonly openEmitter = this.register(new Emitter<void>());
  readonly onOpen = this.openEmitter.event;

  constructor(private readonly baseUrl = wsBase()) {
    super();
    // Coming back online or to the page: try at once instead of waiting out the backoff.
    this.register(listen(window, 'online', () => this.retryNow()));
    this.register(
      listen(document, 'visibilitychange', () => {
        if (document.visibilityState === 'visible') this.retryNow();
      }),
    );
    this.register(toDisposable(() => this.stop()));
  }

  start(): void {
    if (this.running || this.isDisposed) return;
    this.running = true;
    this.state.value = 'connecting';
    this.connect();
  }

  stop(): void {
    this.running = false;
    this.retry.clear();
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'stopped');
    this.state.value = 'idle';
  }

  retryNow(): void {
    if (!this.running || this.socket) return;
    this.retry.clear();
    this.connect();
  }

  private connect(): void {
    const contract = contractNow();
    if (!contract) {
      // Every event is checked with the schemas: fetch them first (once), then connect.
      loadContract().then(
        () => this.retryNow(),
        () => this.scheduleRetry(),
      );
      return;
    }
    const socket = new WebSocket(`${this.baseUrl}/ws/events${this.lastEventId > 0 ? `?since=${this.lastEventId}` : ''}`);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.backoff.reset();
      this.state.value = 'live';
      this.openEmitter.fire();
    };
    socket.onmessage = (message: MessageEvent) => {
      if (this.socket !== socket || typeof message.data !== 'string') return;
      let value: unknown;
      try {
        value = JSON.parse(message.data);
      } catch {
        return;
      }
      const event = contract.checkEvent(value);
      if (!event) return;
      // Events arrive in id order; a lower id means the server's log started over.
      if (event.id !== undefined) this.lastEventId = event.id;
      this.eventEmitter.fire(event);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (!this.running || this.retry.value) return;
    this.state.value = 'reconnecting';
    this.retry.value = timeout(() => {
      this.retry.clear();
      if (this.running) this.connect();
    }, this.backoff.next());
  }
}

/** ws://host or wss://host for this page. */
export function wsBase(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${BASE_PATH}`;
}
