import WebSocket from 'ws';
import type { HelloMessage, ServerTerminalMessage } from '../../schemas/index.ts';

export interface BenchTerminalOptions {
  readonly history?: number;
  readonly mode?: 'control' | 'view';
  /** Ack after this many stream bytes, like xterm.js write callbacks (default 64 KiB); 0: never ack by itself. */
  readonly ackEvery?: number;
}

/**
 * A lean terminal WebSocket client for measurements: it follows the protocol
 * (hello, snapshot bytes, stream bytes, acks) but keeps no bytes, so a 100 MB
 * stream costs the harness nothing but counting. Callers see each stream chunk
 * with its offset through `onStream`.
 */
export class BenchTerminal {
  readonly ws: WebSocket;
  /** performance.now() when the connection was started, opened, and the latest screen completed. */
  readonly startedAt = performance.now();
  openedAt = 0;
  screenDoneAt = 0;
  hello: HelloMessage | undefined;
  hellos = 0;
  snapshotBytesTotal = 0;
  /** Stream offset of the next byte. */
  position = 0;
  /** Stream bytes received across all hellos, and in how many binary messages. */
  streamBytes = 0;
  streamMessages = 0;
  /** performance.now() of the last message of any kind, and the longest silence between two. */
  lastMessageAt = 0;
  longestGapMs = 0;
  errors: string[] = [];
  closed = false;
  onStream: ((data: Buffer, offset: number, at: number) => void) | undefined;
  onScreen: ((snapshot: Buffer[], at: number) => void) | undefined;
  private snapshotLeft = 0;
  private snapshotParts: Buffer[] = [];
  private ackedAt = 0;
  private readonly ackEvery: number;
  private screenWaiters: Array<() => void> = [];

  constructor(baseUrl: string, token: string, sessionKey: string, options: BenchTerminalOptions = {}) {
    const url = new URL(`ws/terminal/${sessionKey}`, baseUrl.replace(/^http/, 'ws'));
    if (options.history !== undefined) url.searchParams.set('history', String(options.history));
    if (options.mode) url.searchParams.set('mode', options.mode);
    this.ackEvery = options.ackEvery ?? 64 * 1024;
    this.ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    this.ws.on('open', () => (this.openedAt = performance.now()));
    this.ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    this.ws.on('close', () => (this.closed = true));
    this.ws.on('error', (error) => this.errors.push(error.message));
  }

  /** Resolves once the first hello and its whole screen arrived. */
  screen(timeoutMs = 30_000): Promise<void> {
    if (this.screenDoneAt > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no screen within ${timeoutMs} ms (${this.errors.join('; ')})`)), timeoutMs);
      this.screenWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  send(data: string | Buffer): void {
    this.ws.send(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { binary: true });
  }

  /** Starts measuring the longest silence afresh (e.g. when a flood begins). */
  resetGap(): void {
    this.lastMessageAt = performance.now();
    this.longestGapMs = 0;
  }

  /** Acks everything received so far (for clients that pace their own acks). */
  ack(): void {
    this.ackedAt = this.position;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'ack', offset: this.position }));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
      else this.ws.close();
    });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    const now = performance.now();
    if (this.lastMessageAt > 0) this.longestGapMs = Math.max(this.longestGapMs, now - this.lastMessageAt);
    this.lastMessageAt = now;
    if (!isBinary) {
      const message = JSON.parse(data.toString('utf8')) as ServerTerminalMessage;
      if (message.type === 'hello') {
        this.hello = message;
        this.hellos++;
        this.snapshotLeft = message.snapshotBytes;
        this.snapshotBytesTotal += message.snapshotBytes;
        this.snapshotParts = [];
        this.position = message.offset;
        this.ackedAt = message.offset;
        if (this.snapshotLeft === 0) this.screenComplete(now);
      } else if (message.type === 'error') {
        this.errors.push(message.message);
      }
      return;
    }
    let bytes = data;
    if (this.snapshotLeft > 0) {
      const take = Math.min(this.snapshotLeft, bytes.length);
      this.snapshotParts.push(bytes.subarray(0, take));
      this.snapshotLeft -= take;
      bytes = bytes.subarray(take);
      if (this.snapshotLeft === 0) {
        // The screen is drawn: ack it, as the browser does from term.write's callback.
        if (this.ackEvery > 0) this.ack();
        this.screenComplete(now);
      }
    }
    if (bytes.length === 0) return;
    const offset = this.position;
    this.position += bytes.length;
    this.streamBytes += bytes.length;
    this.streamMessages++;
    this.onStream?.(bytes, offset, now);
    if (this.ackEvery > 0 && this.position - this.ackedAt >= this.ackEvery) this.ack();
  }

  private screenComplete(at: number): void {
    this.screenDoneAt = at;
    this.onScreen?.(this.snapshotParts, at);
    const waiters = this.screenWaiters;
    this.screenWaiters = [];
    for (const wake of waiters) wake();
  }
}
