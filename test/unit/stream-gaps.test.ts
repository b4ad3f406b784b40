import { describe, expect, it } from 'vitest';
import { measureGap } from '../../server/sessions/stream-gaps.ts';

const bytes = (text: string) => Buffer.from(text);
/** A pane's joined capture: history and screen rows, blank rows below the cursor. */
const screen = (lines: string[], height: number, cursorY: number) => ({ capture: [...lines, ...Array(height - 1 - cursorY).fill('')], cursorY, height });

describe('measureGap: lines a remote pane printed while its output was not received', () => {
  const before = bytes('$ echo a\r\na\r\n$ echo b\r\nb\r\n$ ');

  it('nothing printed meanwhile: no gap', () => {
    const s = screen(['$ echo a', 'a', '$ echo b', 'b', '$'], 24, 4);
    expect(measureGap(before, true, s.capture, s.cursorY, s.height, 0)).toEqual({ lines: 0, beyondHistory: false });
  });

  it('counts the lines from the last received ones to the cursor line, the completed prompt line included', () => {
    const s = screen(['$ echo a', 'a', '$ echo b', 'b', '$ seq 3', '1', '2', '3', '$'], 24, 8);
    expect(measureGap(before, true, s.capture, s.cursorY, s.height, 0)).toEqual({ lines: 4, beyondHistory: false });
  });

  it('lines received live after the reconnect are not part of the gap', () => {
    const s = screen(['$ echo a', 'a', '$ echo b', 'b', '$ seq 3', '1', '2', '3', '$ echo c', 'c', '$'], 24, 10);
    expect(measureGap(before, true, s.capture, s.cursorY, s.height, 2)).toEqual({ lines: 4, beyondHistory: false });
  });

  it('output ending in a newline: the empty cursor line is not a printed line', () => {
    const s = screen(['x', 'y', 'z', 'p', 'q', ''], 10, 5);
    expect(measureGap(bytes('x\ny\nz\n'), true, s.capture, s.cursorY, s.height, 0)).toEqual({ lines: 2, beyondHistory: false });
  });

  it('the last received lines left the history: at least the lines it holds', () => {
    const s = screen(['l7', 'l8', 'l9', '$'], 4, 3);
    expect(measureGap(before, true, s.capture, s.cursorY, s.height, 0)).toEqual({ lines: 4, beyondHistory: true });
  });

  it('the first line received may have begun before the stream: it matches the end of a line', () => {
    const s = screen(['# echo before', 'before', '# seq 2', '1', '2', '#'], 30, 5);
    expect(measureGap(bytes('echo before\r\nbefore\r\n# '), true, s.capture, s.cursorY, s.height, 0)).toEqual({ lines: 3, beyondHistory: false });
  });

  it('a window that starts inside a line matches that line by its end', () => {
    const s = screen(['full line one', 'two', 'three', 'four', '$'], 5, 4);
    expect(measureGap(bytes('ne one\ntwo\nthree\n$ '), false, s.capture, s.cursorY, s.height, 0)).toEqual({ lines: 1, beyondHistory: false });
  });
});
