/** Escape sequences: CSI, OSC (to BEL or ST; the execution markers are OSC), DCS/SOS/PM/APC strings, two-byte escapes. */
const ESCAPES = /\x1b\[[0-?]*[ -\/]*[@-~]|\x1b\][\s\S]*?(?:\x07|\x1b\\)|\x1b[PX^_][\s\S]*?\x1b\\|\x1b[@-Z\\-_]|\x1b[ -\/]+[0-~]/g;

/**
 * A run's recorded pane bytes as readable text: escapes removed, CR-LF folded, carriage-return
 * overwrites resolved per line (the same reading the server applies to an execution's output tail).
 */
export function plainText(text: string): string {
  return text
    .replace(ESCAPES, '')
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => {
      const cut = line.lastIndexOf('\r');
      return (cut >= 0 ? line.slice(cut + 1) : line).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
    })
    .join('\n')
    .replace(/\s+$/, '');
}
