import type { CliSession, Issue, IssueSessionState } from '../../../schemas/index.ts';
import type { RunView } from '../../services/executions.ts';

const SHELLS = new Set(['bash', 'sh', 'zsh', 'fish', 'dash', 'ksh', 'tcsh', 'login']);

/**
 * What a session is doing, as a card says it: an execution runs in it (executing);
 * its pane shows a shell prompt with nothing in the foreground (waiting for input);
 * a program runs (running); it exited with a code; it is closed. "Waiting" is read
 * from tmux's `pane_current_command`, the only signal tmux gives without a guess.
 */
export function sessionState(session: CliSession | undefined, run: RunView | undefined): IssueSessionState {
  if (!session || session.status === 'closed') return { kind: 'closed' };
  if (session.status === 'exited') return { kind: 'exited', code: session.exitCode };
  if (run) return { kind: 'executing' };
  if (session.currentCommand && SHELLS.has(session.currentCommand)) return { kind: 'waiting' };
  return { kind: 'running' };
}

export function stateLabel(state: IssueSessionState): string {
  switch (state.kind) {
    case 'executing':
      return 'executing';
    case 'running':
      return 'running';
    case 'waiting':
      return 'waiting for input';
    case 'exited':
      return state.code === null ? 'exited' : `exited with code ${state.code}`;
    case 'closed':
      return 'closed';
  }
}

/** The issue's session keys: the derived list, plus sessions the live list knows with this issueId. */
export function issueSessionKeys(issue: Issue, sessions: Iterable<CliSession>): string[] {
  const keys = new Set(issue.sessions.map((s) => s.sessionKey));
  for (const s of sessions) if (s.issueId === issue.id) keys.add(s.sessionKey);
  return [...keys];
}
