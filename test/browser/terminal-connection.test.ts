/**
 * The client's terminal protocol (client/terminal/terminal-connection.ts) against a
 * scripted socket, in Node: no Chromium, so every edge of the protocol is cheap to hit.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionProbe } from '../../client/services/api.ts';
import { TerminalConnection, type SocketLike, type TerminalSink } from '../../client/terminal/terminal-connection.ts';

class FakeSocket implements SocketLike {
  binaryType: BinaryType = 'blob';
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly sent: Array<string | Uint8Array> = [];

  constructor(readonly url: string) {}

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    this.sent.push(typeof data === 'string' ? data : new Uint8Array(data as ArrayBuffer));
  }

  close(): void {
    this.readyState = 3;
  }

  // The server's side:
  open(): void {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }

  json(message: object): void {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }

  bytes(text: string): void {
    const data = new TextEncoder().encode(text);
    this.onmessage?.({ data: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) } as MessageEvent);
  }

  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason } as CloseEvent);
  }

  get controls(): Array<Record<string, unknown>> {
    return this.sent.filter((m): m is string => typeof m === 'string').map((m) => JSON.parse(m) as Record<string, unknown>);
  }

  get acks(): number[] {
    return this.controls.filter((m) => m.type === 'ack').map((m) => m.offset as number);
  }

  get input(): Uint8Array[] {
    return this.sent.filter((m): m is Uint8Array => typeof m !== 'string');
  }
}

/** Records what the xterm would get; parse callbacks run when `flush()` says so. */
class FakeSink implements TerminalSink {
  readonly calls: string[] = [];
  private readonly pending: Array<() => void> = [];

  reset(cols: number, rows: number): void {
    this.calls.push(`reset ${cols}x${rows}`);
  }

  resize(cols: number, rows: number): void {
    this.calls.push(`resize ${cols}x${rows}`);
  }

  write(data: Uint8Array, done: () => void): void {
    this.calls.push(`write ${new TextDecoder().decode(data)}`);
    this.pending.push(done);
  }

  flush(): void {
    for (const done of this.pending.splice(0)) done();
  }

  get text(): string {
    return this.calls
      .filter((c) => c.startsWith('write '))
      .map((c) => c.slice(6))
      .join('');
  }
}

const hello = (over: Partial<Record<string, unknown>> = {}) => ({
  type: 'hello',
  sessionKey: 's_1',
  cols: 80,
  rows: 24,
  offset: 100,
  snapshotBytes: 5,
  mode: 'control',
  stream: 'run-1',
  status: 'running',
  exitCode: null,
  ...over,
});

let sockets: FakeSocket[];
let sink: FakeSink;
let probe: ReturnType<typeof vi.fn<(key: string) => Promise<SessionProbe>>>;

function connect(options: { mode?: 'control' | 'view'; ackEvery?: number } = {}): TerminalConnection {
  const connection = new TerminalConnection({
    sessionKey: 's_1',
    mode: options.mode ?? 'control',
    sink,
    baseUrl: 'ws://bridge',
    probe,
    ackEvery: options.ackEvery,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
  });
  connection.start();
  return connection;
}

const last = () => sockets[sockets.length - 1]!;

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  sink = new FakeSink();
  probe = vi.fn(async () => 'alive' as SessionProbe);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('TerminalConnection', () => {
  it('redraws on hello, tracks the stream position, and acks from parse callbacks', () => {
    const c = connect({ ackEvery: 10 });
    expect(last().url).toBe('ws://bridge/ws/terminal/s_1?mode=control');
    expect(c.state.value).toBe('connecting');
    last().open();
    last().json(hello());
    expect(c.state.value).toBe('live');
    expect(sink.calls).toEqual(['reset 80x24']);
    expect(c.size.value).toEqual({ cols: 80, rows: 24 });

    // The screen (5 bytes) and the first stream bytes arrive in one frame, split across two.
    last().bytes('SCR');
    last().bytes('EENabc');
    expect(sink.calls.slice(1)).toEqual(['write SCR', 'write EE', 'write Nabc']);
    expect(c.streamPosition).toEqual({ offset: 104, stream: 'run-1' });
    expect(last().acks).toEqual([]); // nothing parsed yet
    sink.flush();
    // The screen is acked at the hello's offset; 4 stream bytes are below both thresholds.
    expect(last().acks).toEqual([100]);

    last().bytes('0123456789');
    sink.flush();
    expect(last().acks).toEqual([100, 114]);
    c.dispose();
  });

  it('acks what is left when the write queue drains, if it is enough to matter', () => {
    const c = connect();
    last().open();
    last().json(hello({ snapshotBytes: 0 }));
    expect(last().acks).toEqual([100]);
    last().bytes('x'.repeat(5000));
    last().bytes('y'.repeat(10));
    sink.flush();
    expect(last().acks).toEqual([100, 5110]);
    c.dispose();
  });

  it('resumes after a lost socket with since/stream and does not redraw', async () => {
    const c = connect();
    last().open();
    last().json(hello());
    last().bytes('SCREENhello');
    sink.flush();
    last().drop(1006);
    expect(c.state.value).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(499);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(probe).toHaveBeenCalledWith('s_1');
    expect(sockets).toHaveLength(2);
    expect(last().url).toBe('ws://bridge/ws/terminal/s_1?mode=control&since=106&stream=run-1');

    last().open();
    last().json(hello({ offset: 106, snapshotBytes: 0 }));
    last().bytes(' world');
    expect(c.state.value).toBe('live');
    expect(sink.calls.filter((x) => x.startsWith('reset'))).toHaveLength(1);
    expect(sink.text).toBe('SCREENhello world');
    expect(c.streamPosition.offset).toBe(112);
    c.dispose();
  });

  it('redraws when the stream changed (a restarted server) or fell out of the ring', async () => {
    const c = connect();
    last().open();
    last().json(hello({ snapshotBytes: 0 }));
    last().bytes('old');
    last().drop(1001, 'server stopping');
    await vi.advanceTimersByTimeAsync(500);
    last().open();
    last().json(hello({ stream: 'run-2', offset: 0, snapshotBytes: 3, cols: 100, rows: 30 }));
    expect(sink.calls.filter((x) => x.startsWith('reset'))).toEqual(['reset 80x24', 'reset 100x30']);
    last().bytes('NEW');
    expect(c.streamPosition).toEqual({ offset: 0, stream: 'run-2' });
    c.dispose();
  });

  it('a fresh screen mid-stream: parse callbacks of the old screen do not ack', () => {
    const c = connect({ ackEvery: 1 });
    last().open();
    last().json(hello({ snapshotBytes: 0 }));
    last().bytes('a lot of old output');
    // Not parsed yet when the server sends a new screen (the client fell behind).
    last().json(hello({ offset: 5000, snapshotBytes: 2 }));
    last().bytes('ok');
    sink.flush();
    expect(last().acks).toEqual([100, 5000]);
    expect(sink.calls).toEqual(['reset 80x24', 'write a lot of old output', 'reset 80x24', 'write ok']);
    c.dispose();
  });

  it('follows resize and exit messages', () => {
    const c = connect();
    last().open();
    last().json(hello());
    last().json({ type: 'resize', cols: 132, rows: 40 });
    expect(sink.calls).toContain('resize 132x40');
    expect(c.size.value).toEqual({ cols: 132, rows: 40 });
    last().json({ type: 'exit', code: 2 });
    expect(c.exit.value).toEqual({ code: 2 });
    last().json({ type: 'error', message: 'nope' });
    expect(c.lastError.value).toBe('nope');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    last().json({ type: 'bogus' });
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
    expect(c.state.value).toBe('live');
    c.dispose();
  });

  it('stops for good on close code 4404', async () => {
    const c = connect();
    last().open();
    last().json(hello());
    last().drop(4404, 'session closed');
    expect(c.state.value).toBe('closed');
    expect(c.closedReason.value).toBe('session closed');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(1);
    expect(probe).not.toHaveBeenCalled();
  });

  it('a refused upgrade: asks the API, and stops when the session is gone', async () => {
    probe.mockResolvedValue('gone');
    const c = connect();
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(c.state.value).toBe('closed');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(1);
  });

  it('retries with backoff from 0.5 s up to 5 s while the server is unreachable', async () => {
    probe.mockResolvedValue('unreachable');
    const c = connect();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = sockets.length;
      last().drop(1006);
      let waited = 0;
      while (sockets.length === before) {
        await vi.advanceTimersByTimeAsync(100);
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    expect(c.state.value).toBe('reconnecting');
    expect(c.attempts.value).toBe(6);
    // A hello resets the backoff.
    last().open();
    last().json(hello());
    expect(c.attempts.value).toBe(0);
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(500);
    expect(last().url).toContain('since=100');
    c.dispose();
  });

  it('sends input as UTF-8 and binary input byte for byte; never before hello', () => {
    const c = connect();
    expect(c.sendInput('early')).toBe(false);
    last().open();
    last().json(hello({ snapshotBytes: 0 }));
    expect(c.sendInput('é;\u001b[A')).toBe(true);
    expect(c.sendBinaryInput('\u00ff\u0000')).toBe(true);
    expect(last().input.map((b) => Array.from(b))).toEqual([
      [0xc3, 0xa9, 0x3b, 0x1b, 0x5b, 0x41],
      [0xff, 0x00],
    ]);
    expect(c.requestResize(90, 20)).toBe(true);
    expect(last().controls.at(-1)).toEqual({ type: 'resize', cols: 90, rows: 20 });
    c.dispose();
  });

  it('in view mode never sends input or a size', () => {
    const c = connect({ mode: 'view' });
    expect(last().url).toContain('mode=view');
    last().open();
    last().json(hello({ mode: 'view', snapshotBytes: 0 }));
    expect(c.sendInput('ls\r')).toBe(false);
    expect(c.requestResize(90, 20)).toBe(false);
    expect(last().input).toEqual([]);
    expect(last().controls.filter((m) => m.type === 'resize')).toEqual([]);
    c.dispose();
  });
});
