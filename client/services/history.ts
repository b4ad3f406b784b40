import { signal } from '@preact/signals';
import type { BridgeEvent } from '../../schemas/index.ts';
import { Disposable, MutableDisposable, timeout } from '../lib/disposable.ts';
import type { AgentApi, EventPageQuery } from './agent-api.ts';
import { ApiError } from './api.ts';
import type { EventFeed } from './events.ts';

export type TimeRange = 'hour' | 'day' | 'week' | 'all';
const RANGE_MS: Record<TimeRange, number | undefined> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, all: undefined };

export interface HistoryFilters {
  readonly type: string;
  readonly host: string;
  readonly pipeline: string;
  readonly range: TimeRange;
}

export const NO_FILTERS: HistoryFilters = { type: '', host: '', pipeline: '', range: 'all' };

/** Events per page. */
export const PAGE_SIZE = 100;
/** Events per catch-up request (the API's most). */
const CATCH_UP_LIMIT = 1000;
/** Live events within this window cause one catch-up request. */
const CATCH_UP_DELAY_MS = 150;

/**
 * Stored events, newest first, a page at a time, filtered by the server:
 * `GET /api/events?before=latest|<id>` with the type, host, pipeline and time
 * filters, each page continuing from the last one's `next`.
 *
 * New stored events from the socket go on top. Without a host or pipeline filter
 * an event is put there as it comes (a type is all there is to compare); with one,
 * only the server knows which events it matches, so new events make the list ask
 * it for what matches since the newest one shown (`since=`), once per burst.
 */
export class EventHistory extends Disposable {
  readonly rows = signal<readonly BridgeEvent[]>([]);
  readonly loading = signal(false);
  readonly error = signal<string | undefined>(undefined);
  /** True when the oldest matching event (within the time range) is shown. */
  readonly exhausted = signal(false);
  private filters: HistoryFilters = NO_FILTERS;
  /** The time range's start, fixed when the filters were set (so pages stay consistent). */
  private from: string | undefined;
  /** The `before` of the next older page; null when there is none. */
  private cursor: number | null = null;
  /** The highest id the list has covered: shown, or passed over by a query that would have shown it. */
  private watermark = 0;
  /** The highest stored id seen on the socket (stored before it is sent, so a query made now covers it). */
  private latestSeen = 0;
  /** Set while the first page loads: events that arrive meanwhile need a catch-up after it. */
  private firstPage = false;
  private missedWhileLoading = false;
  private readonly catchUpTimer = this.register(new MutableDisposable());
  private generation = 0;

  constructor(
    private readonly agent: AgentApi,
    feed: EventFeed,
  ) {
    super();
    this.register(feed.onEvent((event) => this.onLive(event)));
  }

  private query(): EventPageQuery {
    const { type, host, pipeline } = this.filters;
    return { type, host, pipeline, from: this.from };
  }

  /** Starts over with these filters: the newest page. */
  async reset(filters: HistoryFilters): Promise<void> {
    this.filters = filters;
    const range = RANGE_MS[filters.range];
    this.from = range === undefined ? undefined : new Date(Date.now() - range).toISOString();
    const generation = ++this.generation;
    this.catchUpTimer.clear();
    this.rows.value = [];
    this.exhausted.value = false;
    this.cursor = null;
    this.watermark = 0;
    this.error.value = undefined;
    this.firstPage = true;
    this.missedWhileLoading = false;
    await this.page(generation, 'latest');
    if (generation !== this.generation) return;
    this.firstPage = false;
    if (this.missedWhileLoading) this.scheduleCatchUp();
  }

  /** The next page of older events. */
  async loadOlder(): Promise<void> {
    if (this.loading.value || this.exhausted.value || this.cursor === null) return;
    await this.page(this.generation, this.cursor);
  }

  private async page(generation: number, before: number | 'latest'): Promise<void> {
    this.loading.value = true;
    this.error.value = undefined;
    const covered = this.latestSeen;
    try {
      const { events, next } = await this.agent.events({ ...this.query(), before, limit: PAGE_SIZE });
      if (generation !== this.generation) return;
      // The newest page covers every event stored before it was asked for, matching or not.
      if (before === 'latest') this.watermark = Math.max(this.watermark, covered, events[0]?.id ?? 0);
      this.rows.value = [...this.rows.value, ...events];
      this.cursor = next;
      this.exhausted.value = events.length < PAGE_SIZE || next === null;
    } catch (error) {
      if (generation === this.generation) this.error.value = error instanceof ApiError ? error.message : String(error);
    } finally {
      if (generation === this.generation) this.loading.value = false;
    }
  }

  private onLive(event: BridgeEvent): void {
    // Live-only events (pane tails, session details) have no id and are never stored.
    if (event.id === undefined) return;
    this.latestSeen = Math.max(this.latestSeen, event.id);
    if (event.id <= this.watermark) return;
    if (this.firstPage) {
      this.missedWhileLoading = true;
      return;
    }
    if (this.filters.host || this.filters.pipeline) {
      this.scheduleCatchUp();
      return;
    }
    this.watermark = event.id;
    if (!this.filters.type || event.type === this.filters.type) this.rows.value = [event, ...this.rows.value];
  }

  private scheduleCatchUp(): void {
    if (this.catchUpTimer.value) return;
    this.catchUpTimer.value = timeout(() => {
      this.catchUpTimer.clear();
      void this.catchUp(this.generation);
    }, CATCH_UP_DELAY_MS);
  }

  /** What matches since the newest event covered, put on top (oldest last). */
  private async catchUp(generation: number): Promise<void> {
    try {
      for (;;) {
        const since = this.watermark;
        const covered = this.latestSeen;
        const { events, next } = await this.agent.events({ ...this.query(), since, limit: CATCH_UP_LIMIT });
        if (generation !== this.generation) return;
        const top = this.rows.value[0]?.id ?? 0;
        const fresh = events.filter((e) => (e.id ?? 0) > top).reverse();
        if (fresh.length > 0) this.rows.value = [...fresh, ...this.rows.value];
        if (events.length < CATCH_UP_LIMIT) {
          this.watermark = Math.max(this.watermark, covered, next ?? since);
          return;
        }
        this.watermark = Math.max(this.watermark, next ?? since);
      }
    } catch {
      // The next live event tries again; the list shown stays right, only late.
    }
  }
}
