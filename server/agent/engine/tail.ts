/**
 * A pane's last lines for the board and PANE_TAIL: kept short, each line bounded,
 * announced at most once a second.
 */
import { Disposable, disposableTimeout, MutableDisposable } from '../../../base/lifecycle.ts';

/** Lines kept for the board and PANE_TAIL. */
export const TAIL_LINES = 20;
const TAIL_EVERY_MS = 1000;
const LINE_CHARS = 2000;

export class PaneTail extends Disposable {
  private readonly kept: string[] = [];
  private readonly timer = this.register(new MutableDisposable());
  private lastAt = 0;

  /** `announce` gets the lines when the throttle lets them out. */
  constructor(private readonly announce: (lines: string[]) => void) {
    super();
  }

  get lines(): readonly string[] {
    return this.kept;
  }

  add(lines: readonly string[]): void {
    for (const line of lines.length > TAIL_LINES ? lines.slice(-TAIL_LINES) : lines) {
      this.kept.push(line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS)}…` : line);
    }
    if (this.kept.length > TAIL_LINES) this.kept.splice(0, this.kept.length - TAIL_LINES);
    if (this.timer.value) return;
    const wait = Math.max(0, this.lastAt + TAIL_EVERY_MS - Date.now());
    this.timer.value = disposableTimeout(() => {
      this.timer.clear();
      this.lastAt = Date.now();
      this.announce([...this.kept]);
    }, wait);
  }

  /** Replaces the lines (a pane nothing is evaluated in: read afresh from the stream). */
  replace(lines: readonly string[]): void {
    this.kept.length = 0;
    this.add(lines);
  }
}
