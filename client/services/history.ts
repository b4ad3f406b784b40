import { signal } from '@preact/signals';
import type { BridgeEvent } from '../../schemas/index.ts';
import { Disposable } from '../lib/disposable.ts';
import type { AgentApi } from './agent-api.ts';
import { ApiError } from './api.ts';
import type { EventFeed } from './events.ts';
import { isObject } from './guards.ts';

export type TimeRange = 'hour' | 'day' | 'week' | 'all';
const RANGE_MS: Record<TimeRange, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, all: Number.POSITIVE_INFINITY };

export interface HistoryFilters {
  readonly type: string;
  readonly host: string;
  readonly pipeline: string;
  readonly range: TimeRange;
}

export const NO_FILTERS: HistoryFilters = { type: '', host: '', pipeline: '', range: 'all' };

/** Events per page. */
export const PAGE_SIZE = 100;
/** Ids per request: the API returns at most 1000 events, so a window this wide always fits. */
const WINDOW = 1000;
/** Windows scanned per page before giving the user a "Load older" button (filters that match little). */
const MAX_WINDOWS_PER_PAGE = 10;

/** The host and pipeline an event is about, wherever its type keeps them. */
export function eventSubject(event: BridgeEvent): { host: string | undefined; pipeline: string | undefined } {
  const candidates = [event, event.approval, event.payload, event.notification, event.view];
  let host: string | undefined;
  let pipeline: string | undefined;
  for (const c of candidates) {
    if (!isObject(c)) continue;
    host ??= typeof c.host === 'string' ? c.host : undefined;
    pipeline ??= typeof c.pipeline === 'string' ? c.pipeline : undefined;
  }
  return { host, pipeline };
}

function matches(event: BridgeEvent, filters: HistoryFilters, notBefore: number): boolean {
  if (event.type === 'PANE_TAIL') return false;
  if (filters.type && event.type !== filters.type) return false;
  if (Date.parse(event.at) < notBefore) return false;
  if (!filters.host && !filters.pipeline) return true;
  const subject = eventSubject(event);
  return (!filters.host || subject.host === filters.host) && (!filters.pipeline || subject.pipeline === filters.pipeline);
}

/**
 * Stored events, newest first, a page at a time. `GET /api/events` pages forward
 * from an id (oldest first), so this walks backwards in id windows: it finds the
 * newest id with a few one-event probes, then asks for `since = cursor - 1000`
 * windows. Host, pipeline and time filters are applied here (the API filters by
 * type only); the type filter is passed on. While the newest page is shown, new
 * stored events from the socket are put on top as they happen.
 */
export class EventHistory extends Disposable {
  readonly rows = signal<readonly BridgeEvent[]>([]);
  readonly loading = signal(false);
  readonly error = signal<string | undefined>(undefined);
  /** True when the oldest stored event (or the time range's start) was reached. */
  readonly exhausted = signal(false);
  /** The lowest id scanned so far: the next page starts below it. */
  private cursor: number | undefined;
  private newest = 0;
  private generation = 0;
  private filters: HistoryFilters = NO_FILTERS;

  constructor(
    private readonly agent: AgentApi,
    feed: EventFeed,
  ) {
    super();
    this.register(
      feed.onEvent((event) => {
        if (event.id === undefined || this.cursor === undefined || event.id <= this.newest) return;
        this.newest = event.id;
        if (matches(event, this.filters, this.notBefore())) this.rows.value = [event, ...this.rows.value];
      }),
    );
  }

  private notBefore(): number {
    return Date.now() - RANGE_MS[this.filters.range];
  }

  /** Starts over with these filters: the newest page. */
  async reset(filters: HistoryFilters): Promise<void> {
    this.filters = filters;
    const generation = ++this.generation;
    this.rows.value = [];
    this.exhausted.value = false;
    this.cursor = undefined;
    this.error.value = undefined;
    this.loading.value = true;
    try {
      const newest = await this.newestId();
      if (generation !== this.generation) return;
      this.newest = newest;
      this.cursor = newest + 1;
      await this.page(generation);
    } catch (error) {
      if (generation === this.generation) this.fail(error);
    } finally {
      if (generation === this.generation) this.loading.value = false;
    }
  }

  /** The next page of older events. */
  async loadOlder(): Promise<void> {
    if (this.loading.value || this.exhausted.value || this.cursor === undefined) return;
    const generation = this.generation;
    this.loading.value = true;
    this.error.value = undefined;
    try {
      await this.page(generation);
    } catch (error) {
      if (generation === this.generation) this.fail(error);
    } finally {
      if (generation === this.generation) this.loading.value = false;
    }
  }

  private fail(error: unknown): void {
    this.error.value = error instanceof ApiError ? error.message : String(error);
  }

  private async page(generation: number): Promise<void> {
    const found: BridgeEvent[] = [];
    const notBefore = this.notBefore();
    for (let windows = 0; windows < MAX_WINDOWS_PER_PAGE && found.length < PAGE_SIZE; windows++) {
      const to = this.cursor ?? 0;
      if (to <= 1) {
        this.exhausted.value = true;
        break;
      }
      const since = Math.max(0, to - 1 - WINDOW);
      const { events } = await this.agent.events({ since, limit: WINDOW, type: this.filters.type || undefined });
      if (generation !== this.generation) return;
      const inWindow = events.filter((e) => e.id !== undefined && e.id < to).reverse();
      this.cursor = since + 1;
      let reachedStart = false;
      let full = false;
      for (const event of inWindow) {
        if (Date.parse(event.at) < notBefore) {
          reachedStart = true;
          break;
        }
        if (!matches(event, this.filters, notBefore)) continue;
        found.push(event);
        if (found.length === PAGE_SIZE) {
          // The next page starts below this event, inside the same window.
          this.cursor = event.id!;
          full = true;
          break;
        }
      }
      if (reachedStart || (since === 0 && !full)) {
        this.exhausted.value = true;
        break;
      }
    }
    this.rows.value = [...this.rows.value, ...found];
  }

  /** The id of the newest stored event (0 when there is none), by probing with one-event requests. */
  private async newestId(): Promise<number> {
    const probe = async (since: number) => (await this.agent.events({ since, limit: 1 })).events[0]?.id;
    let low = 0;
    let step = 1024;
    let high: number;
    // Grow until an id with nothing after it, then halve down to one window.
    for (;;) {
      const id = await probe(low + step);
      if (id === undefined) {
        high = low + step;
        break;
      }
      low = id;
      step *= 4;
    }
    while (high - low > WINDOW) {
      const mid = Math.floor((low + high) / 2);
      const id = await probe(mid);
      if (id === undefined) high = mid;
      else low = id;
    }
    const { events } = await this.agent.events({ since: low, limit: WINDOW });
    return events.at(-1)?.id ?? low;
  }
}
