/**
 * Anchors: how the watcher finds its place again in a pane's output.
 *
 * tmuxagent kept a character offset into `capture-pane -S -N`; once history slid
 * (more output than the capture window) the offset pointed at other text and lines
 * were skipped or evaluated twice. We keep the text of the last few lines evaluated
 * instead, and look for that sequence in the captured lines: everything after its
 * last occurrence is new. If the sequence is gone (it scrolled out of history), all
 * captured lines are new — some older ones may have been lost, none is repeated.
 */
import type { TmuxCommand } from '../../../tmux/command.ts';
import { FIELD_SEP, fieldsFormat } from '../../../tmux/command.ts';

/** Lines kept in an anchor. */
export const ANCHOR_LINES = 8;
/** Characters of each line compared (long lines differ early or not at all). */
export const ANCHOR_CHARS = 500;

/** A line as anchors compare it: trailing blanks trimmed (capture-pane -J keeps them), cut to ANCHOR_CHARS. */
export function anchorText(line: string): string {
  const trimmed = line.replace(/[ \t]+$/, '');
  return trimmed.length > ANCHOR_CHARS ? trimmed.slice(0, ANCHOR_CHARS) : trimmed;
}

/** The anchor after `lines` were evaluated on top of `anchor`. */
export function extendAnchor(anchor: readonly string[], lines: readonly string[]): string[] {
  const tail = lines.length >= ANCHOR_LINES ? lines.slice(-ANCHOR_LINES) : lines;
  const next = [...anchor, ...tail.map(anchorText)];
  return next.length > ANCHOR_LINES ? next.slice(-ANCHOR_LINES) : next;
}

export interface AnchorMatch {
  /** Index in `lines` of the first line after the anchor. */
  readonly start: number;
  /** false: the anchor was not found, every line counts as new (and some may be missing). */
  readonly found: boolean;
}

/**
 * Where the new lines start: after the last occurrence of the anchor sequence, or
 * after its newest lines when they open the captured window.
 */
export function findAfterAnchor(lines: readonly string[], anchor: readonly string[]): AnchorMatch {
  if (anchor.length === 0) return { start: 0, found: true };
  const normalized = lines.map(anchorText);
  outer: for (let i = normalized.length - anchor.length; i >= 0; i--) {
    for (let j = 0; j < anchor.length; j++) {
      if (normalized[i + j] !== anchor[j]) continue outer;
    }
    return { start: i + anchor.length, found: true };
  }
  // The oldest anchor lines may have just left the window (capture_lines, history
  // limit): the window then starts with the anchor's newest lines.
  for (let k = Math.min(anchor.length - 1, normalized.length); k >= 1; k--) {
    const tail = anchor.slice(anchor.length - k);
    if (tail.every((line) => line === '')) continue; // blank lines prove nothing
    if (tail.every((line, j) => normalized[j] === line)) return { start: k, found: true };
  }
  return { start: 0, found: false };
}

export interface LineCapture {
  /** Complete lines (their newline was printed), oldest first, wrapped lines joined. */
  readonly complete: string[];
  /** The line the cursor is on: printed so far, no newline yet. */
  readonly partial: string;
  /** Index of the cursor in `partial` (for LineSplitter.seed). */
  readonly cursor: number;
  readonly alternateOn: boolean;
}

const CURSOR_FIELDS = ['cursor_x', 'cursor_y', 'pane_height', 'pane_width', 'alternate_on'] as const;

/**
 * One atomic look at a pane's text: cursor and size, then the lines (`-J` joins
 * wrapped rows, so a long line is one line as in the byte stream). `history`:
 * `'all'` for the whole history, or the number of history lines (capture_lines).
 */
export function lineCaptureCommands(paneId: string, history: number | 'all'): TmuxCommand[] {
  return [
    ['display-message', '-p', '-t', paneId, fieldsFormat(CURSOR_FIELDS)],
    ['capture-pane', '-p', '-J', '-t', paneId, '-S', history === 'all' ? '-' : `-${Math.max(0, history)}`, '-E', '-'],
  ];
}

/**
 * Splits a capture into complete lines and the cursor's line. The screen rows
 * below the cursor hold nothing printed yet (they are dropped), the cursor's row
 * is the line being written; the rows above it are complete.
 */
export function parseLineCapture(results: readonly (readonly string[])[]): LineCapture {
  const [info = '', ...rest] = results[0] ?? [];
  void rest;
  const f = info.split(FIELD_SEP).map((v) => Number(v) || 0);
  const [cursorX = 0, cursorY = 0, height = 0, width = 80, alternate = 0] = f;
  const lines = [...(results[1] ?? [])];
  const below = Math.max(0, height - 1 - cursorY);
  const upToCursor = lines.slice(0, Math.max(0, lines.length - below));
  const partialRaw = upToCursor.pop() ?? '';
  // A partial line longer than the pane is joined from several rows; the cursor is on the last one.
  const rowStart = width > 0 && partialRaw.length > width ? (Math.ceil(partialRaw.length / width) - 1) * width : 0;
  const partial = partialRaw.replace(/[ \t]+$/, '');
  return { complete: upToCursor, partial, cursor: rowStart + cursorX, alternateOn: alternate === 1 };
}
