import { FIELD_SEP, fieldsFormat, type TmuxCommand } from './command.ts';
import type { TmuxRunner } from './runner.ts';

/** Terminal modes tmux keeps per pane that a fresh terminal must be told about. */
export interface PaneModes {
  readonly cursorX: number;
  readonly cursorY: number;
  readonly cursorVisible: boolean;
  readonly alternateOn: boolean;
  readonly alternateSavedX: number;
  readonly alternateSavedY: number;
  readonly cols: number;
  readonly rows: number;
  readonly historySize: number;
  readonly keypadCursor: boolean;
  readonly keypad: boolean;
  readonly insert: boolean;
  readonly origin: boolean;
  readonly wrap: boolean;
  readonly mouseStandard: boolean;
  readonly mouseButton: boolean;
  readonly mouseAny: boolean;
  readonly mouseSgr: boolean;
  readonly mouseUtf8: boolean;
  readonly scrollTop: number;
  readonly scrollBottom: number;
  readonly title: string;
}

/** What one atomic capture of a pane returns. */
export interface ScreenCapture {
  readonly modes: PaneModes;
  /** History lines (oldest first), then exactly `rows` lines of the visible screen, with SGR escapes. */
  readonly lines: string[];
  /** With the alternate screen on: the normal screen saved beneath it. */
  readonly normalScreen: string[] | undefined;
  /** Start of an escape sequence tmux has received but not completed. */
  readonly pending: Buffer;
}

const MODE_FIELDS = [
  'cursor_x',
  'cursor_y',
  'cursor_flag',
  'alternate_on',
  'alternate_saved_x',
  'alternate_saved_y',
  'pane_width',
  'pane_height',
  'history_size',
  'keypad_cursor_flag',
  'keypad_flag',
  'insert_flag',
  'origin_flag',
  'wrap_flag',
  'mouse_standard_flag',
  'mouse_button_flag',
  'mouse_any_flag',
  'mouse_sgr_flag',
  'mouse_utf8_flag',
  'scroll_region_upper',
  'scroll_region_lower',
  'pane_title',
] as const;

export function parseModes(line: string): PaneModes {
  const f = line.split(FIELD_SEP);
  const n = (i: number) => Number(f[i] ?? 0) || 0;
  const b = (i: number) => f[i] === '1';
  return {
    cursorX: n(0),
    cursorY: n(1),
    cursorVisible: b(2),
    alternateOn: b(3),
    alternateSavedX: n(4),
    alternateSavedY: n(5),
    cols: n(6),
    rows: n(7),
    historySize: n(8),
    keypadCursor: b(9),
    keypad: b(10),
    insert: b(11),
    origin: b(12),
    wrap: b(13),
    mouseStandard: b(14),
    mouseButton: b(15),
    mouseAny: b(16),
    mouseSgr: b(17),
    mouseUtf8: b(18),
    scrollTop: n(19),
    scrollBottom: n(20),
    title: f.slice(21).join(FIELD_SEP),
  };
}

/** The commands of one capture, run on one line so that no output lands in between. */
export function captureCommands(paneId: string, historyLines: number): TmuxCommand[] {
  const start = historyLines > 0 ? `-${historyLines}` : '0';
  return [
    ['display-message', '-p', '-t', paneId, fieldsFormat(MODE_FIELDS)],
    ['capture-pane', '-p', '-e', '-N', '-t', paneId, '-S', start, '-E', '-'],
    ['capture-pane', '-p', '-e', '-N', '-a', '-q', '-t', paneId],
    ['capture-pane', '-p', '-P', '-C', '-t', paneId],
  ];
}

/** Decodes `capture-pane -C` output: octal escapes for non-printable bytes. */
export function decodeOctalEscapes(text: string): Buffer {
  const out: number[] = [];
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x5c && i + 3 < bytes.length + 1) {
      const oct = bytes.subarray(i + 1, i + 4).toString('latin1');
      if (/^[0-7]{3}$/.test(oct)) {
        out.push(parseInt(oct, 8));
        i += 3;
        continue;
      }
      if (bytes[i + 1] === 0x5c) {
        out.push(0x5c);
        i += 1;
        continue;
      }
    }
    out.push(c);
  }
  return Buffer.from(out);
}

export async function capturePane(tmux: TmuxRunner, paneId: string, historyLines: number): Promise<ScreenCapture> {
  const [modeLines = [], lines = [], normal = [], pendingLines = []] = await tmux.runList(captureCommands(paneId, historyLines));
  const modes = parseModes(modeLines[0] ?? '');
  return {
    modes,
    lines,
    normalScreen: modes.alternateOn ? normal : undefined,
    pending: decodeOctalEscapes(pendingLines.join('\n')),
  };
}

const ESC = '\x1b';
const CSI = `${ESC}[`;

/**
 * Bytes that redraw the captured pane on a freshly reset terminal of the same
 * size: history into the scrollback, the screen, the alternate screen if on,
 * scroll region, cursor and the modes that change how input is encoded.
 */
export function snapshotBytes(capture: ScreenCapture, stream: { bracketedPaste?: boolean } = {}): Buffer {
  const { modes } = capture;
  const rows = Math.max(1, modes.rows);
  const out: string[] = [`${ESC}c`];
  const lineBreak = `${CSI}0m\r\n`;

  if (capture.normalScreen) {
    const history = capture.lines.slice(0, Math.max(0, capture.lines.length - rows));
    const altScreen = capture.lines.slice(-rows);
    out.push([...history, ...padScreen(capture.normalScreen, rows)].join(lineBreak));
    // The cursor position the program returns to when it leaves the alternate screen.
    out.push(`${CSI}0m${CSI}${modes.alternateSavedY + 1};${modes.alternateSavedX + 1}H`);
    out.push(`${CSI}?1049h${CSI}H`);
    out.push(padScreen(altScreen, rows).join(lineBreak));
  } else {
    out.push(capture.lines.join(lineBreak));
  }
  out.push(`${CSI}0m`);

  if (modes.scrollTop !== 0 || modes.scrollBottom !== rows - 1) {
    out.push(`${CSI}${modes.scrollTop + 1};${modes.scrollBottom + 1}r`);
  }
  if (modes.origin) {
    out.push(`${CSI}?6h${CSI}${modes.cursorY - modes.scrollTop + 1};${modes.cursorX + 1}H`);
  } else {
    out.push(`${CSI}${modes.cursorY + 1};${modes.cursorX + 1}H`);
  }
  if (!modes.cursorVisible) out.push(`${CSI}?25l`);
  if (!modes.wrap) out.push(`${CSI}?7l`);
  if (modes.insert) out.push(`${CSI}4h`);
  if (modes.keypadCursor) out.push(`${CSI}?1h`);
  if (modes.keypad) out.push(`${ESC}=`);
  if (modes.mouseStandard) out.push(`${CSI}?1000h`);
  if (modes.mouseButton) out.push(`${CSI}?1002h`);
  if (modes.mouseAny) out.push(`${CSI}?1003h`);
  if (modes.mouseUtf8) out.push(`${CSI}?1005h`);
  if (modes.mouseSgr) out.push(`${CSI}?1006h`);
  if (stream.bracketedPaste) out.push(`${CSI}?2004h`);
  return Buffer.concat([Buffer.from(out.join(''), 'utf8'), capture.pending]);
}

function padScreen(lines: readonly string[], rows: number): string[] {
  const screen = lines.slice(-rows);
  while (screen.length < rows) screen.push('');
  return screen;
}

/** The visible screen as plain text lines (escape sequences removed). */
export function plainScreen(capture: ScreenCapture): string[] {
  return capture.lines.map((line) => line.replace(/\x1b\[[0-9;:?]*[A-Za-z]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>c78]/g, ''));
}
