/**
 * Host watchers: which panes of a host are watched, and where their lines come from.
 *
 * - The bridge's own tmux server (a local host whose socket is the bridge's): its
 *   PaneMonitor and PaneStreams, shared with the terminals.
 * - Another local socket (`default`, say): a TmuxServer of its own, same mechanism;
 *   its pipes are taken down again when the watcher stops.
 * - A pane whose output is piped elsewhere already (a foreign pipe-pane) is polled
 *   with captures over the control client instead.
 * Remote hosts are in ssh-host.ts.
 */
import { TmuxAddress } from '../../../tmux/address.ts';
import { Disposable, disposableInterval, type IDisposable } from '../../../base/lifecycle.ts';
import { hexWords, type TmuxCommand } from '../../../tmux/command.ts';
import { execTmux } from '../../../tmux/exec.ts';
import { leaveModeCommand, sendBytesCommands } from '../../../tmux/keys.ts';
import type { PaneInfo } from '../../../tmux/panes.ts';
import type { RemoteTmuxServer } from '../../../tmux/remote-server.ts';
import { TmuxServer } from '../../../tmux/server.ts';
import type { TmuxEndpoint } from '../../../tmux/stream-source.ts';
import type { HostConnectionView } from '../../../schemas/agent-config-view.ts';
import type { CompiledHost } from '../config/types.ts';
import { hostWatchesPane } from '../policy/match.ts';
import { lineCaptureCommands, parseLineCapture } from './anchor.ts';
import { CaptureDiff } from './capture-diff.ts';
import { PaneRuntime } from './runtime.ts';
import { StreamPaneFeed } from './stream-feed.ts';
import type { EngineContext, PaneHost, WatchedPaneInfo } from './types.ts';
import type { PaneProgress } from '../../../schemas/agent.ts';
import { errorMessage } from '../../../base/errors.ts';
import { hostReasonText } from '../../../schemas/host-reason.ts';

/** Up to this many bytes an action is one `send-keys -H` command; longer text goes in pieces on one command line. */
export const ONE_COMMAND_BYTES = 256;

/**
 * tmuxagent split the text at spaces into `send-keys` arguments and added `C-m`, so
 * words that are key names (Enter, Space, C-c) were pressed as keys and the spaces
 * between words were lost. We type the text byte for byte (`-H`) and then Enter (CR).
 */
export function typeTextCommands(paneId: string, text: string, enter: boolean, inMode: boolean): TmuxCommand[] {
  const bytes = Buffer.from(enter ? `${text}\r` : text, 'utf8');
  const prefix: TmuxCommand[] = inMode ? [leaveModeCommand(paneId)] : [];
  if (bytes.length <= ONE_COMMAND_BYTES) return [...prefix, ['send-keys', '-t', paneId, '-H', '--', ...hexWords(bytes)]];
  return [...prefix, ...sendBytesCommands(paneId, bytes)];
}

export type HostKind = 'bridge' | 'local' | 'ssh';

export interface HostWatcher extends IDisposable {
  readonly name: string;
  readonly kind: HostKind;
  readonly config: CompiledHost;
  /** Why the host cannot be watched right now (connection, listing), else null. */
  readonly error: string | null;
  /** A remote host's connection and how its output is read; null for local hosts. */
  readonly connection: HostConnectionView | null;
  runtimes(): PaneRuntime[];
  runtime(paneId: string): PaneRuntime | undefined;
  start(): Promise<void>;
  /** The policy changed: pipelines are matched again on every pane. */
  refreshPipelines(): void;
  /** Stops watching; progress is written first. */
  close(): Promise<void>;
}

export function paneFacts(pane: PaneInfo): WatchedPaneInfo {
  return { paneId: pane.paneId, sessionName: pane.sessionName, windowName: pane.windowName, paneTitle: pane.title, dead: pane.dead, serverId: pane.serverId };
}

/** What a watcher keeps per watched pane: at least its runtime. */
interface WatchedEntry {
  readonly runtime: PaneRuntime;
}

/** What every host watcher shares: its config, its last error and its watched panes by id. */
export abstract class HostWatcherBase<E extends WatchedEntry> extends Disposable {
  readonly name: string;
  protected readonly entries = new Map<string, E>();
  protected lastError: string | null = null;

  constructor(private readonly host: CompiledHost) {
    super();
    this.name = host.name;
  }

  get config(): CompiledHost {
    return this.host;
  }

  get error(): string | null {
    return this.lastError;
  }

  runtimes(): PaneRuntime[] {
    return [...this.entries.values()].map((entry) => entry.runtime);
  }

  runtime(paneId: string): PaneRuntime | undefined {
    return this.entries.get(paneId)?.runtime;
  }

  refreshPipelines(): void {
    for (const entry of this.entries.values()) entry.runtime.refreshPipelines();
  }

  /** Writes the progress of these panes, then lets their runtimes go. */
  protected async retire(entries: readonly E[]): Promise<void> {
    await Promise.all(entries.map((entry) => entry.runtime.flush().catch(() => undefined)));
    for (const entry of entries) entry.runtime.dispose();
  }
}

interface Entry {
  readonly runtime: PaneRuntime;
  feed: IDisposable | undefined;
}

export interface LocalHostOptions {
  readonly ctx: EngineContext;
  readonly host: CompiledHost;
  /** The bridge's server, or undefined to start one on `host.tmux.socket`. */
  readonly bridgeServer?: TmuxServer;
  /** How to type into the bridge server's panes, or a remote host's (the workbench's input path). */
  readonly bridgeInput?: (paneId: string, text: string, options: { enter: boolean }) => Promise<void>;
  /** A remote host's live connection (then `kind` is `ssh`). */
  readonly remote?: RemoteTmuxServer;
  readonly runDir: string;
  readonly tmuxBin: string;
  readonly pollMs: number;
  /** A watched pane went away (closed): its pending approvals can be withdrawn. */
  readonly onPaneGone: (host: string, paneId: string) => void;
}

/**
 * Watches the panes of one tmux server from its live streams: the bridge's own, a
 * server on another local socket, or a remote one over its ssh connection.
 */
export class LocalHostWatcher extends HostWatcherBase<Entry> implements HostWatcher, PaneHost {
  readonly kind: HostKind;
  private server: TmuxEndpoint | undefined;
  private ownServer: TmuxServer | undefined;
  private readonly openedAt = new Map<string, number>();
  private retry: IDisposable | undefined;

  constructor(private readonly options: LocalHostOptions) {
    super(options.host);
    this.kind = options.remote ? 'ssh' : options.bridgeServer ? 'bridge' : 'local';
    this.server = options.bridgeServer ?? options.remote;
  }

  get ssh() {
    return this.options.remote ? this.options.host.ssh : null;
  }

  override get error(): string | null {
    const remote = this.options.remote;
    if (remote) return remote.status.state === 'connected' ? null : remote.status.reason ?? (remote.status.state === 'connecting' ? hostReasonText.connecting() : null);
    return this.lastError;
  }

  get connection(): HostConnectionView | null {
    const remote = this.options.remote;
    if (!remote) return null;
    return { ...remote.status, mode: 'stream' };
  }

  async start(): Promise<void> {
    const remote = this.options.remote;
    if (remote) {
      // Lost output is caught up from each pane's history after the connection is back.
      this.register(remote.streams.onInterrupted((paneId) => this.interrupt(paneId)));
      this.register(remote.streams.onResumed((paneId) => void this.resume(paneId)));
    }
    if (!this.server) {
      const started = await this.startOwnServer();
      if (!started) return;
    }
    const server = this.server!;
    const { monitor } = server;
    // Streams opened from now on start at their pane's first piped byte (see StreamPaneFeed).
    this.register(server.streams.onStreamOpened((stream) => this.openedAt.set(stream.paneId, stream.offset)));
    this.register(server.streams.onStreamClosed((paneId) => this.openedAt.delete(paneId)));
    this.register(monitor.onPaneAdded((pane) => this.consider(pane)));
    this.register(monitor.onPaneChanged(({ current }) => this.consider(current)));
    this.register(
      monitor.onPaneRemoved((pane) => {
        // Removed but listed: the id is another pane's now (tmux restarted), added right after.
        const now = monitor.get(pane.paneId);
        void this.drop(pane.paneId, true, now !== undefined && now.serverId !== pane.serverId);
      }),
    );
    await monitor.refresh();
    for (const pane of monitor.list()) this.consider(pane);
  }

  /**
   * A server on another local socket. tmuxagent only read from servers that ran; so
   * do we: no server yet → check again every few seconds (and say so in the config view).
   */
  private async startOwnServer(): Promise<boolean> {
    const { host, tmuxBin, runDir } = this.options;
    const address = { socketName: host.tmux.socket, binary: tmuxBin };
    try {
      await execTmux(new TmuxAddress(address), ['list-sessions', '-F', '#{session_id}'], 5000);
      const server = await TmuxServer.start({ ...address, runDir });
      if (this.isDisposed) {
        server.dispose();
        return false;
      }
      this.server = server;
      this.ownServer = server;
      this.lastError = null;
      return true;
    } catch (error) {
      this.lastError = `tmux server "${host.tmux.socket}" is not reachable: ${errorMessage(error).split('\n')[0]}; checking again every 5 s`;
      if (!this.isDisposed) {
        this.retry ??= this.register(
          disposableInterval(() => {
            if (this.server || this.isDisposed) return;
            void this.start().then(() => {
              if (this.server) this.retry?.dispose();
            });
          }, 5000),
        );
      }
      return false;
    }
  }

  private consider(pane: PaneInfo): void {
    if (this.isDisposed) return;
    const facts = paneFacts(pane);
    const watched = hostWatchesPane(this.options.host, facts);
    const entry = this.entries.get(pane.paneId);
    if (!watched) {
      if (entry) void this.drop(pane.paneId, false);
      return;
    }
    if (entry) {
      entry.runtime.update(facts);
      return;
    }
    const runtime = new PaneRuntime(this.options.ctx, this, facts, 'starting');
    const created: Entry = { runtime, feed: undefined };
    this.entries.set(pane.paneId, created);
    // A remote pane whose output is not received right now starts once it is (resume()).
    if (this.options.remote && !this.options.remote.streams.isLive(pane.paneId)) return;
    this.follow(created, this.openedAt.get(pane.paneId), undefined);
  }

  private follow(created: Entry, openedAt: number | undefined, resume: PaneProgress | undefined): void {
    const runtime = created.runtime;
    const paneId = runtime.paneId;
    const pane = { paneId };
    const feed = new StreamPaneFeed(this.server!, runtime, {
      captureLines: this.options.host.tmux.captureLines,
      log: (m) => this.options.ctx.log(m),
      openedAt,
      resume,
    });
    created.feed = feed;
    feed.start().then(
      (result) => {
        if (result === 'streaming') runtime.mode = 'watching';
        if (result === 'no-stream' && this.entries.get(pane.paneId) === created) {
          feed.dispose();
          created.feed = this.pollPane(runtime);
        }
      },
      (error: unknown) => {
        // A pane that closed while its watcher started is not worth a message.
        if (!feed.isDisposed) this.options.ctx.log(`agent: cannot watch pane ${pane.paneId} on ${this.name}: ${errorMessage(error)}`);
      },
    );
  }

  /** A remote pane's output stopped arriving (connection lost): stop reading it. */
  private interrupt(paneId: string): void {
    const entry = this.entries.get(paneId);
    if (!entry) return;
    entry.feed?.dispose();
    entry.feed = undefined;
    entry.runtime.mode = 'starting';
  }

  /**
   * Its output arrives again: once the lines in flight are evaluated, a new feed
   * reads what the pane printed meanwhile from its history (after the anchor of the
   * last evaluated line, so nothing is evaluated twice) and follows the stream.
   */
  private async resume(paneId: string): Promise<void> {
    const entry = this.entries.get(paneId);
    if (!entry || entry.feed || this.isDisposed) {
      // Not watched yet: consider() starts it now that the stream is live.
      if (!entry) {
        const pane = this.server?.monitor.get(paneId);
        if (pane) this.consider(pane);
      }
      return;
    }
    const marker: IDisposable = { dispose: () => undefined };
    entry.feed = marker;
    await entry.runtime.flush().catch(() => undefined);
    if (this.entries.get(paneId) !== entry || entry.feed !== marker) return;
    const progress = entry.runtime.progress;
    this.follow(entry, undefined, progress.count > 0 || progress.anchor.length > 0 ? { count: progress.count, anchor: [...progress.anchor] } : undefined);
  }

  /** Captures every poll interval, for a pane whose output cannot be streamed. */
  private pollPane(runtime: PaneRuntime): IDisposable {
    runtime.mode = 'polling';
    const diff = new CaptureDiff(runtime.stored, this.options.host.tmux.captureLines);
    let busy = false;
    return disposableInterval(() => {
      if (busy || this.isDisposed) return;
      busy = true;
      this.server!.control.runList(lineCaptureCommands(runtime.paneId, this.options.host.tmux.captureLines))
        .then((results) => runtime.feed(diff.next(parseLineCapture(results)).lines))
        .catch(() => undefined) // gone or busy: the monitor tells, the next poll retries
        .finally(() => (busy = false));
    }, this.options.pollMs);
  }

  private async drop(paneId: string, gone: boolean, replaced = false): Promise<void> {
    const entry = this.entries.get(paneId);
    if (!entry) return;
    this.entries.delete(paneId);
    entry.feed?.dispose();
    if (replaced) {
      // Its approvals are withdrawn now, before the new pane with this id can ask for any.
      entry.runtime.abandon();
      this.options.onPaneGone(this.name, paneId);
      await this.retire([entry]);
      return;
    }
    await this.retire([entry]);
    if (gone) this.options.onPaneGone(this.name, paneId);
  }

  async sendKeys(paneId: string, text: string, options: { enter: boolean }): Promise<void> {
    if (this.options.bridgeInput) return this.options.bridgeInput(paneId, text, options);
    const server = this.server;
    if (!server) throw new Error(`tmux server "${this.options.host.tmux.socket}" is not connected`);
    const inMode = server.monitor.get(paneId)?.inMode ?? false;
    await server.control.runList(typeTextCommands(paneId, text, options.enter, inMode));
  }

  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) entry.feed?.dispose();
    await this.retire(entries);
    this.dispose();
    this.options.remote?.dispose();
    const own = this.ownServer;
    if (own) {
      // Our pipes on somebody else's server.
      await own.streams.disarmAll();
      own.dispose();
    }
  }
}
