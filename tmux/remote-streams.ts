import { Disposable, disposableTimeout, toDisposable, type IDisposable } from '../base/lifecycle.ts';
import { Emitter } from '../base/emitter.ts';
import type { TmuxAddress } from './address.ts';
import { ControlClient, type ControlClientOptions } from './control-client.ts';
import type { PaneMonitor } from './pane-monitor.ts';
import { PaneStream } from './pane-stream.ts';
import type { PaneInfo } from './panes.ts';
import type { PaneStreamSource, StreamState } from './stream-source.ts';

export interface RemotePaneStreamsOptions {
  readonly address: TmuxAddress;
  /** Runs a tmux client over the host's connection (an ssh channel of the master). */
  readonly launch: NonNullable<ControlClientOptions['launch']>;
  readonly ringBytes: number;
  readonly commandTimeoutMs?: number;
}

interface Entry {
  readonly stream: PaneStream;
  sessionId: string;
  state: StreamState;
}

interface SessionClient {
  readonly client: ControlClient;
  readonly ready: Promise<void>;
  up: boolean;
}

/** How long to wait before attaching again to a session whose client went away. */
const RETRY_MS = 1000;

/**
 * Pane output of a remote tmux server from `%output` of control clients.
 *
 * tmux sends a control client the output of the panes of its own session only, so
 * there is one client per session that has watched panes, each attached with
 * `-f ignore-size` (it never changes a window's size), each an ssh channel of the
 * host's one connection. Bytes land in the same PaneStream (offsets, ring buffer,
 * cut for late-attach screens) as pipe-pane output of local panes. While the
 * connection is down the streams stay (offsets continue) and receive nothing;
 * `onResumed` tells when they receive again, so readers can account for the gap.
 */
export class RemotePaneStreams extends Disposable implements PaneStreamSource {
  private readonly entries = new Map<string, Entry>();
  private readonly clients = new Map<string, SessionClient>();
  private readonly retries = new Map<string, IDisposable>();
  private connected = false;

  private readonly onOpenedEmitter = this.register(new Emitter<PaneStream>());
  readonly onStreamOpened = this.onOpenedEmitter.event;
  private readonly onClosedEmitter = this.register(new Emitter<string>());
  readonly onStreamClosed = this.onClosedEmitter.event;
  private readonly onResumedEmitter = this.register(new Emitter<string>());
  /** A pane's stream receives again after its session client was (re)attached. */
  readonly onResumed = this.onResumedEmitter.event;
  private readonly onInterruptedEmitter = this.register(new Emitter<string>());
  /** A pane's stream stopped receiving (connection or session client lost). */
  readonly onInterrupted = this.onInterruptedEmitter.event;

  constructor(
    private readonly monitor: PaneMonitor,
    private readonly options: RemotePaneStreamsOptions,
  ) {
    super();
    this.register(monitor.onPaneAdded((pane) => this.open(pane)));
    this.register(monitor.onPaneRemoved((pane) => this.close(pane.paneId)));
    this.register(
      monitor.onPaneChanged(({ previous, current }) => {
        const entry = this.entries.get(current.paneId);
        if (!entry) return;
        if (current.dead) entry.state = 'dead';
        if (previous.sessionId !== current.sessionId) {
          entry.sessionId = current.sessionId;
          this.ensureClient(current.sessionId);
          this.dropUnusedClients();
        }
      }),
    );
    this.register(toDisposable(() => this.closeAll()));
  }

  /** The host's connection is up: attach to every session with panes. */
  setConnected(connected: boolean): void {
    if (this.connected === connected || this.isDisposed) return;
    this.connected = connected;
    if (connected) {
      for (const sessionId of new Set([...this.entries.values()].map((e) => e.sessionId))) this.ensureClient(sessionId);
      return;
    }
    // Their channels die with the connection; new ones are attached when it is back.
    for (const sessionId of [...this.clients.keys()]) this.dropClient(sessionId);
  }

  get(paneId: string): PaneStream | undefined {
    return this.entries.get(paneId)?.stream;
  }

  state(paneId: string): StreamState | undefined {
    return this.entries.get(paneId)?.state;
  }

  /** Whether the pane's output is being received right now. */
  isLive(paneId: string): boolean {
    const entry = this.entries.get(paneId);
    return entry !== undefined && this.clients.get(entry.sessionId)?.up === true;
  }

  /** Clients of ours attached to a session (its output client): not a person's. */
  ownClients(sessionId: string): number {
    return this.clients.has(sessionId) ? 1 : 0;
  }

  async ready(paneId: string): Promise<PaneStream | undefined> {
    const entry = this.entries.get(paneId);
    if (!entry) return undefined;
    await this.clients.get(entry.sessionId)?.ready.catch(() => undefined);
    return entry.stream;
  }

  open(pane: PaneInfo): PaneStream {
    let entry = this.entries.get(pane.paneId);
    if (!entry) {
      const stream = new PaneStream({ paneId: pane.paneId, ringBytes: this.options.ringBytes });
      entry = { stream, sessionId: pane.sessionId, state: pane.dead ? 'dead' : 'failed' };
      this.entries.set(pane.paneId, entry);
      this.onOpenedEmitter.fire(stream);
    }
    const client = this.clients.get(pane.sessionId);
    if (client?.up && !pane.dead) entry.state = 'streaming';
    this.ensureClient(pane.sessionId);
    return entry.stream;
  }

  close(paneId: string): void {
    const entry = this.entries.get(paneId);
    if (!entry) return;
    this.entries.delete(paneId);
    entry.stream.dispose();
    this.onClosedEmitter.fire(paneId);
    this.dropUnusedClients();
  }

  private ensureClient(sessionId: string): void {
    if (!this.connected || this.isDisposed || this.clients.has(sessionId)) return;
    this.retries.get(sessionId)?.dispose();
    this.retries.delete(sessionId);
    const client = new ControlClient({
      address: this.options.address,
      holderSession: '',
      // Output of every pane in the session; never resizes anything.
      clientArgs: ['-C', 'attach-session', '-t', sessionId, '-f', 'ignore-size'],
      launch: this.options.launch,
      reconnect: false,
      timeoutMs: this.options.commandTimeoutMs,
    });
    const record: SessionClient = {
      client,
      up: false,
      ready: client.start().then(() => {
        if (this.clients.get(sessionId) !== record) return;
        record.up = true;
        for (const [paneId, entry] of this.entries) {
          if (entry.sessionId !== sessionId) continue;
          if (entry.state !== 'dead') entry.state = 'streaming';
          this.onResumedEmitter.fire(paneId);
        }
      }),
    };
    record.ready.catch(() => undefined);
    this.clients.set(sessionId, record);
    client.onNotification((n) => {
      if (n.data === undefined) return;
      const entry = this.entries.get(n.args[0] ?? '');
      // A window linked into two sessions reaches both clients: only its session's client counts.
      if (entry && entry.sessionId === sessionId) entry.stream.append(n.data);
    });
    client.onDisconnect(() => {
      if (this.clients.get(sessionId) !== record) return;
      this.dropClient(sessionId);
      // The session may still exist (a network hiccup on this channel only): try again.
      if (this.connected && this.hasEntries(sessionId) && !this.isDisposed) {
        this.retries.set(
          sessionId,
          disposableTimeout(() => {
            this.retries.delete(sessionId);
            if (this.hasEntries(sessionId)) this.ensureClient(sessionId);
          }, RETRY_MS),
        );
      }
    });
  }

  private hasEntries(sessionId: string): boolean {
    for (const entry of this.entries.values()) if (entry.sessionId === sessionId) return true;
    return false;
  }

  private dropClient(sessionId: string): void {
    const record = this.clients.get(sessionId);
    if (!record) return;
    this.clients.delete(sessionId);
    const wasUp = record.up;
    record.up = false;
    record.client.dispose();
    for (const [paneId, entry] of this.entries) {
      if (entry.sessionId !== sessionId) continue;
      if (entry.state === 'streaming') entry.state = 'failed';
      if (wasUp) this.onInterruptedEmitter.fire(paneId);
    }
  }

  private dropUnusedClients(): void {
    for (const sessionId of [...this.clients.keys()]) if (!this.hasEntries(sessionId)) this.dropClient(sessionId);
    for (const [sessionId, retry] of [...this.retries]) {
      if (this.hasEntries(sessionId)) continue;
      retry.dispose();
      this.retries.delete(sessionId);
    }
  }

  private closeAll(): void {
    this.connected = false;
    for (const retry of this.retries.values()) retry.dispose();
    this.retries.clear();
    for (const sessionId of [...this.clients.keys()]) this.dropClient(sessionId);
    for (const paneId of [...this.entries.keys()]) this.close(paneId);
  }
}
