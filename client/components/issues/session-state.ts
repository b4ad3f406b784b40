import type { CliSession, Issue, IssueSessionState } from '../../../schemas/index.ts';
import type { RunView } from '../../services/executions.ts';
import { t } from '../../i18n/index.ts';

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
      return t('issues.state.executing');
    case 'running':
      return t('issues.state.running');
    case 'waiting':
      return t('issues.state.waiting');
    case 'exited':
      return state.code === null ? t('issues.state.exited') : t('issues.state.exitedCode', { code: state.code });
    case 'closed':
      return t('issues.state.closed');
  }
}

/** The issue's session keys: the derived list, plus sessions the live list knows with this issueId. */
export function issueSessionKeys(issue: Issue, sessions: Iterable<CliSession>): string[] {
  const keys = new Set(issue.sessions.map((s) => s.sessionKey));
  for (const s of sessions) if (s.issueId === issue.id) keys.add(s.sessionKey);
  return [...keys];
}
