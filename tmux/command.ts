/**
 * Building tmux command lines safely. Every argument that is not a plain word
 * is single-quoted for tmux's own command parser, so user text never becomes
 * syntax (`;`, `$VAR`, `~`, `#` comments, braces).
 */

/** A tmux command as an argument vector: `['send-keys', '-t', '%3', '-H', '41']`. */
export type TmuxCommand = readonly string[];

const PLAIN_WORD = /^[A-Za-z0-9_%@.,:\/=+-]+$/;

/** Quote one argument for tmux's command parser (control mode and config syntax). */
export function quoteArg(arg: string): string {
  if (arg.length > 0 && PLAIN_WORD.test(arg)) {
    // Plain words never need quotes; `$`, `~`, `#`, `;`, quotes and spaces do.
    return arg;
  }
  if (arg.includes('\0')) throw new Error('tmux arguments cannot contain NUL characters');
  // A control line ends at a line break: such text goes double-quoted with escapes.
  if (/[\x00-\x1f\x7f]/.test(arg)) return escapedArg(arg);
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Double-quoted for tmux's parser: control characters, `\`, `"` and `$` (a variable
 * there) become octal escapes (`\012`), which tmux turns back into those bytes.
 */
function escapedArg(arg: string): string {
  return `"${arg.replace(/[\x00-\x1f\x7f"$\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)}"`;
}

/** One command as a single line for a control-mode client. */
export function formatCommand(command: TmuxCommand): string {
  if (command.length === 0) throw new Error('empty tmux command');
  return command.map(quoteArg).join(' ');
}

/** Several commands on one line, run by tmux back to back with nothing in between. */
export function formatCommandList(commands: readonly TmuxCommand[]): string {
  return commands.map(formatCommand).join(' ; ');
}

/**
 * Escape text that tmux will expand as a format (`#{...}`), for arguments such
 * as `new-session -c`, `pipe-pane` commands and `display -p`.
 */
export function literalFormat(text: string): string {
  return text.replace(/#/g, '##');
}

/** Quote a string for `/bin/sh` (used inside pipe-pane and shell commands). */
export function shellQuote(text: string): string {
  if (/^[A-Za-z0-9_\/.,:=+-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Bytes as the hex words `send-keys -H` takes. */
export function hexWords(bytes: Uint8Array): string[] {
  const words: string[] = new Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    words[i] = bytes[i]!.toString(16).padStart(2, '0');
  }
  return words;
}

/** Separator for multi-field formats: the ASCII unit separator never appears in names or titles. */
export const FIELD_SEP = '\x1f';

/** A format string listing fields separated by FIELD_SEP, quoted-safe for control mode. */
export function fieldsFormat(fields: readonly string[]): string {
  return fields.map((f) => `#{${f}}`).join(FIELD_SEP);
}
