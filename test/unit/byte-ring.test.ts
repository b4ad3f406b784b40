import { describe, expect, it } from 'vitest';
import { ByteRing } from '../../tmux/byte-ring.ts';

const MiB = 1024 * 1024;

describe('ByteRing', () => {
  it('reads back what was written, from any held offset', () => {
    const ring = new ByteRing(MiB, 1000);
    ring.append(Buffer.from('hello '));
    ring.append(Buffer.from('world'));
    expect(ring.startOffset).toBe(1000);
    expect(ring.endOffset).toBe(1011);
    expect(Buffer.concat(ring.readFrom(1000)!).toString()).toBe('hello world');
    expect(Buffer.concat(ring.readFrom(1006)!).toString()).toBe('world');
    expect(ring.readFrom(1011)).toEqual([]);
    expect(ring.readFrom(1012)).toBeUndefined();
    expect(ring.readFrom(999)).toBeUndefined();
    expect(ring.slice(1002, 1008)!.toString()).toBe('llo wo');
  });

  it('keeps at least its capacity and at most one block more, however the bytes arrive', () => {
    const ring = new ByteRing(MiB);
    let written = 0;
    const all: Buffer[] = [];
    for (let i = 0; i < 40_000; i++) {
      const chunk = Buffer.alloc((i % 97) + 1, i % 251);
      ring.append(chunk);
      all.push(chunk);
      written += chunk.length;
    }
    expect(ring.endOffset).toBe(written);
    expect(ring.size).toBeGreaterThanOrEqual(MiB);
    expect(ring.allocated).toBeLessThanOrEqual(MiB + 2 * 64 * 1024);
    const everything = Buffer.concat(all);
    const held = Buffer.concat(ring.readFrom(ring.startOffset)!);
    expect(held.equals(everything.subarray(ring.startOffset))).toBe(true);
    // A random offset inside the ring reads exactly the tail from there.
    const offset = ring.startOffset + 12345;
    expect(Buffer.concat(ring.readFrom(offset)!).equals(everything.subarray(offset))).toBe(true);
  });

  it('handles chunks larger than a block and than the capacity', () => {
    const ring = new ByteRing(MiB);
    const big = Buffer.alloc(3 * MiB);
    for (let i = 0; i < big.length; i++) big[i] = i % 256;
    ring.append(big);
    expect(ring.endOffset).toBe(3 * MiB);
    expect(ring.size).toBeGreaterThanOrEqual(MiB);
    expect(Buffer.concat(ring.readFrom(ring.startOffset)!).equals(big.subarray(ring.startOffset))).toBe(true);
  });

  it('costs little while a pane is idle', () => {
    const ring = new ByteRing(MiB);
    ring.append(Buffer.from('$ '));
    expect(ring.allocated).toBeLessThanOrEqual(8 * 1024);
  });
});
