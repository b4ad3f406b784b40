import { randomBytes } from 'node:crypto';
import type { CliSession, CreateSessionBody, Snapshot } from '../../schemas/index.ts';
import { KEY_NAME_HINT, isTmuxKeyName } from '../../schemas/keys.ts';
import { Emitter } from '../../base/emitter.ts';
import { Disposable } from '../../base/lifecycle.ts';
import { capturePane, plainScreen, snapshotBytes } from '../../tmux/capture.ts';
import { describePane, killPaneCommand, resizeWindowCommands, type PaneInfo } from '../../tmux/panes.ts';
import type { SessionEndpoint } from '../../tmux/stream-source.ts';
import { killSessionCommand, newSession, renameSessionCommand } from '../../tmux/sessions.ts';
import type { EventBus } from '../events/index.ts';
import { notFound, sessionClosed, sessionExited } from './errors.ts';
import { ApiError } from '../../base/errors.ts';
import type { InputAuditor, InputOrigin } from './input-audit.ts';
import { CreateQueue } from './create-queue.ts';
import { KeyedThrottle } from './keyed-throttle.ts';
import { PaneInput } from './pane-input.ts';
import type { SessionMeta, SessionMetaRepository } from './session-meta.ts';
import { adoptedMeta, exitCodeOf, toCliSession } from './session-view.ts';
import { prepareLaunch } from './tool-commands.ts';

export interface SessionHubOptions {
  readonly runDir: string;
  readonly defaultCols?: number;
  readonly defaultRows?: number;
  /** How long closed sessions stay in the list. */
  readonly closedRetentionMs?: number;
  /** Records every input in the audit log. */
  readonly auditor?: InputAuditor;
  /** The remote host (hosts.yaml name) this server is on; null/absent = the bridge's own server. */
  readonly host?: string | null;
}

const UNKNOWN_ORIGIN: InputOrigin = { source: 'ws', client: null };

/** Pane fields shown in the session list: a change is announced (live only). */
const DETAIL_FIELDS = ['sessionAttached', 'currentCommand', 'title', 'width', 'height', 'sessionName'] as const;

interface LiveSession {
  readonly key: string;
  meta: SessionMeta;
  pane: PaneInfo;
  lastActivity: number;
}

export interface TerminalScreen {
  readonly bytes: Buffer;
  readonly offset: number;
  readonly cols: number;
  readonly rows: number;
  readonly exact: boolean;
}

export interface SizeResult {
  readonly applied: boolean;
  readonly cols: number;
  readonly rows: number;
  readonly reason?: string;
}

/** How a live session changed, for terminal viewers. */
export type SessionSignal =
  | { readonly kind: 'resized'; readonly key: string; readonly cols: number; readonly rows: number }
  | { readonly kind: 'exited'; readonly key: string; readonly code: number | null }
  | { readonly kind: 'closed'; readonly key: string; readonly code: number | null };

/**
 * The CLI sessions of one tmux server: every pane is a session, created here
 * (`s_…` key kept in the pane option `@tb_key`) or adopted (created natively,
 * key derived from the session's creation time and the pane id). Creation,
 * input, resizing, snapshots and closing go through here; tmux stays the
 * source of truth for what exists.
 */
export class SessionHub extends Disposable {
  private readonly live = new Map<string, LiveSession>();
  private readonly keyByPane = new Map<string, string>();
  private readonly creating = new Set<string>();
  /**
   * Keys of creates that failed (tmux answered too late, say) with when: if tmux
   * makes the pane after all, nobody asked for it any more and it is removed.
   */
  private readonly abandoned = new Map<string, number>();
  /** Orphans whose kill is in flight (a listing meanwhile must not kill again). */
  private readonly removing = new Set<string>();
  private readonly createQueue = new CreateQueue();
  private readonly input: PaneInput;
  private started = false;

  private readonly onSignalEmitter = this.register(new Emitter<SessionSignal>());
  readonly onSignal = this.onSignalEmitter.event;

  readonly host: string | null;

  constructor(
    readonly tmux: SessionEndpoint,
    private readonly bus: EventBus,
    private readonly repo: SessionMetaRepository,
    private readonly options: SessionHubOptions,
  ) {
    super();
    this.host = options.host ?? null;
    this.input = new PaneInput(tmux.control, options.runDir, tmux.loadBuffer?.bind(tmux));
    const { monitor } = tmux;
    this.register(monitor.onPaneAdded((pane) => this.onPaneAdded(pane)));
    this.register(monitor.onPaneChanged(({ previous, current }) => this.onPaneChanged(previous, current)));
    this.register(monitor.onPaneRemoved((pane) => void this.onPaneRemoved(pane)));
    this.register(monitor.onListed(() => this.reconcile()));
    if (tmux.streams.onError) {
      this.register(
        tmux.streams.onError(({ paneId, error }) => {
          const key = this.keyByPane.get(paneId);
          void this.bus.publish('CLI_SESSION_ERROR', { sessionKey: key ?? null, paneId, message: error.message });
        }),
      );
    }
    this.register(
      tmux.streams.onStreamOpened((stream) => {
        stream.onData(() => {
          const key = this.keyByPane.get(stream.paneId);
          const session = key ? this.live.get(key) : undefined;
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
    for (const pane of this.tmux.monitor.list()) this.onPaneAdded(pane);
    const now = new Date().toISOString();
    for (const meta of this.stored()) {
      if (meta.closedAt || this.live.has(meta.sessionKey)) continue;
      // It ended while we were away: its last activity is what we knew then, not now.
      await this.repo.put({ ...meta, closedAt: now, lastActivityAt: meta.lastActivityAt ?? meta.createdAt });
    }
    this.started = true;
  }

  list(): CliSession[] {
    const out = [...this.live.values()].map((s) => this.view(s.meta, s.pane, s.lastActivity));
    const keep = Date.now() - (this.options.closedRetentionMs ?? 24 * 3600_000);
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

  /** Whether this hub holds the session (live here, or stored for this host). */
  owns(key: string): boolean {
    return this.live.has(key) || this.storedMeta(key) !== undefined;
  }

  /** Native (a person's) clients on the pane's session: tmux also counts a remote host's output client. */
  private nativeClients(pane: PaneInfo): number {
    return Math.max(0, pane.sessionAttached - (this.tmux.ownClients?.(pane.sessionId) ?? 0));
  }

  private view(meta: SessionMeta, pane: PaneInfo | undefined, lastActivity: number): CliSession {
    const seen = pane && this.tmux.ownClients ? { ...pane, sessionAttached: this.nativeClients(pane) } : pane;
    return toCliSession(meta, seen, lastActivity, { label: this.tmux.address.label, host: this.host, attachCommand: (name) => this.tmux.attachCommand(name) });
  }

  /** Stored sessions of this hub's host (one table holds every host's). */
  private stored(): SessionMeta[] {
    return this.repo.list().filter((meta) => (meta.host ?? null) === this.host);
  }

  private storedMeta(key: string): SessionMeta | undefined {
    const meta = this.repo.get(key);
    return meta && (meta.host ?? null) === this.host ? meta : undefined;
  }

  /** The pane behind a live session (for streams and viewers). */
  paneOf(key: string): PaneInfo {
    const session = this.live.get(key);
    if (session) return session.pane;
    if (this.storedMeta(key)) throw sessionClosed(key);
    throw notFound(key);
  }

  /** The `shell` command the session was created with; null when its pane runs the tool itself. */
  launchShell(key: string): string | null {
    return (this.live.get(key)?.meta ?? this.storedMeta(key))?.shell ?? null;
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

  /** The live session showing this pane, if any (O(1): kept beside the pane map). */
  keyOfPane(paneId: string): string | null {
    return this.keyByPane.get(paneId) ?? null;
  }

  has(key: string): boolean {
    return this.owns(key);
  }

  async create(body: CreateSessionBody): Promise<CliSession> {
    const launch = await prepareLaunch(body, { remote: this.host !== null });
    return this.createQueue.run(() => this.createNow(body, launch));
  }

  private async createNow(body: CreateSessionBody, { tool, workingDir, argv }: Awaited<ReturnType<typeof prepareLaunch>>): Promise<CliSession> {
    const name = body.name?.trim() || this.freeName(tool);
    // Names that differ only in white space are the same name to a person reading the list.
    const taken = this.sessionNames().find((existing) => sameName(existing, name));
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
        const message = error instanceof Error ? error.message : String(error);
        if (/duplicate session/i.test(message)) throw new ApiError(409, 'name_taken', `a tmux session named "${name}" already exists`);
        void this.bus.publish('CLI_SESSION_ERROR', { sessionKey: key, name, message: `tmux could not create the session: ${message}` });
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
        host: this.host,
        createdAt,
        adopted: false,
        tmuxSession: name,
        windowId: created.windowId,
        paneId: created.paneId,
        closedAt: null,
        exitCode: null,
      };
      await this.repo.put(meta);
      this.track(key, meta, pane);
      // Stream from the first byte on: the pipe is armed before we answer.
      this.tmux.streams.open(pane);
      await this.tmux.streams.ready(pane.paneId);
      const session = this.get(key);
      await this.bus.publish('CLI_SESSION_CREATED', { sessionKey: key, session });
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
    for (const [old, at] of this.abandoned) if (now - at > 600_000) this.abandoned.delete(old);
    this.abandoned.set(key, now);
    const seen = this.live.get(key)?.pane ?? this.tmux.monitor.list().find((p) => p.key === key);
    if (seen) void this.removeOrphan(key, seen);
  }

  private async removeOrphan(key: string, pane: PaneInfo): Promise<void> {
    // The key stays abandoned until the pane is gone, so no listing adopts it meanwhile.
    if (this.removing.has(key)) return;
    this.removing.add(key);
    const session = this.live.get(key);
    if (session) {
      this.live.delete(key);
      this.keyByPane.delete(pane.paneId);
    }
    try {
      await this.tmux.control.run(killSessionCommand(pane.sessionId));
    } catch {
      // Gone already, or tmux is still stuck: the next listing tries again.
      if (this.tmux.monitor.get(pane.paneId)) return;
    } finally {
      this.removing.delete(key);
    }
    this.abandoned.delete(key);
    void this.bus.publish('CLI_SESSION_ERROR', { sessionKey: key, paneId: pane.paneId, message: `removed tmux session "${pane.sessionName}": its creation had already failed` });
  }

  /**
   * After every listing: a pane no session stands for is handled as a restart
   * would — adopted (a keyed pane whose registry write never happened, say), or
   * removed if its create was abandoned (a kill that failed is tried again).
   * Map lookups only: this runs at each poll.
   */
  private reconcile(): void {
    for (const pane of this.tmux.monitor.list()) if (!this.keyByPane.has(pane.paneId)) this.onPaneAdded(pane);
  }

  /**
   * Raw terminal input. This and `keys` are the one way input reaches a pane
   * of this server — API send/keys, terminal WebSockets, the agent engine's
   * `send_keys` actions (`writeToPane`) and executions: each pane's input is
   * delivered in the order it arrived, and each is audited with its source.
   */
  async write(key: string, bytes: Uint8Array, origin: InputOrigin = UNKNOWN_ORIGIN): Promise<void> {
    const session = this.writable(key);
    session.lastActivity = Date.now();
    const audited = this.options.auditor?.record(key, bytes, origin);
    await Promise.all([this.input.writeBytes(session.pane.paneId, bytes, session.pane.inMode), audited]);
  }

  /**
   * Input addressed by pane (the agent engine watches panes, not sessions):
   * through the same per-pane queue and audit as `write`. A pane that is not a
   * session (the bridge's own) is audited under `pane:<id>`.
   */
  async writeToPane(paneId: string, bytes: Uint8Array, origin: InputOrigin): Promise<void> {
    const key = this.keyByPane.get(paneId);
    if (key) return this.write(key, bytes, origin);
    const pane = this.tmux.monitor.get(paneId);
    if (!pane) throw new ApiError(404, 'pane_not_found', `pane ${paneId} does not exist on this tmux server`);
    const audited = this.options.auditor?.record(`pane:${paneId}`, bytes, origin);
    await Promise.all([this.input.writeBytes(paneId, bytes, pane.inMode), audited]);
  }

  async send(key: string, text: string, appendNewline = true, origin: InputOrigin = UNKNOWN_ORIGIN): Promise<void> {
    await this.write(key, Buffer.from(appendNewline ? `${text}\r` : text, 'utf8'), origin);
  }

  async keys(key: string, keys: readonly string[], origin: InputOrigin = UNKNOWN_ORIGIN): Promise<void> {
    const bad = keys.findIndex((k) => !isTmuxKeyName(k));
    if (bad >= 0) throw new ApiError(400, 'invalid_key', `keys.${bad}: "${keys[bad]}" is not ${KEY_NAME_HINT}`, [{ path: ['keys', bad], message: 'not a tmux key name' }]);
    const session = this.writable(key);
    session.lastActivity = Date.now();
    const audited = this.options.auditor?.record(key, `keys: ${keys.join(' ')}`, origin);
    await Promise.all([this.input.writeKeys(session.pane.paneId, keys, session.pane.inMode), audited]);
  }

  /** Sets the pane's size (an explicit request: always applied). */
  async resize(key: string, cols: number, rows: number): Promise<SizeResult> {
    const session = this.liveOrThrow(key);
    const { pane } = session;
    const commands =
      pane.windowPanes > 1
        ? [['resize-pane', '-t', pane.paneId, '-x', String(cols), '-y', String(rows)]]
        : resizeWindowCommands(pane.windowId, cols, rows);
    await this.tmux.control.runList(commands);
    await this.tmux.monitor.refresh();
    const now = this.live.get(key)?.pane ?? pane;
    return { applied: true, cols: now.width, rows: now.height };
  }

  /**
   * A browser viewer's wish. Sizing policy: while a native client is attached
   * to the session, the pane keeps the native size and browsers follow it;
   * otherwise the last browser that asks sets it. Hidden or zero-size tabs
   * never ask (the client sends nothing then) and tiny sizes are refused.
   */
  async requestViewerSize(key: string, cols: number, rows: number): Promise<SizeResult> {
    const { pane } = this.liveOrThrow(key);
    if (this.nativeClients(pane) > 0) {
      return { applied: false, cols: pane.width, rows: pane.height, reason: 'a native tmux client is attached; its size wins' };
    }
    if (pane.dead) return { applied: false, cols: pane.width, rows: pane.height, reason: 'the program has exited' };
    if (pane.width === cols && pane.height === rows) return { applied: true, cols, rows };
    return this.resize(key, cols, rows);
  }

  async close(key: string): Promise<CliSession> {
    const session = this.live.get(key);
    if (!session) {
      if (this.storedMeta(key)) throw sessionClosed(key);
      throw notFound(key);
    }
    const { pane, meta } = session;
    const onlyPane = !meta.adopted || this.tmux.monitor.list().filter((p) => p.sessionId === pane.sessionId).length <= 1;
    try {
      await this.tmux.control.run(onlyPane && !meta.adopted ? killSessionCommand(pane.sessionId) : killPaneCommand(pane.paneId));
    } catch (error) {
      if (!(error instanceof Error && /can't find/.test(error.message))) throw error;
    }
    await this.markClosed(pane);
    void this.tmux.monitor.refresh();
    return this.get(key);
  }

  /**
   * Renames the tmux session the pane is in (for an adopted pane that is the user's
   * tmux session, with all its panes). The name is validated by the caller (SessionName).
   */
  async rename(key: string, name: string): Promise<CliSession> {
    const { pane } = this.liveOrThrow(key);
    if (pane.sessionName === name) return this.get(key);
    if (this.tmux.monitor.list().some((p) => p.sessionName === name && p.sessionId !== pane.sessionId)) {
      throw new ApiError(409, 'name_taken', `a tmux session named "${name}" already exists; choose another name`);
    }
    try {
      await this.tmux.control.run(renameSessionCommand(pane.sessionId, name));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/duplicate session/i.test(message)) throw new ApiError(409, 'name_taken', `a tmux session named "${name}" already exists`);
      throw error;
    }
    await this.tmux.monitor.refresh();
    // The stored name is what a closed session shows; every live session of that tmux session changed.
    for (const session of this.live.values()) {
      if (session.pane.sessionId !== pane.sessionId) continue;
      session.meta = { ...session.meta, name };
      session.pane = { ...session.pane, sessionName: name };
      await this.repo.put(session.meta);
      void this.bus.publish('CLI_SESSION_UPDATED', { sessionKey: session.key, session: this.get(session.key) });
    }
    return this.get(key);
  }

  async snapshot(key: string, historyLines = 0): Promise<Snapshot> {
    const screen = await this.capture(key, historyLines);
    const lines = plainScreen(screen.value).map((l) => l.trimEnd());
    return {
      text: lines.join('\n'),
      cursor: { x: screen.value.modes.cursorX, y: screen.value.modes.cursorY },
      cols: screen.value.modes.cols,
      rows: screen.value.modes.rows,
      offset: screen.offset,
    };
  }

  /** The bytes that redraw the pane for a new viewer, and the stream offset they stand for. */
  async terminalScreen(key: string, historyLines: number): Promise<TerminalScreen> {
    const screen = await this.capture(key, historyLines);
    const stream = this.tmux.streams.get(this.paneOf(key).paneId);
    return {
      bytes: snapshotBytes(screen.value, { bracketedPaste: stream?.bracketedPaste ?? false }),
      offset: screen.offset,
      cols: screen.value.modes.cols,
      rows: screen.value.modes.rows,
      exact: screen.exact,
    };
  }

  private async capture(key: string, historyLines: number) {
    const pane = this.paneOf(key);
    const stream = await this.tmux.streams.ready(pane.paneId);
    const run = () => capturePane(this.tmux.control, pane.paneId, historyLines);
    if (!stream) return { value: await run(), offset: 0, exact: false };
    return stream.cut(run);
  }

  private writable(key: string): LiveSession {
    const session = this.liveOrThrow(key);
    if (session.pane.dead) throw sessionExited(key, exitCodeOf(session.pane));
    return session;
  }

  private liveOrThrow(key: string): LiveSession {
    const session = this.live.get(key);
    if (session) return session;
    if (this.storedMeta(key)) throw sessionClosed(key);
    throw notFound(key);
  }

  /** Session names in use: the last listing and the sessions made since (the listing may lag a create). */
  private sessionNames(): string[] {
    return [...this.tmux.monitor.list().map((p) => p.sessionName), ...[...this.live.values()].map((s) => s.pane.sessionName)];
  }

  private freeName(tool: string): string {
    const taken = new Set(this.sessionNames());
    for (let n = 1; ; n++) if (!taken.has(`${tool}-${n}`)) return `${tool}-${n}`;
  }

  private keyOf(pane: PaneInfo): string {
    if (pane.key) return pane.key;
    // Pane ids repeat across servers: an adopted remote pane's key names its host too.
    const where = this.host === null ? '' : `${this.host.replace(/[^A-Za-z0-9]/g, 'x')}_`;
    return `a_${where}${pane.sessionCreated.toString(36)}_${pane.paneId.slice(1)}`;
  }

  private track(key: string, meta: SessionMeta, pane: PaneInfo): LiveSession {
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

  private onPaneAdded(pane: PaneInfo): void {
    const key = this.keyOf(pane);
    if (this.creating.has(key)) return;
    if (this.abandoned.has(key)) {
      void this.removeOrphan(key, pane);
      return;
    }
    const known = this.live.get(key);
    if (known) {
      // Created here and tracked before the monitor's first listing: compare with what we knew.
      this.onPaneChanged(known.pane, pane);
      return;
    }
    const stored = this.storedMeta(key);
    const meta: SessionMeta = stored && !stored.closedAt ? stored : { ...adoptedMeta(key, pane), host: this.host };
    const session = this.track(key, meta, pane);
    if (!stored && pane.key === '') void this.repo.put(meta).catch(() => undefined);
    if (this.started) {
      void this.bus.publish('CLI_SESSION_CREATED', { sessionKey: key, session: this.view(meta, pane, session.lastActivity) });
    }
  }

  private onPaneChanged(_monitorPrevious: PaneInfo, current: PaneInfo): void {
    const key = this.keyByPane.get(current.paneId);
    const session = key ? this.live.get(key) : undefined;
    if (!key || !session) return;
    // What this hub last knew, which may be newer or older than the monitor's previous listing.
    const previous = session.pane;
    session.pane = current;
    if (previous.width !== current.width || previous.height !== current.height) {
      this.onSignalEmitter.fire({ kind: 'resized', key, cols: current.width, rows: current.height });
    }
    const code = exitCodeOf(current);
    if (current.dead && (!previous.dead || code !== exitCodeOf(previous))) {
      void this.repo.put({ ...session.meta, exitCode: code }).catch(() => undefined);
      this.onSignalEmitter.fire({ kind: 'exited', key, code });
      void this.bus.publish('CLI_SESSION_UPDATED', { sessionKey: key, session: this.get(key) });
      // tmux may fill in the exit status a moment after it marks the pane dead.
      if (code === null) this.recheckSoon(current.paneId);
      return;
    }
    if (DETAIL_FIELDS.some((field) => previous[field] !== current[field])) this.detailAnnouncer.trigger(key);
  }

  private readonly rechecks = new Map<string, number>();

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
  private readonly detailAnnouncer = this.register(
    new KeyedThrottle(1000, (key) => {
      if (this.live.has(key)) void this.bus.publish('CLI_SESSION_UPDATED', { sessionKey: key, session: this.get(key) }, { ephemeral: true });
    }),
  );

  private async onPaneRemoved(pane: PaneInfo): Promise<void> {
    await this.markClosed(pane);
  }

  private async markClosed(pane: PaneInfo): Promise<void> {
    const key = this.keyByPane.get(pane.paneId);
    const session = key ? this.live.get(key) : undefined;
    if (!key || !session) return;
    this.live.delete(key);
    this.keyByPane.delete(pane.paneId);
    const code = pane.dead ? exitCodeOf(pane) : session.meta.exitCode;
    const meta: SessionMeta = { ...session.meta, closedAt: new Date().toISOString(), exitCode: code, lastActivityAt: new Date(session.lastActivity).toISOString() };
    await this.repo.put(meta).catch(() => undefined);
    this.onSignalEmitter.fire({ kind: 'closed', key, code });
    await this.bus.publish('CLI_SESSION_CLOSED', { sessionKey: key, exitCode: code });
  }

}

/** A closed session's last activity: stored when it closed, else its close (older rows). */
function closedActivity(meta: SessionMeta): number {
  const at = Date.parse(meta.lastActivityAt ?? meta.closedAt ?? meta.createdAt);
  return Number.isNaN(at) ? Date.parse(meta.createdAt) : at;
}

function sameName(a: string, b: string): boolean {
  return a.trim().replace(/\s+/g, ' ') === b.trim().replace(/\s+/g, ' ');
}
