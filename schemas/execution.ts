import { z } from 'zod';
import { ExecutionStatus } from './execution-view.ts';
import { IsoDate } from './common.ts';
import { QueryInt } from './input.ts';
import { ResumeStrategy } from './session-view.ts';
import { ToolId } from './tools.ts';
import { rule } from './rule.ts';

/* What the server sends back is in execution-view.ts (zod/mini, bundled by the client); this file holds what it accepts. */
export * from './execution-view.ts';

const Prompt = z.string().min(1, 'the prompt is empty').max(1024 * 1024);
// Refinements, not regex checks: the UI words a rule; a negated character class would reach it as a raw pattern.
const ResumeKey = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !/[\u0000-\u001f]/.test(s), rule('no_control_chars', 'no control characters'));
const TimeoutS = z.number().int().min(1).max(7 * 24 * 3600);
const Model = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !/[\s\u0000-\u001f]/.test(s), rule('model_name', 'a model name without spaces'))
  .nullable();

/** Body of `POST /api/cli-sessions/:key/execute`. */
export const ExecuteRequest = z
  .object({
    prompt: Prompt,
    /** Defaults to the session's tool. */
    tool: ToolId.optional(),
    model: Model.optional(),
    resumeKey: ResumeKey.nullable().optional(),
    resumeStrategy: z.nullable(ResumeStrategy).optional(),
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
    resumeStrategy: z.nullable(ResumeStrategy).optional(),
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

/** `GET /api/executions?…` (and ExecutionService.list). */
export const ExecutionFilter = z.object({
  sessionKey: z.string().min(1).max(200).optional(),
  issueId: z.string().min(1).max(200).optional(),
  queueId: z.string().min(1).max(200).optional(),
  queueItemId: z.string().min(1).max(200).optional(),
  flowRunId: z.string().min(1).max(200).optional(),
  status: z.optional(ExecutionStatus),
  /** `session` or `stateless` runs only. */
  kind: z.enum(['session', 'stateless']).optional(),
  limit: QueryInt(1, 1000).optional(),
});
export type ExecutionFilter = z.infer<typeof ExecutionFilter>;

export const ResumeKeyParam = z.object({ resumeKey: ResumeKey });

/** The body the tool hooks post to `POST /api/hooks/:sessionKey` (see docs/workbench.md). */
export const HookCallbackBody = z
  .object({
    event: z.string().min(1).max(100).optional(),
    sessionId: z.string().max(400).nullable().optional(),
  })
  .passthrough();
