import { crc32 } from './crc32.ts';
import { StoreCorruptError } from './errors.ts';
import type { JournalEntry, SqlParam, Stmt } from './types.ts';

/**
 * On-disk journal format. A journal is a directory of segment files named by the
 * LSN of their first entry (`0000000000000042.jnl`). A segment is a sequence of
 * frames; a frame is what one group commit wrote with one write() + one fsync:
 *
 *   u32 BE magic "TBJ1" | u32 BE payload length | u32 BE CRC-32 of payload | payload
 *
 * The payload is UTF-8 JSON: `[[lsn, [[sql, [params…]], …]], …]`, one item per
 * committed transaction, LSNs consecutive across frames and segments.
 *
 * Because a frame is written only after the previous one's fsync returned, a
 * damaged frame followed by a good one was acknowledged: that is corruption. A
 * damaged frame with nothing good after it, at the end of the last segment, is
 * the torn tail of a write that was never acknowledged: it is ignored.
 */
export const FRAME_MAGIC = 0x54424a31;
export const FRAME_HEADER_BYTES = 12;
/** Larger lengths are damage, not data (a 200k-row transaction is ~30 MB). */
export const MAX_FRAME_PAYLOAD = 512 * 1024 * 1024;
const MAGIC_BYTES = Buffer.from([0x54, 0x42, 0x4a, 0x31]);

export const SEGMENT_SUFFIX = '.jnl';

export function segmentName(firstLsn: number): string {
  return `${String(firstLsn).padStart(16, '0')}${SEGMENT_SUFFIX}`;
}

/** The first LSN a segment file name promises, or undefined for other files. */
export function parseSegmentName(name: string): number | undefined {
  const match = /^(\d{16})\.jnl$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export function encodeFrame(entries: readonly JournalEntry[]): Buffer {
  const payload = Buffer.from(JSON.stringify(entries.map((entry) => [entry.lsn, entry.stmts])), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(FRAME_MAGIC, 0);
  frame.writeUInt32BE(payload.length, 4);
  frame.writeUInt32BE(crc32(payload), 8);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

type FrameRead =
  | { readonly ok: true; readonly end: number; readonly entries: JournalEntry[] }
  /** `fatal`: the frame's checksum is right but its content is not a journal payload. */
  | { readonly ok: false; readonly fatal: boolean; readonly reason: string };

function isParam(value: unknown): value is SqlParam {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function parsePayload(text: string): JournalEntry[] | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(data)) return undefined;
  const entries: JournalEntry[] = [];
  for (const item of data) {
    if (!Array.isArray(item) || item.length !== 2 || !Number.isSafeInteger(item[0]) || !Array.isArray(item[1])) return undefined;
    const stmts: Stmt[] = [];
    for (const stmt of item[1] as unknown[]) {
      if (!Array.isArray(stmt) || typeof stmt[0] !== 'string' || !Array.isArray(stmt[1]) || !stmt[1].every(isParam)) return undefined;
      stmts.push([stmt[0], stmt[1] as SqlParam[]]);
    }
    entries.push({ lsn: item[0] as number, stmts });
  }
  return entries;
}

export function readFrame(buf: Buffer, pos: number): FrameRead {
  if (buf.length - pos < FRAME_HEADER_BYTES) return { ok: false, fatal: false, reason: 'incomplete frame header' };
  if (buf.readUInt32BE(pos) !== FRAME_MAGIC) return { ok: false, fatal: false, reason: 'bad frame magic' };
  const length = buf.readUInt32BE(pos + 4);
  if (length > MAX_FRAME_PAYLOAD) return { ok: false, fatal: false, reason: `implausible frame length ${length}` };
  const end = pos + FRAME_HEADER_BYTES + length;
  if (end > buf.length) return { ok: false, fatal: false, reason: `frame of ${length} bytes cut short at ${buf.length - pos - FRAME_HEADER_BYTES}` };
  if (crc32(buf, pos + FRAME_HEADER_BYTES, end) !== buf.readUInt32BE(pos + 8)) return { ok: false, fatal: false, reason: 'checksum mismatch' };
  const entries = parsePayload(buf.toString('utf8', pos + FRAME_HEADER_BYTES, end));
  if (!entries || entries.length === 0) return { ok: false, fatal: true, reason: 'checksum is right but the payload is not a journal record' };
  return { ok: true, end, entries };
}

/** Is there a whole, checksummed frame starting anywhere after `from`? */
function goodFrameAfter(buf: Buffer, from: number): number | undefined {
  for (let at = buf.indexOf(MAGIC_BYTES, from); at >= 0; at = buf.indexOf(MAGIC_BYTES, at + 1)) {
    if (readFrame(buf, at).ok) return at;
  }
  return undefined;
}

export interface TornTail {
  /** Where the valid part of the segment ends. */
  readonly offset: number;
  readonly bytes: number;
  readonly reason: string;
}

export interface SegmentScan {
  readonly entries: JournalEntry[];
  /** Byte length of the whole frames. */
  readonly validEnd: number;
  readonly torn?: TornTail;
}

/**
 * Decodes a segment. Throws StoreCorruptError for damage that is not a torn
 * tail; `isLast` says whether a torn tail is allowed here at all.
 */
export function scanSegment(buf: Buffer, file: string, isLast: boolean): SegmentScan {
  const entries: JournalEntry[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const frame = readFrame(buf, pos);
    if (frame.ok) {
      for (const entry of frame.entries) entries.push(entry);
      pos = frame.end;
      continue;
    }
    const where = `record at byte ${pos}: ${frame.reason}`;
    if (frame.fatal) throw new StoreCorruptError(file, where);
    if (!isLast) throw new StoreCorruptError(file, `${where}, in a journal segment that is not the last one`);
    const later = goodFrameAfter(buf, pos + 1);
    if (later !== undefined) {
      throw new StoreCorruptError(file, `${where}, and an intact record follows at byte ${later}, so it is not a torn write`);
    }
    return { entries, validEnd: pos, torn: { offset: pos, bytes: buf.length - pos, reason: frame.reason } };
  }
  return { entries, validEnd: pos };
}
