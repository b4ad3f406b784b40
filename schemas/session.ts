import { z } from 'zod';
import { IsoDate, QueryInt, SingleLine } from './common.ts';
import { KeyName } from './keys.ts';

export const ToolName = z.enum(['bash', 'claude', 'codex', 'gemini', 'qwen', 'opencode', 'custom']);
export type ToolName = z.infer<typeof ToolName>;

export const ResumeStrategy = z.enum(['nativeResume', 'promptConcat']);
export type ResumeStrategy = z.infer<typeof ResumeStrategy>;

export const SessionStatus = z.enum(['running', 'exited', 'closed']);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** tmux session names: no `.` or `:` (target separators), no leading `=`. */
export const SessionName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_ +@-]*$/, 'letters, digits, space, _ + @ - (no . or :)');

/**
 * A remote host of hosts.yaml (`local` = the bridge's own tmux server): names as
 * tmuxagent allows them, without white space or path characters.
 */
export const HostName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/, 'a host name from hosts.yaml (letters, digits, _ . @ -), or "local"');

/** The host value that means the bridge's own tmux server. */
export const LOCAL_HOST = 'local';

export const EnvVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

export const TerminalCols = z.number().int().min(10).max(1000);
export const TerminalRows = z.number().int().min(3).max(500);

export const CreateSessionBody = z
  .object({
    name: SessionName.optional(),
    tool: ToolName.optional(),
    model: SingleLine(200).nullable().optional(),
    workingDir: SingleLine(4096, 1).optional(),
    envWrapper: SingleLine(4096).optional(),
    env: z.record(EnvVarName, SingleLine(32_768)).optional(),
    resumeKey: SingleLine(200, 1).nullable().optional(),
    resumeStrategy: ResumeStrategy.nullable().optional(),
    shell: SingleLine(8192, 1).optional(),
    cols: TerminalCols.optional(),
    rows: TerminalRows.optional(),
    issueId: z.string().max(200).nullable().optional(),
    /** A remote host of hosts.yaml to create the session on; absent, null or `local`: the bridge's own server. */
    host: HostName.nullable().optional(),
  })
  .strict();
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

export const SendBody = z
  .object({
    text: z.string().max(4 * 1024 * 1024),
    appendNewline: z.boolean().optional(),
  })
  .strict();
export type SendBody = z.infer<typeof SendBody>;

export const KeysBody = z.object({ keys: z.array(KeyName).min(1).max(256) }).strict();
export type KeysBody = z.infer<typeof KeysBody>;

export const ResizeBody = z.object({ cols: TerminalCols, rows: TerminalRows }).strict();
export type ResizeBody = z.infer<typeof ResizeBody>;

export const RenameSessionBody = z.object({ name: SessionName }).strict();
export type RenameSessionBody = z.infer<typeof RenameSessionBody>;

export const SnapshotQuery = z.object({ lines: QueryInt(0, 100_000).optional() });

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
  model: z.string().nullable(),
  workingDir: z.string(),
  resumeKey: z.string().nullable(),
  resumeStrategy: ResumeStrategy.nullable(),
  status: SessionStatus,
  exitCode: z.number().int().nullable(),
  cols: z.number().int(),
  rows: z.number().int(),
  createdAt: IsoDate,
  lastActivityAt: IsoDate,
  adopted: z.boolean(),
  issueId: z.string().nullable(),
  tmux: TmuxLocation,
  /** The remote host (hosts.yaml name) the session runs on; null = the bridge's own tmux server. */
  host: z.string().nullable(),
  /** What a person types to attach natively (`ssh -t … tmux … attach -t …` for a remote host). */
  attachCommand: z.string(),
  /** Extension: the command running in the pane now (tmux `pane_current_command`). */
  currentCommand: z.string().optional(),
  /** Extension: number of native tmux clients attached to the session. */
  nativeClients: z.number().int().optional(),
  /** Extension: the pane's title (tmux `pane_title`). */
  title: z.string().optional(),
});
export type CliSession = z.infer<typeof CliSession>;

export const SessionList = z.object({ sessions: z.array(CliSession) });
export type SessionList = z.infer<typeof SessionList>;

export const Snapshot = z.object({
  text: z.string(),
  cursor: z.object({ x: z.number().int(), y: z.number().int() }),
  cols: z.number().int(),
  rows: z.number().int(),
  offset: z.number(),
});
export type Snapshot = z.infer<typeof Snapshot>;
