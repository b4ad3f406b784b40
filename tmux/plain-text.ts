/** Escape sequences: CSI, OSC (to BEL or ST), DCS/SOS/PM/APC strings, two-byte escapes. */
const ESCAPES = /\x1b\[[0-?]*[ -\/]*[@-~]|\x1b\][\s\S]*?(?:\x07|\x1b\\)|\x1b[PX^_][\s\S]*?\x1b\\|\x1b[@-Z\\-_]|\x1b[ -\/]+[0-~]/g;

/** Terminal bytes as plain text: escapes removed, CR-LF folded, carriage-return overwrites resolved per line. */
export function plainText(bytes: Buffer | string): string {
  const text = (typeof bytes === 'string' ? bytes : bytes.toString('utf8')).replace(ESCAPES, '');
  return text
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => {
      const cut = line.lastIndexOf('\r');
      return (cut >= 0 ? line.slice(cut + 1) : line).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
    })
    .join('\n');
}
