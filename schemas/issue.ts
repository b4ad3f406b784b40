import { z } from 'zod';
import { ChangeSource, IssueId, IssuePriority, IssueStatus, type BoardSettings } from './issue-view.ts';
import { IsoDate } from './common.ts';
import { DEFAULT_PROMPT_TEMPLATE, ISSUE_PRIORITIES, ISSUE_STATUSES, MAX_ISSUE_BODY_BYTES } from './issue-constants.ts';
import { ToolName } from './session-view.ts';
import { rule } from './rule.ts';

/* What the server sends back is in issue-view.ts (zod/mini, bundled by the client); this file holds what it accepts. */
export * from './issue-view.ts';

export { DEFAULT_PROMPT_TEMPLATE, ISSUE_PRIORITIES, ISSUE_STATUSES, MAX_ISSUE_BODY_BYTES, fillPromptTemplate } from './issue-constants.ts';

const encoder = new TextEncoder();
/** Markdown text, at most 1 MiB of UTF-8. */
export const IssueBody = z
  .string()
  .refine(
    (s) => s.length <= MAX_ISSUE_BODY_BYTES / 3 || encoder.encode(s).length <= MAX_ISSUE_BODY_BYTES,
    rule('issue_body_size', 'the body is larger than 1 MiB; shorten it or link to a file'),
  );
export const IssueTitle = z.string().trim().min(1, 'the title must not be empty').max(500);
// A refinement, not a regex check: the UI words a rule, while a pattern of negated classes would reach it raw.
export const IssueLabel = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((s) => !s.includes(','), rule('label_no_commas', 'a label has no commas'));
export const IssueLabels = z
  .array(IssueLabel)
  .max(50)
  .transform((labels) => [...new Set(labels)]);

export const CreateIssueBody = z
  .object({
    title: IssueTitle,
    body: IssueBody.optional(),
    status: z.optional(IssueStatus),
    priority: z.optional(IssuePriority),
    labels: IssueLabels.optional(),
  })
  .strict();
export type CreateIssueBody = z.infer<typeof CreateIssueBody>;

export const UpdateIssueBody = z
  .object({
    title: IssueTitle.optional(),
    body: IssueBody.optional(),
    status: z.optional(IssueStatus),
    priority: z.optional(IssuePriority),
    labels: IssueLabels.optional(),
  })
  .strict();
export type UpdateIssueBody = z.infer<typeof UpdateIssueBody>;

/**
 * `POST /api/issues/:id/move`: into `status`, right before the issue `beforeId`
 * or right after `afterId` (both: between them); neither: at the end of the column.
 */
export const MoveIssueBody = z
  .object({
    status: IssueStatus,
    beforeId: z.nullable(IssueId).optional(),
    afterId: z.nullable(IssueId).optional(),
  })
  .strict();
export type MoveIssueBody = z.infer<typeof MoveIssueBody>;

/** `GET /api/issues?status=open,queued&label=bug&q=text`. */
export const IssuesQuery = z.object({
  status: z
    .string()
    .max(200)
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(IssueStatus))
    .optional(),
  label: z.string().trim().min(1).max(64).optional(),
  q: z.string().trim().max(200).optional(),
});
export type IssuesQuery = z.infer<typeof IssuesQuery>;

// BoardSettings and ImportResult are in issue-view.ts: the board reads them (zod/mini).
export const DEFAULT_BOARD_SETTINGS: BoardSettings = {
  autoStartOnInProgress: { enabled: false, tool: 'claude', model: null, promptTemplate: DEFAULT_PROMPT_TEMPLATE, workingDir: null },
};

/** One issue in an export file: the issue without derived fields, with its history. */
export const ExportedIssue = z.object({
  id: IssueId,
  title: IssueTitle,
  body: IssueBody.default(''),
  status: IssueStatus,
  priority: z._default(IssuePriority, 'medium'),
  labels: IssueLabels.default([]),
  sortOrder: z.number().finite(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
  history: z
    .array(z.object({ field: z.string().max(64), from: z.unknown(), to: z.unknown(), at: IsoDate, by: ChangeSource }))
    .max(100_000)
    .default([]),
});
export type ExportedIssue = z.infer<typeof ExportedIssue>;

export const ISSUES_EXPORT_FORMAT = 'tmux-bridge.issues';
export const IssuesExport = z.object({
  format: z.literal(ISSUES_EXPORT_FORMAT),
  version: z.literal(1),
  exportedAt: IsoDate,
  issues: z.array(ExportedIssue).max(100_000),
});
export type IssuesExport = z.infer<typeof IssuesExport>;

/** An issue of the CCW workbench's issues JSON; only the fields the board knows are read. */
export const CcwIssue = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    title: IssueTitle,
    context: z.string().optional(),
    body: z.string().optional(),
    description: z.string().optional(),
    status: z.string().max(64).optional(),
    priority: z.union([z.string().max(32), z.number()]).optional(),
    labels: z.array(z.string()).optional(),
    tags: z.array(z.string()).optional(),
  })
  .passthrough();
export type CcwIssue = z.infer<typeof CcwIssue>;

/** The live state of one of an issue's sessions, as a card shows it. */
export type IssueSessionState =
  | { readonly kind: 'executing' }
  | { readonly kind: 'running' }
  | { readonly kind: 'waiting' }
  | { readonly kind: 'exited'; readonly code: number | null }
  | { readonly kind: 'closed' };
