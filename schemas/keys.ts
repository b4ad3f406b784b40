import { z } from 'zod';
import { rule } from './rule.ts';

/**
 * The key names tmux's `send-keys` understands (tmux key-string.c), compared
 * without regard to case as tmux does. Anything else would be typed as text —
 * or, before a `--`, read as a flag — so the API refuses it.
 */
const TMUX_KEYS = [
  'Enter', 'Escape', 'Space', 'Tab', 'BTab', 'BSpace', 'Home', 'End', 'IC', 'Insert', 'DC', 'Delete',
  'Up', 'Down', 'Left', 'Right', 'NPage', 'PageDown', 'PgDn', 'PPage', 'PageUp', 'PgUp',
  ...Array.from({ length: 12 }, (_, i) => `F${i + 1}`),
  'KP/', 'KP*', 'KP-', 'KP+', 'KP.', 'KPEnter', ...Array.from({ length: 10 }, (_, i) => `KP${i}`),
];
const KNOWN = new Set(TMUX_KEYS.map((k) => k.toLowerCase()));

/** Modifier prefixes: `C-`, `M-`, `S-` in any order and case, or `^x` for Ctrl. */
const MODIFIERS = /^(?:[CMScms]-)+/;

/** Whether `name` is a key tmux knows: a table name or one character, with modifiers. */
export function isTmuxKeyName(name: string): boolean {
  if (name.length === 0 || name.length > 32) return false;
  const chars = [...name];
  // One character on its own, as typed (`-`, `;`, `é`); whitespace has names (Space, Tab, Enter).
  if (chars.length === 1) return !/^\s$/u.test(name) && !/^[\u0000-\u001f\u007f]$/.test(name);
  if (chars.length === 2 && chars[0] === '^') return /^[\x21-\x7e]$/.test(chars[1]!);
  const base = name.replace(MODIFIERS, '');
  if (base === name) return KNOWN.has(name.toLowerCase());
  return base.length > 0 && ([...base].length === 1 ? !/^\s$/u.test(base) : KNOWN.has(base.toLowerCase()));
}

export const KEY_NAME_HINT = 'a tmux key name such as Enter, Escape, C-c, M-x, F5, Up, BSpace or one character';

export const KeyName = z.string().min(1).max(32).refine(isTmuxKeyName, rule('key_name', `not ${KEY_NAME_HINT}`));
