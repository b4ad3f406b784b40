import { computed, signal } from '@preact/signals';
import type { BridgeEvent, CliSession } from '../../schemas/index.ts';
import { Disposable, listen } from '../lib/disposable.ts';
import type { ApiClient } from './api.ts';
import type { EventFeed } from './events.ts';
import { payloadOf } from './event-readers.ts';
import { ReplayingFetch } from './resource.ts';

/**
 * The session list as signals, kept live by CLI_SESSION_* events. The list
 * is fetched when the feed (re)connects (not only once a page uses it, as a
 * LiveResource is: the terminal tabs need it from the start); events that arrive
 * while a fetch is in flight are applied again on top of its answer, so none is lost.
 */
export class SessionStore extends Disposable {
  readonly byKey = signal<ReadonlyMap<string, CliSession>>(new Map());
  readonly loaded = signal(false);
  readonly loadError = signal<string | undefined>(undefined);
  /** Running and exited sessions first (in creation order), then closed ones. */
  readonly list = computed(() => {
    const all = [...this.byKey.value.values()];
    const open = all.filter((s) => s.status !== 'closed');
    const closed = all.filter((s) => s.status === 'closed');
    return [...open, ...closed];
  });

  private readonly fetcher = new ReplayingFetch<CliSession[]>({
    load: () => this.api.listSessions(),
    settle: (sessions, missed) => {
      const next = new Map(sessions.map((s) => [s.sessionKey, s] as const));
      // A session we know as closed stays closed even if it fell out of the server's list.
      for (const [key, known] of this.byKey.value) {
        if (!next.has(key) && known.status !== 'closed') next.set(key, { ...known, status: 'closed' });
      }
      this.byKey.value = next;
      for (const event of missed) this.apply(event);
      this.loaded.value = true;
      this.loadError.value = undefined;
    },
    fail: (message) => (this.loadError.value = message),
  });
  private readonly settling = new Set<string>();

  constructor(
    private readonly api: ApiClient,
    feed: EventFeed,
  ) {
    super();
    this.register(feed.onOpen(() => void this.refresh()));
    this.register(feed.onEvent((event) => this.onEvent(event)));
    // Native clients and current commands change without events: refresh when the user comes back.
    this.register(listen(window, 'focus', () => void this.refreshIfLoaded()));
  }

  get(key: string): CliSession | undefined {
    return this.byKey.value.get(key);
  }

  /** Fetches the list; concurrent calls share one request plus at most one follow-up. */
  refresh(): Promise<void> {
    return this.fetcher.run();
  }

  private refreshIfLoaded(): Promise<void> {
    return this.loaded.value && this.api.auth.value === 'ok' ? this.refresh() : Promise.resolve();
  }

  /**
   * Removes every closed session on the server (for every browser: they drop it
   * on CLI_SESSION_REMOVED). Rejects with the server's error; resolves with how many.
   */
  async clearClosed(): Promise<number> {
    const removed = await this.api.clearClosedSessions();
    // The event follows; without the feed (reconnecting) the list is right already.
    this.drop([...this.byKey.value.values()].filter((s) => s.status === 'closed').map((s) => s.sessionKey));
    return removed;
  }

  private drop(keys: readonly string[]): void {
    const next = new Map(this.byKey.value);
    for (const key of keys) next.delete(key);
    if (next.size !== this.byKey.value.size) this.byKey.value = next;
  }

  /** Puts a session we got from an API answer. */
  upsert(session: CliSession): void {
    const next = new Map(this.byKey.value);
    next.set(session.sessionKey, session);
    this.byKey.value = next;
    if (session.status === 'exited' && session.exitCode === null) this.settleExitCode(session.sessionKey);
  }

  /**
   * tmux can report a pane dead a moment before it has reaped the program's
   * status, and the server sends no second event when the code arrives. Ask
   * for that one session a few times (bounded, not a poll) until it has one.
   */
  private settleExitCode(key: string): void {
    if (this.settling.has(key)) return;
    this.settling.add(key);
    const delays = [300, 1000, 3000];
    const attempt = async (): Promise<void> => {
      const delay = delays.shift();
      if (delay === undefined || this.isDisposed) {
        this.settling.delete(key);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        const session = await this.api.getSession(key);
        if (session.status !== 'exited' || session.exitCode !== null) {
          this.settling.delete(key);
          const known = this.byKey.value.get(key);
          // Never move a session back from closed.
          if (known?.status !== 'closed' || session.status === 'closed') this.upsert(session);
          else if (known.exitCode === null) this.upsert({ ...known, exitCode: session.exitCode });
          return;
        }
      } catch {
        // try again
      }
      return attempt();
    };
    void attempt();
  }

  private onEvent(event: BridgeEvent): void {
    this.fetcher.saw(event);
    this.apply(event);
  }

  private apply(event: BridgeEvent): void {
    switch (event.type) {
      case 'CLI_SESSION_CREATED':
      case 'CLI_SESSION_UPDATED': {
        const p = payloadOf(event, event.type);
        if (p) this.upsert(p.session);
        break;
      }
      case 'CLI_SESSION_CLOSED': {
        const p = payloadOf(event, 'CLI_SESSION_CLOSED');
        const known = p && this.byKey.value.get(p.sessionKey);
        if (!p || !known) break;
        const exitCode = p.exitCode ?? known.exitCode;
        this.upsert({ ...known, status: 'closed', exitCode, lastActivityAt: event.at });
        break;
      }
      case 'CLI_SESSION_REMOVED': {
        const p = payloadOf(event, 'CLI_SESSION_REMOVED');
        if (p) this.drop(p.sessionKeys);
        break;
      }
      default:
        break;
    }
  }
}
