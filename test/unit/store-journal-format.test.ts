import { describe, expect, test } from 'vitest';
import { crc32 } from '../../server/store/crc32.ts';
import { StoreCorruptError } from '../../server/store/errors.ts';
import { encodeFrame, FRAME_HEADER_BYTES, parseSegmentName, scanSegment, segmentName } from '../../server/store/journal-format.ts';
import type { JournalEntry } from '../../server/store/types.ts';

const entry = (lsn: number): JournalEntry => ({ lsn, stmts: [['INSERT INTO t (a, b) VALUES (?, ?)', [lsn, `v${lsn} "quoted" ✓`]]] });
const frames = (...groups: number[][]): Buffer => Buffer.concat(groups.map((lsns) => encodeFrame(lsns.map(entry))));

describe('crc32', () => {
  test('matches the IEEE check values', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
    expect(crc32(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });
});

describe('segment names', () => {
  test('round-trip and sort by first entry', () => {
    expect(segmentName(42)).toBe('0000000000000042.jnl');
    expect(parseSegmentName(segmentName(42))).toBe(42);
    expect(parseSegmentName('state.sqlite')).toBeUndefined();
    expect([segmentName(100), segmentName(9)].sort()).toEqual([segmentName(9), segmentName(100)]);
  });
});

describe('scanSegment', () => {
  test('decodes frames of several entries, values intact', () => {
    const scan = scanSegment(frames([1, 2], [3], [4, 5, 6]), 'seg', true);
    expect(scan.entries.map((e) => e.lsn)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(scan.entries[1]).toEqual(entry(2));
    expect(scan.torn).toBeUndefined();
  });

  test('a last frame cut short is a torn tail, not corruption', () => {
    const whole = frames([1, 2], [3, 4]);
    for (const cut of [1, 5, FRAME_HEADER_BYTES, 30]) {
      const scan = scanSegment(whole.subarray(0, whole.length - cut), 'seg', true);
      expect(scan.entries.map((e) => e.lsn)).toEqual([1, 2]);
      expect(scan.torn?.offset).toBe(encodeFrame([entry(1), entry(2)]).length);
    }
  });

  test('a last frame with a bad checksum or zero fill is torn', () => {
    const good = frames([1]);
    const bad = frames([2]);
    bad[bad.length - 3]! ^= 0xff;
    expect(scanSegment(Buffer.concat([good, bad]), 'seg', true).torn?.reason).toMatch(/checksum/);
    expect(scanSegment(Buffer.concat([good, Buffer.alloc(4096)]), 'seg', true).entries).toHaveLength(1);
  });

  test('damage followed by an intact frame is corruption, naming the file', () => {
    const first = frames([1]);
    first[FRAME_HEADER_BYTES + 3]! ^= 0x01;
    const buf = Buffer.concat([first, frames([2])]);
    expect(() => scanSegment(buf, '/data/journal/x.jnl', true)).toThrow(StoreCorruptError);
    expect(() => scanSegment(buf, '/data/journal/x.jnl', true)).toThrow(/x\.jnl.*intact record follows/);
  });

  test('any damage in a segment that is not the last one is corruption', () => {
    const whole = frames([1], [2]);
    expect(() => scanSegment(whole.subarray(0, whole.length - 2), 'older.jnl', false)).toThrow(/not the last one/);
  });

  test('a frame with a right checksum but a foreign payload is corruption', () => {
    const payload = Buffer.from('{"not":"a journal"}');
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    header.writeUInt32BE(0x54424a31, 0);
    header.writeUInt32BE(payload.length, 4);
    header.writeUInt32BE(crc32(payload), 8);
    expect(() => scanSegment(Buffer.concat([header, payload]), 'seg', true)).toThrow(/not a journal record/);
  });
});
