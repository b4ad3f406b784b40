import { waitFor as waitUntil } from '../../test/helpers/wait.ts';

export { sleep } from '../../test/helpers/wait.ts';

/** The tests' waitFor with the bench's defaults: up to 30 s (a loaded machine), checked every 20 ms. */
export function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000, everyMs = 20): Promise<NonNullable<T>> {
  return waitUntil(check, what, timeoutMs, everyMs);
}

/** Progress lines go to stderr so stdout keeps the result table clean. */
export function progress(message: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[${t}] ${message}\n`);
}

/** Finds the end of a marker in a byte stream delivered in arbitrary chunks. */
export class MarkerScanner {
  private tail = Buffer.alloc(0);

  constructor(private readonly marker: Buffer) {
    if (marker.length < 2) throw new Error('a marker needs at least 2 bytes');
  }

  /**
   * Feeds the next chunk, whose first byte has stream offset `offset`.
   * Returns the stream offset just past the marker, or -1.
   */
  push(data: Buffer, offset: number): number {
    const need = this.marker.length - 1;
    let found = -1;
    if (this.tail.length > 0) {
      // Only the seam needs a copy; the chunk itself is searched in place (floods are tens of MB/s).
      const seam = Buffer.concat([this.tail, data.subarray(0, need)]);
      const at = seam.indexOf(this.marker);
      if (at >= 0) found = offset - this.tail.length + at + this.marker.length;
    }
    if (found < 0) {
      const at = data.indexOf(this.marker);
      if (at >= 0) found = offset + at + this.marker.length;
    }
    const joined = data.length >= need ? data : Buffer.concat([this.tail, data]);
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - need)));
    return found;
  }
}

export const MB = 1e6;
export const MiB = 1024 * 1024;
