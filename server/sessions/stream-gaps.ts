import { Emitter } from '../../base/emitter.ts';
import { Disposable } from '../../base/lifecycle.ts';
import { plainText } from '../../tmux/plain-text.ts';
import type { PaneStream } from '../../tmux/pane-stream.ts';
import type { RemoteTmuxServer } from '../../tmux/remote-server.ts';

/** What a remote pane printed while its output was not received (the connection was down). */
export interface StreamGap {
  readonly host: string;
  readonly paneId: string;
  /** Complete lines printed meanwhile (read back from the pane's history, not received live). */
  readonly lines: number;
  /** The last lines received before are no longer in the pane's history: at least `lines` were printed. */
  readonly beyondHistory: boolean;
  /** How long the pane's output was not received. */
  readonly downMs: number;
}

/** Bytes before the interruption searched for the last lines received. */
const TAIL_BYTES = 16 * 1024;
/** Lines that must match in the pane's history (one line alone is often a repeated prompt). */
const ANCHOR_LINES = 3;

const trimEnd = (line: string) => line.replace(/[ \t]+$/, '');

function bytesBetween(stream: PaneStream, from: number, to: number): Buffer | undefined {
  if (to <= from) return Buffer.alloc(0);
  const chunks = stream.readFrom(from);
  return chunks ? Buffer.concat(chunks).subarray(0, to - from) : undefined;
}

/**
 * The gap in complete lines: the last lines received before the interruption are
 * found in the pane's history, and the lines from there to the cursor's line were
 * printed since; those that arrived live after the reconnect (before the capture)
 * are not part of the gap. Exported for the unit test.
 */
export function measureGap(before: Buffer, fromStreamStart: boolean, capture: readonly string[], cursorY: number, height: number, newlinesAfter: number): { lines: number; beyondHistory: boolean } {
  const received = plainText(before).split('\n').map(trimEnd);
  received.pop(); // the line being written when the output stopped (the cursor's line)
  const anchor = received.slice(-ANCHOR_LINES);
  // The window's first line may have begun before it (a remote stream begins when its client
  // attaches, often after a prompt): as an anchor line it matches the end of a line.
  const firstIsPartial = received.length <= ANCHOR_LINES;
  const matches = (line: string | undefined, j: number) => (j === 0 && firstIsPartial ? (line ?? '').endsWith(anchor[0]!) : line === anchor[j]);
  // The rows below the cursor are blank screen rows: the cursor's line is the last one that counts.
  const lines = capture.map(trimEnd);
  const cursorLine = lines.length - 1 - Math.max(0, height - 1 - cursorY);
  let start = -1;
  if (anchor.some((line) => line !== '')) {
    outer: for (let i = cursorLine - anchor.length + 1; i >= 0; i--) {
      for (let j = 0; j < anchor.length; j++) if (!matches(lines[i + j], j)) continue outer;
      start = i + anchor.length;
      break;
    }
  } else if (fromStreamStart && anchor.length === received.length) {
    start = received.length; // blank lines only since the stream began: they are the history's first lines
  }
  const printed = start >= 0 ? cursorLine - start : cursorLine + 1;
  return { lines: Math.max(0, printed - newlinesAfter), beyondHistory: start < 0 };
}

/**
 * Measures what a remote host's panes printed while their output was not received:
 * on interruption the stream's offset is noted, on resumption the pane's history is
 * read (one control line, at a quiet moment) and the lines printed meanwhile counted.
 * The terminal shows the gap, and the event log keeps it (STREAM_GAP).
 */
export class RemoteStreamGaps extends Disposable {
  private readonly stopped = new Map<string, { readonly offset: number; readonly at: number }>();
  private readonly onGapEmitter = this.register(new Emitter<StreamGap>());
  readonly onGap = this.onGapEmitter.event;

  constructor(
    private readonly host: string,
    private readonly server: RemoteTmuxServer,
    private readonly log?: (message: string) => void,
  ) {
    super();
    this.register(
      server.streams.onInterrupted((paneId) => {
        const stream = server.streams.get(paneId);
        if (stream && !this.stopped.has(paneId)) this.stopped.set(paneId, { offset: stream.offset, at: Date.now() });
      }),
    );
    this.register(server.streams.onResumed((paneId) => void this.resumed(paneId)));
    this.register(server.streams.onStreamClosed((paneId) => this.stopped.delete(paneId)));
  }

  private async resumed(paneId: string): Promise<void> {
    const mark = this.stopped.get(paneId);
    const stream = this.server.streams.get(paneId);
    this.stopped.delete(paneId);
    if (!mark || !stream) return;
    const downMs = Date.now() - mark.at;
    try {
      const cut = await stream.cut(() =>
        this.server.control.runList([
          ['display-message', '-p', '-t', paneId, '#{cursor_y} #{pane_height} #{alternate_on}'],
          ['capture-pane', '-p', '-J', '-S', '-', '-t', paneId],
        ]),
      );
      if (this.isDisposed) return;
      const [cursorY, height, alternate] = (cut.value[0]?.[0] ?? '').split(' ');
      // A full-screen program's screen is all there is, and the redraw brings it back whole.
      if (alternate === '1') return;
      const from = Math.max(stream.startOffset, mark.offset - TAIL_BYTES);
      const before = bytesBetween(stream, from, mark.offset);
      const after = bytesBetween(stream, mark.offset, cut.offset);
      if (!before || !after) return;
      const newlinesAfter = plainText(after).split('\n').length - 1;
      const gap = measureGap(before, from === stream.startOffset, cut.value[1] ?? [], Number(cursorY), Number(height), newlinesAfter);
      if (gap.lines === 0 && !gap.beyondHistory) return;
      this.onGapEmitter.fire({ host: this.host, paneId, ...gap, downMs });
    } catch (error) {
      this.log?.(`host ${this.host}: pane ${paneId}: the output missed while the connection was down could not be measured: ${String(error)}`);
    }
  }
}
