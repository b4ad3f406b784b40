/**
 * The recent bytes of one pane stream, addressed by absolute stream offset.
 * Bytes are copied into blocks (small first, then 64 KiB) so thousands of tiny
 * reads do not become thousands of objects; whole blocks are dropped from the
 * front once the rest still holds `capacity` bytes. Memory stays within
 * `capacity + 64 KiB`, and an idle pane costs one small block.
 */
const FIRST_BLOCK = 8 * 1024;
const BLOCK = 64 * 1024;

interface Block {
  /** Stream offset of data[0]. */
  readonly offset: number;
  readonly data: Buffer;
  used: number;
}

export class ByteRing {
  private blocks: Block[] = [];
  private head = 0;
  private end: number;
  private readonly origin: number;

  constructor(
    private readonly capacity: number,
    startOffset = 0,
  ) {
    if (capacity < BLOCK) throw new Error(`ring capacity must be at least ${BLOCK} bytes`);
    this.end = startOffset;
    this.origin = startOffset;
  }

  /** Offset one past the last byte written. */
  get endOffset(): number {
    return this.end;
  }

  /** Oldest offset still held. */
  get startOffset(): number {
    const first = this.blocks[this.head];
    return first ? first.offset : this.end;
  }

  /** Bytes held (between capacity and capacity + one block once full). */
  get size(): number {
    return this.end - this.startOffset;
  }

  /** Bytes allocated. */
  get allocated(): number {
    let total = 0;
    for (let i = this.head; i < this.blocks.length; i++) total += this.blocks[i]!.data.length;
    return total;
  }

  append(chunk: Uint8Array): void {
    let pos = 0;
    while (pos < chunk.length) {
      let tail = this.blocks[this.blocks.length - 1];
      if (!tail || this.blocks.length === this.head || tail.used === tail.data.length) {
        // Small blocks while the pane has printed little: idle panes stay cheap.
        const size = this.end - this.origin < BLOCK ? FIRST_BLOCK : BLOCK;
        tail = { offset: this.end, data: Buffer.allocUnsafe(size), used: 0 };
        this.blocks.push(tail);
      }
      const n = Math.min(chunk.length - pos, tail.data.length - tail.used);
      tail.data.set(chunk.subarray(pos, pos + n), tail.used);
      tail.used += n;
      pos += n;
      this.end += n;
    }
    this.evict();
  }

  /** The bytes from `offset` to the end, or undefined if `offset` is no longer (or not yet) held. */
  readFrom(offset: number): Buffer[] | undefined {
    if (offset > this.end || offset < this.startOffset) return undefined;
    const out: Buffer[] = [];
    if (offset === this.end) return out;
    let i = this.findBlock(offset);
    for (; i < this.blocks.length; i++) {
      const block = this.blocks[i]!;
      const from = Math.max(0, offset - block.offset);
      if (from < block.used) out.push(block.data.subarray(from, block.used));
    }
    return out;
  }

  /** Bytes in [from, to) as one buffer, or undefined if not held. */
  slice(from: number, to: number): Buffer | undefined {
    if (from < this.startOffset || to > this.end || from > to) return undefined;
    const parts = this.readFrom(from);
    if (!parts) return undefined;
    return Buffer.concat(parts).subarray(0, to - from);
  }

  private findBlock(offset: number): number {
    let lo = this.head;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid]!.offset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private evict(): void {
    while (this.blocks.length - this.head > 1) {
      const first = this.blocks[this.head]!;
      if (this.end - (first.offset + first.used) < this.capacity) break;
      this.blocks[this.head] = undefined as unknown as Block;
      this.head++;
    }
    // Compact the array now and then instead of shifting on every eviction.
    if (this.head > 32 && this.head * 2 > this.blocks.length) {
      this.blocks = this.blocks.slice(this.head);
      this.head = 0;
    }
  }
}
