import { z } from 'zod';
import { IsoDate, QueryInt } from './common.ts';
import { ResumeStrategy } from './session.ts';
import { ToolId } from './tools.ts';

export const ExecutionStatus = z.enum(['running', 'completed', 'failed', 'timeout', 'cancelled']);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

/** How the end was known: `heuristic` is only ever a labelled guess. */
export const ExecutionCompletion = z.enum(['exit', 'sentinel', 'hook', 'pane-exit', 'heuristic']);
export type ExecutionCompletion = z.infer<typeof ExecutionCompletion>;

/** A prompt or command run in a session (or stateless), tracked to its real end. */
export const Execution = z.object({
  executionId: z.string(),
  /** null for stateless runs (`POST /api/cli/execute`). */
  sessionKey: z.string().nullable(),
  issueId: z.string().nullable(),
  queueItemId: z.string().nullable(),
  flowRunId: z.string().nullable(),
  tool: z.string(),
  prompt: z.string(),
  command: z.string(),
  status: ExecutionStatus,
  exitCode: z.number().int().nullable(),
  completion: ExecutionCompletion.nullable(),
  startedAt: IsoDate,
  endedAt: IsoDate.nullable(),
  offsetStart: z.number().nullable(),
  offsetEnd: z.number().nullable(),
  outputTail: z.string().nullable(),
  nativeSessionId: z.string().nullable(),
});
export type Execution = z.infer<typeof Execution>;

const Prompt = z.string().min(1, 'the prompt is empty').max(1024 * 1024);
const ResumeKey = z.string().min(1).max(200).regex(/^[^\u0000-\u001f]+$/, 'no control characters');
const TimeoutS = z.number().int().min(1).max(7 * 24 * 3600);
const Model = z.string().min(1).max(200).regex(/^[^\s\u0000-\u001f]+$/, 'a model name without spaces').nullable();

/** Body of `POST /api/cli-sessions/:key/execute`. */
export const ExecuteRequest = z
  .object({
    prompt: Prompt,
    /** Defaults to the session's tool. */
    tool: ToolId.optional(),
    model: Model.optional(),
    resumeKey: ResumeKey.nullable().optional(),
    resumeStrategy: ResumeStrategy.nullable().optional(),
    timeoutS: TimeoutS.optional(),
  })
  .strict();
export type ExecuteRequest = z.infer<typeof ExecuteRequest>;

/** Body of `POST /api/cli/execute`. */
export const CliExecuteRequest = z
  .object({
    tool: ToolId,
    prompt: Prompt,
    workingDir: z.string().min(1).max(4096).optional(),
    model: Model.optional(),
    resumeKey: ResumeKey.nullable().optional(),
    resumeStrategy: ResumeStrategy.nullable().optional(),
    timeoutS: TimeoutS.optional(),
  })
  .strict();
export type CliExecuteRequest = z.infer<typeof CliExecuteRequest>;

/** What an execution belongs to (set by the issue board, queues and flows). */
export const ExecutionLinksSchema = z.object({
  issueId: z.string().max(200).nullable().optional(),
  queueItemId: z.string().max(200).nullable().optional(),
  flowRunId: z.string().max(200).nullable().optional(),
  /** Extension: lets `GET /api/executions?queueId=` find a queue's executions. */
  queueId: z.string().max(200).nullable().optional(),
});

export const ExecuteAccepted = z.object({ executionId: z.string(), command: z.string() });
export type ExecuteAccepted = z.infer<typeof ExecuteAccepted>;

/** `GET /api/executions?…` (and ExecutionService.list). */
export const ExecutionFilter = z.object({
  sessionKey: z.string().min(1).max(200).optional(),
  issueId: z.string().min(1).max(200).optional(),
  queueId: z.string().min(1).max(200).optional(),
  queueItemId: z.string().min(1).max(200).optional(),
  flowRunId: z.string().min(1).max(200).optional(),
  status: ExecutionStatus.optional(),
  /** `session` or `stateless` runs only. */
  kind: z.enum(['session', 'stateless']).optional(),
  limit: QueryInt(1, 1000).optional(),
});
export type ExecutionFilter = z.infer<typeof ExecutionFilter>;

export const ExecutionList = z.object({ executions: z.array(Execution) });
export type ExecutionList = z.infer<typeof ExecutionList>;

/** A stateless run's output chunk (event `CLI_OUTPUT`, and `GET /api/cli/executions/:id/output`). */
export const CliOutputChunk = z.object({
  executionId: z.string(),
  seq: z.number().int(),
  stream: z.enum(['stdout', 'stderr']),
  data: z.string(),
  at: IsoDate,
});
export type CliOutputChunk = z.infer<typeof CliOutputChunk>;

/** `GET /api/resume-keys/:resumeKey`. */
export const ResumeKeyInfo = z.object({
  resumeKey: z.string(),
  tool: z.string().nullable(),
  nativeSessionId: z.string().nullable(),
  turns: z.number().int(),
  bytes: z.number().int(),
  /** Extension: when the native binding fell back to promptConcat, and why. */
  fallbackAt: IsoDate.nullable().optional(),
  fallbackReason: z.string().nullable().optional(),
  updatedAt: IsoDate.nullable().optional(),
});
export type ResumeKeyInfo = z.infer<typeof ResumeKeyInfo>;

export const ResumeKeyParam = z.object({ resumeKey: ResumeKey });

/** The body the tool hooks post to `POST /api/hooks/:sessionKey` (see docs/workbench.md). */
export const HookCallbackBody = z
  .object({
    event: z.string().min(1).max(100).optional(),
    sessionId: z.string().max(400).nullable().optional(),
  })
  .passthrough();
