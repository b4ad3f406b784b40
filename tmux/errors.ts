/** tmux answered a command with `%error` (or a one-shot command exited non-zero). */
export class TmuxCommandError extends Error {
  constructor(
    readonly command: string,
    readonly output: string,
  ) {
    super(`tmux: ${output || 'command failed'} (in: ${command.slice(0, 200)})`);
    this.name = 'TmuxCommandError';
  }

  /** The target (session, window, pane) does not exist (any more). */
  get isMissingTarget(): boolean {
    return /can't find (session|window|pane)|no such (session|window|pane)|session not found|window not found|pane not found/i.test(
      this.output,
    );
  }
}

/** The control client went away before tmux answered. */
export class TmuxDisconnectedError extends Error {
  constructor(message = 'the tmux control client disconnected before the command completed') {
    super(message);
    this.name = 'TmuxDisconnectedError';
  }
}

export class TmuxTimeoutError extends Error {
  constructor(command: string, ms: number) {
    super(`tmux did not answer within ${ms} ms: ${command.slice(0, 200)}`);
    this.name = 'TmuxTimeoutError';
  }
}
