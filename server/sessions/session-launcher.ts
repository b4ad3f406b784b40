import { randomBytes } from 'node:crypto';
import type { CliSession, CreateSessionBody } from '../../schemas/index.ts';
import { ApiError, errorMessage } from '../../base/errors.ts';
import { describePane, killPaneCommand, type PaneInfo } from '../../tmux/panes.ts';
import { killSessionCommand, newSession, renameSessionCommand } from '../../tmux/sessions.ts';
import { TmuxDisconnectedError } from '../../tmux/errors.ts';
import type { SessionEndpoint } from '../../tmux/stream-source.ts';
import { CreateQueue } from './create-queue.ts';
import { sessionErrorText } from '../../schemas/session-error.ts';
import type { SessionAnnouncer } from './session-announcer.ts';
import type { SessionMeta } from './session-meta.ts';
import type { SessionRegistry } from './session-registry.ts';
import { prepareLaunch } from './tool-commands.ts';

export interface SessionLauncherOptions {
  readonly defaultCols?: number;
  readonly defaultRows?: number;
}

/** An abandoned create is remembered this long, in case tmux makes its pane late. */
const ABANDONED_MS = 600_000;
/** A pane closed here is not adopted again from listings this long (one answered before the kill). */
const CLOSED_PANE_MS = 60_000;

/** Pane ids start over when tmux restarts: the server's id tells two "%3" apart. */
const paneIdentity = (pane: PaneInfo) => `${pane.serverId}:${pane.paneId}`;

/**
 * Makes, renames and ends the tmux sessions of one server. Creates go one at
 * a time (CreateQueue); a create that failed after tmux may have made its pane
 * leaves no orphan: the pane is removed when it shows up, and again on the next
 * listing if removing it failed.
 */
export class SessionLauncher {
  private readonly creating = new Set<string>();
  /**
   * Keys of creates that failed (tmux answered too late, say) with when: if tmux
   * makes the pane after all, nobody asked for it any more and it is removed.
   */
  private readonly abandoned = new Map<string, number>();
  /** Orphans whose kill is in flight (a listing meanwhile must not kill again). */
  private readonly removing = new Set<string>();
  /**
   * Panes closed here, with when: a listing that tmux answered before the kill may
   * still name one, and must not adopt it again (the close would answer `running`).
   */
  private readonly closedPanes = new Map<string, number>();
  private readonly queue = new CreateQueue();

  constructor(
    private readonly tmux: SessionEndpoint,
    private readonly registry: SessionRegistry,
    private readonly announcer: SessionAnnouncer,
    private readonly options: SessionLauncherOptions,
  ) {}

  /**
   * Whether a pane the monitor found is the launcher's: a create in flight
   * (tracked when it completes) or an abandoned create (removed now).
   */
  claims(key: string, pane: PaneInfo): boolean {
    if (this.creating.has(key)) return true;
    if (this.closedPanes.has(paneIdentity(pane))) return true;
    if (!this.abandoned.has(key)) return false;
    void this.removeOrphan(key, pane);
    return true;
  }

  async create(body: CreateSessionBody): Promise<CliSession> {
    const launch = await prepareLaunch(body, { remote: this.registry.host !== null });
    return this.queue.run(() => this.createNow(body, launch));
  }

  private async createNow(body: CreateSessionBody, { tool, workingDir, argv }: Awaited<ReturnType<typeof prepareLaunch>>): Promise<CliSession> {
    const name = body.name?.trim() || this.freeName(tool);
    // Names that differ only in white space are the same name to a person reading the list.
    const taken = this.registry.sessionNames().find((existing) => sameName(existing, name));
    if (taken !== undefined) {
      throw new ApiError(409, 'name_taken', `a tmux session named "${taken}" already exists; choose another name`);
    }
    const key = `s_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;
    const createdAt = new Date().toISOString();
    this.creating.add(key);
    let ok = false;
    try {
      const created = await newSession(this.tmux.control, {
        name,
        cols: body.cols ?? this.options.defaultCols ?? 120,
        rows: body.rows ?? this.options.defaultRows ?? 30,
        workingDir: workingDir ?? undefined,
        env: { ...body.env, TMUX_BRIDGE_SESSION: key },
        command: argv,
        remainOnExit: true,
        paneOptions: { '@tb_key': key, '@tb_tool': tool, '@tb_created': createdAt },
      }).catch((error: unknown) => {
        const message = errorMessage(error);
        if (/duplicate session/i.test(message)) throw new ApiError(409, 'name_taken', `a tmux session named "${name}" already exists`);
        this.announcer.error({ sessionKey: key, name, ...sessionErrorText.createFailed(message) });
        // The connection to tmux (a remote host's ssh, or a restarted local client) dropped
        // mid-command: nothing was wrong with the request. If tmux made the session after
        // all, it is removed when it appears, as after any failed create.
        if (error instanceof TmuxDisconnectedError) {
          throw new ApiError(503, 'tmux_disconnected', `the connection to tmux dropped while the session was being created (${message}); try again`);
        }
        throw new ApiError(500, 'tmux_failed', `tmux could not create the session: ${message}`);
      });
      const pane = await describePane(this.tmux.control, created.paneId);
      if (!pane) throw new ApiError(500, 'tmux_failed', 'the new pane vanished at once');
      const meta: SessionMeta = {
        sessionKey: key,
        name,
        tool,
        model: body.model ?? null,
        workingDir: workingDir ?? '~',
        resumeKey: body.resumeKey ?? null,
        resumeStrategy: body.resumeStrategy ?? null,
        issueId: body.issueId ?? null,
        envWrapper: body.envWrapper ?? null,
        shell: body.shell ?? null,
        host: this.registry.host,
        createdAt,
        adopted: false,
        tmuxSession: name,
        windowId: created.windowId,
        paneId: created.paneId,
        closedAt: null,
        exitCode: null,
      };
      await this.registry.put(meta);
      this.registry.track(key, meta, pane);
      // Stream from the first byte on: the pipe is armed before we answer.
      this.tmux.streams.open(pane);
      await this.tmux.streams.ready(pane.paneId);
      const session = this.registry.get(key);
      await this.announcer.created(key);
      ok = true;
      return session;
    } finally {
      this.creating.delete(key);
      if (!ok) this.abandon(key);
    }
  }

  /**
   * A create failed after tmux may have made (or may still make) its pane: the
   * caller was told it failed, so such a pane is an orphan — removed now if the
   * monitor saw it meanwhile, or when it shows up (remembered for 10 minutes).
   */
  private abandon(key: string): void {
    const now = Date.now();
    for (const [old, at] of this.abandoned) if (now - at > ABANDONED_MS) this.abandoned.delete(old);
    this.abandoned.set(key, now);
    const seen = this.registry.liveSession(key)?.pane ?? this.tmux.monitor.list().find((p) => p.key === key);
    if (seen) void this.removeOrphan(key, seen);
  }

  private async removeOrphan(key: string, pane: PaneInfo): Promise<void> {
    // The key stays abandoned until the pane is gone, so no listing adopts it meanwhile.
    if (this.removing.has(key)) return;
    this.removing.add(key);
    if (this.registry.liveSession(key)) this.registry.untrack(key, pane.paneId);
    try {
      await this.tmux.control.run(killSessionCommand(pane.sessionId));
    } catch {
      // Gone already, or tmux is still stuck: the next listing tries again.
      if (this.tmux.monitor.get(pane.paneId)) return;
    } finally {
      this.removing.delete(key);
    }
    this.abandoned.delete(key);
    this.announcer.error({ sessionKey: key, paneId: pane.paneId, ...sessionErrorText.lateRemoved(pane.sessionName) });
  }

  async close(key: string): Promise<CliSession> {
    const { pane, meta } = this.registry.liveOrThrow(key);
    const onlyPane = !meta.adopted || this.tmux.monitor.list().filter((p) => p.sessionId === pane.sessionId).length <= 1;
    const now = Date.now();
    for (const [old, at] of this.closedPanes) if (now - at > CLOSED_PANE_MS) this.closedPanes.delete(old);
    this.closedPanes.set(paneIdentity(pane), now);
    try {
      await this.tmux.control.run(onlyPane && !meta.adopted ? killSessionCommand(pane.sessionId) : killPaneCommand(pane.paneId));
    } catch (error) {
      if (!(error instanceof Error && /can't find/.test(error.message))) {
        this.closedPanes.delete(paneIdentity(pane));
        throw error;
      }
    }
    await this.announcer.closed(pane);
    void this.tmux.monitor.refresh();
    return this.registry.get(key);
  }

  /**
   * Renames the tmux session the pane is in (for an adopted pane that is the user's
   * tmux session, with all its panes). The name is validated by the caller (SessionName).
   */
  async rename(key: string, name: string): Promise<CliSession> {
    const { pane } = this.registry.liveOrThrow(key);
    if (pane.sessionName === name) return this.registry.get(key);
    if (this.tmux.monitor.list().some((p) => p.sessionName === name && p.sessionId !== pane.sessionId)) {
      throw new ApiError(409, 'name_taken', `a tmux session named "${name}" already exists; choose another name`);
    }
    try {
      await this.tmux.control.run(renameSessionCommand(pane.sessionId, name));
    } catch (error) {
      if (/duplicate session/i.test(errorMessage(error))) throw new ApiError(409, 'name_taken', `a tmux session named "${name}" already exists`);
      throw error;
    }
    await this.tmux.monitor.refresh();
    // The stored name is what a closed session shows; every live session of that tmux session changed.
    for (const session of this.registry.liveSessions()) {
      if (session.pane.sessionId !== pane.sessionId) continue;
      session.meta = { ...session.meta, name };
      session.pane = { ...session.pane, sessionName: name };
      await this.registry.put(session.meta);
      this.announcer.updated(session.key);
    }
    return this.registry.get(key);
  }

  private freeName(tool: string): string {
    const taken = new Set(this.registry.sessionNames());
    for (let n = 1; ; n++) if (!taken.has(`${tool}-${n}`)) return `${tool}-${n}`;
  }
}

function sameName(a: string, b: string): boolean {
  return a.trim().replace(/\s+/g, ' ') === b.trim().replace(/\s+/g, ' ');
}
