import type { CliSession } from '../../schemas/index.ts';
import type { PaneInfo } from '../../tmux/panes.ts';
import type { SessionMeta } from './session-meta.ts';

/** Where a session runs: the tmux socket label, the remote host (null = the bridge's own), the native attach command. */
export interface SessionPlace {
  readonly label: string;
  readonly host: string | null;
  attachCommand(sessionName: string): string;
}

/** How a session looks in the API: stored metadata joined with what tmux says now. */
export function toCliSession(meta: SessionMeta, pane: PaneInfo | undefined, lastActivity: number, place: SessionPlace): CliSession {
  const status = !pane ? 'closed' : pane.dead ? 'exited' : 'running';
  return {
    sessionKey: meta.sessionKey,
    name: pane?.sessionName ?? meta.name,
    tool: meta.tool,
    model: meta.model,
    workingDir: meta.workingDir,
    resumeKey: meta.resumeKey,
    resumeStrategy: meta.resumeStrategy,
    status,
    exitCode: pane ? (pane.dead ? exitCodeOf(pane) : null) : meta.exitCode,
    cols: pane?.width ?? 0,
    rows: pane?.height ?? 0,
    createdAt: meta.createdAt,
    lastActivityAt: new Date(lastActivity).toISOString(),
    adopted: meta.adopted,
    issueId: meta.issueId,
    tmux: {
      socket: place.label,
      session: pane?.sessionName ?? meta.tmuxSession,
      window: pane?.windowId ?? meta.windowId,
      paneId: pane?.paneId ?? meta.paneId,
    },
    host: place.host,
    attachCommand: place.attachCommand(pane?.sessionName ?? meta.tmuxSession),
    currentCommand: pane?.currentCommand,
    nativeClients: pane?.sessionAttached,
    title: pane?.title,
  };
}

export function exitCodeOf(pane: PaneInfo): number | null {
  if (pane.deadStatus !== null) return pane.deadStatus;
  if (pane.deadSignal !== null) return 128 + pane.deadSignal;
  return null;
}

/** Metadata for a pane the bridge finds in tmux without a stored record. */
export function adoptedMeta(key: string, pane: PaneInfo): SessionMeta {
  const created = pane.createdAt && !Number.isNaN(Date.parse(pane.createdAt)) ? pane.createdAt : new Date(pane.sessionCreated * 1000).toISOString();
  return {
    sessionKey: key,
    name: pane.sessionName,
    tool: pane.tool || 'bash',
    model: null,
    workingDir: pane.currentPath,
    resumeKey: null,
    resumeStrategy: null,
    issueId: null,
    envWrapper: null,
    shell: null,
    createdAt: created,
    // A pane with our key but no stored metadata was still created by the bridge.
    adopted: pane.key === '',
    tmuxSession: pane.sessionName,
    windowId: pane.windowId,
    paneId: pane.paneId,
    closedAt: null,
    exitCode: null,
  };
}
