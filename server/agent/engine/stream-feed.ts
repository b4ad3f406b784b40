/**
 * Lines of a local pane from its exact byte stream (PaneStream, fed by pipe-pane).
 *
 * Start: an exact cut — a capture of the whole history taken at a known stream
 * offset — tells what the pane printed before; the stored anchor says which of those
 * lines were evaluated already (after a restart, also after kill -9), and only the
 * rest is evaluated. A pane never seen before gets its last `capture_lines` lines
 * evaluated once (tmuxagent's first look). From the cut on, every byte of the stream
 * goes through the LineSplitter, seeded with the cursor's unfinished line, so lines
 * are neither missed nor repeated however fast the pane prints, even far beyond
 * tmux's history limit.
 */
import { Disposable, disposableTimeout, MutableDisposable, toDisposable } from '../../../base/lifecycle.ts';
import type { PaneStream } from '../../../tmux/pane-stream.ts';
import type { PaneProgress } from '../../../schemas/agent.ts';
import type { TmuxEndpoint } from '../../../tmux/stream-source.ts';
import { LineSplitter } from '../lines.ts';
import { ANCHOR_LINES, anchorText, findAfterAnchor, lineCaptureCommands, parseLineCapture, type LineCapture } from './anchor.ts';
import type { PaneRuntime } from './runtime.ts';
import { errorMessage } from '../../../base/errors.ts';

/** How long to keep trying for an exact cut before settling for a best-effort one. */
const EXACT_CUT_TRIES = 12;
/** A pane no pipeline applies to is read only this far back (for its last lines). */
const IDLE_TAIL_BYTES = 16 * 1024;
/** Bytes split and evaluated per turn of the event loop. */
const SLICE_BYTES = 256 * 1024;
/** Captured lines a best-effort start compares the first streamed lines with. */
const OVERLAP_LINES = 64;

export type StreamStart = 'streaming' | 'no-stream';

/**
 * After a best-effort cut the stream may repeat the end of the capture (bytes tmux
 * had processed but not yet written to the pipe). Streamed lines that continue the
 * captured tail are dropped until one does not.
 */
export class OverlapFilter {
  /** Captured lines not yet matched, oldest first; the last one is the cursor's unfinished line. */
  private expected: string[] | null;
  private first = true;

  constructor(tail: readonly string[], partial: string) {
    this.expected = [...tail.slice(-OVERLAP_LINES).map(anchorText), anchorText(partial)];
  }

  filter(lines: readonly string[]): string[] {
    const out: string[] = [];
    for (const line of lines) {
      const expected = this.expected;
      if (expected === null) {
        out.push(line);
        continue;
      }
      const text = anchorText(line);
      let at = -1;
      if (this.first) {
        // The stream starts inside some captured line: its first line is that line's end.
        for (let i = expected.length - 2; i >= 0 && text.length > 0; i--) {
          if (expected[i]!.endsWith(text)) {
            at = i;
            break;
          }
        }
        this.first = false;
      } else if (expected.length > 1 && expected[0] === text) {
        at = 0;
      }
      if (at >= 0) {
        this.expected = expected.slice(at + 1);
        continue; // already in the capture
      }
      this.expected = null;
      out.push(line);
    }
    return out;
  }
}

export class StreamPaneFeed extends Disposable {
  private splitter: LineSplitter | undefined;

  constructor(
    private readonly server: TmuxEndpoint,
    private readonly runtime: PaneRuntime,
    private readonly options: {
      readonly captureLines: number;
      readonly log: (message: string) => void;
      /** Offset of the pane stream's first byte, when the watcher saw the stream open. */
      readonly openedAt?: number;
      /**
       * Resuming after the stream was interrupted (a remote host's connection was
       * lost): the lines after this progress's anchor are read from the pane's
       * history, and their number is reported as the gap.
       */
      readonly resume?: PaneProgress;
    },
  ) {
    super();
  }

  /** Starts feeding; 'no-stream' when the pane has no live stream (a foreign pipe-pane): poll it instead. */
  async start(): Promise<StreamStart> {
    const paneId = this.runtime.paneId;
    const stream = await this.server.streams.ready(paneId);
    if (this.isDisposed) return 'streaming';
    if (!stream || this.server.streams.state(paneId) !== 'streaming') return 'no-stream';
    // A pane no pipeline applies to needs only its last lines: a small capture, one try.
    const idle = this.runtime.pipelines.length === 0 && !this.stored;
    let cut: { value: string[][]; offset: number; exact: boolean } | undefined;
    for (let attempt = 0; attempt < (idle ? 1 : EXACT_CUT_TRIES) && !this.isDisposed; attempt++) {
      cut = await stream.cut(() => this.server.control.runList(lineCaptureCommands(paneId, idle ? 100 : 'all')));
      if (cut.exact) break;
    }
    if (this.isDisposed || !cut) return 'streaming';
    const capture = parseLineCapture(cut.value);
    const fromStart = cut.exact ? this.linesSinceOpen(stream, cut.offset, capture) : null;
    this.runtime.feed(fromStart ?? this.historyLines(capture));
    const overlap = cut.exact ? null : new OverlapFilter(capture.complete, capture.partial);
    if (!cut.exact) this.options.log(`agent: pane ${paneId} never paused while its watcher started; lines around the start are matched by content`);
    this.follow(stream, cut.offset, capture, overlap);
    return 'streaming';
  }

  /**
   * A pane that appeared while we watch, and whose whole stream is still buffered:
   * its lines are the stream's (every one of them, however far beyond the history
   * limit), preceded by what it printed before its pipe was armed (the head of the
   * capture). The capture's tail and the streamed lines are the same lines, so they
   * are aligned by count and checked by content; null when they do not agree.
   */
  private linesSinceOpen(stream: PaneStream, cutOffset: number, capture: LineCapture): string[] | null {
    const opened = this.options.openedAt;
    if (opened === undefined || this.stored || stream.startOffset > opened) return null;
    const parts = stream.readFrom(opened);
    if (!parts) return null;
    const splitter = new LineSplitter({ startOffset: opened });
    const streamed: string[] = [];
    let at = opened;
    for (const part of parts) {
      const data = at + part.length > cutOffset ? part.subarray(0, Math.max(0, cutOffset - at)) : part;
      for (const line of splitter.push({ offset: at, data })) streamed.push(line.text);
      at += part.length;
      if (at >= cutOffset) break;
    }
    if (streamed.length === 0) return capture.complete.slice(-this.options.captureLines);
    const complete = capture.complete;
    const start = complete.length - streamed.length;
    // The last streamed lines must be the last captured ones (the first may be cut short).
    const check = Math.min(streamed.length - 1, ANCHOR_LINES, complete.length);
    for (let i = 1; i <= check; i++) {
      if (anchorText(streamed[streamed.length - i]!) !== anchorText(complete[complete.length - i]!)) return null;
    }
    if (start < 0) return streamed; // history lost the beginning: the stream has all of it
    // The capture holds the whole first streamed line (the pipe may have started inside it).
    return [...complete.slice(0, start).slice(-this.options.captureLines), complete[start]!, ...streamed.slice(1)];
  }

  /** Where evaluation stopped before: the resume point, else the progress stored at start. */
  private get stored(): PaneProgress | undefined {
    return this.options.resume ?? this.runtime.stored;
  }

  /** The captured lines not evaluated yet. */
  private historyLines(capture: LineCapture): string[] {
    const stored = this.stored;
    if (!stored) return capture.complete.slice(-this.options.captureLines);
    const match = findAfterAnchor(capture.complete, stored.anchor);
    if (this.options.resume) {
      this.options.log(
        match.found || capture.complete.length === 0
          ? `agent: pane ${this.runtime.paneId} on ${this.runtime.host.name}: output resumed after the connection was lost; ${capture.complete.length - match.start} lines printed meanwhile were read from its history`
          : `agent: pane ${this.runtime.paneId} on ${this.runtime.host.name}: output resumed after the connection was lost; the last evaluated lines are no longer in its history, so lines printed meanwhile beyond the history limit are lost (${capture.complete.length} lines read)`,
      );
      this.resumedLines = capture.complete.length - match.start;
    }
    if (!match.found && capture.complete.length > 0) {
      this.options.log(
        `agent: pane ${this.runtime.paneId} on ${this.runtime.host.name}: the last lines evaluated before are no longer in its history; evaluating all ${capture.complete.length} lines it holds (output beyond the history limit is lost)`,
      );
    }
    return capture.complete.slice(match.start);
  }

  /**
   * Reads the stream from `offset` on, like a viewer with its own position: in
   * slices, each evaluated (and committed) before the next is read, yielding to the
   * event loop in between. A pane that prints faster than lines can be evaluated
   * therefore never starves the bridge; should it get more than the stream buffer
   * ahead, the bytes that fell out are reported as a gap instead of being queued
   * without bound.
   */
  private follow(stream: PaneStream, offset: number, capture: LineCapture, overlap: OverlapFilter | null): void {
    const splitter = new LineSplitter({ startOffset: offset });
    splitter.seed(capture.partial, capture.cursor);
    this.splitter = splitter;
    this.position = offset;
    this.register(stream.onData(() => void this.pump(stream, splitter, overlap)));
    this.register(toDisposable(() => (this.splitter = undefined)));
    void this.pump(stream, splitter, overlap);
  }

  private position = 0;
  private pumping = false;
  private skipped = 0;
  private lastGapLog = 0;

  private readonly idleTailTimer = this.register(new MutableDisposable());
  private lastIdleTail = 0;
  /** Set while idle: the next active read starts mid-line, so its first line is a fragment. */
  private resumeMidLine = false;

  /**
   * A pane no pipeline applies to needs only its last lines (board, PANE_TAIL):
   * they are read from the ring buffer at most once a second, instead of splitting
   * every byte into lines (a `yes` flood would otherwise cost a string per line).
   */
  private scheduleIdleTail(stream: PaneStream, splitter: LineSplitter): void {
    if (this.idleTailTimer.value || this.isDisposed) return;
    const wait = Math.max(0, this.lastIdleTail + 1000 - Date.now());
    this.idleTailTimer.value = disposableTimeout(() => {
      this.idleTailTimer.clear();
      if (this.isDisposed) return;
      this.lastIdleTail = Date.now();
      const end = stream.offset;
      const from = Math.max(stream.startOffset, end - IDLE_TAIL_BYTES);
      const tailSplitter = new LineSplitter({ startOffset: from });
      const lines: string[] = [];
      let at = from;
      for (const part of stream.readFrom(from) ?? []) {
        for (const line of tailSplitter.push({ offset: at, data: part })) lines.push(line.text);
        at += part.length;
      }
      // Reading from the middle of the stream starts mid-line: not worth showing.
      if (from > this.position && lines.length > 0) lines.shift();
      const partial = tailSplitter.partialText;
      if (partial) lines.push(partial);
      this.position = end;
      splitter.reset(end);
      this.resumeMidLine = true;
      this.runtime.replaceTail(lines);
    }, wait);
  }

  private async pump(stream: PaneStream, splitter: LineSplitter, overlap: OverlapFilter | null): Promise<void> {
    if (this.runtime.pipelines.length === 0) {
      this.scheduleIdleTail(stream, splitter);
      return;
    }
    if (this.pumping) return;
    this.pumping = true;
    let dropFragment = this.resumeMidLine;
    this.resumeMidLine = false;
    try {
      while (!this.isDisposed && this.position < stream.offset) {
        let parts = stream.readFrom(this.position);
        if (parts === undefined) {
          this.skipped += stream.startOffset - this.position;
          if (Date.now() - this.lastGapLog > 10_000) {
            this.lastGapLog = Date.now();
            this.options.log(
              `agent: pane ${this.runtime.paneId} on ${this.runtime.host.name} prints faster than its lines can be evaluated; ${this.skipped} bytes skipped so far`,
            );
          }
          this.position = stream.startOffset;
          parts = stream.readFrom(this.position) ?? [];
        }
        const lines: string[] = [];
        let budget = SLICE_BYTES;
        for (const part of parts) {
          const data = part.length > budget ? part.subarray(0, budget) : part;
          for (const line of splitter.push({ offset: this.position, data })) lines.push(line.text);
          this.position += data.length;
          budget -= data.length;
          if (budget <= 0) break;
        }
        // After a skip the first line is the end of some line: not worth showing.
        if (dropFragment && lines.length > 0) {
          lines.shift();
          dropFragment = false;
        }
        if (lines.length > 0) await this.runtime.process(overlap ? overlap.filter(lines) : lines);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.options.log(`agent: pane ${this.runtime.paneId}: reading its output failed: ${errorMessage(error)}`);
    } finally {
      this.pumping = false;
    }
  }

  /** Lines read from history when resuming (the gap's size), else null. */
  resumedLines: number | null = null;

  /** The line being written (a prompt waiting for input), for views. */
  get partial(): string {
    return this.splitter?.partialText ?? '';
  }
}
