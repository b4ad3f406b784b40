import { signal } from '@preact/signals';

/** Keys that can leave the terminal for the page (F6 by default; mc and htop use F6, so it is a choice). */
export const LEAVE_KEYS = ['F6', 'Shift+F6', 'F7', 'F8', 'F10', 'F12', 'Ctrl+]', 'none'] as const;
export type LeaveKey = (typeof LEAVE_KEYS)[number];

export const FONT_SIZES = { min: 8, max: 32, default: 13 } as const;

/** What a right click in the terminal does; Shift+right click always opens the browser's own menu. */
export type RightClick = 'menu' | 'paste';

/** The terminal settings, kept per browser (localStorage). */
export interface TerminalSettings {
  readonly fontSize: number;
  /** Selecting text copies it (like ttyd and most Linux terminals). */
  readonly copyOnSelect: boolean;
  /** Programs inside may set the browser clipboard with OSC 52 (off: a program could fill it unasked). */
  readonly osc52: boolean;
  readonly leaveKey: LeaveKey;
  readonly rightClick: RightClick;
  /** The WebGL renderer when the browser has a hardware one. */
  readonly webgl: boolean;
}

export const DEFAULT_SETTINGS: TerminalSettings = {
  fontSize: FONT_SIZES.default,
  copyOnSelect: true,
  osc52: false,
  leaveKey: 'F6',
  rightClick: 'menu',
  webgl: true,
};

const STORAGE_KEY = 'tb.terminal';

/** Stored settings, each field checked (storage is input too): bad or missing fields fall back to the default. */
export function parseSettings(raw: unknown): TerminalSettings {
  const value = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const bool = (key: 'copyOnSelect' | 'osc52' | 'webgl') => (typeof value[key] === 'boolean' ? (value[key] as boolean) : DEFAULT_SETTINGS[key]);
  const size = value.fontSize;
  return {
    fontSize: typeof size === 'number' && Number.isInteger(size) && size >= FONT_SIZES.min && size <= FONT_SIZES.max ? size : DEFAULT_SETTINGS.fontSize,
    copyOnSelect: bool('copyOnSelect'),
    osc52: bool('osc52'),
    webgl: bool('webgl'),
    leaveKey: (LEAVE_KEYS as readonly unknown[]).includes(value.leaveKey) ? (value.leaveKey as LeaveKey) : DEFAULT_SETTINGS.leaveKey,
    rightClick: value.rightClick === 'paste' ? 'paste' : 'menu',
  };
}

function load(): TerminalSettings {
  try {
    return parseSettings(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}'));
  } catch {
    return DEFAULT_SETTINGS;
  }
}

/** One store for every terminal of the page: a change applies to all open tabs at once. */
export const terminalSettings = signal<TerminalSettings>(load());

export function updateSettings(patch: Partial<TerminalSettings>): void {
  const next = parseSettings({ ...terminalSettings.value, ...patch });
  terminalSettings.value = next;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    // storage disabled: the settings last for this page
  }
}

export function changeFontSize(delta: number): void {
  const size = Math.min(FONT_SIZES.max, Math.max(FONT_SIZES.min, terminalSettings.value.fontSize + delta));
  updateSettings({ fontSize: size });
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** True when a key event is the chosen leave key. */
export function isLeaveKey(event: KeyboardEvent, key: LeaveKey): boolean {
  if (key === 'none') return false;
  if (key === 'Ctrl+]') return event.ctrlKey && !event.altKey && !event.metaKey && (event.key === ']' || event.code === 'BracketRight');
  const shift = key.startsWith('Shift+');
  const name = shift ? key.slice(6) : key;
  return event.key === name && event.shiftKey === shift && !event.ctrlKey && !event.altKey && !event.metaKey;
}

/** The terminal's own shortcuts (the rest go to the program). */
export type TerminalShortcut = 'copy' | 'paste' | 'find';

export function shortcutOf(event: KeyboardEvent): TerminalShortcut | undefined {
  const letter = event.code.startsWith('Key') ? event.code.slice(3).toLowerCase() : '';
  // macOS: Cmd+C / Cmd+V / Cmd+F (Ctrl stays the terminal's); elsewhere Ctrl+Shift+C / V / F.
  const chord = isMac ? event.metaKey && !event.ctrlKey && !event.altKey : event.ctrlKey && event.shiftKey && !event.altKey && !event.metaKey;
  if (!chord) return undefined;
  if (letter === 'c') return 'copy';
  if (letter === 'v') return 'paste';
  if (letter === 'f') return 'find';
  return undefined;
}

/** How a shortcut is written for this platform, for the help and the menu. */
export function shortcutLabel(shortcut: TerminalShortcut): string {
  const letter = shortcut === 'copy' ? 'C' : shortcut === 'paste' ? 'V' : 'F';
  return isMac ? `⌘${letter}` : `Ctrl+Shift+${letter}`;
}
