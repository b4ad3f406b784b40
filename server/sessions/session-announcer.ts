import type { EventPayload } from '../../schemas/events.ts';
import { Emitter } from '../../base/emitter.ts';
import { Disposable } from '../../base/lifecycle.ts';
import type { PaneInfo } from '../../tmux/panes.ts';
import type { SessionEndpoint } from '../../tmux/stream-source.ts';
import type { EventBus } from '../events/index.ts';
import { KeyedThrottle } from './keyed-throttle.ts';
import type { SessionMeta } from './session-meta.ts';
import type { SessionRegistry } from './session-registry.ts';
import { adoptedMeta, exitCodeOf } from './session-view.ts';

/** How a live session changed, for terminal viewers. */
export type SessionSignal =
  | { readonly kind: 'resized'; readonly key: string; readonly cols: number; readonly rows: number }
  | { readonly kind: 'exited'; readonly key: string; readonly code: number | null }
  | { readonly kind: 'closed'; readonly key: string; readonly code: number | null };

/** Pane fields shown in the session list: a change is announced (live only). */
const DETAIL_FIELDS = ['sessionAttached', 'currentCommand', 'title', 'width', 'height', 'sessionName'] as const;

export interface SessionAnnouncerDeps {
  readonly tmux: SessionEndpoint;
  readonly bus: EventBus;
  readonly registry: SessionRegistry;
  /** Whether the launcher owns a pane: a create in flight, or an abandoned create it removes. */
  readonly claimedByLauncher: (key: string, pane: PaneInfo) => boolean;
}

/**
 * Follows tmux for one server and says what changed: every pane the monitor
 * lists is a session in the registry (adopted if nobody made it here), a pane
 * gone closes its session, and each change is announced — events on the bus
 * for the API and UI, signals for terminal viewers.
 */
export class SessionAnnouncer extends Disposable {
  private readonly onSignalEmitter = this.register(new Emitter<SessionSignal>());
  readonly onSignal = this.onSignalEmitter.event;
  /** After the first adoption: only panes found later are announced as created. */
  private started = false;
  private readonly rechecks = new Map<string, number>();

  private readonly tmux: SessionEndpoint;
  private readonly bus: EventBus;
  private readonly registry: SessionRegistry;

  constructor(private readonly deps: SessionAnnouncerDeps) {
    super();
    this.tmux = deps.tmux;
    this.bus = deps.bus;
    this.registry = deps.registry;
    const { monitor, streams } = this.tmux;
    this.register(monitor.onPaneAdded((pane) => this.paneAdded(pane)));
    this.register(monitor.onPaneChanged(({ current }) => this.paneChanged(current)));
    this.register(monitor.onPaneRemoved((pane) => void this.closed(pane)));
    this.register(monitor.onListed(() => this.reconcile()));
    if (streams.onError) {
      this.register(
        streams.onError(({ paneId, error }) => {
          void this.bus.publish('CLI_SESSION_ERROR', { sessionKey: this.registry.keyOfPane(paneId), paneId, message: error.message });
        }),
      );
    }
    this.register(
      streams.onStreamOpened((stream) => {
        stream.onData(() => {
          const key = this.registry.keyOfPane(stream.paneId);
          const session = key ? this.registry.liveSession(key) : undefined;
          if (session) session.lastActivity = Date.now();
        });
      }),
    );
  }

  /** Adopts what tmux already runs; sessions that vanished while we were away are marked closed. */
  async start(): Promise<void> {
    await this.tmux.monitor.refresh();
    // An empty list from a server that never answered says nothing about what is gone.
    if (!this.tmux.monitor.hasListed) throw new Error('tmux did not answer the pane listing');
    for (const pane of this.tmux.monitor.list()) this.paneAdded(pane);
    const now = new Date().toISOString();
    for (const meta of this.registry.stored()) {
      if (meta.closedAt || this.registry.liveSession(meta.sessionKey)) continue;
      // It ended while we were away: its last activity is what we knew then, not now.
      await this.registry.put({ ...meta, closedAt: now, lastActivityAt: meta.lastActivityAt ?? meta.createdAt });
    }
    this.started = true;
  }

  created(key: string): Promise<unknown> {
    return this.bus.publish('CLI_SESSION_CREATED', { sessionKey: key, session: this.registry.get(key) });
  }

  updated(key: string): void {
    void this.bus.publish('CLI_SESSION_UPDATED', { sessionKey: key, session: this.registry.get(key) });
  }

  error(payload: EventPayload<'CLI_SESSION_ERROR'>): void {
    void this.bus.publish('CLI_SESSION_ERROR', payload);
  }

  /** The pane is gone (or was closed here): its session is stored as closed, and that is announced. */
  async closed(pane: PaneInfo): Promise<void> {
    const key = this.registry.keyOfPane(pane.paneId);
    const session = key ? this.registry.liveSession(key) : undefined;
    if (!key || !session) return;
    this.registry.untrack(key, pane.paneId);
    const code = pane.dead ? exitCodeOf(pane) : session.meta.exitCode;
    const meta: SessionMeta = { ...session.meta, closedAt: new Date().toISOString(), exitCode: code, lastActivityAt: new Date(session.lastActivity).toISOString() };
    await this.registry.put(meta).catch(() => undefined);
    this.onSignalEmitter.fire({ kind: 'closed', key, code });
    await this.bus.publish('CLI_SESSION_CLOSED', { sessionKey: key, exitCode: code });
  }

  private paneAdded(pane: PaneInfo): void {
    const key = this.registry.keyOf(pane);
    if (this.deps.claimedByLauncher(key, pane)) return;
    const known = this.registry.liveSession(key);
    if (known) {
      // Created here and tracked before the monitor's first listing: compare with what we knew.
      this.paneChanged(pane);
      return;
    }
    const stored = this.registry.storedMeta(key);
    const meta: SessionMeta = stored && !stored.closedAt ? stored : { ...adoptedMeta(key, pane), host: this.registry.host };
    const session = this.registry.track(key, meta, pane);
    if (!stored && pane.key === '') void this.registry.put(meta).catch(() => undefined);
    if (this.started) {
      void this.bus.publish('CLI_SESSION_CREATED', { sessionKey: key, session: this.registry.view(meta, pane, session.lastActivity) });
    }
  }

  private paneChanged(current: PaneInfo): void {
    const key = this.registry.keyOfPane(current.paneId);
    const session = key ? this.registry.liveSession(key) : undefined;
    if (!key || !session) return;
    // What the registry last knew, which may be newer or older than the monitor's previous listing.
    const previous = session.pane;
    session.pane = current;
    if (previous.width !== current.width || previous.height !== current.height) {
      this.onSignalEmitter.fire({ kind: 'resized', key, cols: current.width, rows: current.height });
    }
    const code = exitCodeOf(current);
    if (current.dead && (!previous.dead || code !== exitCodeOf(previous))) {
      void this.registry.put({ ...session.meta, exitCode: code }).catch(() => undefined);
      this.onSignalEmitter.fire({ kind: 'exited', key, code });
      this.updated(key);
      // tmux may fill in the exit status a moment after it marks the pane dead.
      if (code === null) this.recheckSoon(current.paneId);
      return;
    }
    if (DETAIL_FIELDS.some((field) => previous[field] !== current[field])) this.details.trigger(key);
  }

  /**
   * After every listing: a pane no session stands for is handled as a restart
   * would — adopted (a keyed pane whose registry write never happened, say), or
   * removed if its create was abandoned (a kill that failed is tried again).
   * Map lookups only: this runs at each poll.
   */
  private reconcile(): void {
    for (const pane of this.tmux.monitor.list()) if (this.registry.keyOfPane(pane.paneId) === null) this.paneAdded(pane);
  }

  private recheckSoon(paneId: string): void {
    const tries = this.rechecks.get(paneId) ?? 0;
    if (tries >= 10) return;
    this.rechecks.set(paneId, tries + 1);
    this.store.timeout(() => {
      this.tmux.reapExitedPanes?.();
      this.tmux.monitor.scheduleRefresh();
    }, 100 + tries * 100);
  }

  /** Live-only CLI_SESSION_UPDATED for detail changes, at most once a second per session. */
  private readonly details = this.register(
    new KeyedThrottle(1000, (key) => {
      if (this.registry.liveSession(key)) void this.bus.publish('CLI_SESSION_UPDATED', { sessionKey: key, session: this.registry.get(key) }, { ephemeral: true });
    }),
  );
}
