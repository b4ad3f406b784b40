/** The phone's row of keys an on-screen keyboard lacks. */
export const EXTRA_KEYS = ['esc', 'tab', 'ctrl', 'alt', 'left', 'up', 'down', 'right', '|', '~', '/', '-'] as const;
export type ExtraKey = (typeof EXTRA_KEYS)[number];

export interface Modifiers {
  readonly ctrl: boolean;
  readonly alt: boolean;
}

const ARROWS: Partial<Record<ExtraKey, string>> = { up: 'A', down: 'B', right: 'C', left: 'D' };

/** The bytes a key sends (arrows follow the program's cursor-key mode, as xterm's own keys do). */
export function extraKeyData(key: Exclude<ExtraKey, 'ctrl' | 'alt'>, applicationCursor: boolean): string {
  const arrow = ARROWS[key];
  if (arrow) return `\x1b${applicationCursor ? 'O' : '['}${arrow}`;
  if (key === 'esc') return '\x1b';
  if (key === 'tab') return '\t';
  return key;
}

/**
 * Applies sticky modifiers to what the next key sends: Ctrl turns a letter (or
 * @ [ \ ] ^ _ space ?) into its control character and an arrow into its
 * xterm Ctrl form; Alt prefixes ESC (Meta), or marks an arrow.
 */
export function applyModifiers(data: string, { ctrl, alt }: Modifiers): string {
  const arrow = /^\x1b[[O]([ABCD])$/.exec(data);
  if (arrow) {
    const code = 1 + (alt ? 2 : 0) + (ctrl ? 4 : 0);
    return code === 1 ? data : `\x1b[1;${code}${arrow[1]}`;
  }
  let out = data;
  if (ctrl && data.length === 1) {
    const c = data.toUpperCase().charCodeAt(0);
    if (c >= 0x40 && c <= 0x5f) out = String.fromCharCode(c - 0x40);
    else if (data === ' ') out = '\x00';
    else if (data === '?') out = '\x7f';
  }
  return alt ? `\x1b${out}` : out;
}
