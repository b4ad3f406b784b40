import { signal } from '@preact/signals';
import type { HelloMessage, ServerTerminalMessage, TerminalMode } from '../../schemas/index.ts';
import { Disposable, Emitter } from '../lib/disposable.ts';
import type { SessionProbe } from '../services/api.ts';
import { terminalErrorText } from '../services/terminal-words.ts';
import { ServerTerminalMessage as ServerTerminalMessageSchema } from '../services/contract.ts';
import { ReconnectingSocket, type SocketLike } from './terminal-socket.ts';

export type { ConnectionState, SocketLike } from './terminal-socket.ts';

/**
 * Where the bytes go (an xterm in the app, a fake in tests). Every call is
 * applied in order with the writes before it.
 */
export interface TerminalSink {
  /** A fresh screen follows: clear everything and take exactly this size. */
  reset(cols: number, rows: number): void;
  /** The pane's size changed. */
  resize(cols: number, rows: number): void;
  /** `done` runs once the bytes are parsed. */
  write(data: Uint8Array, done: () => void): void;
}

export interface TerminalConnectionOptions {
  readonly sessionKey: string;
  readonly mode: TerminalMode;
  readonly sink: TerminalSink;
  /** ws://host:port */
  readonly baseUrl: string;
  /** Lines of history in a fresh screen (server default 1000). */
  readonly history?: number;
  /** Asked after a connection fails: keep trying, or is the session gone? */
  readonly probe: (sessionKey: string) => Promise<SessionProbe>;
  readonly createSocket?: (url: string) => SocketLike;
  /** Ack at least every this many parsed bytes (default 64 KiB). */
  readonly ackEvery?: number;
}

const DEFAULT_ACK_EVERY = 64 * 1024;
/** When the write queue drains, ack if at least this much is unacknowledged. */
const ACK_WHEN_IDLE = 4 * 1024;

/**
 * The terminal protocol on `/ws/terminal/:key`: hello and screen, stream position,
 * acks from parse callbacks, resume by offset after a lost connection, seeks, and
 * the end of the session. The socket that comes back after a loss is
 * terminal-socket.ts; this knows nothing of xterm.
 */
export class TerminalConnection extends Disposable {
  /** The pane's size as the server last told it. */
  readonly size = signal<{ cols: number; rows: number } | undefined>(undefined);
  /** Set once the program has exited (the pane stays readable). */
  readonly exit = signal<{ code: number | null } | undefined>(undefined);
  /** The session's remote host is not connected (the server says so); undefined while it is. */
  readonly host = signal<{ host: string; state: string; reason: string | null } | undefined>(undefined);
  /** Lines the pane printed while its host was unreachable, not received live (shown until dismissed). */
  readonly gap = signal<{ host: string; lines: number; beyondHistory: boolean; downMs: number } | undefined>(undefined);

  private readonly helloEmitter = this.register(new Emitter<{ readonly hello: HelloMessage; readonly resumed: boolean; readonly first: boolean }>());
  /** Every hello, after the sink got its reset. `first`: the first hello on this socket. */
  readonly onHello = this.helloEmitter.event;
  private readonly seekEmitter = this.register(new Emitter<{ readonly offset: number; readonly found: boolean }>());
  /**
   * The answer to `seek`: found, the screen was cleared and the stream replays
   * from that offset; not found (it left the server's buffer), a fresh screen came.
   */
  readonly onSeek = this.seekEmitter.event;
  private readonly replayedEmitter = this.register(new Emitter<void>());
  /** After a found seek: the replayed bytes that came with the hello are parsed. */
  readonly onReplayed = this.replayedEmitter.event;
  private readonly resizeEmitter = this.register(new Emitter<{ cols: number; rows: number }>());
  /** A resize message from the server. */
  readonly onServerResize = this.resizeEmitter.event;

  private readonly link: ReconnectingSocket;
  private socketHadHello = false;
  private readonly encoder = new TextEncoder();
  private readonly ackEvery: number;

  /** Stream position: offset of the next stream byte. */
  private position: number | undefined;
  private stream: string | undefined;
  private snapshotLeft = 0;
  private ackedAt = 0;
  /** Bumped by every hello; parse callbacks of an older screen must not ack. */
  private generation = 0;
  /** A stream offset to start from (`seek`), asked on the next connect. */
  private seekTo: number | undefined;
  /** Set from a found seek's hello until the bytes it brought are parsed. */
  private replaying = false;
  /** The offset the view shows the stream from, after a found seek. */
  private shownFrom: number | undefined;

  constructor(private readonly options: TerminalConnectionOptions) {
    super();
    this.ackEvery = options.ackEvery ?? DEFAULT_ACK_EVERY;
    this.link = this.register(
      new ReconnectingSocket({
        sessionKey: options.sessionKey,
        url: () => this.url(),
        probe: options.probe,
        createSocket: options.createSocket,
        onConnect: () => (this.socketHadHello = false),
        onMessage: (data) => (typeof data === 'string' ? this.onControl(data) : this.onBytes(data)),
      }),
    );
  }

  /** connecting, live (hello received), reconnecting, or closed for good. */
  get state(): ReconnectingSocket['state'] {
    return this.link.state;
  }

  /** The last error the server or the connection reported. */
  get lastError(): ReconnectingSocket['lastError'] {
    return this.link.lastError;
  }

  /** Why the connection is closed (when state is closed). */
  get closedReason(): ReconnectingSocket['closedReason'] {
    return this.link.closedReason;
  }

  /** Set when the terminal stopped because the server let go of the session's host (why). */
  get hostDropped(): ReconnectingSocket['hostDropped'] {
    return this.link.hostDropped;
  }

  /** Failed attempts since the last hello. */
  get attempts(): ReconnectingSocket['attempts'] {
    return this.link.attempts;
  }

  get sessionKey(): string {
    return this.options.sessionKey;
  }

  get mode(): TerminalMode {
    return this.options.mode;
  }

  /** Where the stream is (for tests and diagnostics). */
  get streamPosition(): { offset: number | undefined; stream: string | undefined } {
    return { offset: this.position, stream: this.stream };
  }

  start(): void {
    this.link.start();
  }

  /** Skips the backoff wait (the user asked, or the network came back). */
  retryNow(): void {
    this.link.retryNow();
  }

  /**
   * Shows the stream from `offset` (a position from an execution's `offsetStart`):
   * reconnects asking for it. The server replays from there when its buffer still
   * holds it (`onSeek` found), else sends the current screen (not found).
   * Undefined: reconnects for the current screen.
   */
  seek(offset: number | undefined): void {
    if (this.isDisposed || this.state.value === 'closed') return;
    this.seekTo = offset;
    if (offset === undefined) this.shownFrom = undefined;
    this.position = undefined;
    this.stream = undefined;
    this.link.reconnect();
  }

  /** The session is known to be gone (e.g. a CLI_SESSION_CLOSED event). */
  markClosed(reason: string): void {
    this.link.finish(reason);
  }

  /** Keyboard input from the terminal (xterm `onData`): sent as UTF-8. */
  sendInput(data: string): boolean {
    return this.sendBytes(this.encoder.encode(data));
  }

  /** Binary input (xterm `onBinary`): one byte per character. */
  sendBinaryInput(data: string): boolean {
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
    return this.sendBytes(bytes);
  }

  /** A size wish; the server may refuse and answer with the real size. Never in view mode. */
  requestResize(cols: number, rows: number): boolean {
    if (this.options.mode === 'view' || !this.isLive()) return false;
    this.link.send(JSON.stringify({ type: 'resize', cols, rows }));
    return true;
  }

  private sendBytes(bytes: Uint8Array): boolean {
    if (this.options.mode === 'view' || !this.isLive() || bytes.length === 0) return false;
    this.link.send(bytes);
    return true;
  }

  private isLive(): boolean {
    return this.state.value === 'live' && this.link.isOpen;
  }

  private url(): string {
    const params = new URLSearchParams({ mode: this.options.mode });
    // A seek has no stream id: an offset from another server run lies outside this one's buffer anyway.
    if (this.seekTo !== undefined) params.set('since', String(this.seekTo));
    else if (this.position !== undefined && this.stream !== undefined) {
      params.set('since', String(this.position));
      params.set('stream', this.stream);
    }
    if (this.options.history !== undefined) params.set('history', String(this.options.history));
    return `${this.options.baseUrl}/ws/terminal/${encodeURIComponent(this.options.sessionKey)}?${params}`;
  }

  private onControl(text: string): void {
    let message: ServerTerminalMessage | undefined;
    try {
      const parsed = ServerTerminalMessageSchema.safeParse(JSON.parse(text));
      message = parsed.success ? parsed.data : undefined;
    } catch {
      // not JSON
    }
    if (!message) {
      console.warn('tmux-bridge: unknown terminal message', text.slice(0, 200));
      return;
    }
    this.handle(message);
  }

  private handle(message: ServerTerminalMessage): void {
    switch (message.type) {
      case 'hello':
        this.onHelloMessage(message);
        break;
      case 'resize':
        this.options.sink.resize(message.cols, message.rows);
        this.size.value = { cols: message.cols, rows: message.rows };
        this.resizeEmitter.fire({ cols: message.cols, rows: message.rows });
        break;
      case 'exit':
        this.exit.value = { code: message.code };
        break;
      case 'error':
        this.lastError.value = terminalErrorText(message);
        break;
      case 'host':
        this.host.value = message.state === 'connected' ? undefined : { host: message.host, state: message.state, reason: message.reason };
        break;
      case 'gap':
        this.gap.value = { host: message.host, lines: message.lines, beyondHistory: message.beyondHistory, downMs: message.downMs };
        break;
    }
  }

  private onHelloMessage(hello: HelloMessage): void {
    this.generation++;
    this.replaying = false;
    // Resumed: the same stream from exactly where we are, no screen. Anything else redraws.
    const resumed = this.stream !== undefined && hello.stream === this.stream && hello.snapshotBytes === 0 && hello.offset === this.position;
    const previous = this.size.value;
    if (resumed) {
      if (!previous || previous.cols !== hello.cols || previous.rows !== hello.rows) this.options.sink.resize(hello.cols, hello.rows);
    } else {
      this.options.sink.reset(hello.cols, hello.rows);
    }
    this.stream = hello.stream;
    this.position = hello.offset;
    this.ackedAt = hello.offset;
    this.snapshotLeft = hello.snapshotBytes;
    this.size.value = { cols: hello.cols, rows: hello.rows };
    this.exit.value = hello.status === 'running' ? undefined : { code: hello.exitCode };
    this.lastError.value = undefined;
    this.link.live();
    const first = !this.socketHadHello;
    this.socketHadHello = true;
    if (hello.snapshotBytes === 0 && !resumed) this.sendAck(hello.offset);
    this.helloEmitter.fire({ hello, resumed, first });
    const seek = this.seekTo;
    if (seek !== undefined) {
      this.seekTo = undefined;
      const found = hello.snapshotBytes === 0 && hello.offset === seek;
      this.replaying = found;
      this.shownFrom = found ? seek : undefined;
      this.seekEmitter.fire({ offset: seek, found });
    } else if (!resumed && this.shownFrom !== undefined) {
      // A fresh screen (a resize redraws from tmux) replaced the replay: ask for it again, so the
      // view stays at the execution's start (redrawn for the new size); gone from the buffer, it says so.
      const offset = this.shownFrom;
      queueMicrotask(() => this.seek(offset));
    }
  }

  private onBytes(bytes: Uint8Array): void {
    if (this.position === undefined) return; // bytes before any hello: not ours to place
    const generation = this.generation;
    let data = bytes;
    if (this.snapshotLeft > 0) {
      const take = Math.min(this.snapshotLeft, data.length);
      this.snapshotLeft -= take;
      const complete = this.snapshotLeft === 0;
      const at = this.position;
      // The server counts the screen as unacked until we ack the hello's offset.
      this.options.sink.write(data.subarray(0, take), () => {
        if (complete && generation === this.generation) this.sendAck(at);
      });
      data = data.subarray(take);
      if (data.length === 0) return;
    }
    this.position += data.length;
    const end = this.position;
    this.options.sink.write(data, () => {
      if (generation !== this.generation) return;
      const unacked = end - this.ackedAt;
      const idle = end === this.position;
      if (idle && this.replaying) {
        this.replaying = false;
        this.replayedEmitter.fire();
      }
      if (unacked >= this.ackEvery || (idle && unacked >= ACK_WHEN_IDLE)) this.sendAck(end);
    });
  }

  private sendAck(offset: number): void {
    if (!this.link.isOpen) return;
    this.ackedAt = Math.max(this.ackedAt, offset);
    this.link.send(JSON.stringify({ type: 'ack', offset }));
  }
}
