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
}

export type ControlMessage = ControlReply | ControlNotification;

const BEGIN = /^%begin (\d+) (\d+) (\d+)$/;

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
