import { signal } from '@preact/signals';
import type { BridgeEvent } from '../../schemas/index.ts';
import { Disposable, timeout, toDisposable, type IDisposable } from '../lib/disposable.ts';
import { ApiError } from './api.ts';
import type { EventFeed } from './events.ts';

/** How long a page waits for the events socket before loading without it. */
const FIRST_LOAD_WAIT_MS = 1500;
/** Several events asking for a refetch within this window cause one request. */
const REFETCH_DEBOUNCE_MS = 150;

/** What a ReplayingFetch does with its answer. */
export interface ReplayingFetchSteps<T> {
  load(): Promise<T>;
  /** Takes the answer, with the events that arrived while it was on its way (to apply again on top). */
  settle(data: T, missed: readonly BridgeEvent[]): void;
  /** The fetch (or settling its answer) failed; `message` is for people. */
  fail(message: string): void;
  /** A fetch starts (true) or ends (false). */
  busy?(busy: boolean): void;
}

/**
 * A fetch of server state that events keep up to date: one request at a time
 * (concurrent calls share it plus at most one follow-up), and the events that
 * arrive while it is in flight are handed to `settle` with its answer, so none
 * is lost. The owner passes every event to `saw`.
 */
export class ReplayingFetch<T> {
  private inFlight: Promise<void> | undefined;
  private again = false;
  private missed: BridgeEvent[] | undefined;

  constructor(private readonly steps: ReplayingFetchSteps<T>) {}

  /** Fetches now; concurrent calls share one request plus at most one follow-up. */
  run(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.once().finally(() => {
      this.inFlight = undefined;
      if (this.again) {
        this.again = false;
        void this.run();
      }
    });
    return this.inFlight;
  }

  /** An event arrived: kept for the answer of the fetch in flight, if any. */
  saw(event: BridgeEvent): void {
    this.missed?.push(event);
  }

  private async once(): Promise<void> {
    this.steps.busy?.(true);
    this.missed = [];
    try {
      this.steps.settle(await this.steps.load(), this.missed);
    } catch (error) {
      this.steps.fail(error instanceof ApiError ? error.message : String(error));
    } finally {
      this.missed = undefined;
      this.steps.busy?.(false);
    }
  }
}

/**
 * Server state kept live by the events socket, the way every board store works:
 *
 * - Nothing is fetched until a page `use()`s it; from then on it stays live.
 * - It is (re)fetched when the events socket (re)connects — events missed while
 *   away may be gone — and when an event says the whole thing changed
 *   (`refetchOn`, e.g. CONFIG_RELOADED). There is no polling.
 * - Every other event is applied incrementally by `apply`. Events that arrive
 *   while a fetch is in flight are applied again on top of its answer, so none is
 *   lost; `apply` must therefore be idempotent (set state, never add deltas).
 */
export abstract class LiveResource<T> extends Disposable {
  readonly data = signal<T | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);
  readonly loading = signal(false);

  protected abstract readonly refetchOn: ReadonlySet<string>;
  protected abstract load(): Promise<T>;
  /** The data with the event applied (the same object when it changes nothing). */
  protected abstract apply(data: T, event: BridgeEvent): T;

  private wanted = false;
  private readonly fetcher = new ReplayingFetch<T>({
    load: () => this.load(),
    settle: (answer, missed) => {
      let data = answer;
      for (const event of missed) data = this.apply(data, event);
      this.data.value = data;
      this.error.value = undefined;
    },
    fail: (message) => (this.error.value = message),
    busy: (busy) => (this.loading.value = busy),
  });
  private waitForFeed: IDisposable | undefined;
  private debounce: IDisposable | undefined;
  /** Unknown things a refetch was already asked for (see refetchForUnknown). */
  private readonly askedFor = new Set<string>();

  constructor(protected readonly feed: EventFeed) {
    super();
    this.register(
      feed.onOpen(() => {
        if (!this.wanted) return;
        this.askedFor.clear();
        this.waitForFeed?.dispose();
        void this.refresh();
      }),
    );
    this.register(feed.onEvent((event) => this.onEvent(event)));
    this.register(
      toDisposable(() => {
        this.waitForFeed?.dispose();
        this.debounce?.dispose();
      }),
    );
  }

  get isUsed(): boolean {
    return this.wanted;
  }

  /** A page shows this: load it once and keep it live from then on. */
  use(): void {
    if (this.wanted) return;
    this.wanted = true;
    // The socket's open triggers a fetch anyway: while it is connecting, let that be
    // the first one (one request instead of two), but never wait long for it.
    if (this.feed.state.value === 'connecting') {
      this.loading.value = true;
      this.waitForFeed = timeout(() => void this.refresh(), FIRST_LOAD_WAIT_MS);
    } else {
      void this.refresh();
    }
  }

  /** Fetches now; concurrent calls share one request plus at most one follow-up. */
  refresh(): Promise<void> {
    return this.fetcher.run();
  }

  /** One refetch soon, however many events ask for it. */
  protected refetchSoon(): void {
    if (!this.wanted || this.debounce) return;
    this.debounce = timeout(() => {
      this.debounce = undefined;
      void this.refresh();
    }, REFETCH_DEBOUNCE_MS);
  }

  /**
   * An event names something the data does not have (a pane that just appeared):
   * fetch once. If the answer still lacks it, later events about it do not fetch
   * again until the next reconnect or reload, so a thing the list never shows
   * cannot turn the events into a polling loop.
   */
  protected refetchForUnknown(key: string): void {
    if (this.askedFor.has(key)) return;
    this.askedFor.add(key);
    this.refetchSoon();
  }

  /** Changes the loaded data outside an event (e.g. an API answer). */
  protected update(change: (data: T) => T): void {
    const data = this.data.value;
    if (data !== undefined) this.data.value = change(data);
  }

  private onEvent(event: BridgeEvent): void {
    if (!this.wanted) return;
    if (this.refetchOn.has(event.type)) {
      this.askedFor.clear();
      this.refetchSoon();
      return;
    }
    this.fetcher.saw(event);
    const data = this.data.value;
    if (data === undefined) return;
    const next = this.apply(data, event);
    if (next !== data) this.data.value = next;
  }
}
