/**
 * The sessions domain's front door: the CLI sessions of every tmux server
 * (SessionHosts, one SessionHub per server), the terminal viewers, the input
 * audit, and what other domains ask about tools and shells.
 */
export { SessionHosts, type HostStatusSignal, type SessionHostsOptions } from './session-hosts.ts';
export { SessionHub, type SessionHubOptions, type SessionSignal, type SizeResult, type TerminalScreen } from './session-hub.ts';
export { TerminalViewer, type ViewedSessions, type ViewerOptions, type ViewerSocket } from './terminal-viewer.ts';
export { terminalError } from './terminal-error.ts';
export { InputAuditor, type AuditRecord, type AuditSink, type InputOrigin } from './input-audit.ts';
export type { SessionMeta, SessionMetaRepository } from './session-meta.ts';
export { isShellCommand } from './shell-names.ts';
export { findOnPath, TOOL_BINARIES } from './tool-commands.ts';
