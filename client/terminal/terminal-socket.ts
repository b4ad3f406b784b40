import { signal } from '@preact/signals';
import { Backoff, Disposable, MutableDisposable, timeout } from '../lib/disposable.ts';
import { CLOSE_SESSION_GONE, terminalCloseText } from '../../schemas/terminal-view.ts';
import type { SessionProbe } from '../services/api.ts';
import { errorMessage } from '../../base/errors.ts';

/** connecting: first attempt; live: hello received; reconnecting: lost, retrying; closed: the session is gone (final). */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** The part of a WebSocket the connection uses. */
export interface SocketLike {
  binaryType: BinaryType;
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

/** The session's host is no longer connected by the server (removed from hosts.yaml, or polled). */
export const CLOSE_HOST_DROPPED = 4410;
const OPEN = 1;

export interface ReconnectingSocketOptions {
  readonly sessionKey: string;
  /** Where to connect, asked afresh for every attempt (the stream position goes in it). */
  readonly url: () => string;
  /** Asked after a connection fails: keep trying, or is the session gone? */
  readonly probe: (sessionKey: string) => Promise<SessionProbe>;
  readonly createSocket?: (url: string) => SocketLike;
  /** A new socket was made: what follows on it is its own. */
  readonly onConnect: () => void;
  /** A text or binary message of the current socket. */
  readonly onMessage: (data: string | Uint8Array) => void;
}

/**
 * The terminal WebSocket that comes back: after a lost or refused socket it asks
 * whether the session still exists, and retries with a backoff until it is live
 * again or the session is gone. It knows nothing of the terminal protocol: the
 * owner says when the socket is live (`live()`) and what a message means.
 */
export class ReconnectingSocket extends Disposable {
  readonly state = signal<ConnectionState>('connecting');
  /** The last error the server or the connection reported. */
  readonly lastError = signal<string | undefined>(undefined);
  /** Why the connection is closed (when state is closed). */
  readonly closedReason = signal<string | undefined>(undefined);
  /** Set when the socket stopped because the server let go of the session's host (why). */
  readonly hostDropped = signal<string | undefined>(undefined);
  /** Failed attempts since the socket was last live. */
  readonly attempts = signal(0);

  private socket: SocketLike | undefined;
  private readonly retry = this.register(new MutableDisposable());
  private probing = false;
  private readonly backoff = new Backoff();

  constructor(private readonly options: ReconnectingSocketOptions) {
    super();
    this.register({ dispose: () => this.teardown() });
  }

  /** A socket is there and open. */
  get isOpen(): boolean {
    return this.socket !== undefined && this.socket.readyState === OPEN;
  }

  start(): void {
    if (this.socket || this.isDisposed || this.state.value === 'closed') return;
    this.connect();
  }

  /** Skips the backoff wait (the user asked, or the network came back). */
  retryNow(): void {
    if (this.cannotConnect() || this.probing || !this.retry.value) return;
    this.retry.clear();
    this.connect();
  }

  /** Drops the socket and connects again at once (with a new `url()`). */
  reconnect(): void {
    this.teardown();
    if (this.state.value === 'live') this.state.value = 'connecting';
    this.connect();
  }

  /** The protocol greeted: live, and the backoff starts over. */
  live(): void {
    this.backoff.reset();
    this.attempts.value = 0;
    this.state.value = 'live';
  }

  /** The session is gone: closed for good. */
  finish(reason: string): void {
    if (this.state.value === 'closed') return;
    this.closedReason.value = reason;
    this.state.value = 'closed';
    this.teardown();
  }

  /** Sends on the current socket (check `isOpen` first). */
  send(data: string | Uint8Array): void {
    this.socket!.send(data);
  }

  private connect(): void {
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url));
    let socket: SocketLike;
    try {
      socket = create(this.options.url());
    } catch (error) {
      this.lastError.value = errorMessage(error);
      this.scheduleReconnect();
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    this.options.onConnect();
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      if (typeof event.data === 'string') this.options.onMessage(event.data);
      else if (event.data instanceof ArrayBuffer) this.options.onMessage(new Uint8Array(event.data));
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.onSocketClosed(event.code, event.reason);
    };
    socket.onerror = () => undefined;
  }

  private onSocketClosed(code: number, reason: string): void {
    if (this.isDisposed || this.state.value === 'closed') return;
    if (code === CLOSE_SESSION_GONE) {
      // Empty: the page says "closed" without a why.
      this.finish(reason);
      return;
    }
    if (code === CLOSE_HOST_DROPPED) {
      this.hostDropped.value = reason || terminalCloseText.hostRemoved('?');
      this.finish(this.hostDropped.value);
      return;
    }
    if (this.state.value === 'live') this.state.value = 'reconnecting';
    void this.afterFailure();
  }

  /**
   * After any failed or lost socket, ask the API whether the session still
   * exists: a browser cannot see why an upgrade was refused (404/409 look
   * like a network error). Gone: stop. Otherwise retry after the backoff.
   */
  private async afterFailure(): Promise<void> {
    this.probing = true;
    let probe: SessionProbe;
    try {
      probe = await this.options.probe(this.options.sessionKey);
    } catch {
      probe = 'unreachable';
    } finally {
      this.probing = false;
    }
    if (this.cannotConnect()) return;
    if (probe === 'gone') {
      this.finish('the session is closed');
      return;
    }
    if (probe === 'unauthorized') {
      this.finish('not logged in: open the login URL the server printed');
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.state.value = 'reconnecting';
    this.attempts.value++;
    this.retry.value = timeout(() => {
      this.retry.clear();
      if (!this.cannotConnect()) this.connect();
    }, this.backoff.next());
  }

  private cannotConnect(): boolean {
    return this.isDisposed || this.state.value === 'closed' || this.socket !== undefined;
  }

  private teardown(): void {
    this.retry.clear();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onmessage = socket.onclose = socket.onerror = socket.onopen = null;
      try {
        socket.close(1000, 'done');
      } catch {
        // already closed
      }
    }
  }
}
