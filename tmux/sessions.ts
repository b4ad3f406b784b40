import { FIELD_SEP, fieldsFormat, literalFormat, type TmuxCommand } from './command.ts';
import type { TmuxRunner } from './runner.ts';

export interface NewSessionOptions {
  readonly name: string;
  readonly cols: number;
  readonly rows: number;
  readonly workingDir?: string;
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The program: one element is run by the default shell (`sh -c`), several
   * are an argv run directly, none means tmux's default shell.
   */
  readonly command?: readonly string[];
  /** Pane options (`@name` → value) set in the same tmux command line. */
  readonly paneOptions?: Readonly<Record<string, string>>;
  /** Keep the pane readable with its exit status after the program ends. */
  readonly remainOnExit?: boolean;
}

export interface CreatedPane {
  readonly sessionId: string;
  readonly windowId: string;
  readonly paneId: string;
}

const CREATED_FORMAT = fieldsFormat(['session_id', 'window_id', 'pane_id']);

/**
 * Creates a detached session and sets its options in one tmux command line, so
 * no listing can see the pane without them.
 */
export async function newSession(tmux: TmuxRunner, options: NewSessionOptions): Promise<CreatedPane> {
  const create: string[] = ['new-session', '-d', '-P', '-F', CREATED_FORMAT, '-s', literalFormat(options.name)];
  create.push('-x', String(options.cols), '-y', String(options.rows));
  if (options.workingDir) create.push('-c', literalFormat(options.workingDir));
  for (const [name, value] of Object.entries(options.env ?? {})) create.push('-e', `${name}=${value}`);
  // `--`: the program's first word is never read as a new-session flag.
  if (options.command && options.command.length > 0) create.push('--', ...options.command);

  const target = `=${options.name}:`;
  const followUps: TmuxCommand[] = [];
  if (options.remainOnExit) followUps.push(['set-option', '-w', '-t', target, 'remain-on-exit', 'on']);
  for (const [name, value] of Object.entries(options.paneOptions ?? {})) {
    followUps.push(['set-option', '-p', '-t', target, '--', name, value]);
  }
  const results = await tmux.runList([create, ...followUps]);
  const [sessionId = '', windowId = '', paneId = ''] = (results[0]?.[0] ?? '').split(FIELD_SEP);
  if (!paneId.startsWith('%')) throw new Error(`tmux did not report the new pane (got "${results[0]?.join(' ')}")`);
  return { sessionId, windowId, paneId };
}

export function killSessionCommand(sessionId: string): TmuxCommand {
  return ['kill-session', '-t', sessionId];
}

/** `--` before the name: a name can never be read as a flag. */
export function renameSessionCommand(sessionId: string, name: string): TmuxCommand {
  return ['rename-session', '-t', sessionId, '--', name];
}

/** Whether a session with exactly this name exists. */
export async function hasSession(tmux: TmuxRunner, name: string): Promise<boolean> {
  try {
    await tmux.run(['has-session', '-t', `=${name}`]);
    return true;
  } catch {
    return false;
  }
}
