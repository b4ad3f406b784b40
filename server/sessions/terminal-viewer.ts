import { CLOSE_SESSION_GONE, hostReasonText, terminalCloseText, terminalErrorText, type ClientTerminalMessage, type HelloMessage, type ServerTerminalMessage, type TerminalMode } from '../../schemas/index.ts';
import { Disposable, disposableInterval, disposableTimeout, type IDisposable } from '../../base/lifecycle.ts';
import type { PaneStream, StreamChunk } from '../../tmux/pane-stream.ts';
import type { ConnectionState } from '../../tmux/remote-server.ts';
import type { SessionHosts } from './session-hosts.ts';
import { errorMessage } from '../../base/errors.ts';
import { terminalError } from './terminal-error.ts';

/** What a viewer needs from its WebSocket (an interface so it can be tested without one). */
export interface ViewerSocket {
  sendJson(message: ServerTerminalMessage): void;
  sendBinary(data: Buffer): void;
  readonly bufferedAmount: number;
  close(code: number, reason: string): void;
}

export interface ViewerOptions {
  readonly mode: TerminalMode;
  readonly since?: number;
  readonly streamId?: string;
  readonly historyLines: number;
  /** false: the client never acks; only the socket's own buffer limits sending. */
  readonly acks: boolean;
  /** Who is typing (peer address and user agent), for the audit log. */
  readonly client: string | null;
}

/**
 * The part of SessionHosts a viewer uses: a session's state,
 * its output stream and screen, its input and size, and how it and its host
 * change. Nothing of tmux itself.
 */
export type ViewedSessions = Pick<
  SessionHosts,
  | 'onSignal'
  | 'onHostStatus'
  | 'onHostDropped'
  | 'onStreamGap'
  | 'get'
  | 'hostOf'
  | 'hostStatus'
  | 'outputStream'
  | 'streamState'
  | 'terminalScreen'
  | 'write'
  | 'requestViewerSize'
>;

/** Flow-control watermarks (docs/api.md "Terminal WebSocket": xterm.js slows down above ~500 kB pending). */
export const HIGH_WATER = 512 * 1024;
export const LOW_WATER = 128 * 1024;
export const SOCKET_HIGH_WATER = 1024 * 1024;
const SOCKET_LOW_WATER = 256 * 1024;

/**
 * Bulk output is sent in batches: a chunk of at least BATCH_MIN_CHUNK bytes
 * that arrives within BATCH_MS of the previous send waits (in the ring) and
 * goes out with everything after it, BATCH_MS after that send. Each WebSocket
 * send is a syscall that also runs the receiver's TCP path; during `cat` of a
 * big file the FIFO yields ~5 KB per read, and sending each read on its own
 * cost the server more CPU than everything else it does for that output.
 * Keystroke echoes and other small or spaced-out output still go at once.
 */
const BATCH_MS = 2;
const BATCH_MIN_CHUNK = 1024;

/** A viewer that fell out of the ring gets a fresh screen at most this often. */
const CATCH_UP_INTERVAL_MS = 1000;

/** WebSocket close codes besides CLOSE_SESSION_GONE (schemas/terminal-view.ts, which the client reads). */
/** The session's host is no longer connected by this server (removed from hosts.yaml, or polled): do not reconnect. */
export const CLOSE_HOST_DROPPED = 4410;
/** The session's host connection is being made anew (its settings changed): reconnect. */
export const CLOSE_HOST_RECONNECT = 4503;

type State = 'starting' | 'live' | 'paused' | 'refreshing' | 'closed';

/**
 * One browser (or script) watching one pane: hello, screen, then the live
 * stream with acks. A viewer that falls behind is paused — the ring buffer
 * holds what it missed — and gets a fresh screen if it fell out of the ring,
 * so a slow client never grows server memory and never slows anybody else.
 */
export class TerminalViewer extends Disposable {
  private state: State = 'starting';
  private stream: PaneStream | undefined;
  private sentOffset = 0;
  private ackedOffset = 0;
  private helloOffset = 0;
  private snapshotUnacked = 0;
  private pausedTimer: IDisposable | undefined;
  private lastCatchUpAt = Number.NEGATIVE_INFINITY;
  /** Set while bulk output waits for its batch to go out (see BATCH_MS). */
  private batchTimer: IDisposable | undefined;
  private lastSendAt = 0;

  constructor(
    private readonly hub: ViewedSessions,
    readonly sessionKey: string,
    private readonly socket: ViewerSocket,
    private readonly options: ViewerOptions,
  ) {
    super();
    this.register(
      hub.onSignal((signal) => {
        if (signal.key !== this.sessionKey || this.state === 'closed') return;
        if (signal.kind === 'resized') {
          this.socket.sendJson({ type: 'resize', cols: signal.cols, rows: signal.rows });
          // Output drawn for the old size would be garbled: redraw from tmux.
          void this.refresh();
        } else if (signal.kind === 'exited') {
          this.socket.sendJson({ type: 'exit', code: signal.code });
        } else {
          this.socket.sendJson({ type: 'exit', code: signal.code });
          this.end(CLOSE_SESSION_GONE, terminalCloseText.sessionClosed);
        }
      }),
    );
  }

  /** The session's remote host is not connected: its screen cannot be read until it is. */
  private hostDown = false;

  /** A remote host's connection: the viewer says so, and redraws once it is back (output meanwhile was not received). */
  private followHost(): void {
    const host = this.hub.hostOf(this.sessionKey);
    if (host === null) return;
    const tell = (state: ConnectionState, reason: string | null) => this.socket.sendJson({ type: 'host', host, state, reason });
    this.register(
      this.hub.onHostStatus(({ host: changed, status }) => {
        if (changed !== host || this.state === 'closed') return;
        tell(status.state, status.reason);
        if (status.state !== 'connected') this.hostDown = true;
        else if (this.hostDown) {
          this.hostDown = false;
          void this.redrawWhenStreaming();
        }
      }),
    );
    this.register(
      this.hub.onHostDropped(({ host: dropped, why }) => {
        if (dropped !== host || this.state === 'closed' || why === 'stopped') return;
        if (why === 'changed') {
          // A new connection with the new settings follows: the client reconnects and redraws from it.
          tell('reconnecting', hostReasonText.settingsChanged());
          this.end(CLOSE_HOST_RECONNECT, 'host settings changed');
          return;
        }
        const what = why === 'removed' ? terminalCloseText.hostRemoved(host) : terminalCloseText.hostPolled(host);
        this.socket.sendJson({ type: 'error', ...terminalErrorText.hostDropped(what) });
        this.end(CLOSE_HOST_DROPPED, what);
      }),
    );
    this.register(
      this.hub.onStreamGap((gap) => {
        if (gap.sessionKey !== this.sessionKey || this.state === 'closed') return;
        this.socket.sendJson({ type: 'gap', host: gap.host, lines: gap.lines, beyondHistory: gap.beyondHistory, downMs: gap.downMs });
      }),
    );
    // Said at once, connected or not: a client that reconnected forgets what it knew.
    const now = this.hub.hostStatus(host);
    if (now) {
      this.hostDown = now.state !== 'connected';
      tell(now.state, now.reason);
    }
  }

  /** Once the pane's output is received again, a fresh screen covers what was missed. */
  private async redrawWhenStreaming(): Promise<void> {
    try {
      await this.hub.outputStream(this.sessionKey);
    } catch {
      return; // closed meanwhile: the signal ends the viewer
    }
    await this.refresh();
  }

  async start(): Promise<void> {
    this.followHost();
    this.stream = await this.hub.outputStream(this.sessionKey);
    if (this.stream) this.register(this.stream.onData((chunk) => this.onData(chunk)));
    const { since, streamId } = this.options;
    const stream = this.stream;
    const resumable = stream && since !== undefined && (streamId === undefined || streamId === stream.id);
    const missed = resumable ? stream.readFrom(since) : undefined;
    if (stream && since !== undefined && missed) {
      const session = this.hub.get(this.sessionKey);
      this.sendHello(since, 0, session.cols, session.rows);
      this.sentOffset = since;
      this.ackedOffset = since;
      this.sendChunks(missed);
      this.sentOffset = stream.offset;
      this.state = 'live';
      this.afterSend();
    } else {
      await this.refresh();
    }
    const status = this.hub.get(this.sessionKey);
    if (status.status === 'exited') this.socket.sendJson({ type: 'exit', code: status.exitCode });
    if (this.hub.streamState(this.sessionKey) === 'foreign-pipe') {
      this.socket.sendJson({ type: 'error', ...terminalErrorText.foreignPipe() });
    }
  }

  /** Input bytes from the client. */
  async input(bytes: Buffer): Promise<void> {
    if (this.options.mode === 'view') {
      this.socket.sendJson({ type: 'error', ...terminalErrorText.viewOnly() });
      return;
    }
    try {
      await this.hub.write(this.sessionKey, bytes, { source: 'ws', client: this.options.client });
    } catch (error) {
      this.socket.sendJson(terminalError(error));
    }
  }

  async message(message: ClientTerminalMessage): Promise<void> {
    if (message.type === 'ack') {
      this.ackedOffset = Math.max(this.ackedOffset, Math.min(message.offset, this.sentOffset));
      if (message.offset >= this.helloOffset) this.snapshotUnacked = 0;
      this.maybeResume();
      return;
    }
    if (this.options.mode === 'view') return;
    try {
      const result = await this.hub.requestViewerSize(this.sessionKey, message.cols, message.rows);
      if (!result.applied || result.cols !== message.cols || result.rows !== message.rows) {
        this.socket.sendJson({ type: 'resize', cols: result.cols, rows: result.rows });
      }
    } catch (error) {
      this.socket.sendJson(terminalError(error));
    }
  }

  /** Sends a fresh screen (a new hello) and continues live from there. */
  async refresh(): Promise<void> {
    if (this.state === 'closed' || this.state === 'refreshing') return;
    this.state = 'refreshing';
    this.stopPausedTimer();
    this.stopBatchTimer();
    try {
      const screen = await this.hub.terminalScreen(this.sessionKey, this.options.historyLines);
      if (this.isDisposed || (this.state as State) === 'closed') return;
      const stream = this.stream;
      const rest = stream?.readFrom(screen.offset) ?? [];
      this.sendHello(screen.offset, screen.bytes.length, screen.cols, screen.rows);
      this.socket.sendBinary(screen.bytes);
      this.snapshotUnacked = screen.bytes.length;
      this.ackedOffset = screen.offset;
      this.sentOffset = screen.offset;
      this.sendChunks(rest);
      this.sentOffset = stream ? stream.offset : screen.offset;
      this.state = 'live';
      this.afterSend();
    } catch (error) {
      if (this.isDisposed) return;
      if (this.hostDown) {
        // The host is away (the viewer was told): the screen comes once it is back.
        this.state = 'live';
        return;
      }
      this.socket.sendJson({ type: 'error', ...terminalErrorText.screenUnreadable(errorMessage(error)) });
      this.end(CLOSE_SESSION_GONE, terminalCloseText.sessionUnavailable);
    }
  }

  private onData(chunk: StreamChunk): void {
    if (this.state !== 'live') return;
    // A batch is pending: this chunk is in the ring and goes out with it.
    if (this.batchTimer) return;
    const end = chunk.offset + chunk.data.length;
    if (end <= this.sentOffset) return;
    if (chunk.offset > this.sentOffset) {
      void this.refresh();
      return;
    }
    const now = performance.now();
    if (chunk.data.length >= BATCH_MIN_CHUNK && now - this.lastSendAt < BATCH_MS) {
      this.batchTimer = this.register(disposableTimeout(() => this.sendBatch(), BATCH_MS - (now - this.lastSendAt)));
      return;
    }
    this.socket.sendBinary(chunk.offset < this.sentOffset ? chunk.data.subarray(this.sentOffset - chunk.offset) : chunk.data);
    this.sentOffset = end;
    this.lastSendAt = now;
    this.afterSend();
  }

  /** Sends everything from sentOffset on: the ring holds it in ≤ 64 KiB blocks, so no copy. */
  private sendBatch(): void {
    this.stopBatchTimer();
    if (this.state !== 'live' || !this.stream) return;
    const pending = this.stream.readFrom(this.sentOffset);
    if (!pending) {
      void this.refresh();
      return;
    }
    this.sendChunks(pending);
    this.sentOffset = this.stream.offset;
    this.lastSendAt = performance.now();
    this.afterSend();
  }

  private stopBatchTimer(): void {
    if (this.batchTimer) {
      this.store.delete(this.batchTimer);
      this.batchTimer = undefined;
    }
  }

  private sendHello(offset: number, snapshotBytes: number, cols: number, rows: number): void {
    const session = this.hub.get(this.sessionKey);
    const hello: HelloMessage = {
      type: 'hello',
      sessionKey: this.sessionKey,
      cols,
      rows,
      offset,
      snapshotBytes,
      mode: this.options.mode,
      stream: this.stream?.id ?? '',
      status: session.status,
      exitCode: session.exitCode,
    };
    this.helloOffset = offset;
    this.socket.sendJson(hello);
  }

  private sendChunks(chunks: readonly Buffer[]): void {
    for (const chunk of chunks) this.socket.sendBinary(chunk);
  }

  private get unacked(): number {
    if (!this.options.acks) return 0;
    return this.sentOffset - this.ackedOffset + this.snapshotUnacked;
  }

  private afterSend(): void {
    if (this.state !== 'live') return;
    if (this.unacked > HIGH_WATER || this.socket.bufferedAmount > SOCKET_HIGH_WATER) {
      this.state = 'paused';
      // Acks wake us up; the timer covers clients paused by the socket buffer alone.
      this.pausedTimer = this.register(disposableInterval(() => this.maybeResume(), 50));
    }
  }

  private maybeResume(): void {
    if (this.state !== 'paused') return;
    if (this.unacked > LOW_WATER || this.socket.bufferedAmount > SOCKET_LOW_WATER) return;
    this.stopPausedTimer();
    const missed = this.stream?.readFrom(this.sentOffset);
    if (!missed) {
      // What it missed fell out of the ring buffer: a fresh screen instead. A
      // client that keeps falling behind (a flood) gets at most one a second:
      // each costs tmux a capture, which every other pane would wait for.
      const wait = this.lastCatchUpAt + CATCH_UP_INTERVAL_MS - performance.now();
      if (wait > 0) {
        this.pausedTimer = this.register(disposableTimeout(() => this.maybeResume(), wait));
        return;
      }
      this.lastCatchUpAt = performance.now();
      this.state = 'live';
      void this.refresh();
      return;
    }
    this.state = 'live';
    this.sendChunks(missed);
    this.sentOffset = this.stream!.offset;
    this.afterSend();
  }

  private stopPausedTimer(): void {
    if (this.pausedTimer) {
      this.store.delete(this.pausedTimer);
      this.pausedTimer = undefined;
    }
  }

  private end(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.socket.close(code, reason);
    this.dispose();
  }

  override dispose(): void {
    this.state = 'closed';
    super.dispose();
  }
}
