import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LineSplitter, type SplitLine } from '../../server/agent/lines.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** Push `text` as one chunk at the splitter's current offset. */
function feed(splitter: LineSplitter, text: string | Buffer): SplitLine[] {
  return splitter.push({ offset: splitter.offset, data: typeof text === 'string' ? bytes(text) : text });
}

const texts = (lines: SplitLine[]) => lines.map((line) => line.text);

describe('LineSplitter: lines and offsets', () => {
  it('splits complete lines and gives the offset where each one ends', () => {
    const splitter = new LineSplitter({ startOffset: 1000 });
    const lines = feed(splitter, 'one\ntwo\n');
    expect(texts(lines)).toEqual(['one', 'two']);
    expect(lines.map((l) => [l.startOffset, l.endOffset])).toEqual([
      [1000, 1004],
      [1004, 1008],
    ]);
    expect(splitter.offset).toBe(1008);
    expect(splitter.lineStartOffset).toBe(1008);
  });

  it('holds a partial line until its newline, across chunks', () => {
    const splitter = new LineSplitter();
    expect(feed(splitter, 'hel')).toEqual([]);
    expect(splitter.partialText).toBe('hel');
    expect(splitter.lineStartOffset).toBe(0);
    const [line] = feed(splitter, 'lo\nwor');
    expect(line).toMatchObject({ text: 'hello', startOffset: 0, endOffset: 6, partial: false });
    expect(splitter.lineStartOffset).toBe(6);
    expect(splitter.flush()).toMatchObject({ text: 'wor', startOffset: 6, endOffset: 9, partial: true });
    expect(splitter.flush()).toBeNull();
  });

  it('decodes UTF-8 split across chunk boundaries', () => {
    const splitter = new LineSplitter();
    const data = bytes('héllo 世界 ✓\n');
    const out: SplitLine[] = [];
    for (let i = 0; i < data.length; i++) out.push(...splitter.push({ offset: i, data: data.subarray(i, i + 1) }));
    expect(texts(out)).toEqual(['héllo 世界 ✓']);
    expect(out[0]?.endOffset).toBe(data.length);
  });

  it('skips bytes it already saw and flags a gap', () => {
    const splitter = new LineSplitter();
    feed(splitter, 'abc\nde');
    // Overlap: the same bytes again plus new ones. Nothing is repeated.
    expect(texts(splitter.push({ offset: 0, data: bytes('abc\ndef\n') }))).toEqual(['def']);
    // Gap: bytes 8..19 never arrived; the partial line is dropped and the next line flagged.
    const [after] = splitter.push({ offset: 20, data: bytes('tail\nnext\n') });
    expect(after).toMatchObject({ text: 'tail', afterGap: true, startOffset: 20 });
    const again = splitter.push({ offset: 30, data: bytes('x\n') });
    expect(again[0]?.afterGap).toBe(false);
  });
});

describe('LineSplitter: rendering like a terminal', () => {
  it('treats \\r\\n as a newline and \\r as a return to column 0', () => {
    const splitter = new LineSplitter();
    expect(texts(feed(splitter, 'a\r\nb\r\n'))).toEqual(['a', 'b']);
    expect(texts(feed(splitter, '50%\r100%\n'))).toEqual(['100%']);
    expect(texts(feed(splitter, 'progress 10%\rprogress 99%\rdone\n'))).toEqual(['doneress 99%']);
    expect(texts(feed(splitter, 'progress 10%\r\x1b[Kdone\n'))).toEqual(['done']);
    expect(texts(feed(splitter, 'abc\r\x1b[2Kxy\n'))).toEqual(['xy']);
  });

  it('applies backspaces and tabs', () => {
    const splitter = new LineSplitter();
    expect(texts(feed(splitter, 'hellp\bo\n'))).toEqual(['hello']);
    // Backspace only moves the cursor: what is not overwritten stays, as on screen.
    expect(texts(feed(splitter, 'helo\b\bxy\n'))).toEqual(['hexy']);
    expect(texts(feed(splitter, 'helo\b\bl\n'))).toEqual(['helo']);
    expect(texts(feed(splitter, 'ab\bc\n'))).toEqual(['ac']);
    expect(texts(feed(splitter, 'a\tb\n'))).toEqual(['a       b']);
    expect(texts(feed(splitter, '\b\bx\n'))).toEqual(['x']);
  });

  it('strips CSI, OSC (BEL and ST), DCS, charset selects and single-character escapes', () => {
    const splitter = new LineSplitter();
    const line =
      '\x1b[1;31mred\x1b[0m ' + // SGR
      '\x1b]0;window title\x07' + // OSC ended by BEL
      '\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ ' + // OSC 8 hyperlink ended by ST
      '\x1bPtmux;\x1b\x1b[1m\x1b\\' + // DCS passthrough
      '\x1b(B\x1b)0' + // charset selects
      '\x1b7\x1b8\x1b=\x1b>' + // save/restore cursor, keypad modes
      '\x1b[?25l\x1b[?2004hok\n';
    expect(texts(feed(splitter, line))).toEqual(['red link ok']);
  });

  it('strips escape sequences split across chunks', () => {
    const splitter = new LineSplitter();
    const data = bytes('\x1b[38;5;196mhot\x1b]2;title\x1b\\\x1b[0m!\n');
    const out: SplitLine[] = [];
    for (let i = 0; i < data.length; i += 3) out.push(...splitter.push({ offset: i, data: data.subarray(i, i + 3) }));
    expect(texts(out)).toEqual(['hot!']);
  });

  it('follows cursor moves along the line (CSI C, D, G) and trims trailing blanks', () => {
    const splitter = new LineSplitter();
    expect(texts(feed(splitter, 'abcdef\x1b[3Dxy\n'))).toEqual(['abcxyf']);
    expect(texts(feed(splitter, 'ab\x1b[2Cc\n'))).toEqual(['ab  c']);
    expect(texts(feed(splitter, 'abcdef\x1b[2Gz\n'))).toEqual(['azcdef']);
    expect(texts(feed(splitter, 'x   \t \n'))).toEqual(['x']);
  });

  it('ends an unterminated escape string at the newline instead of swallowing the stream', () => {
    const splitter = new LineSplitter();
    expect(texts(feed(splitter, 'before\x1b]0;never ended\nafter\n'))).toEqual(['before', 'after']);
  });

  it('keeps C1 controls and DEL out of the text', () => {
    const splitter = new LineSplitter();
    expect(texts(feed(splitter, 'a\x7fb\u009b31mc\u0085d\n'))).toEqual(['abcd']);
  });
});

describe('LineSplitter: bounded cost', () => {
  it('keeps at most maxLineChars of a long line, flags it, and carries on with the next line', () => {
    const splitter = new LineSplitter({ maxLineChars: 1024 });
    const huge = Buffer.alloc(1024 * 1024, 'x');
    const lines = [
      ...feed(splitter, huge.subarray(0, 300_000)),
      ...feed(splitter, huge.subarray(300_000)),
      ...feed(splitter, '\nnext line\n'),
    ];
    expect(lines).toHaveLength(2);
    expect(lines[0]?.text.length).toBe(1024);
    expect(lines[0]).toMatchObject({ truncated: true, startOffset: 0, endOffset: huge.length + 1 });
    expect(lines[1]).toMatchObject({ text: 'next line', truncated: false });
  });

  it('survives binary garbage and still finds the lines after it', () => {
    const splitter = new LineSplitter({ maxLineChars: 4096 });
    const garbage = randomBytes(256 * 1024);
    const tail = '\n### SENTRY {"type":"OK"}\n';
    const out = [...feed(splitter, garbage), ...feed(splitter, tail)];
    expect(out.at(-1)?.text).toBe('### SENTRY {"type":"OK"}');
    for (const line of out) expect(line.text.length).toBeLessThanOrEqual(4096);
    expect(splitter.offset).toBe(garbage.length + Buffer.byteLength(tail));
  });

  it('renders lines of a progress bar that never prints a newline without growing', () => {
    const splitter = new LineSplitter({ maxLineChars: 64 });
    let chunk = '';
    for (let i = 0; i < 10_000; i++) chunk += `\r${i}%`;
    expect(feed(splitter, chunk)).toEqual([]);
    expect(splitter.partialText).toBe('9999%');
    expect(texts(feed(splitter, '\r\x1b[Kdone\n'))).toEqual(['done']);
  });
});
