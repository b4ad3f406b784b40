import * as z from 'zod/mini';
import { HostConnectionView } from './agent-config-view.ts';

/* What the server sends on `/ws/terminal/:sessionKey` (zod/mini: the client checks it; see common.ts). */

/** The close code of a terminal socket whose session is gone (closed, or never there): the client stops retrying. */
export const CLOSE_SESSION_GONE = 4404;

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
  z.object({ type: z.literal('error'), message: z.string() }),
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
