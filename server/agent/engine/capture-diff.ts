/**
 * New lines from successive captures of a pane (remote hosts, and local panes without
 * a live stream). Each capture is compared with the anchor of the lines fed so far;
 * what follows the anchor's last occurrence is new. A pane seen for the first time
 * gives its last `capture_lines` lines once, as in tmuxagent.
 */
import type { PaneProgress } from '../../../schemas/agent.ts';
import { extendAnchor, findAfterAnchor, type LineCapture } from './anchor.ts';

export interface CaptureDelta {
  readonly lines: string[];
  /** The anchor was gone: more was printed between two captures than a capture holds. */
  readonly gap: boolean;
}

export class CaptureDiff {
  private anchor: string[] | null;

  constructor(
    stored: PaneProgress | undefined,
    private readonly captureLines: number,
  ) {
    this.anchor = stored ? [...stored.anchor] : null;
  }

  next(capture: LineCapture): CaptureDelta {
    const complete = capture.complete;
    if (this.anchor === null) {
      const lines = complete.slice(-this.captureLines);
      this.anchor = extendAnchor([], lines);
      return { lines, gap: false };
    }
    const match = findAfterAnchor(complete, this.anchor);
    const lines = complete.slice(match.start);
    this.anchor = extendAnchor(this.anchor, lines);
    return { lines, gap: !match.found && complete.length > 0 };
  }
}
