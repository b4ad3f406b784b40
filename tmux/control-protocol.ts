/**
 * The control-mode wire protocol (tmux `control.c`): command replies framed by
 * `%begin`/`%end`/`%error` lines, and `%notification` lines outside them.
 * Pure parsing, no I/O: feed it bytes, get typed messages.
 */

export interface ControlReply {
  readonly kind: 'reply';
  /** false when the block ended with `%error`. */
  readonly ok: boolean;
  /** The command number tmux assigned. */
  readonly number: number;
  /** Bit 1 is set for commands this client sent; hooks and the attach command give 0. */
  readonly flags: number;
  readonly lines: string[];
}

export interface ControlNotification {
  readonly kind: 'notification';
  /** Name without the `%`, e.g. `sessions-changed`, `window-add`, `exit`. */
  readonly name: string;
  readonly args: string[];
  readonly line: string;
  /** `%output`/`%extended-output`: the pane's bytes, unescaped exactly. */
  readonly data?: Buffer;
}

export type ControlMessage = ControlReply | ControlNotification;

const BEGIN = /^%begin (\d+) (\d+) (\d+)$/;
const OUTPUT = Buffer.from('%output ');
const EXTENDED_OUTPUT = Buffer.from('%extended-output ');
const EXTENDED_SEP = Buffer.from(' : ');

/**
 * Pane bytes as tmux escapes them in control mode: bytes below 0x20 and the backslash
 * as a backslash and three octal digits, everything else (UTF-8 or not) as is.
 */
export function decodeOutput(escaped: Buffer): Buffer {
  if (escaped.indexOf(0x5c) < 0) return Buffer.from(escaped);
  const out = Buffer.allocUnsafe(escaped.length);
  let n = 0;
  for (let i = 0; i < escaped.length; i++) {
    const byte = escaped[i]!;
    if (byte === 0x5c && i + 3 < escaped.length) {
      const a = escaped[i + 1]! - 0x30;
      const b = escaped[i + 2]! - 0x30;
      const c = escaped[i + 3]! - 0x30;
      if (a >= 0 && a <= 7 && b >= 0 && b <= 7 && c >= 0 && c <= 7) {
        out[n++] = a * 64 + b * 8 + c;
        i += 3;
        continue;
      }
    }
    out[n++] = byte;
  }
  return out.subarray(0, n);
}

export class ControlProtocolParser {
  private pending: Buffer[] = [];
  private block: { number: number; flags: number; time: string; lines: string[] } | undefined;

  /** Feed raw bytes from the control client's stdout; returns complete messages. */
  push(chunk: Buffer): ControlMessage[] {
    const out: ControlMessage[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      let lineBuf = chunk.subarray(start, nl);
      if (this.pending.length > 0) {
        lineBuf = Buffer.concat([...this.pending, lineBuf]);
        this.pending = [];
      }
      start = nl + 1;
      // Pane output is bytes, not text: decoded from the raw line, never through a string.
      if (!this.block && lineBuf[0] === 0x25 /* % */) {
        const output = outputNotification(lineBuf);
        if (output) {
          out.push(output);
          continue;
        }
      }
      const message = this.line(lineBuf.toString('utf8'));
      if (message) out.push(message);
    }
    if (start < chunk.length) this.pending.push(Buffer.from(chunk.subarray(start)));
    return out;
  }

  private line(line: string): ControlMessage | undefined {
    if (this.block) {
      const block = this.block;
      if (line.startsWith('%end ') || line.startsWith('%error ')) {
        const ok = line.startsWith('%end ');
        const rest = line.slice(ok ? 5 : 7);
        // Output lines may themselves start with %end: only the matching guard closes the block.
        if (rest === `${block.time} ${block.number} ${block.flags}`) {
          this.block = undefined;
          return { kind: 'reply', ok, number: block.number, flags: block.flags, lines: block.lines };
        }
      }
      block.lines.push(line);
      return undefined;
    }
    const begin = BEGIN.exec(line);
    if (begin) {
      this.block = { time: begin[1]!, number: Number(begin[2]), flags: Number(begin[3]), lines: [] };
      return undefined;
    }
    if (line.startsWith('%')) {
      const parts = line.slice(1).split(' ');
      return { kind: 'notification', name: parts[0] ?? '', args: parts.slice(1), line };
    }
    // Anything else outside a block (should not happen) is ignored.
    return undefined;
  }
}

/** `%output %<pane> <bytes>` or `%extended-output %<pane> <age> ... : <bytes>`. */
function outputNotification(line: Buffer): ControlNotification | undefined {
  let rest: Buffer;
  let name: string;
  if (line.subarray(0, OUTPUT.length).equals(OUTPUT)) {
    rest = line.subarray(OUTPUT.length);
    name = 'output';
  } else if (line.subarray(0, EXTENDED_OUTPUT.length).equals(EXTENDED_OUTPUT)) {
    rest = line.subarray(EXTENDED_OUTPUT.length);
    name = 'extended-output';
  } else {
    return undefined;
  }
  const space = rest.indexOf(0x20);
  if (space < 0) return undefined;
  const paneId = rest.subarray(0, space).toString('latin1');
  let payload = rest.subarray(space + 1);
  if (name === 'extended-output') {
    const sep = payload.indexOf(EXTENDED_SEP);
    if (sep < 0) return undefined;
    payload = payload.subarray(sep + EXTENDED_SEP.length);
  }
  return { kind: 'notification', name, args: [paneId], line: `%${name} ${paneId}`, data: decodeOutput(payload) };
}
