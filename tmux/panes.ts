import { FIELD_SEP, fieldsFormat, type TmuxCommand } from './command.ts';
import type { TmuxRunner } from './runner.ts';

/** What tmux says about one pane (one `list-panes -a` row). */
export interface PaneInfo {
  readonly sessionId: string;
  readonly sessionName: string;
  /** Native clients attached to the session (control clients with ignore-size included). */
  readonly sessionAttached: number;
  readonly sessionCreated: number;
  readonly windowId: string;
  readonly windowIndex: number;
  readonly windowName: string;
  readonly paneId: string;
  readonly paneIndex: number;
  readonly panePid: number;
  readonly dead: boolean;
  readonly deadStatus: number | null;
  readonly deadSignal: number | null;
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly currentCommand: string;
  readonly currentPath: string;
  readonly piped: boolean;
  readonly inMode: boolean;
  readonly alternateOn: boolean;
  readonly historySize: number;
  /** The `@tb_key` pane option: set on panes the bridge created. */
  readonly key: string;
  /** The `@tb_pipe` pane option: the FIFO our pipe-pane writes to, if we set one. */
  readonly pipeTarget: string;
  readonly windowPanes: number;
  /** The `@tb_tool` and `@tb_created` pane options of panes the bridge created. */
  readonly tool: string;
  readonly createdAt: string;
  /**
   * The tmux server this pane lives on (`<pid>@<start time>`): a restarted server
   * hands out the same pane ids again, so a pane is this plus its id.
   */
  readonly serverId: string;
}

const PANE_FIELDS = [
  'session_id',
  'session_name',
  'session_attached',
  'session_created',
  'window_id',
  'window_index',
  'window_name',
  'pane_id',
  'pane_index',
  'pane_pid',
  'pane_dead',
  'pane_dead_status',
  'pane_dead_signal',
  'pane_width',
  'pane_height',
  'pane_title',
  'pane_current_command',
  'pane_current_path',
  'pane_pipe',
  'pane_in_mode',
  'alternate_on',
  'history_size',
  '@tb_key',
  '@tb_pipe',
  'window_panes',
  '@tb_tool',
  '@tb_created',
  'pid',
  'start_time',
] as const;

const PANE_FORMAT = fieldsFormat(PANE_FIELDS);

function intOrNull(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

export function parsePaneLine(line: string): PaneInfo | undefined {
  const f = line.split(FIELD_SEP);
  if (f.length < PANE_FIELDS.length) return undefined;
  const get = (i: number) => f[i] ?? '';
  return {
    sessionId: get(0),
    sessionName: get(1),
    sessionAttached: Number(get(2)) || 0,
    sessionCreated: Number(get(3)) || 0,
    windowId: get(4),
    windowIndex: Number(get(5)) || 0,
    windowName: get(6),
    paneId: get(7),
    paneIndex: Number(get(8)) || 0,
    panePid: Number(get(9)) || 0,
    dead: get(10) === '1',
    deadStatus: intOrNull(get(11)),
    deadSignal: intOrNull(get(12)),
    width: Number(get(13)) || 0,
    height: Number(get(14)) || 0,
    title: get(15),
    currentCommand: get(16),
    currentPath: get(17),
    piped: get(18) === '1',
    inMode: get(19) === '1',
    alternateOn: get(20) === '1',
    historySize: Number(get(21)) || 0,
    key: get(22),
    pipeTarget: get(23),
    windowPanes: Number(get(24)) || 1,
    tool: get(25),
    createdAt: get(26),
    serverId: `${get(27)}@${get(28)}`,
  };
}

/** Every pane on the server. */
export async function listAllPanes(tmux: TmuxRunner): Promise<PaneInfo[]> {
  const lines = await tmux.run(['list-panes', '-a', '-F', PANE_FORMAT]);
  return lines.map(parsePaneLine).filter((p): p is PaneInfo => p !== undefined);
}

/** One pane, or undefined when it does not exist. */
export async function describePane(tmux: TmuxRunner, paneId: string): Promise<PaneInfo | undefined> {
  try {
    const lines = await tmux.run(['display-message', '-p', '-t', paneId, PANE_FORMAT]);
    return lines[0] ? parsePaneLine(lines[0]) : undefined;
  } catch {
    return undefined;
  }
}

export function setPaneOptionCommand(paneId: string, name: string, value: string): TmuxCommand {
  return ['set-option', '-p', '-t', paneId, '--', name, value];
}

export function killPaneCommand(paneId: string): TmuxCommand {
  return ['kill-pane', '-t', paneId];
}

/**
 * Sets a window's size. tmux then pins `window-size manual`; putting `latest`
 * back right after lets a native client that attaches later take over again.
 */
export function resizeWindowCommands(windowId: string, cols: number, rows: number): TmuxCommand[] {
  return [
    ['resize-window', '-t', windowId, '-x', String(cols), '-y', String(rows)],
    ['set-option', '-w', '-t', windowId, 'window-size', 'latest'],
  ];
}
