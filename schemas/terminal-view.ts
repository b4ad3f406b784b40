import * as z from 'zod/mini';
import { HostConnectionView } from './agent-config-view.ts';

/* What the server sends on `/ws/terminal/:sessionKey` (zod/mini: the client checks it; see common.ts). */

/** The close code of a terminal socket whose session is gone (closed, or never there): the client stops retrying. */
export const CLOSE_SESSION_GONE = 4404;

/**
 * The reason words a terminal socket closes with (what WebSocket clients read), a fixed
 * set: the server builds them here and the page words them from `terminalCloseCode`.
 */
export const terminalCloseText = {
  sessionClosed: 'session closed',
  sessionUnavailable: 'session unavailable',
  hostRemoved: (host: string) => `host ${host} was removed from hosts.yaml`,
  hostPolled: (host: string) => `host ${host} is polled now (tmux control mode is not available there)`,
};

export type TerminalCloseCode = 'session_closed' | 'session_unavailable' | 'host_removed' | 'host_polled';

/** The code (and host) of a close reason `terminalCloseText` built; null for other words. */
export function terminalCloseCode(reason: string | undefined): { code: TerminalCloseCode; host: string } | null {
  if (reason === terminalCloseText.sessionClosed) return { code: 'session_closed', host: '' };
  if (reason === terminalCloseText.sessionUnavailable) return { code: 'session_unavailable', host: '' };
  const host = /^host (.+?) (was removed from hosts\.yaml|is polled now \(tmux control mode is not available there\))$/.exec(reason ?? '');
  if (host) return { code: host[2]!.startsWith('was') ? 'host_removed' : 'host_polled', host: host[1]! };
  return null;
}

/**
 * A terminal error the server words itself: English `message` (what other clients read),
 * `code` and `params` for the UI's catalog (`term.error.<code>`). An error of another part
 * carries its API code instead (`session_exited`…), worded as `apiError.<code>`.
 */
export const terminalErrorText = {
  foreignPipe: () => ({ code: 'foreign_pipe', params: {}, message: 'live output is unavailable: another pipe-pane is set on this pane' }),
  viewOnly: () => ({ code: 'view_only', params: {}, message: 'this is a view-only connection (mode=view): input is refused' }),
  screenUnreadable: (detail: string) => ({ code: 'screen_unreadable', params: { detail }, message: `cannot read the screen: ${detail}` }),
  hostDropped: (closeReason: string) => ({ code: 'host_dropped', params: { reason: closeReason }, message: `${closeReason}: this terminal stopped; the session keeps running on the host` }),
  notJson: () => ({ code: 'not_json', params: {}, message: 'control messages must be JSON' }),
  invalidMessage: (detail: string) => ({ code: 'invalid_message', params: { detail }, message: `invalid message: ${detail}` }),
};

export const TerminalMode = z.enum(['control', 'view']);
export type TerminalMode = z.infer<typeof TerminalMode>;

export const HelloMessage = z.object({
  type: z.literal('hello'),
  sessionKey: z.string(),
  cols: z.int(),
  rows: z.int(),
  offset: z.number(),
  snapshotBytes: z.int().check(z.minimum(0)),
  mode: TerminalMode,
  /** Extension: identifies this run of the pane stream (see `stream` in the query). */
  stream: z.string(),
  /** Extension: pane status at hello time. */
  status: z.enum(['running', 'exited', 'closed']),
  exitCode: z.nullable(z.int()),
});
export type HelloMessage = z.infer<typeof HelloMessage>;

export const ServerTerminalMessage = z.discriminatedUnion('type', [
  HelloMessage,
  z.object({ type: z.literal('resize'), cols: z.int(), rows: z.int() }),
  z.object({ type: z.literal('exit'), code: z.nullable(z.int()) }),
  z.object({ type: z.literal('error'), message: z.string(), code: z.optional(z.string()), params: z.optional(z.record(z.string(), z.string())) }),
  /** Extension: the remote host of the session lost or regained its connection (reason says why). */
  z.object({ type: z.literal('host'), host: z.string(), state: HostConnectionView.shape.state, reason: z.nullable(z.string()) }),
  /**
   * Extension: after a reconnect, `lines` lines the pane printed while its host was unreachable
   * (`downMs`) were not received live (the redrawn screen and history hold them); `beyondHistory`:
   * more were printed than the host's tmux history keeps, so at least that many.
   */
  z.object({ type: z.literal('gap'), host: z.string(), lines: z.int().check(z.minimum(0)), beyondHistory: z.boolean(), downMs: z.number().check(z.minimum(0)) }),
]);
export type ServerTerminalMessage = z.infer<typeof ServerTerminalMessage>;
export type TerminalErrorMessage = Extract<ServerTerminalMessage, { type: 'error' }>;
