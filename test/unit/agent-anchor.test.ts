/**
 * The pure parts of the watcher: anchors, line captures, capture diffs, the overlap
 * filter of a best-effort start, the ssh command line, and how keys are typed.
 */
import { describe, expect, it } from 'vitest';
import { ANCHOR_CHARS, anchorText, extendAnchor, findAfterAnchor, lineCaptureCommands, parseLineCapture } from '../../server/agent/engine/anchor.ts';
import { CaptureDiff } from '../../server/agent/engine/capture-diff.ts';
import { typeTextCommands } from '../../server/agent/engine/hosts.ts';
import { remoteTmuxCommand } from '../../server/agent/engine/ssh-runner.ts';
import { OverlapFilter } from '../../server/agent/engine/stream-feed.ts';
import { LineSplitter } from '../../server/agent/lines.ts';
import { FIELD_SEP } from '../../tmux/command.ts';

const info = (x: number, y: number, height: number, width = 80, alt = 0) => [x, y, height, width, alt].join(FIELD_SEP);

describe('anchors', () => {
  it('keep the last 8 lines, trimmed and cut', () => {
    const long = 'y'.repeat(ANCHOR_CHARS + 50);
    expect(extendAnchor(['a', 'b'], ['c  ', long])).toEqual(['a', 'b', 'c', 'y'.repeat(ANCHOR_CHARS)]);
    expect(extendAnchor([], Array.from({ length: 20 }, (_, i) => `l${i}`))).toEqual(Array.from({ length: 8 }, (_, i) => `l${i + 12}`));
    expect(anchorText('x\t \t')).toBe('x');
  });

  it('find the new lines after the last occurrence of the anchor', () => {
    const lines = ['a', 'b', 'c', 'x', 'a', 'b', 'c', 'new 1', 'new 2'];
    expect(findAfterAnchor(lines, ['a', 'b', 'c'])).toEqual({ start: 7, found: true });
    expect(findAfterAnchor(lines, ['gone'])).toEqual({ start: 0, found: false });
    expect(findAfterAnchor(lines, [])).toEqual({ start: 0, found: true });
    expect(findAfterAnchor(['a', 'b  '], ['a', 'b'])).toEqual({ start: 2, found: true });
    expect(findAfterAnchor(['b', 'c', 'd'], ['a', 'b', 'c'])).toEqual({ start: 2, found: true });
    expect(findAfterAnchor(['', 'x'], ['a', ''])).toEqual({ start: 0, found: false });
  });
});

describe('line captures', () => {
  it('asks for cursor and joined lines in one command list', () => {
    expect(lineCaptureCommands('%3', 'all')[1]).toEqual(['capture-pane', '-p', '-J', '-t', '%3', '-S', '-', '-E', '-']);
    expect(lineCaptureCommands('%3', 2000)[1]).toContain('-2000');
  });

  it('drops the rows below the cursor and keeps the cursor line as the partial line', () => {
    // 10 rows, cursor on row 5 at column 4: rows 6..9 are empty screen.
    const capture = parseLineCapture([[info(4, 5, 10)], ['a', 'b', 'c'.repeat(100), 'd', 'ci> ', '', '', '', '']]);
    expect(capture).toEqual({ complete: ['a', 'b', 'c'.repeat(100), 'd'], partial: 'ci>', cursor: 4, alternateOn: false });
  });

  it('puts the cursor on the last row of a partial line longer than the pane', () => {
    const capture = parseLineCapture([[info(10, 1, 2, 80)], ['p'.repeat(90)]]);
    expect(capture.partial).toBe('p'.repeat(90));
    expect(capture.cursor).toBe(90);
  });

  it('diffs successive captures: first look, new lines, and a gap', () => {
    const diff = new CaptureDiff(undefined, 3);
    const cap = (lines: string[]) => parseLineCapture([[info(0, lines.length, lines.length + 1)], [...lines, '']]);
    expect(diff.next(cap(['1', '2', '3', '4', '5']))).toEqual({ lines: ['3', '4', '5'], gap: false });
    expect(diff.next(cap(['3', '4', '5']))).toEqual({ lines: [], gap: false });
    // The window slid past the oldest anchor line: its newest lines open the window.
    expect(diff.next(cap(['4', '5', '6', '7']))).toEqual({ lines: ['6', '7'], gap: false });
    expect(diff.next(cap(['20', '21']))).toEqual({ lines: ['20', '21'], gap: true });
    const resumed = new CaptureDiff({ count: 5, anchor: ['4', '5'] }, 3);
    expect(resumed.next(cap(['1', '2', '3', '4', '5', '6']))).toEqual({ lines: ['6'], gap: false });
  });
});

describe('best-effort start', () => {
  it('drops streamed lines that repeat the end of the capture, then lets everything through', () => {
    const filter = new OverlapFilter(['l1', 'l2', 'l3 long line'], 'l4 start');
    expect(filter.filter(['long line', 'l4 start and end', 'l5'])).toEqual(['l4 start and end', 'l5']);
    expect(filter.filter(['l2'])).toEqual(['l2']);
  });

  it('lets a first line through that matches nothing', () => {
    expect(new OverlapFilter(['a', 'b'], '').filter(['zzz', 'a'])).toEqual(['zzz', 'a']);
  });
});

describe('LineSplitter.seed', () => {
  it('continues the line the cursor is on', () => {
    const splitter = new LineSplitter({ startOffset: 100 });
    splitter.seed('ci>', 4);
    expect(splitter.push({ offset: 100, data: Buffer.from('lint\r\nnext\n') }).map((l) => l.text)).toEqual(['ci> lint', 'next']);
  });
});

describe('typing and remote commands', () => {
  it('types an action as one send-keys -H command, Enter included', () => {
    expect(typeTextCommands('%1', 'npm run lint', true, false)).toEqual([['send-keys', '-t', '%1', '-H', '--', ...Buffer.from('npm run lint\r').toString('hex').match(/../g)!]]);
    expect(typeTextCommands('%1', 'x', false, true)).toEqual([['copy-mode', '-q', '-t', '%1'], ['send-keys', '-t', '%1', '-H', '--', '78']]);
    expect(typeTextCommands('%1', 'y'.repeat(1000), true, false).length).toBeGreaterThan(1);
  });

  it('quotes every tmux argument for the remote shell and marks each output', () => {
    const command = remoteTmuxCommand('tmux', 'work', [['list-panes', '-a', '-F', '#{pane_id} x'], ['send-keys', '-t', '%1', "it's; $HOME"]], 'M');
    expect(command).toBe(
      "tmux -L work list-panes -a -F '#{pane_id} x' \\; display-message -p M0 \\; send-keys -t '%1' 'it'\\''s; $HOME' \\; display-message -p M1",
    );
    expect(remoteTmuxCommand('tmux', 'default', [['list-panes']], 'M')).toBe('tmux list-panes \\; display-message -p M0');
  });
});
