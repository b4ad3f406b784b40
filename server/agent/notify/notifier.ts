/**
 * The Notifier sends one notification to every channel at once, retries each failed
 * channel with exponential backoff (bounded attempts, a timeout per attempt through
 * AbortSignal), reports every attempt to the recorder, and never throws: a broken
 * webhook must not stop the engine, it only leaves a `failed` record behind.
 */
import { randomBytes } from 'node:crypto';
import type { NotificationRecord } from '../../../schemas/agent.ts';
import { Emitter } from '../../../base/emitter.ts';
import { Disposable, toDisposable } from '../../../base/lifecycle.ts';
import { ChannelError, type Notification, type NotificationChannel, type OutgoingNotification } from './channels.ts';
import { errorMessage } from '../../../base/errors.ts';

/** Persists deliveries (the store's `notifications` table); upsert by `deliveryId`. */
export interface NotificationRecorder {
  record(record: NotificationRecord): void | Promise<void>;
}

export interface NotifierOptions {
  readonly channels: readonly NotificationChannel[];
  readonly recorder?: NotificationRecorder;
  /** Tries per channel, the first included (default 4). */
  readonly attempts?: number;
  /** Wait before the 2nd try; doubled for each further one (default 500 ms). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Time limit of one try (default 5 s). */
  readonly timeoutMs?: number;
  /** Injected in tests so that backoff takes no wall time. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly clock?: () => number;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class Notifier extends Disposable {
  private readonly recordEmitter = this.register(new Emitter<NotificationRecord>());
  /** Every delivery update (also the ones the recorder got), e.g. for NOTIFICATION events. */
  readonly onRecord = this.recordEmitter.event;
  private readonly recorderErrorEmitter = this.register(new Emitter<unknown>());
  readonly onRecorderError = this.recorderErrorEmitter.event;

  private channels: readonly NotificationChannel[];
  private readonly abort = new AbortController();
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly clock: () => number;

  constructor(private readonly options: NotifierOptions) {
    super();
    this.channels = options.channels;
    this.attempts = Math.max(1, options.attempts ?? 4);
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 500);
    this.maxDelayMs = Math.max(this.baseDelayMs, options.maxDelayMs ?? 60_000);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 5000);
    this.sleep = options.sleep ?? defaultSleep;
    this.clock = options.clock ?? Date.now;
    // Pending retries stop at dispose (their records end as failed: "notifier stopped").
    this.register(toDisposable(() => this.abort.abort()));
  }

  /** Swap channels after a config reload; deliveries in flight finish on the old ones. */
  setChannels(channels: readonly NotificationChannel[]): void {
    this.channels = channels;
  }

  get channelNames(): string[] {
    return this.channels.map((channel) => channel.name);
  }

  /** Send to every channel; resolves with each channel's final record. Never rejects. */
  async notify(notification: Notification): Promise<NotificationRecord[]> {
    const outgoing: OutgoingNotification = { ...notification, at: new Date(this.clock()).toISOString() };
    const notificationId = `n_${randomBytes(8).toString('hex')}`;
    const results = await Promise.allSettled(this.channels.map((channel) => this.deliver(channel, outgoing, notificationId)));
    return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  }

  private async deliver(channel: NotificationChannel, notification: OutgoingNotification, notificationId: string): Promise<NotificationRecord> {
    let record: NotificationRecord = {
      deliveryId: `${notificationId}.${channel.name}`,
      notificationId,
      channel: channel.name,
      title: notification.title,
      body: notification.body,
      kind: notification.kind,
      status: 'pending',
      attempts: 0,
      lastError: null,
      httpStatus: null,
      createdAt: notification.at,
      sentAt: null,
      payload: {
        host: notification.host ?? null,
        paneId: notification.paneId ?? null,
        pipeline: notification.pipeline ?? null,
        stage: notification.stage ?? null,
        links: { ...(notification.links ?? {}) },
        ...(notification.text ? { text: notification.text } : {}),
      },
    };

    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (this.abort.signal.aborted) {
        record = { ...record, status: 'failed', lastError: record.lastError ?? 'notifier stopped before sending' };
        break;
      }
      const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.timeoutMs)]);
      try {
        const { httpStatus } = await channel.send(notification.sent ? { ...notification, ...notification.sent } : notification, signal);
        record = { ...record, status: 'sent', attempts: attempt, httpStatus, lastError: null, sentAt: new Date(this.clock()).toISOString() };
        await this.report(record);
        return record;
      } catch (error) {
        const retryable = error instanceof ChannelError ? error.retryable : true;
        const httpStatus = error instanceof ChannelError ? error.httpStatus : null;
        const last = attempt === this.attempts || !retryable || this.abort.signal.aborted;
        record = { ...record, attempts: attempt, httpStatus, lastError: errorMessage(error), status: last ? 'failed' : 'pending' };
        await this.report(record);
        if (last) return record;
        const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(delay, this.abort.signal);
      }
    }
    await this.report(record);
    return record;
  }

  private async report(record: NotificationRecord): Promise<void> {
    try {
      this.recordEmitter.fire(record);
      await this.options.recorder?.record(record);
    } catch (error) {
      // Losing a record is bad; crashing the engine over it is worse.
      this.recorderErrorEmitter.fire(error);
    }
  }
}
