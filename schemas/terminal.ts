import { z } from 'zod';
import { HostConnectionView } from './agent-config-view.ts';
import { QueryInt } from './common.ts';
import { TerminalCols, TerminalRows } from './session.ts';

export const TerminalMode = z.enum(['control', 'view']);
export type TerminalMode = z.infer<typeof TerminalMode>;

/** Query of `/ws/terminal/:sessionKey`. */
export const TerminalQuery = z.object({
  since: z.coerce.number().int().min(0).optional(),
  mode: TerminalMode.optional(),
  /** Extension: the stream id from an earlier hello; a different one forces a fresh screen. */
  stream: z.string().max(64).optional(),
  /** Extension: lines of history in the screen snapshot (default 1000). */
  history: QueryInt(0, 50_000).optional(),
  token: z.string().optional(),
});
export type TerminalQuery = z.infer<typeof TerminalQuery>;

export const HelloMessage = z.object({
  type: z.literal('hello'),
  sessionKey: z.string(),
  cols: z.number().int(),
  rows: z.number().int(),
  offset: z.number(),
  snapshotBytes: z.number().int(),
  mode: TerminalMode,
  /** Extension: identifies this run of the pane stream (see `stream` in the query). */
  stream: z.string(),
  /** Extension: pane status at hello time. */
  status: z.enum(['running', 'exited', 'closed']),
  exitCode: z.number().int().nullable(),
});
export type HelloMessage = z.infer<typeof HelloMessage>;

export const ServerTerminalMessage = z.discriminatedUnion('type', [
  HelloMessage,
  z.object({ type: z.literal('resize'), cols: z.number().int(), rows: z.number().int() }),
  z.object({ type: z.literal('exit'), code: z.number().int().nullable() }),
  z.object({ type: z.literal('error'), message: z.string() }),
  /** Extension: the remote host of the session lost or regained its connection (reason says why). */
  z.object({ type: z.literal('host'), host: z.string(), state: HostConnectionView.shape.state, reason: z.string().nullable() }),
  /**
   * Extension: after a reconnect, `lines` lines the pane printed while its host was unreachable
   * (`downMs`) were not received live (the redrawn screen and history hold them); `beyondHistory`:
   * more were printed than the host's tmux history keeps, so at least that many.
   */
  z.object({ type: z.literal('gap'), host: z.string(), lines: z.number().int().min(0), beyondHistory: z.boolean(), downMs: z.number().min(0) }),
]);
export type ServerTerminalMessage = z.infer<typeof ServerTerminalMessage>;

export const ClientTerminalMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('resize'), cols: TerminalCols, rows: TerminalRows }),
  z.object({ type: z.literal('ack'), offset: z.number().min(0) }),
]);
export type ClientTerminalMessage = z.infer<typeof ClientTerminalMessage>;
