import { z } from 'zod';
import { QueryInt, SingleLine } from './input.ts';
import { KeyName } from './keys.ts';
import { ResumeStrategy, TerminalCols, TerminalRows, ToolName } from './session-view.ts';

/* What the server sends back is in session-view.ts (zod/mini, bundled by the client); this file holds what it accepts. */
export * from './session-view.ts';

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

export const EnvVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

export const CreateSessionBody = z
  .object({
    name: SessionName.optional(),
    tool: z.optional(ToolName),
    model: SingleLine(200).nullable().optional(),
    workingDir: SingleLine(4096, 1).optional(),
    envWrapper: SingleLine(4096).optional(),
    env: z.record(EnvVarName, SingleLine(32_768)).optional(),
    resumeKey: SingleLine(200, 1).nullable().optional(),
    resumeStrategy: z.nullable(ResumeStrategy).optional(),
    shell: SingleLine(8192, 1).optional(),
    cols: z.optional(TerminalCols),
    rows: z.optional(TerminalRows),
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

/** `POST /api/cli-sessions/clear-closed`: every closed session, or those of one host (`local` = the bridge's own). */
export const ClearClosedBody = z.object({ host: HostName.optional() }).strict();
export type ClearClosedBody = z.infer<typeof ClearClosedBody>;

export const SnapshotQuery = z.object({ lines: QueryInt(0, 100_000).optional() });
