import type { CliSession } from '../../schemas/index.ts';
import type { PaneInfo } from '../../tmux/panes.ts';
import type { SessionEndpoint } from '../../tmux/stream-source.ts';
import { notFound, sessionClosed, sessionExited } from './errors.ts';
import type { SessionMeta, SessionMetaRepository } from './session-meta.ts';
import { exitCodeOf, toCliSession } from './session-view.ts';

/** A session whose pane tmux has now. */
export interface LiveSession {
  readonly key: string;
  meta: SessionMeta;
  pane: PaneInfo;
  lastActivity: number;
}

/**
 * Which sessions one tmux server has: the live ones (by key and by pane, both
 * O(1)) and the stored ones of this host, closed included, and how each looks
 * in the API. It holds state only: what changes it, and who is told, lives in
 * the launcher and the announcer.
 */
export class SessionRegistry {
  private readonly live = new Map<string, LiveSession>();
  private readonly keyByPane = new Map<string, string>();

  constructor(
    private readonly tmux: SessionEndpoint,
    private readonly repo: SessionMetaRepository,
    readonly host: string | null,
    /** How long closed sessions stay in the list. */
    private readonly closedRetentionMs: number,
  ) {}

  list(): CliSession[] {
    const out = [...this.live.values()].map((s) => this.view(s.meta, s.pane, s.lastActivity));
    const keep = Date.now() - this.closedRetentionMs;
    for (const meta of this.stored()) {
      if (!meta.closedAt || this.live.has(meta.sessionKey) || Date.parse(meta.closedAt) < keep) continue;
      out.push(this.view(meta, undefined, closedActivity(meta)));
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.sessionKey.localeCompare(b.sessionKey));
  }

  get(key: string): CliSession {
    const session = this.live.get(key);
    if (session) return this.view(session.meta, session.pane, session.lastActivity);
    const meta = this.storedMeta(key);
    if (meta) return this.view(meta, undefined, closedActivity(meta));
    throw notFound(key);
  }

  /** Whether this registry holds the session (live here, or stored for this host). */
  owns(key: string): boolean {
    return this.live.has(key) || this.storedMeta(key) !== undefined;
  }

  /** The pane behind a live session. */
  paneOf(key: string): PaneInfo {
    return this.liveOrThrow(key).pane;
  }

  /** The `shell` command the session was created with; null when its pane runs the tool itself. */
  launchShell(key: string): string | null {
    return (this.live.get(key)?.meta ?? this.storedMeta(key))?.shell ?? null;
  }

  /** The live session showing this pane, if any. */
  keyOfPane(paneId: string): string | null {
    return this.keyByPane.get(paneId) ?? null;
  }

  liveSession(key: string): LiveSession | undefined {
    return this.live.get(key);
  }

  liveSessions(): IterableIterator<LiveSession> {
    return this.live.values();
  }

  liveOrThrow(key: string): LiveSession {
    const session = this.live.get(key);
    if (session) return session;
    if (this.storedMeta(key)) throw sessionClosed(key);
    throw notFound(key);
  }

  /** A live session whose program still reads input. */
  writable(key: string): LiveSession {
    const session = this.liveOrThrow(key);
    if (session.pane.dead) throw sessionExited(key, exitCodeOf(session.pane));
    return session;
  }

  /** Stored sessions of this host (one table holds every host's). */
  stored(): SessionMeta[] {
    return this.repo.list().filter((meta) => (meta.host ?? null) === this.host);
  }

  storedMeta(key: string): SessionMeta | undefined {
    const meta = this.repo.get(key);
    return meta && (meta.host ?? null) === this.host ? meta : undefined;
  }

  /** Resolves once durable. */
  put(meta: SessionMeta): Promise<void> {
    return this.repo.put(meta);
  }

  /** The key a pane stands under: ours (`@tb_key`), or one derived for a pane made natively. */
  keyOf(pane: PaneInfo): string {
    if (pane.key) return pane.key;
    // Pane ids repeat across servers: an adopted remote pane's key names its host too.
    const where = this.host === null ? '' : `${this.host.replace(/[^A-Za-z0-9]/g, 'x')}_`;
    return `a_${where}${pane.sessionCreated.toString(36)}_${pane.paneId.slice(1)}`;
  }

  /** Session names in use: the last listing and the sessions made since (the listing may lag a create). */
  sessionNames(): string[] {
    return [...this.tmux.monitor.list().map((p) => p.sessionName), ...[...this.live.values()].map((s) => s.pane.sessionName)];
  }

  /** Native (a person's) clients on the pane's session: tmux also counts a remote host's output client. */
  nativeClients(pane: PaneInfo): number {
    return Math.max(0, pane.sessionAttached - (this.tmux.ownClients?.(pane.sessionId) ?? 0));
  }

  view(meta: SessionMeta, pane: PaneInfo | undefined, lastActivity: number): CliSession {
    const seen = pane && this.tmux.ownClients ? { ...pane, sessionAttached: this.nativeClients(pane) } : pane;
    return toCliSession(meta, seen, lastActivity, { label: this.tmux.address.label, host: this.host, attachCommand: (name) => this.tmux.attachCommand(name) });
  }

  track(key: string, meta: SessionMeta, pane: PaneInfo): LiveSession {
    const existing = this.live.get(key);
    if (existing) {
      existing.pane = pane;
      return existing;
    }
    const stored = meta.lastActivityAt ? Date.parse(meta.lastActivityAt) : Number.NaN;
    const session: LiveSession = { key, meta, pane, lastActivity: Number.isNaN(stored) ? Date.now() : stored };
    this.live.set(key, session);
    this.keyByPane.set(pane.paneId, key);
    return session;
  }

  untrack(key: string, paneId: string): void {
    this.live.delete(key);
    this.keyByPane.delete(paneId);
  }

  /** Writes every live session's last activity (on a clean stop), so a session that ends while we are away keeps it. */
  async persistActivity(): Promise<void> {
    await Promise.all(
      [...this.live.values()].map((s) => {
        s.meta = { ...s.meta, lastActivityAt: new Date(s.lastActivity).toISOString() };
        return this.repo.put(s.meta).catch(() => undefined);
      }),
    );
  }
}

/** A closed session's last activity: stored when it closed, else its close (older rows). */
function closedActivity(meta: SessionMeta): number {
  const at = Date.parse(meta.lastActivityAt ?? meta.closedAt ?? meta.createdAt);
  return Number.isNaN(at) ? Date.parse(meta.createdAt) : at;
}
