import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreClosedError } from './errors.ts';
import { encodeFrame, segmentName } from './journal-format.ts';
import type { SegmentInfo } from './recovery.ts';
import { shrinkAndUnlink } from './shrink.ts';
import type { JournalEntry, StoreLogger } from './types.ts';
import { errorMessage, toError } from '../../base/errors.ts';

/** Entries per frame: bounds the JSON encoding done on the main thread for one write. */
const MAX_ENTRIES_PER_FRAME = 2000;

interface Segment {
  readonly path: string;
  readonly firstLsn: number;
  lastLsn: number | undefined;
}

type Job =
  | { readonly kind: 'entry'; readonly entry: JournalEntry; readonly resolve: () => void; readonly reject: (error: Error) => void }
  | { readonly kind: 'barrier'; readonly run: () => Promise<void> };

export interface JournalOptions {
  readonly dir: string;
  /** Segments found at start: all sealed; new entries go to a new segment. */
  readonly segments: readonly SegmentInfo[];
  /** Last entry already on disk (recovered at start). */
  readonly lastLsn: number;
  readonly log: StoreLogger;
  /** Called in LSN order once entries are on disk, before their promises resolve. */
  readonly onDurable: (entries: readonly JournalEntry[], bytes: number) => void;
  /** Called once when a write or fsync fails: memory and disk may now disagree. */
  readonly onFailure: (error: Error) => void;
}

/**
 * The append-only journal with group commit: entries appended while a write is
 * in flight (or in the same tick) go out together as one frame, with one write
 * and one fsync. A barrier runs between two frames (used to seal the segment
 * for a snapshot). The first write or fsync error stops the journal for good:
 * after a failed fsync the kernel may have dropped the data, so retrying would
 * acknowledge writes that are not on disk.
 */
export class Journal {
  private readonly queue: Job[] = [];
  private running = false;
  private failure: Error | undefined;
  private closed = false;
  private current: (Segment & { readonly handle: FileHandle; dirSynced: boolean }) | undefined;
  /** Every segment on disk, oldest first; all but `current` are sealed. */
  private readonly segments: Segment[];
  private lastDurable = 0;

  constructor(private readonly options: JournalOptions) {
    this.segments = options.segments.map((s) => ({ ...s }));
    this.lastDurable = options.lastLsn;
  }

  /** Last entry that is on disk. */
  get lastDurableLsn(): number {
    return this.lastDurable;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Resolves once the entry is on disk. */
  append(entry: JournalEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure || this.closed) return reject(this.refusal());
      this.queue.push({ kind: 'entry', entry, resolve, reject });
      this.kick();
    });
  }

  /**
   * Runs `fn` after every entry appended before this call is on disk and before
   * any entry appended after it is written. `fn` must not wait for an append
   * (that append waits for the barrier: deadlock).
   */
  barrier<T>(fn: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.failure || this.closed) return reject(this.refusal());
      this.queue.push({
        kind: 'barrier',
        run: async () => {
          try {
            resolve(await fn());
          } catch (error) {
            reject(toError(error));
          }
        },
      });
      this.kick();
    });
  }

  /** Closes the segment being written: the next entry starts a new one. Call inside a barrier. */
  async seal(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    await current.handle.close();
  }

  /** Deletes sealed segments whose entries are all at or below `lsn` (a snapshot holds them). */
  async dropCovered(lsn: number): Promise<number> {
    let dropped = 0;
    for (const segment of [...this.segments]) {
      if (segment === this.current) continue;
      const last = segment.lastLsn ?? segment.firstLsn - 1;
      if (last > lsn) continue;
      try {
        await shrinkAndUnlink(segment.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.options.log.warn(`could not delete journal segment ${segment.path}: ${errorMessage(error)}`);
          continue;
        }
      }
      this.segments.splice(this.segments.indexOf(segment), 1);
      dropped++;
    }
    return dropped;
  }

  /** Refuses new entries, waits for queued ones, then closes the open segment. */
  async close(): Promise<void> {
    if (this.closed) return;
    const drained = this.failure ? undefined : this.barrier(() => undefined);
    this.closed = true;
    await drained;
    await this.current?.handle.close().catch(() => undefined);
    this.current = undefined;
  }

  private refusal(): Error {
    if (this.failure) return new StoreClosedError(`a journal write failed earlier (${this.failure.message}); restart tmux-bridge`);
    return new StoreClosedError('the store is closed');
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    // setImmediate, not a microtask: every write issued in this turn of the event loop joins the frame.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        if (head.kind === 'barrier') {
          this.queue.shift();
          await head.run();
          continue;
        }
        if (this.failure) {
          this.queue.shift();
          head.reject(this.refusal());
          continue;
        }
        let count = 0;
        while (count < this.queue.length && count < MAX_ENTRIES_PER_FRAME && this.queue[count]!.kind === 'entry') count++;
        const jobs = this.queue.splice(0, count) as Array<Extract<Job, { kind: 'entry' }>>;
        const entries = jobs.map((job) => job.entry);
        let bytes: number;
        try {
          bytes = await this.write(entries);
        } catch (error) {
          this.failure = toError(error);
          this.options.log.error(`journal write failed, the store stops accepting writes: ${this.failure.message}`);
          for (const job of jobs) job.reject(this.refusal());
          this.options.onFailure(this.failure);
          continue;
        }
        this.lastDurable = entries[entries.length - 1]!.lsn;
        try {
          this.options.onDurable(entries, bytes);
        } catch (error) {
          // The entries are on disk whatever a listener thinks: acknowledge them anyway.
          this.options.log.error(`after a journal write: ${errorMessage(error)}`);
        }
        for (const job of jobs) job.resolve();
      }
    } finally {
      this.running = false;
    }
  }

  private async write(entries: JournalEntry[]): Promise<number> {
    const frame = encodeFrame(entries);
    const segment = this.current ?? (await this.openSegment(entries[0]!.lsn));
    let offset = 0;
    while (offset < frame.length) {
      // O_DSYNC: write() returns once the bytes are on disk — one trip to the thread pool, not two.
      const { bytesWritten } = await segment.handle.write(frame, offset, frame.length - offset, null);
      offset += bytesWritten;
    }
    if (!segment.dirSynced) {
      // A new file's directory entry must be durable too, or the whole segment can vanish.
      await this.syncDir();
      segment.dirSynced = true;
    }
    segment.lastLsn = entries[entries.length - 1]!.lsn;
    return frame.length;
  }

  private async openSegment(firstLsn: number): Promise<NonNullable<Journal['current']>> {
    await mkdir(this.options.dir, { recursive: true });
    const path = join(this.options.dir, segmentName(firstLsn));
    // O_EXCL: never append to a file we did not create. O_DSYNC: see write().
    const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC;
    const handle = await open(path, flags, 0o600);
    const segment = { path, firstLsn, lastLsn: undefined, handle, dirSynced: false };
    this.segments.push(segment);
    this.current = segment;
    return segment;
  }

  private async syncDir(): Promise<void> {
    const dir = await open(this.options.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
