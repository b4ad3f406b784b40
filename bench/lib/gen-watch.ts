import { GEN_BEGIN, GEN_END } from './generator.ts';
import type { BenchTerminal } from './terminal.ts';
import { MarkerScanner } from './util.ts';

/**
 * Counts the bytes a terminal client receives between the generator's begin
 * and end markers: with fixed-size lines, any byte lost (or doubled) anywhere
 * between the pane and the client shows up as a difference.
 */
export class GenWatch {
  beginAt = 0;
  endAt = 0;
  received = 0;
  /** Fresh screens the client got while the generator ran (each one means stream bytes it never saw). */
  refreshes = 0;
  private readonly begin = new MarkerScanner(Buffer.from(GEN_BEGIN));
  private readonly end = new MarkerScanner(Buffer.from(GEN_END));
  private hellosAtBegin = 0;
  private done: (() => void) | undefined;
  readonly finished: Promise<void>;

  constructor(private readonly client: BenchTerminal) {
    this.finished = new Promise((resolve) => (this.done = resolve));
    client.onStream = (data, offset, at) => this.feed(data, offset, at);
  }

  private feed(data: Buffer, offset: number, at: number): void {
    if (this.endAt > 0) return;
    if (this.beginAt === 0) {
      const after = this.begin.push(data, offset);
      if (after < 0) return;
      this.beginAt = at;
      this.hellosAtBegin = this.client.hellos;
      const rest = data.subarray(after - offset);
      if (rest.length > 0) this.feed(rest, after, at);
      return;
    }
    this.received += data.length;
    const afterEnd = this.end.push(data, offset);
    if (afterEnd < 0) return;
    // Everything from the start of the end marker on is not generator payload.
    this.received -= offset + data.length - (afterEnd - GEN_END.length);
    this.endAt = at;
    this.refreshes = this.client.hellos - this.hellosAtBegin;
    this.done?.();
  }
}
