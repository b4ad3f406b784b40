/**
 * Agent board data shapes shared by the engine, the store, the HTTP layer and the UI:
 * stage states and their history, approvals, notifications, and the views behind
 * `GET /api/overview`, `GET /api/pipelines[/:name]` and `GET /api/approvals`. zod/mini:
 * the client checks answers and events with these (see common.ts); the bodies
 * and queries the API accepts are in agent-input.ts.
 */
import * as z from 'zod/mini';
import { IsoDate } from './common.ts';

// store.ts imports StageStatus from here: importing store.ts back would make a cycle.

/** tmuxagent's stage statuses (docs/agent.md "Stage state machine"). */
export const StageStatus = z.enum(['IDLE', 'WAITING_TRIGGER', 'WAITING_APPROVAL', 'RUNNING', 'COMPLETED', 'FAILED']);
export type StageStatus = z.infer<typeof StageStatus>;

/** Unix time in whole seconds, as tmuxagent stored it (same as store.ts `UnixSeconds`). */
const Seconds = z.int().check(z.minimum(0));

/** Statuses the evaluation passes over to the next stage. */
export const TERMINAL_STAGE_STATUSES: readonly StageStatus[] = ['COMPLETED', 'FAILED'];

/**
 * Free-form stage data, stored as JSON in `stage_state.data`. The keys below are the
 * ones the engine writes; `reason`, `escalate_code` and `failed_at` keep tmuxagent's
 * names, and times are unix seconds as tmuxagent wrote them.
 */
export const StageData = z.looseObject({
  reason: z.optional(z.string()),
  escalate_code: z.optional(z.nullable(z.string())),
  failed_at: z.optional(Seconds),
  started_at: z.optional(Seconds),
  completed_at: z.optional(Seconds),
  waiting_since: z.optional(Seconds),
  approved_at: z.optional(Seconds),
  /** Why the stage waits for a human: `require_approval` or `ask_human`. */
  approval_kind: z.optional(z.enum(['require_approval', 'ask_human'])),
  prompt: z.optional(z.string()),
  /** The line that caused the last transition (bounded). */
  line: z.optional(z.string()),
  /** all_of memory: indexes of the conditions matched since the stage entered its phase. */
  matched: z.optional(z.record(z.string(), z.array(z.int()))),
  /**
   * When the stage last entered RUNNING or WAITING_APPROVAL (ms since the epoch: durations
   * to the millisecond, unlike tmuxagent's second keys). Kept through automatic retries
   * and into COMPLETED/FAILED, so a finished stage still knows when its run began.
   */
  started_ms: z.optional(z.int().check(z.minimum(0))),
  /** When the stage reached COMPLETED or FAILED (ms since the epoch). */
  finished_ms: z.optional(z.int().check(z.minimum(0))),
});
export type StageData = z.infer<typeof StageData>;

export const ApprovalDecision = z.enum(['approve', 'reject']);
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

export const ApprovalStatus = z.enum(['pending', 'approved', 'rejected', 'cancelled']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

/** How a decision arrived: request file, signed link, or the web API/UI. */
export const ApprovalVia = z.enum(['file', 'link', 'web']);
export type ApprovalVia = z.infer<typeof ApprovalVia>;

export const Approval = z.object({
  id: z.string(),
  host: z.string(),
  paneId: z.string(),
  pipeline: z.string(),
  stage: z.string(),
  kind: z.enum(['require_approval', 'ask_human']),
  prompt: z.nullable(z.string()),
  status: ApprovalStatus,
  requestedAt: IsoDate,
  /** The request file a human may edit. */
  file: z.string(),
  /** Signed-link expiry; the file and the API keep working after it. */
  expiresAt: IsoDate,
  decidedAt: z.nullable(IsoDate),
  decidedVia: z.nullable(ApprovalVia),
  decidedBy: z.nullable(z.string()),
  note: z.nullable(z.string()),
});
export type Approval = z.infer<typeof Approval>;

/** The pane names people know, as tmux shows them now. */
export const PaneNames = z.object({ sessionName: z.string(), windowName: z.string(), paneTitle: z.string() });
export type PaneNames = z.infer<typeof PaneNames>;

/**
 * An approval as the API and the events show it: the stored request plus where its
 * pane is now, so a page can name the pane and open its terminal without `/api/panes`.
 */
export const ApprovalView = z.extend(Approval, {
  /** The bridge session showing the pane (its terminal), when it is on the bridge's own tmux server. */
  sessionKey: z.nullable(z.string()),
  /** null when the pane is not watched now (closed, or its host is down or gone from hosts.yaml). */
  pane: z.nullable(PaneNames),
});
export type ApprovalView = z.infer<typeof ApprovalView>;

export const NotificationKind = z.enum(['start', 'success', 'fail', 'approval', 'ask_human', 'escalate', 'info']);
export type NotificationKind = z.infer<typeof NotificationKind>;

/** `pending` until delivered (`sent`) or given up (`failed`). */
export const NotificationStatus = z.enum(['pending', 'sent', 'failed']);
export type NotificationStatus = z.infer<typeof NotificationStatus>;

/**
 * One notification on one channel (a delivery), with its attempts counted: what the
 * API's NotificationRecord and the stored NotificationRow (store.ts) both say of it.
 */
export const NotificationDelivery = z.object({
  /** Shared by the deliveries of one notification on several channels. */
  notificationId: z.string().check(z.minLength(1)),
  channel: z.string().check(z.minLength(1)),
  title: z.string(),
  body: z.string(),
  status: NotificationStatus,
  attempts: z.int().check(z.minimum(0)),
  lastError: z.nullable(z.string()),
  httpStatus: z.nullable(z.int()),
  createdAt: IsoDate,
  sentAt: z.nullable(IsoDate),
});

/** The pane and stage a notification is about; null for one about none. */
/**
 * A notification the engine words itself (not a policy.yaml template), as a code and
 * its free parts, for a UI to word in its language; `title` and `body` stay in English
 * for the channels. approval: the subject says it all; ask_human: `prompt`;
 * escalate: `reason`, `retries`, `escalate_code`, `line`; `file` where a request file waits.
 */
export const NotificationText = z.object({
  code: z.enum(['approval', 'ask_human', 'escalate']),
  params: z.record(z.string(), z.string()),
});
export type NotificationText = z.infer<typeof NotificationText>;

export const NotificationSubject = z.object({
  host: z.nullable(z.string()),
  paneId: z.nullable(z.string()),
  pipeline: z.nullable(z.string()),
  stage: z.nullable(z.string()),
});

/**
 * A delivery as the recorder hears of it after every attempt, the NOTIFICATION event
 * carries it and `GET /api/notifications` lists it. Stored as a NotificationRow, upserted
 * by `deliveryId`.
 */
export const NotificationRecord = z.extend(NotificationDelivery, {
  deliveryId: z.string(),
  kind: NotificationKind,
  payload: z.extend(NotificationSubject, { links: z.record(z.string(), z.string()), text: z.optional(NotificationText) }),
});
export type NotificationRecord = z.infer<typeof NotificationRecord>;

/** What a stage `reason` the engine wrote is (schemas/stage-reason.ts reads it); the board words it from the code. */
export const StageReasonCode = z.enum(['fail_condition', 'waiting_trigger', 'triggered', 'triggered_approval', 'succeeded', 'retrying', 'asking_human', 'failed', 'approved', 'rejected', 'retry_requested', 'reset']);
export type StageReasonCode = z.infer<typeof StageReasonCode>;

/**
 * `reason` as a code and its free parts (`detail`: the condition that matched, `line`,
 * `by`, `via`, `attempt`, `max`, `retries`); absent when the reason is free text.
 * `reason` itself stays as tmuxagent wrote it, for API users and compatible outputs.
 */
const ReasonFields = {
  reasonCode: z.optional(StageReasonCode),
  reasonParams: z.optional(z.record(z.string(), z.string())),
};

/** A stage as shown on the board. */
export const StageView = z.object({
  name: z.string(),
  order: z.int().check(z.minimum(0)),
  status: StageStatus,
  retries: z.int().check(z.minimum(0)),
  maxRetries: z.int().check(z.minimum(0)),
  requireApproval: z.boolean(),
  updatedAt: z.nullable(IsoDate),
  /** When the stage last entered RUNNING or WAITING_APPROVAL (an automatic retry continues the run); null before. */
  startedAt: z.nullable(IsoDate),
  /** When it reached COMPLETED or FAILED; null while it runs, waits or idles. */
  finishedAt: z.nullable(IsoDate),
  reason: z.nullable(z.string()),
  ...ReasonFields,
  escalateCode: z.nullable(z.string()),
});
export type StageView = z.infer<typeof StageView>;

export const PipelinePaneView = z.object({
  host: z.string(),
  paneId: z.string(),
  sessionName: z.string(),
  windowName: z.string(),
  paneTitle: z.string(),
  /** The bridge session showing this pane (its terminal), when the pane is on the bridge's own tmux server. */
  sessionKey: z.nullable(z.string()),
  stages: z.array(StageView),
  lastLines: z.array(z.string()),
});
export type PipelinePaneView = z.infer<typeof PipelinePaneView>;

/** `GET /api/pipelines/:name` (and each item of `GET /api/pipelines`). */
export const PipelineView = z.object({
  name: z.string(),
  stageNames: z.array(z.string()),
  panes: z.array(PipelinePaneView),
});
export type PipelineView = z.infer<typeof PipelineView>;

export const StageCounts = z.record(StageStatus, z.int().check(z.minimum(0)));
export type StageCounts = z.infer<typeof StageCounts>;

/** `GET /api/pipelines`. */
export const PipelineList = z.object({ pipelines: z.array(PipelineView) });
export type PipelineList = z.infer<typeof PipelineList>;

/** `GET /api/approvals`. */
export const ApprovalList = z.object({ approvals: z.array(ApprovalView) });
export type ApprovalList = z.infer<typeof ApprovalList>;

/** `POST /api/approvals/:id`: the approval as decided. */
export const ApprovalDecisionResult = z.object({ approval: ApprovalView });
export type ApprovalDecisionResult = z.infer<typeof ApprovalDecisionResult>;

/** `GET /api/notifications`. */
export const NotificationList = z.object({ notifications: z.array(NotificationRecord) });
export type NotificationList = z.infer<typeof NotificationList>;

/** `GET /api/overview`. */
export const Overview = z.object({
  hosts: z.array(
    z.object({
      name: z.string(),
      pipelines: z.array(z.object({ name: z.string(), panes: z.int().check(z.minimum(0)), counts: StageCounts })),
    }),
  ),
  pendingApprovals: z.array(ApprovalView),
  recentFailures: z.array(
    z.object({
      host: z.string(),
      paneId: z.string(),
      pipeline: z.string(),
      stage: z.string(),
      reason: z.nullable(z.string()),
      ...ReasonFields,
      escalateCode: z.nullable(z.string()),
      at: IsoDate,
    }),
  ),
  principles: z.array(z.string()),
});
export type Overview = z.infer<typeof Overview>;

/** One stage transition (also a retry, RUNNING → RUNNING); `from` is null for a first state. A `stage_history` row, and `GET /api/stage-history`. */
export const StageHistoryRow = z.object({
  id: z.int().check(z.positive()),
  host: z.string().check(z.minLength(1)),
  paneId: z.string().check(z.minLength(1)),
  pipeline: z.string().check(z.minLength(1)),
  stage: z.string().check(z.minLength(1)),
  from: z.nullable(StageStatus),
  to: StageStatus,
  reason: z.nullable(z.string()),
  ...ReasonFields,
  retries: z.int().check(z.minimum(0)),
  data: z.nullable(z.record(z.string(), z.unknown())),
  at: IsoDate,
});
export type StageHistoryRow = z.infer<typeof StageHistoryRow>;

/** `GET /api/stage-history`: one stage's transitions on one pane, newest first. */
export const StageHistoryList = z.object({ history: z.array(StageHistoryRow) });
export type StageHistoryList = z.infer<typeof StageHistoryList>;

/** Payloads of the agent events on the event bus (`type` and `at` are added by the bus). */
export const StageUpdatedPayload = z.object({
  host: z.string(),
  paneId: z.string(),
  pipeline: z.string(),
  stage: z.string(),
  status: StageStatus,
  retries: z.int().check(z.minimum(0)),
  data: StageData,
  /** Set when the status changed (or a retry happened); null for a data-only update. */
  from: z.nullable(StageStatus),
  reason: z.nullable(z.string()),
  ...ReasonFields,
});
export type StageUpdatedPayload = z.infer<typeof StageUpdatedPayload>;
export const ApprovalEventPayload = z.object({ approval: ApprovalView });
export type ApprovalEventPayload = z.infer<typeof ApprovalEventPayload>;

/* ------------------------------------------------------------- engine (live panes) */

/**
 * Where the watcher stands in one pane's output, persisted in `pane_offsets` (the
 * line count in `offset`, this object as JSON in `data`). The anchor is the text of
 * the last complete lines evaluated; after a restart it is searched for in the
 * pane's tmux history, and only the lines after it are evaluated.
 */
export const PaneProgress = z.object({
  /** Complete lines evaluated since the pane was first seen. */
  count: z.int().check(z.minimum(0)),
  /** The last ≤ 8 lines evaluated (rendered text, each cut to 500 characters), oldest first. */
  anchor: z.array(z.string()),
  /**
   * The tmux server the pane was on (`<pid>@<start time>`). A pane with the same id
   * on another server is a new pane: it starts clean. Absent in older rows.
   */
  server: z.optional(z.string()),
});
export type PaneProgress = z.infer<typeof PaneProgress>;

/** The result of one `shell` or `send_keys` action, in STAGE_ACTIONS events. */
export const ActionOutcomeView = z.object({
  kind: z.enum(['send_keys', 'shell']),
  command: z.string(),
  ok: z.boolean(),
  dryRun: z.boolean(),
  exitCode: z.nullable(z.int()),
  timedOut: z.boolean(),
  output: z.string(),
  error: z.nullable(z.string()),
  durationMs: z.number().check(z.minimum(0)),
});
export type ActionOutcomeView = z.infer<typeof ActionOutcomeView>;

/** `STAGE_UPDATED` as the engine publishes it: the stored fields plus the board's view of the stage (null when the policy no longer has the stage). */
export const StageUpdatedEvent = z.extend(StageUpdatedPayload, {
  escalateCode: z.nullable(z.string()),
  view: z.nullable(StageView),
});
export type StageUpdatedEvent = z.infer<typeof StageUpdatedEvent>;

/** `STAGE_ACTIONS`: the actions a stage ran (or, with --dry-run, would have run). */
export const StageActionsPayload = z.object({
  host: z.string(),
  paneId: z.string(),
  pipeline: z.string(),
  stage: z.string(),
  cause: z.enum(['start', 'approved', 'retry', 'manual_retry']),
  attempt: z.int().check(z.minimum(1)),
  outcomes: z.array(ActionOutcomeView),
});
export type StageActionsPayload = z.infer<typeof StageActionsPayload>;

/** `PANE_TAIL` (ephemeral, at most once a second per printing pane). */
export const PaneTailPayload = z.object({
  host: z.string(),
  paneId: z.string(),
  sessionKey: z.nullable(z.string()),
  lines: z.array(z.string()),
  at: IsoDate,
});
export type PaneTailPayload = z.infer<typeof PaneTailPayload>;

/** One item of `GET /api/panes`: a watched pane of any host, or a pane of the bridge's own tmux server. */
export const PaneView = z.object({
  host: z.string(),
  paneId: z.string(),
  /** The bridge session showing this pane, if any. */
  sessionKey: z.nullable(z.string()),
  session: z.string(),
  window: z.string(),
  title: z.string(),
  watched: z.boolean(),
  /** Pipelines that match the pane. */
  pipelines: z.array(z.string()),
  /**
   * `starting` (watched, reading what the pane printed before), `watching` (live byte
   * stream), `polling` (capture diffs: remote hosts, foreign pipes), `unwatched`, `dead`.
   */
  status: z.enum(['starting', 'watching', 'polling', 'unwatched', 'dead']),
  lastLines: z.array(z.string()),
});
export type PaneView = z.infer<typeof PaneView>;

/** `GET /api/panes`. */
export const PaneList = z.object({ panes: z.array(PaneView) });
export type PaneList = z.infer<typeof PaneList>;

/** `POST /api/pipelines/:name/stages/:stage/retry|reset` and `POST /api/pipelines/:name/reset`: the pane as it is after. */
export const StageCommandResult = z.object({ ok: z.literal(true), pane: PipelinePaneView });
export type StageCommandResult = z.infer<typeof StageCommandResult>;
