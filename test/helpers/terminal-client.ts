import WebSocket from 'ws';
import type { HelloMessage, ServerTerminalMessage } from '../../schemas/index.ts';

export interface TerminalClientOptions {
  readonly since?: number;
  readonly stream?: string;
  readonly mode?: 'control' | 'view';
  readonly history?: number;
  /** Acknowledge received bytes (default true). */
  readonly ack?: boolean;
  readonly origin?: string;
  readonly token?: string | null;
  /** Certificate authority to trust for wss:// (a test's self-signed certificate). */
  readonly ca?: Buffer;
  /** 'tail' keeps only the last 64 KiB of stream bytes (for floods). */
  readonly retain?: 'all' | 'tail';
}

/**
 * A terminal WebSocket client that follows the protocol: it separates snapshot
 * bytes from stream bytes, tracks its stream position, and acks like xterm does.
 */
export class TerminalClient {
  readonly ws: WebSocket;
  readonly messages: ServerTerminalMessage[] = [];
  hellos: HelloMessage[] = [];
  /** The latest snapshot's bytes. */
  snapshot = Buffer.alloc(0);
  /** Stream bytes since the latest hello. */
  streamChunks: Buffer[] = [];
  /** Every stream byte ever received, with its offset, for exactness checks. */
  readonly received: Array<{ offset: number; data: Buffer }> = [];
  private snapshotLeft = 0;
  position = 0;
  closed: { code: number; reason: string } | undefined;
  private ackedAt = 0;

  constructor(baseUrl: string, token: string, sessionKey: string, private readonly options: TerminalClientOptions = {}) {
    const url = new URL(`ws/terminal/${sessionKey}`, baseUrl.replace(/^http/, 'ws'));
    if (options.since !== undefined) url.searchParams.set('since', String(options.since));
    if (options.stream) url.searchParams.set('stream', options.stream);
    if (options.mode) url.searchParams.set('mode', options.mode);
    if (options.history !== undefined) url.searchParams.set('history', String(options.history));
    const headers: Record<string, string> = {};
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? token}`;
    if (options.origin) headers.origin = options.origin;
    this.ws = new WebSocket(url, { headers, ...(options.ca ? { ca: options.ca } : {}) });
    this.ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.ws.on('error', () => undefined);
  }

  get hello(): HelloMessage | undefined {
    return this.hellos[this.hellos.length - 1];
  }

  /** Stream text since the latest hello. */
  get text(): string {
    return Buffer.concat(this.streamChunks).toString('utf8');
  }

  get streamBytes(): Buffer {
    return Buffer.concat(this.streamChunks);
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
  }

  /** The HTTP status of a refused upgrade. */
  refusedStatus(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      this.ws.once('open', () => reject(new Error('the upgrade was accepted')));
    });
  }

  async ready(): Promise<HelloMessage> {
    await waitUntil(() => this.hello !== undefined && this.snapshotLeft === 0, 'hello and screen');
    return this.hello!;
  }

  send(data: string | Buffer): void {
    this.ws.send(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { binary: true });
  }

  control(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  async waitForText(needle: string | RegExp, timeoutMs = 10_000): Promise<void> {
    await waitUntil(() => (typeof needle === 'string' ? this.text.includes(needle) : needle.test(this.text)), `output ${String(needle)}`, timeoutMs);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      const message = JSON.parse(data.toString('utf8')) as ServerTerminalMessage;
      this.messages.push(message);
      if (message.type === 'hello') {
        this.hellos.push(message);
        this.snapshotLeft = message.snapshotBytes;
        this.snapshot = Buffer.alloc(0);
        this.streamChunks = [];
        this.position = message.offset;
      }
      return;
    }
    let bytes = data;
    if (this.snapshotLeft > 0) {
      const take = Math.min(this.snapshotLeft, bytes.length);
      this.snapshot = Buffer.concat([this.snapshot, bytes.subarray(0, take)]);
      this.snapshotLeft -= take;
      bytes = bytes.subarray(take);
      if (this.snapshotLeft === 0) this.ack(true);
    }
    if (bytes.length === 0) return;
    if (this.options.retain === 'tail') {
      const tail = Buffer.concat([...this.streamChunks, bytes]);
      this.streamChunks = [Buffer.from(tail.subarray(Math.max(0, tail.length - 65536)))];
    } else {
      this.received.push({ offset: this.position, data: Buffer.from(bytes) });
      this.streamChunks.push(Buffer.from(bytes));
    }
    this.position += bytes.length;
    this.ack(false);
  }

  private ack(force: boolean): void {
    if (this.options.ack === false) return;
    if (force || this.position - this.ackedAt >= 32 * 1024) {
      this.ackedAt = this.position;
      this.control({ type: 'ack', offset: this.position });
    }
  }
}

/** A busy machine (CI on 2 cores, stress-ng beside it) can take seconds per step: the default limit is generous. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
