import * as z from 'zod/mini';
import { IsoDate } from './common.ts';

/* Executions as the server shows them (zod/mini: the client checks them; see common.ts). */

export const ExecutionStatus = z.enum(['running', 'completed', 'failed', 'timeout', 'cancelled']);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

/** How the end was known: `heuristic` is only ever a labelled guess. */
export const ExecutionCompletion = z.enum(['exit', 'sentinel', 'hook', 'pane-exit', 'heuristic']);
export type ExecutionCompletion = z.infer<typeof ExecutionCompletion>;

/** A prompt or command run in a session (or stateless), tracked to its real end. */
export const Execution = z.object({
  executionId: z.string(),
  /** null for stateless runs (`POST /api/cli/execute`). */
  sessionKey: z.nullable(z.string()),
  issueId: z.nullable(z.string()),
  queueItemId: z.nullable(z.string()),
  flowRunId: z.nullable(z.string()),
  tool: z.string(),
  prompt: z.string(),
  command: z.string(),
  status: ExecutionStatus,
  exitCode: z.nullable(z.int()),
  completion: z.nullable(ExecutionCompletion),
  startedAt: IsoDate,
  endedAt: z.nullable(IsoDate),
  offsetStart: z.nullable(z.number()),
  offsetEnd: z.nullable(z.number()),
  outputTail: z.nullable(z.string()),
  nativeSessionId: z.nullable(z.string()),
});
export type Execution = z.infer<typeof Execution>;

export const ExecuteAccepted = z.object({ executionId: z.string(), command: z.string() });
export type ExecuteAccepted = z.infer<typeof ExecuteAccepted>;

export const ExecutionList = z.object({ executions: z.array(Execution) });
export type ExecutionList = z.infer<typeof ExecutionList>;

/** A stateless run's output chunk (event `CLI_OUTPUT`, and `GET /api/cli/executions/:id/output`). */
export const CliOutputChunk = z.object({
  executionId: z.string(),
  seq: z.int(),
  stream: z.enum(['stdout', 'stderr']),
  data: z.string(),
  at: IsoDate,
});
export type CliOutputChunk = z.infer<typeof CliOutputChunk>;

/** `GET /api/resume-keys/:resumeKey`. */
export const ResumeKeyInfo = z.object({
  resumeKey: z.string(),
  tool: z.nullable(z.string()),
  nativeSessionId: z.nullable(z.string()),
  turns: z.int(),
  bytes: z.int(),
  /** Extension: when the native binding fell back to promptConcat, and why. */
  fallbackAt: z.optional(z.nullable(IsoDate)),
  fallbackReason: z.optional(z.nullable(z.string())),
  updatedAt: z.optional(z.nullable(IsoDate)),
});
export type ResumeKeyInfo = z.infer<typeof ResumeKeyInfo>;

/** `POST /api/cli-sessions/:key/execute` and `POST /api/cli/execute` (202): the run as it started. */
export const ExecuteStarted = z.extend(ExecuteAccepted, { execution: z.optional(Execution) });
export type ExecuteStarted = z.infer<typeof ExecuteStarted>;

/** `GET /api/cli/executions/:id/output`: a stateless run and its stored output. */
export const CliOutput = z.object({ execution: Execution, chunks: z.array(CliOutputChunk) });
export type CliOutput = z.infer<typeof CliOutput>;
