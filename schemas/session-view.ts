import * as z from 'zod/mini';
import { IsoDate } from './common.ts';

/* What the server says about sessions (zod/mini: the client checks answers with it; see common.ts). */

export const ToolName = z.enum(['bash', 'claude', 'codex', 'gemini', 'qwen', 'opencode', 'custom']);
export type ToolName = z.infer<typeof ToolName>;

export const ResumeStrategy = z.enum(['nativeResume', 'promptConcat']);
export type ResumeStrategy = z.infer<typeof ResumeStrategy>;

export const SessionStatus = z.enum(['running', 'exited', 'closed']);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** The host value that means the bridge's own tmux server. */
export const LOCAL_HOST = 'local';

/** The smallest pane the server accepts (and the terminal asks for). */
export const MIN_COLS = 10;
export const MIN_ROWS = 3;
export const TerminalCols = z.int().check(z.minimum(MIN_COLS), z.maximum(1000));
export const TerminalRows = z.int().check(z.minimum(MIN_ROWS), z.maximum(500));

export const TmuxLocation = z.object({
  socket: z.string(),
  session: z.string(),
  window: z.string(),
  paneId: z.string(),
});
export type TmuxLocation = z.infer<typeof TmuxLocation>;

export const CliSession = z.object({
  sessionKey: z.string(),
  name: z.string(),
  tool: z.string(),
  model: z.nullable(z.string()),
  workingDir: z.string(),
  resumeKey: z.nullable(z.string()),
  resumeStrategy: z.nullable(ResumeStrategy),
  status: SessionStatus,
  exitCode: z.nullable(z.int()),
  cols: z.int(),
  rows: z.int(),
  createdAt: IsoDate,
  lastActivityAt: IsoDate,
  adopted: z.boolean(),
  issueId: z.nullable(z.string()),
  tmux: TmuxLocation,
  /** The remote host (hosts.yaml name) the session runs on; null = the bridge's own tmux server. */
  host: z.nullable(z.string()),
  /** What a person types to attach natively (`ssh -t … tmux … attach -t …` for a remote host). */
  attachCommand: z.string(),
  /** Extension: the command running in the pane now (tmux `pane_current_command`). */
  currentCommand: z.optional(z.string()),
  /** Extension: number of native tmux clients attached to the session. */
  nativeClients: z.optional(z.int()),
  /** Extension: the pane's title (tmux `pane_title`). */
  title: z.optional(z.string()),
});
export type CliSession = z.infer<typeof CliSession>;

export const SessionList = z.object({ sessions: z.array(CliSession) });
export type SessionList = z.infer<typeof SessionList>;

export const Snapshot = z.object({
  text: z.string(),
  cursor: z.object({ x: z.int(), y: z.int() }),
  cols: z.int(),
  rows: z.int(),
  offset: z.number(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/** `DELETE /api/cli-sessions/:key`: the closed session's record is gone. */
export const SessionRemoved = z.object({ ok: z.literal(true), sessionKey: z.string() });
export type SessionRemoved = z.infer<typeof SessionRemoved>;

/** `POST /api/cli-sessions/clear-closed`: how many closed sessions' records were removed. */
export const ClosedCleared = z.object({ removed: z.int() });
export type ClosedCleared = z.infer<typeof ClosedCleared>;

/** `POST /api/cli-sessions/:key/resize`: the size the pane has now. */
export const Resized = z.object({ ok: z.literal(true), cols: z.int(), rows: z.int() });
export type Resized = z.infer<typeof Resized>;
