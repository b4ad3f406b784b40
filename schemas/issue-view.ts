import * as z from 'zod/mini';
import { IsoDate } from './common.ts';
import { ISSUE_PRIORITIES, ISSUE_STATUSES } from './issue-constants.ts';
import { QueueReason } from './queue-view.ts';
import { ToolName } from './session-view.ts';

/* Issues as the server shows them (zod/mini: the client checks them; see common.ts). */

export const IssueStatus = z.enum(ISSUE_STATUSES);
export type IssueStatus = z.infer<typeof IssueStatus>;

export const IssuePriority = z.enum(ISSUE_PRIORITIES);
export type IssuePriority = z.infer<typeof IssuePriority>;

/** Issue ids are used in URLs, resume keys (`issue-<id>`) and tmux-free names: keep them plain. */
export const IssueId = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (at most 64)'));

/** One of the issue's sessions, derived from the sessions created with its `issueId`. */
export const IssueSession = z.object({
  sessionKey: z.string(),
  resumeKey: z.nullable(z.string()),
  tool: z.string(),
  model: z.nullable(z.string()),
  workingDir: z.string(),
  envWrapper: z.nullable(z.string()),
  createdAt: IsoDate,
});
export type IssueSession = z.infer<typeof IssueSession>;

/** The last execution run for the issue by the board (auto-start or the drawer), or why it could not start. */
export const IssueRun = z.object({
  executionId: z.nullable(z.string()),
  sessionKey: z.nullable(z.string()),
  status: z.string(),
  exitCode: z.nullable(z.int()),
  error: z.nullable(z.string()),
  /** `error` as a code when the queue wrote it (its item's `failure_code`), for a UI to word. */
  errorCode: z.optional(z.nullable(QueueReason)),
  at: IsoDate,
});
export type IssueRun = z.infer<typeof IssueRun>;

export const Issue = z.object({
  id: IssueId,
  title: z.string(),
  body: z.string(),
  status: IssueStatus,
  priority: IssuePriority,
  labels: z.array(z.string()),
  sortOrder: z.number(),
  sessions: z.array(IssueSession),
  createdAt: IsoDate,
  updatedAt: IsoDate,
  /** Extension: the board's last run for this issue (null when none). */
  lastRun: z.nullable(IssueRun),
});
export type Issue = z.infer<typeof Issue>;

/** Who made a change: the HTTP API, the web client, or the server itself (auto-start, executions). */
export const ChangeSource = z.enum(['api', 'web', 'scheduler']);
export type ChangeSource = z.infer<typeof ChangeSource>;

export const IssueHistoryEntry = z.object({
  id: z.int(),
  issueId: z.string(),
  field: z.string(),
  from: z.unknown(),
  to: z.unknown(),
  at: IsoDate,
  by: ChangeSource,
});
export type IssueHistoryEntry = z.infer<typeof IssueHistoryEntry>;

/** `GET /api/issues`. */
export const IssueList = z.object({ issues: z.array(Issue) });
export type IssueList = z.infer<typeof IssueList>;

/** `GET /api/issues/:id/history`. */
export const IssueHistory = z.object({ history: z.array(IssueHistoryEntry) });
export type IssueHistory = z.infer<typeof IssueHistory>;

/** How the board starts an issue moved to in_progress (`GET`/`PUT /api/board/settings`: the board reads and sends it whole). */
export const AutoStartSettings = z.strictObject({
  enabled: z.boolean(),
  tool: ToolName,
  model: z.optional(z.nullable(z.string().check(z.maxLength(200)))),
  promptTemplate: z.string().check(z.minLength(1), z.maxLength(64 * 1024)),
  /** Extension: where a new session for the issue starts (default: the server's working directory). */
  workingDir: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(4096)))),
});
export type AutoStartSettings = z.infer<typeof AutoStartSettings>;

export const BoardSettings = z.strictObject({ autoStartOnInProgress: AutoStartSettings });
export type BoardSettings = z.infer<typeof BoardSettings>;

/** `POST /api/issues/import`. */
export const ImportResult = z.object({
  format: z.enum(['tmux-bridge', 'ccw']),
  created: z.int(),
  updated: z.int(),
  ids: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type ImportResult = z.infer<typeof ImportResult>;
