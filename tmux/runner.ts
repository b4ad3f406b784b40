import type { TmuxCommand } from './command.ts';

/**
 * Something that runs tmux commands: the persistent control client for a
 * local server, or a one-shot runner (ssh) for remote hosts.
 */
export interface TmuxRunner {
  run(command: TmuxCommand): Promise<string[]>;
  /** Runs the commands back to back; stops at the first failure. */
  runList(commands: readonly TmuxCommand[]): Promise<string[][]>;
}
