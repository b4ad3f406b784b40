import { appendFile } from 'node:fs/promises';
import { Disposable, disposableInterval } from '../../../base/lifecycle.ts';
import type { PaneStream } from '../../../tmux/pane-stream.ts';

/** Most bytes an execution keeps in memory; the output file has them all (up to MAX_FILE_BYTES). */
const MAX_MEMORY_BYTES = 16 * 1024 * 1024;
const MAX_FILE_BYTES = 256 * 1024 * 1024;
/** Output reaches the file this soon after the pane printed it (a kill -9 loses at most this much). */
const FLUSH_MS = 100;

/**
 * Records a pane's output from a start offset, flushes it to the execution's
 * output file every 100 ms (so a crash keeps most of it), and watches for an
 * end pattern across chunk boundaries.
 */
export class PaneRecorder extends Disposable {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private unflushed: Buffer[] = [];
  private fileBytes = 0;
  private flushing: Promise<void> = Promise.resolve();
  private tail = Buffer.alloc(0);
  private stopped = false;
  private endOffset: number;

  constructor(
    private readonly stream: PaneStream,
    readonly offsetStart: number,
    private readonly outputFile: string,
    private readonly onChunk: (view: { text: string; absoluteStart: number }) => void,
  ) {
    super();
    this.endOffset = offsetStart;
    this.register(stream.onData(({ offset, data }) => this.take(offset, data)));
    this.register(disposableInterval(() => void this.flush(), FLUSH_MS));
  }

  get offset(): number {
    return this.endOffset;
  }

  get streamOffset(): number {
    return this.stream.offset;
  }

  private take(offset: number, data: Buffer): void {
    if (this.stopped) return;
    let bytes = data;
    if (offset < this.endOffset) {
      const skip = this.endOffset - offset;
      if (skip >= data.length) return;
      bytes = data.subarray(skip);
      offset = this.endOffset;
    }
    const copy = Buffer.from(bytes);
    if (this.bytes + copy.length <= MAX_MEMORY_BYTES) {
      this.chunks.push(copy);
      this.bytes += copy.length;
    }
    this.unflushed.push(copy);
    this.endOffset = offset + copy.length;
    // Scan the new bytes with the end of the previous ones, so a marker split across reads is found.
    const scan = Buffer.concat([this.tail, copy]);
    const scanStart = this.endOffset - scan.length;
    this.tail = scan.subarray(Math.max(0, scan.length - 96));
    this.onChunk({ text: scan.toString('latin1'), absoluteStart: scanStart });
  }

  /** Stops recording at `offset` (exclusive); later bytes are not the execution's. */
  stopAt(offset: number): Buffer {
    this.stopped = true;
    let keep = offset - this.offsetStart;
    const parts: Buffer[] = [];
    for (const chunk of this.chunks) {
      if (keep <= 0) break;
      parts.push(chunk.length <= keep ? chunk : chunk.subarray(0, keep));
      keep -= chunk.length;
    }
    // The unflushed bytes beyond `offset` are dropped too.
    let fileKeep = offset - this.offsetStart - this.fileBytes;
    const unflushed: Buffer[] = [];
    for (const chunk of this.unflushed) {
      if (fileKeep <= 0) break;
      unflushed.push(chunk.length <= fileKeep ? chunk : chunk.subarray(0, fileKeep));
      fileKeep -= chunk.length;
    }
    this.unflushed = unflushed;
    return Buffer.concat(parts);
  }

  /** Everything recorded so far (bounded by the memory cap). */
  recorded(): Buffer {
    return Buffer.concat(this.chunks);
  }

  flush(): Promise<void> {
    const pending = this.unflushed;
    this.unflushed = [];
    if (pending.length === 0) return this.flushing;
    let data = Buffer.concat(pending);
    if (this.fileBytes + data.length > MAX_FILE_BYTES) data = data.subarray(0, Math.max(0, MAX_FILE_BYTES - this.fileBytes));
    this.fileBytes += data.length;
    this.flushing = this.flushing.then(() => appendFile(this.outputFile, data).catch(() => undefined));
    return this.flushing;
  }
}
