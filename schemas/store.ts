import { z } from 'zod';
import { NotificationDelivery, NotificationSubject, StageStatus } from './agent.ts';
import { IsoDate } from './common.ts';
import { ResumeStrategy, SessionStatus } from './session-view.ts';

// StageHistoryRow is in agent.ts: the stage history page reads it (zod/mini, bundled by the client).
export { StageHistoryRow } from './agent.ts';

/**
 * Rows kept by the durable store (`server/store`), in the shape the repositories
 * return them (camelCase; the SQL columns are snake_case). Repositories parse
 * every row they read and every row they are given with these schemas.
 *
 * Time columns: the three tables inherited from tmuxagent (`pane_offsets`,
 * `stage_state`, `approval_tokens`) keep its unix *seconds* integers so that an
 * imported `state.db` means the same thing; every other table stores ISO strings.
 */

/** Unix time in whole seconds, as tmuxagent stores it. */
export const UnixSeconds = z.number().int().min(0);

/** Free-form JSON object kept in a TEXT column. */
export const JsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObject>;

export const PaneOffsetRow = z.object({
  host: z.string().min(1),
  paneId: z.string().min(1),
  offset: z.number().int().min(0),
  updatedAt: UnixSeconds,
});
export type PaneOffsetRow = z.infer<typeof PaneOffsetRow>;

export const StageStateRow = z.object({
  host: z.string().min(1),
  paneId: z.string().min(1),
  pipeline: z.string().min(1),
  stage: z.string().min(1),
  status: StageStatus,
  retries: z.number().int().min(0),
  data: JsonObject,
  updatedAt: UnixSeconds,
});
export type StageStateRow = z.infer<typeof StageStateRow>;

export const ApprovalTokenRow = z.object({
  host: z.string().min(1),
  paneId: z.string().min(1),
  stage: z.string().min(1),
  token: z.string().min(1),
  expiresAt: UnixSeconds,
  /** Extension: when the token decided (a token decides once); null while unused. */
  usedAt: UnixSeconds.nullable(),
});
export type ApprovalTokenRow = z.infer<typeof ApprovalTokenRow>;

/** Session metadata tmux does not hold, joined to the live panes by the SessionHub. */
export const SessionRow = z.object({
  sessionKey: z.string().min(1).max(200),
  name: z.string(),
  tool: z.string().min(1),
  model: z.string().nullable(),
  workingDir: z.string(),
  resumeKey: z.string().nullable(),
  resumeStrategy: z.nullable(ResumeStrategy),
  issueId: z.string().nullable(),
  envWrapper: z.string().nullable(),
  shell: z.string().nullable(),
  /** tmux socket name or path the session lives on; null = the bridge's own. */
  socket: z.string().nullable(),
  /** Remote host (hosts.yaml name) the session lives on; null = the bridge's own server. */
  host: z.string().nullable(),
  tmuxSession: z.string(),
  windowId: z.string(),
  paneId: z.string(),
  adopted: z.boolean(),
  status: SessionStatus,
  exitCode: z.number().int().nullable(),
  createdAt: IsoDate,
  closedAt: z.nullable(IsoDate),
  lastActivityAt: z.nullable(IsoDate),
});
export type SessionRow = z.infer<typeof SessionRow>;

/**
 * What a caller gives to store a session: the optional fields get defaults, and
 * `status` is not given but derived (`closed` once closedAt is set, `exited` once
 * exitCode is, else `running`), so that a copy of an old row can never carry a
 * stale status.
 */
export const SessionRowInput = SessionRow.omit({ status: true }).extend({
  envWrapper: z.string().nullable().default(null),
  shell: z.string().nullable().default(null),
  socket: z.string().nullable().default(null),
  host: z.string().nullable().default(null),
  tmuxSession: z.string().default(''),
  windowId: z.string().default(''),
  paneId: z.string().default(''),
  adopted: z.boolean().default(false),
  exitCode: z.number().int().nullable().default(null),
  closedAt: z.nullable(IsoDate).default(null),
  lastActivityAt: z.nullable(IsoDate).default(null),
});
export type SessionRowInput = z.input<typeof SessionRowInput>;

/** A stored event; `payload` is everything of the event but `type`, `at` and `id`. */
export const EventRow = z.object({
  id: z.number().int().positive(),
  type: z.string().min(1),
  at: IsoDate,
  payload: JsonObject,
});
export type EventRow = z.infer<typeof EventRow>;

/**
 * A `notifications` row: a delivery (agent.ts NotificationDelivery) with its subject in
 * columns of their own, the kind as any text, and the rest of its payload as JSON.
 */
export const NotificationRow = z.object({
  id: z.number().int().positive(),
  ...NotificationDelivery.shape,
  kind: z.string().nullable(),
  ...NotificationSubject.shape,
  updatedAt: IsoDate,
  payload: JsonObject.nullable(),
});
export type NotificationRow = z.infer<typeof NotificationRow>;

/** Where pane input came from. */
export const AuditSource = z.enum(['api', 'ws', 'agent', 'flow', 'queue', 'other']);
export type AuditSource = z.infer<typeof AuditSource>;

/** One input sent to a pane: who, where, how much — and only a short, escaped preview of what. */
export const AuditRow = z.object({
  id: z.number().int().positive(),
  at: IsoDate,
  sessionKey: z.string().min(1),
  bytes: z.number().int().min(0),
  preview: z.string().max(256),
  client: z.string().nullable(),
  source: AuditSource,
});
export type AuditRow = z.infer<typeof AuditRow>;

/** `GET /api/audit`. */
export const AuditList = z.object({ entries: z.array(AuditRow) });
export type AuditList = z.infer<typeof AuditList>;
