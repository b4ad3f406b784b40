/**
 * Pane output bytes → complete text lines, each with the stream offset where it ends.
 *
 * The pane stream is what a terminal receives, so each line is rendered the way a
 * terminal would show it: escape sequences are dropped (CSI, OSC ended by BEL or ST,
 * DCS/SOS/PM/APC strings, charset selects, single-character escapes), `\r` moves the
 * cursor back to column 0 so that `50%\r100%` reads `100%`, backspace moves it left,
 * `ESC[K` erases, tabs advance to the next multiple of 8, and trailing blanks are
 * trimmed as `capture-pane` trims them.
 *
 * Cost stays bounded whatever the pane prints: a line keeps at most `maxLineChars`
 * characters (the rest of it is skipped without decoding and the line is flagged
 * `truncated`), an unterminated escape string ends at the newline, and the state
 * kept between chunks is one line buffer and a few integers.
 */

export interface LineChunk {
  /** Stream offset of `data[0]`. */
  readonly offset: number;
  readonly data: Uint8Array;
}

export interface SplitLine {
  readonly text: string;
  /** Offset of the line's first byte. */
  readonly startOffset: number;
  /** Offset just past the line's newline: where the next line starts (the resume point). */
  readonly endOffset: number;
  /** The line was longer than `maxLineChars`; the rest was dropped. */
  readonly truncated: boolean;
  /** Bytes before this line were missing (the stream skipped ahead): its start may be lost. */
  readonly afterGap: boolean;
  /** Emitted by `flush()` without a newline. */
  readonly partial: boolean;
}

export interface LineSplitterOptions {
  /** Offset of the first byte that will be pushed. */
  readonly startOffset?: number;
  /** Characters kept per line (default 64 Ki). */
  readonly maxLineChars?: number;
}

const NL = 0x0a;
const enum State {
  Ground,
  Esc,
  EscIntermediate,
  Csi,
  OscString,
  ControlString,
  StringEsc,
}

const MAX_CSI_PARAMS = 64;
const TAB = 8;

/** The line as text when it is printable ASCII only (a CR before the newline allowed), else null. */
function plainAscii(bytes: Buffer, start: number, end: number, max: number): string | null {
  let stop = end;
  if (stop > start && bytes[stop - 1] === 0x0d) stop--;
  if (stop - start > max) return null;
  for (let i = start; i < stop; i++) {
    const c = bytes[i]!;
    if (c < 0x20 || c > 0x7e) return null;
  }
  let last = stop;
  while (last > start && bytes[last - 1] === 0x20) last--;
  return last === start ? '' : bytes.toString('latin1', start, last);
}

export class LineSplitter {
  private readonly maxLineChars: number;
  private decoder = new TextDecoder('utf-8');
  private nextOffset: number;
  private lineStart: number;
  private buf = new Uint16Array(256);
  private len = 0;
  private cursor = 0;
  private truncated = false;
  private afterGap = false;
  private state = State.Ground;
  private csiParams = '';

  constructor(options: LineSplitterOptions = {}) {
    this.nextOffset = options.startOffset ?? 0;
    this.lineStart = this.nextOffset;
    this.maxLineChars = Math.max(16, options.maxLineChars ?? 64 * 1024);
  }

  /** Offset of the next byte expected. */
  get offset(): number {
    return this.nextOffset;
  }

  /** Start of the line being built = end of the last complete line: the offset to persist and resume from. */
  get lineStartOffset(): number {
    return this.lineStart;
  }

  /** The partial line so far, rendered (a prompt waiting for input, say). */
  get partialText(): string {
    return this.render();
  }

  /** Feed bytes; returns the lines they complete. Overlapping bytes are skipped, a gap is flagged. */
  push(chunk: LineChunk): SplitLine[] {
    let data = chunk.data;
    if (chunk.offset < this.nextOffset) {
      const skip = this.nextOffset - chunk.offset;
      if (skip >= data.length) return [];
      data = data.subarray(skip);
    } else if (chunk.offset > this.nextOffset) {
      // Bytes are missing: the line being built is not trustworthy any more.
      this.resetLine(chunk.offset);
      this.afterGap = true;
    }
    const base = this.nextOffset;
    const lines: SplitLine[] = [];
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
    let pos = 0;
    while (pos < data.length) {
      const nl = data.indexOf(NL, pos);
      const end = nl < 0 ? data.length : nl;
      if (nl >= 0 && this.len === 0 && this.cursor === 0 && this.state === State.Ground && !this.truncated) {
        // Fast path: a whole line of printable ASCII (the common case) needs no rendering.
        const text = plainAscii(bytes, pos, end, this.maxLineChars);
        if (text !== null) {
          lines.push({ text, startOffset: this.lineStart, endOffset: base + nl + 1, truncated: false, afterGap: this.afterGap, partial: false });
          this.lineStart = base + nl + 1;
          this.afterGap = false;
          pos = nl + 1;
          continue;
        }
      }
      if (this.truncated) {
        // The line is already full: skip to its end without decoding anything.
      } else if (end > pos) {
        this.feedText(this.decoder.decode(data.subarray(pos, end), { stream: true }));
      }
      if (nl < 0) break;
      this.decoder.decode(); // end of line: drop a dangling partial UTF-8 sequence
      const endOffset = base + nl + 1;
      lines.push(this.emit(endOffset, false));
      pos = nl + 1;
    }
    this.nextOffset = base + data.length;
    return lines;
  }

  /** Emit the partial line (e.g. when the pane dies); `null` when it is empty. */
  flush(): SplitLine | null {
    if (this.len === 0 && !this.truncated) {
      this.resetLine(this.nextOffset);
      return null;
    }
    return this.emit(this.nextOffset, true);
  }

  /** Forget everything and expect bytes from `offset` (e.g. after a fresh snapshot). */
  reset(offset: number): void {
    this.resetLine(offset);
    this.afterGap = false;
  }

  /**
   * Start the line being built with text already on the screen (the cursor's line of
   * a capture taken at the splitter's start offset), the cursor at column `cursor`:
   * bytes that follow then complete it as a terminal would (`ci> ` + `lint\n`).
   */
  seed(text: string, cursor = text.length): void {
    this.len = 0;
    this.cursor = 0;
    for (let i = 0; i < text.length && !this.truncated; i++) this.put(text.charCodeAt(i));
    this.cursor = Math.max(0, Math.min(this.maxLineChars, Math.trunc(cursor)));
  }

  private resetLine(offset: number): void {
    this.decoder = new TextDecoder('utf-8');
    this.nextOffset = offset;
    this.lineStart = offset;
    this.len = 0;
    this.cursor = 0;
    this.truncated = false;
    this.state = State.Ground;
    this.csiParams = '';
  }

  private emit(endOffset: number, partial: boolean): SplitLine {
    const line: SplitLine = {
      text: this.render(),
      startOffset: this.lineStart,
      endOffset,
      truncated: this.truncated,
      afterGap: this.afterGap,
      partial,
    };
    this.lineStart = endOffset;
    this.len = 0;
    this.cursor = 0;
    this.truncated = false;
    this.afterGap = false;
    // An escape sequence or string never spans lines here: a newline ends it, so a
    // stray ESC ] in binary output cannot swallow the rest of the stream.
    this.state = State.Ground;
    this.csiParams = '';
    if (this.buf.length > 4096) this.buf = new Uint16Array(256); // give back memory a huge line took
    return line;
  }

  private render(): string {
    let end = this.len;
    while (end > 0 && (this.buf[end - 1] === 0x20 || this.buf[end - 1] === 0x09)) end--;
    if (end === 0) return '';
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, end * 2).toString('utf16le');
  }

  private put(code: number): void {
    if (this.cursor >= this.maxLineChars) {
      this.truncated = true;
      return;
    }
    if (this.cursor >= this.buf.length) {
      const grown = new Uint16Array(Math.min(this.maxLineChars, Math.max(this.buf.length * 2, this.cursor + 1)));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    if (this.cursor > this.len) this.buf.fill(0x20, this.len, this.cursor);
    this.buf[this.cursor++] = code;
    if (this.cursor > this.len) this.len = this.cursor;
  }

  private feedText(text: string): void {
    for (let i = 0; i < text.length; i++) {
      if (this.truncated) return;
      const c = text.charCodeAt(i);
      switch (this.state) {
        case State.Ground:
          this.ground(c);
          break;
        case State.Esc:
          this.escape(c);
          break;
        case State.EscIntermediate:
          // ESC ( B and friends: intermediates 0x20-0x2F, then one final character.
          if (c < 0x20 || c > 0x2f) this.state = State.Ground;
          break;
        case State.Csi:
          this.csi(c);
          break;
        case State.OscString:
          if (c === 0x07 || c === 0x9c) this.state = State.Ground;
          else if (c === 0x1b) this.state = State.StringEsc;
          break;
        case State.ControlString:
          if (c === 0x9c || c === 0x07) this.state = State.Ground;
          else if (c === 0x1b) this.state = State.StringEsc;
          break;
        case State.StringEsc:
          // ESC \ is ST; any other ESC x ends the string and starts a new sequence.
          this.state = State.Ground;
          if (c !== 0x5c) this.escape(c);
          break;
      }
    }
  }

  private ground(c: number): void {
    if (c >= 0x20 && c < 0x7f) return this.put(c);
    if (c >= 0xa0) return this.put(c);
    switch (c) {
      case 0x1b:
        this.state = State.Esc;
        return;
      case 0x0d: // \r
        this.cursor = 0;
        return;
      case 0x08: // backspace
        if (this.cursor > 0) this.cursor--;
        return;
      case 0x09: // tab
        this.cursor = Math.min(this.maxLineChars, (Math.floor(this.cursor / TAB) + 1) * TAB);
        return;
      case 0x9b:
        this.csiParams = '';
        this.state = State.Csi;
        return;
      case 0x9d:
        this.state = State.OscString;
        return;
      case 0x90:
      case 0x98:
      case 0x9e:
      case 0x9f:
        this.state = State.ControlString;
        return;
      default:
        return; // other C0/C1 controls, DEL: nothing to show
    }
  }

  private escape(c: number): void {
    switch (c) {
      case 0x5b: // [
        this.csiParams = '';
        this.state = State.Csi;
        return;
      case 0x5d: // ]
        this.state = State.OscString;
        return;
      case 0x50: // P  DCS
      case 0x58: // X  SOS
      case 0x5e: // ^  PM
      case 0x5f: // _  APC
        this.state = State.ControlString;
        return;
      case 0x1b:
        this.state = State.Esc; // ESC ESC: still an escape
        return;
      default:
        if (c >= 0x20 && c <= 0x2f) this.state = State.EscIntermediate;
        else this.state = State.Ground; // single-character escape (ESC 7, ESC =, ESC M, ...)
    }
  }

  private csi(c: number): void {
    if (c >= 0x40 && c <= 0x7e) {
      this.state = State.Ground;
      this.dispatchCsi(c);
      return;
    }
    if (c >= 0x20 && c <= 0x3f) {
      if (this.csiParams.length < MAX_CSI_PARAMS) this.csiParams += String.fromCharCode(c);
      return;
    }
    if (c === 0x1b) {
      this.state = State.Esc;
      return;
    }
    if (c === 0x0d || c === 0x08) {
      this.ground(c); // terminals execute C0 controls inside a sequence
      return;
    }
    if (c < 0x20) return;
    this.state = State.Ground; // not a CSI after all (garbage): drop it
  }

  private param(index: number, fallback: number): number {
    const parts = this.csiParams.replace(/^[<=>?]/, '').split(';');
    const value = Number.parseInt(parts[index] ?? '', 10);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  }

  /** Only what changes a single line's text: cursor moves along the line and erases. */
  private dispatchCsi(final: number): void {
    if (/^[<=>?]/.test(this.csiParams) && final !== 0x4b) return; // private modes (?25l ...)
    switch (final) {
      case 0x43: // C  cursor forward
        this.cursor = Math.min(this.maxLineChars, this.cursor + this.param(0, 1));
        return;
      case 0x44: // D  cursor back
        this.cursor = Math.max(0, this.cursor - this.param(0, 1));
        return;
      case 0x47: // G  column
      case 0x60: // `  column
        this.cursor = Math.min(this.maxLineChars, this.param(0, 1) - 1);
        return;
      case 0x4b: {
        // K  erase in line: 0 cursor→end, 1 start→cursor, 2 all
        const mode = Number.parseInt(this.csiParams.replace(/^\?/, '') || '0', 10);
        if (mode === 0) this.len = Math.min(this.len, this.cursor);
        else if (mode === 1) this.buf.fill(0x20, 0, Math.min(this.len, this.cursor + 1));
        else if (mode === 2) this.len = 0;
        return;
      }
      case 0x58: {
        // X  erase characters
        const end = Math.min(this.len, this.cursor + this.param(0, 1));
        if (end > this.cursor) this.buf.fill(0x20, this.cursor, end);
        return;
      }
      default:
        return; // colours, other cursor moves, modes: no effect on the line's text
    }
  }
}
