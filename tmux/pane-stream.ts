import { randomBytes } from 'node:crypto';
import { Disposable } from '../base/lifecycle.ts';
import { Emitter } from '../base/emitter.ts';
import { ByteRing } from './byte-ring.ts';

export interface StreamChunk {
  /** Stream offset of the first byte of `data`. */
  readonly offset: number;
  readonly data: Buffer;
}

export interface CutResult<T> {
  readonly value: T;
  /** The stream offset the captured screen corresponds to. */
  readonly offset: number;
  /** false when the pane never went quiet and the cut is a best guess. */
  readonly exact: boolean;
}

export interface PaneStreamOptions {
  readonly paneId: string;
  readonly ringBytes: number;
}

/** Quiet time before a capture, and settle time after it (see `cut`). */
const QUIET_MS = 15;
const SETTLE_MS = 5;
const CUT_ATTEMPTS = 8;

const BRACKETED_ON = Buffer.from('\x1b[?2004h');
const BRACKETED_OFF = Buffer.from('\x1b[?2004l');
const EMPTY = Buffer.alloc(0);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One pane's output as a byte stream with a monotonic offset, the last bytes in
 * a ring buffer, and fan-out to any number of subscribers.
 *
 * Offsets start at a time-derived base (ms × 1024) and a random stream id is
 * issued per run, so an offset from before a server restart can never be
 * mistaken for one of the new run.
 */
export class PaneStream extends Disposable {
  readonly id = randomBytes(6).toString('base64url');
  readonly paneId: string;
  private readonly ring: ByteRing;
  private lastData = 0;
  private bracketed = false;
  /** Last bytes of the previous chunk, so a mode sequence split across reads is still seen. */
  private tail: Buffer = EMPTY;

  private readonly onDataEmitter = this.register(new Emitter<StreamChunk>());
  readonly onData = this.onDataEmitter.event;

  constructor(options: PaneStreamOptions) {
    super();
    this.paneId = options.paneId;
    this.ring = new ByteRing(options.ringBytes, Date.now() * 1024);
  }

  /** Offset of the next byte to arrive. */
  get offset(): number {
    return this.ring.endOffset;
  }

  /** Oldest offset still in the ring buffer. */
  get startOffset(): number {
    return this.ring.startOffset;
  }

  get bufferedBytes(): number {
    return this.ring.allocated;
  }

  /** performance.now() of the last byte, 0 if none yet. */
  get lastDataAt(): number {
    return this.lastData;
  }

  /**
   * Whether the program asked for bracketed paste (`ESC [?2004h`). tmux does not
   * report this mode, so the stream watches for it; a fresh screen restores it.
   */
  get bracketedPaste(): boolean {
    return this.bracketed;
  }

  /**
   * Appends bytes read from the pane. `data` may be a reused read buffer: it is
   * copied into the ring, and listeners get views of the ring's copy, which
   * never changes once written (blocks are dropped, not reused).
   */
  append(data: Buffer): void {
    if (data.length === 0 || this.isDisposed) return;
    let offset = this.ring.endOffset;
    this.trackModes(data);
    this.ring.append(data);
    this.lastData = performance.now();
    // One view, or two when the bytes crossed into a new ring block.
    for (const view of this.ring.readFrom(offset) ?? []) {
      this.onDataEmitter.fire({ offset, data: view });
      offset += view.length;
    }
  }

  private trackModes(data: Buffer): void {
    if (data.indexOf(0x1b) < 0 && this.tail.length === 0) return;
    const bytes = this.tail.length > 0 ? Buffer.concat([this.tail, data]) : data;
    const on = bytes.lastIndexOf(BRACKETED_ON);
    const off = bytes.lastIndexOf(BRACKETED_OFF);
    if (on >= 0 || off >= 0) this.bracketed = on > off;
    const esc = data.lastIndexOf(0x1b);
    this.tail = esc >= 0 && data.length - esc < BRACKETED_ON.length ? Buffer.from(data.subarray(esc)) : EMPTY;
  }

  /** Bytes from `offset` up to now, or undefined if they fell out of the ring (or lie ahead). */
  readFrom(offset: number): Buffer[] | undefined {
    return this.ring.readFrom(offset);
  }

  /**
   * Runs `capture` (a tmux capture of the pane's screen) at a point where its
   * place in the byte stream is known.
   *
   * Everything tmux read from the pane before the capture is in the screen and
   * on its way down the pipe; nothing says how much is still in flight. So we
   * wait until the stream has been quiet for QUIET_MS, capture, and accept the
   * cut only if no byte arrived until SETTLE_MS after tmux answered: then the
   * screen holds exactly the bytes before `offset`. A pane that never pauses
   * gets a best-effort cut after a few attempts (`exact: false`).
   */
  async cut<T>(capture: () => Promise<T>): Promise<CutResult<T>> {
    // A pane that just failed to pause (a flood) is not asked for long again.
    const attempts = performance.now() - this.lastInexactCut < 5000 ? 2 : CUT_ATTEMPTS;
    for (let attempt = 0; attempt < attempts; attempt++) {
      // Captures cost tmux time (and every other pane's latency): only when quiet.
      if (!(await this.waitForQuiet(QUIET_MS, 40 + attempt * 20))) continue;
      const before = this.offset;
      const value = await capture();
      await sleep(SETTLE_MS);
      if (this.offset === before) return { value, offset: before, exact: true };
    }
    this.lastInexactCut = performance.now();
    const value = await capture();
    return { value, offset: this.offset, exact: false };
  }

  private lastInexactCut = Number.NEGATIVE_INFINITY;

  /** Resolves true once no byte arrived for `quietMs`, false after `maxWaitMs` without such a pause. */
  private async waitForQuiet(quietMs: number, maxWaitMs: number): Promise<boolean> {
    const deadline = performance.now() + maxWaitMs;
    for (;;) {
      const idle = performance.now() - this.lastData;
      if (idle >= quietMs) return true;
      const now = performance.now();
      if (now >= deadline) return false;
      await sleep(Math.min(quietMs - idle, deadline - now) + 1);
    }
  }

}
