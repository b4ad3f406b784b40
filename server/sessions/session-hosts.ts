import { LOCAL_HOST, ruleIssue, type CliSession, type CreateSessionBody, type Snapshot } from '../../schemas/index.ts';
import { Emitter } from '../../base/emitter.ts';
import { Disposable, disposableTimeout, toDisposable, type IDisposable } from '../../base/lifecycle.ts';
import type { PaneInfo } from '../../tmux/panes.ts';
import type { ConnectionStatus, RemoteHostDropped, RemoteTmuxServer } from '../../tmux/remote-server.ts';
import type { PaneStream } from '../../tmux/pane-stream.ts';
import type { SessionEndpoint, StreamState } from '../../tmux/stream-source.ts';
import type { EventBus } from '../events/index.ts';
import { notFound, sessionNotClosed } from './errors.ts';
import type { InputAuditor, InputOrigin } from './input-audit.ts';
import type { SessionMeta, SessionMetaRepository } from './session-meta.ts';
import { SessionHub, type SessionSignal, type SizeResult, type TerminalScreen } from './session-hub.ts';
import { ApiError, errorMessage } from '../../base/errors.ts';
import { RemoteStreamGaps, type StreamGap } from './stream-gaps.ts';

/** A remote host's state as a terminal viewer shows it. */
export interface HostStatusSignal {
  readonly host: string;
  readonly status: ConnectionStatus;
}

interface RemoteEntry {
  readonly hub: SessionHub;
  readonly server: RemoteTmuxServer;
  readonly subscriptions: IDisposable[];
  readonly gaps: RemoteStreamGaps;
  started: boolean;
  retry: IDisposable | undefined;
}

/** A failed first listing of a connected host is tried again this often. */
const START_RETRY_MS = 3000;

export interface SessionHostsOptions {
  readonly runDir: string;
  readonly auditor?: InputAuditor;
  readonly log?: (message: string) => void;
}

/**
 * The CLI sessions of every tmux server the workbench runs on: the bridge's own
 * (always) and each remote host of hosts.yaml that has a live ssh connection.
 * One SessionHub per server; calls by session key go to the hub that holds the
 * key, and a remote host that is not connected answers 503 at once instead of
 * making the caller wait for its connection.
 */
export class SessionHosts extends Disposable {
  private readonly remotes = new Map<string, RemoteEntry>();

  private readonly onSignalEmitter = this.register(new Emitter<SessionSignal>());
  readonly onSignal = this.onSignalEmitter.event;
  private readonly onHostStatusEmitter = this.register(new Emitter<HostStatusSignal>());
  /** A remote host's connection changed (terminals of its sessions say so). */
  readonly onHostStatus = this.onHostStatusEmitter.event;
  private readonly onHostDroppedEmitter = this.register(new Emitter<{ readonly host: string; readonly why: RemoteHostDropped }>());
  /** A remote host's connection was let go (removed from the config, changed, polled): its terminals are told. */
  readonly onHostDropped = this.onHostDroppedEmitter.event;
  private readonly onStreamGapEmitter = this.register(new Emitter<StreamGap & { readonly sessionKey: string | null }>());
  /** A remote pane printed lines while its output was not received (see stream-gaps.ts). */
  readonly onStreamGap = this.onStreamGapEmitter.event;

  constructor(
    readonly local: SessionHub,
    private readonly bus: EventBus,
    private readonly repo: SessionMetaRepository,
    private readonly options: SessionHostsOptions,
  ) {
    super();
    this.register(local.onSignal((signal) => this.onSignalEmitter.fire(signal)));
    this.register(toDisposable(() => [...this.remotes.keys()].forEach((host) => this.dropRemote(host))));
  }

  /** The bridge's own tmux server. */
  get tmux(): SessionEndpoint {
    return this.local.tmux;
  }

  start(): Promise<void> {
    return this.local.start();
  }

  /** A remote host's live connection came up in the agent engine (or went: server null, and why). */
  setRemote(host: string, server: RemoteTmuxServer | null, why: RemoteHostDropped = 'stopped'): void {
    if (this.remotes.has(host) && !server) this.onHostDroppedEmitter.fire({ host, why });
    this.dropRemote(host);
    if (!server || this.isDisposed) return;
    const hub = new SessionHub(server, this.bus, this.repo, { runDir: this.options.runDir, auditor: this.options.auditor, host });
    const entry: RemoteEntry = { hub, server, subscriptions: [], gaps: new RemoteStreamGaps(host, server, this.options.log), started: false, retry: undefined };
    this.remotes.set(host, entry);
    entry.subscriptions.push(
      entry.gaps.onGap((gap) => {
        const event = { ...gap, sessionKey: hub.keyOfPane(gap.paneId) };
        this.onStreamGapEmitter.fire(event);
        void this.bus.publish('STREAM_GAP', event).catch(() => undefined);
      }),
    );
    entry.subscriptions.push(hub.onSignal((signal) => this.onSignalEmitter.fire(signal)));
    entry.subscriptions.push(
      server.onStatus((status) => {
        this.onHostStatusEmitter.fire({ host, status });
        if (status.state === 'connected') this.startRemote(host, entry);
      }),
    );
    if (server.status.state === 'connected') this.startRemote(host, entry);
  }

  /** Adopts what the host runs once it answers; until then its sessions are not listed. */
  private startRemote(host: string, entry: RemoteEntry): void {
    if (entry.started || entry.retry || this.remotes.get(host) !== entry) return;
    entry.started = true;
    entry.hub.start().catch((error: unknown) => {
      entry.started = false;
      if (this.remotes.get(host) !== entry) return;
      this.options.log?.(`sessions on host ${host}: cannot list its panes yet (${errorMessage(error)}); trying again`);
      entry.retry = disposableTimeout(() => {
        entry.retry = undefined;
        if (entry.server.status.state === 'connected') this.startRemote(host, entry);
      }, START_RETRY_MS);
    });
  }

  private dropRemote(host: string): void {
    const entry = this.remotes.get(host);
    if (!entry) return;
    this.remotes.delete(host);
    entry.retry?.dispose();
    for (const subscription of entry.subscriptions) subscription.dispose();
    entry.gaps.dispose();
    entry.hub.dispose();
  }

  /** Remote hosts sessions can be created on, with their connection. */
  remoteHosts(): { host: string; status: ConnectionStatus }[] {
    return [...this.remotes].map(([host, entry]) => ({ host, status: entry.server.status }));
  }

  /** The connection of a remote host; null for the bridge's own server or an unknown host. */
  hostStatus(host: string | null): ConnectionStatus | null {
    return host === null ? null : (this.remotes.get(host)?.server.status ?? null);
  }

  /** Every session; `host`: only those of one host (`local` = the bridge's own). */
  list(filter: { host?: string } = {}): CliSession[] {
    if (filter.host !== undefined) {
      if (filter.host === LOCAL_HOST) return this.local.list();
      const entry = this.remotes.get(filter.host);
      return entry?.started ? entry.hub.list() : [];
    }
    const all = [...this.local.list()];
    for (const entry of this.remotes.values()) if (entry.started) all.push(...entry.hub.list());
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.sessionKey.localeCompare(b.sessionKey));
  }

  /** The host a session runs on (null = the bridge's own server). */
  hostOf(key: string): string | null {
    return this.hubFor(key).host;
  }

  /** The tmux server a session runs on (for its stream and its captures). */
  endpointOf(key: string): SessionEndpoint {
    return this.hubFor(key).tmux;
  }

  get(key: string): CliSession {
    return this.hubFor(key).get(key);
  }

  paneOf(key: string): PaneInfo {
    return this.hubFor(key).paneOf(key);
  }

  launchShell(key: string): string | null {
    return this.hubFor(key).launchShell(key);
  }

  has(key: string): boolean {
    if (this.local.has(key)) return true;
    for (const entry of this.remotes.values()) if (entry.hub.has(key)) return true;
    return false;
  }

  async persistActivity(): Promise<void> {
    await Promise.all([this.local, ...[...this.remotes.values()].map((e) => e.hub)].map((hub) => hub.persistActivity()));
  }

  /** Panes of the bridge's own server (the agent engine's bridge host). */
  keyOfPane(paneId: string): string | null {
    return this.local.keyOfPane(paneId);
  }

  /** The session showing a pane of a remote host, if any. */
  keyOfRemotePane(host: string, paneId: string): string | null {
    return this.remotes.get(host)?.hub.keyOfPane(paneId) ?? null;
  }

  writeToPane(paneId: string, bytes: Uint8Array, origin: InputOrigin): Promise<void> {
    return this.local.writeToPane(paneId, bytes, origin);
  }

  /** Input to a pane of a remote host (the agent engine's actions), through that host's queue and audit. */
  writeToRemotePane(host: string, paneId: string, bytes: Uint8Array, origin: InputOrigin): Promise<void> {
    const entry = this.remotes.get(host);
    if (!entry) return Promise.reject(new ApiError(503, 'host_unavailable', `host "${host}" has no live connection`));
    return entry.hub.writeToPane(paneId, bytes, origin);
  }

  async create(body: CreateSessionBody): Promise<CliSession> {
    const host = body.host ?? null;
    if (host === null || host === LOCAL_HOST) return this.local.create({ ...body, host: undefined });
    const entry = this.remotes.get(host);
    if (!entry) {
      const known = [...this.remotes.keys()];
      const why = `host "${host}" is not a remote host with a live connection in hosts.yaml${known.length ? ` (these are: ${known.join(', ')})` : ' (none is configured)'}`;
      throw new ApiError(400, 'unknown_host', why, [
        ruleIssue('host_not_connected', ['host'], why, { host }),
      ]);
    }
    this.requireConnected(host, entry);
    return entry.hub.create(body);
  }

  write(key: string, bytes: Uint8Array, origin?: InputOrigin): Promise<void> {
    return this.connectedHub(key).write(key, bytes, origin);
  }

  send(key: string, text: string, appendNewline = true, origin?: InputOrigin): Promise<void> {
    return this.connectedHub(key).send(key, text, appendNewline, origin);
  }

  keys(key: string, keys: readonly string[], origin?: InputOrigin): Promise<void> {
    return this.connectedHub(key).keys(key, keys, origin);
  }

  resize(key: string, cols: number, rows: number): Promise<SizeResult> {
    return this.connectedHub(key).resize(key, cols, rows);
  }

  requestViewerSize(key: string, cols: number, rows: number): Promise<SizeResult> {
    return this.connectedHub(key).requestViewerSize(key, cols, rows);
  }

  close(key: string): Promise<CliSession> {
    return this.connectedHub(key).close(key);
  }

  rename(key: string, name: string): Promise<CliSession> {
    return this.connectedHub(key).rename(key, name);
  }

  /**
   * Removes the record of a closed session, on any host: a closed session has no
   * pane, so no tmux is asked and its remote host may be away. One that tmux still
   * has (running, or exited and readable) is a 409: it is closed first.
   */
  async remove(key: string): Promise<void> {
    const live = this.liveHub(key);
    if (live) throw sessionNotClosed(key, live.get(key).status);
    const meta = this.repo.get(key);
    if (!meta) throw notFound(key);
    if (meta.closedAt === null) {
      // Not closed when last seen, and not live here: its host is away (a 503) or not listed yet.
      this.hubFor(key);
      throw sessionNotClosed(key, meta.exitCode === null ? 'running' : 'exited');
    }
    const removed = await this.repo.removeClosed([key]);
    // Removed meanwhile by another call: it is gone all the same, as a second DELETE says.
    if (removed.length === 0) throw notFound(key);
    await this.announceRemoved(removed);
  }

  /**
   * Removes the records of every closed session (`host`: only those of one host,
   * `local` = the bridge's own), whether or not their host is connected now.
   * Resolves with how many were removed.
   */
  async clearClosed(host?: string): Promise<number> {
    const only = host === undefined ? undefined : host === LOCAL_HOST ? null : host;
    const keys = this.repo
      .list()
      .filter((m) => m.closedAt !== null && (only === undefined || (m.host ?? null) === only) && !this.liveHub(m.sessionKey))
      .map((m) => m.sessionKey);
    if (keys.length === 0) return 0;
    const removed = await this.repo.removeClosed(keys);
    await this.announceRemoved(removed);
    return removed.length;
  }

  /** Every open page drops the rows; the issues they belonged to list them no more. */
  private async announceRemoved(removed: readonly SessionMeta[]): Promise<void> {
    if (removed.length === 0) return;
    const issueIds = [...new Set(removed.flatMap((m) => (m.issueId ? [m.issueId] : [])))];
    await this.bus.publish('CLI_SESSION_REMOVED', { sessionKeys: removed.map((m) => m.sessionKey), issueIds });
  }

  /** The hub whose tmux has the session's pane now, if any. */
  private liveHub(key: string): SessionHub | undefined {
    if (this.local.isLive(key)) return this.local;
    for (const entry of this.remotes.values()) if (entry.hub.isLive(key)) return entry.hub;
    return undefined;
  }

  snapshot(key: string, historyLines = 0): Promise<Snapshot> {
    return this.connectedHub(key).snapshot(key, historyLines);
  }

  terminalScreen(key: string, historyLines: number): Promise<TerminalScreen> {
    return this.connectedHub(key).terminalScreen(key, historyLines);
  }

  /** The session's live output once it is received, from whichever server it runs on. */
  outputStream(key: string): Promise<PaneStream | undefined> {
    return this.hubFor(key).outputStream(key);
  }

  streamState(key: string): StreamState | undefined {
    return this.hubFor(key).streamState(key);
  }

  private hubFor(key: string): SessionHub {
    if (this.local.owns(key)) return this.local;
    for (const entry of this.remotes.values()) if (entry.hub.owns(key)) return entry.hub;
    const stored = this.repo.get(key);
    if (stored?.host) {
      throw new ApiError(503, 'host_unavailable', `session "${key}" is on host "${stored.host}", which has no live connection now (not in hosts.yaml, or polled)`);
    }
    throw notFound(key);
  }

  /** A hub whose tmux answers now: a remote host that is down is a 503 at once, not a wait. */
  private connectedHub(key: string): SessionHub {
    const hub = this.hubFor(key);
    if (hub.host !== null) this.requireConnected(hub.host, this.remotes.get(hub.host)!);
    return hub;
  }

  private requireConnected(host: string, entry: RemoteEntry): void {
    const { status } = entry.server;
    if (status.state === 'connected') return;
    throw new ApiError(503, 'host_unavailable', `host "${host}" is ${status.state.replace('_', ' ')}${status.reason ? `: ${status.reason}` : ''}; try again once it is connected`);
  }

}
