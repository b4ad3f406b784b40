import { z } from 'zod';
import { IsoDate } from './common.ts';

/**
 * Orchestrator flows (docs/api.md "Orchestrator flows"): a DAG of prompt-template
 * nodes; one node's output fills `{{outputName}}` in the instructions downstream.
 */

const Id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits, _ . : - only');
/** A name usable as `{{name}}`. */
const TemplateName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'start with a letter or _, then letters, digits, _ . -');

export const FlowDelivery = z.enum(['newExecution', 'sendToSession']);
export type FlowDelivery = z.infer<typeof FlowDelivery>;
export const FlowOnError = z.enum(['fail', 'continue', 'pause']);
export type FlowOnError = z.infer<typeof FlowOnError>;
export const FlowResumeStrategy = z.enum(['nativeResume', 'promptConcat']);

export const FlowNodeData = z.object({
  label: z.string().max(200).default(''),
  instruction: z.string().min(1, 'an instruction is needed').max(100_000),
  tool: z.string().min(1).max(100).default('bash'),
  delivery: FlowDelivery.default('newExecution'),
  targetSessionKey: z.string().min(1).max(100).nullish(),
  resumeKey: z.string().min(1).max(200).nullish(),
  resumeStrategy: FlowResumeStrategy.nullish(),
  outputName: TemplateName.nullish(),
  onError: FlowOnError.default('fail'),
  /** newExecution only: run in a fresh session (a terminal to watch) instead of the one-shot form. */
  terminal: z.boolean().default(false),
  /** newExecution only: where the run starts. */
  workingDir: z.string().min(1).max(4096).nullish(),
  model: z.string().min(1).max(200).nullish(),
  timeoutS: z.number().int().min(1).max(7 * 24 * 3600).nullish(),
});
export type FlowNodeData = z.infer<typeof FlowNodeData>;

export const FlowNode = z.object({
  id: Id,
  type: z.literal('prompt-template').default('prompt-template'),
  data: FlowNodeData,
  /** Where the editor last drew the node; layout fills it in when absent. */
  position: z.object({ x: z.number(), y: z.number() }).nullish(),
});
export type FlowNode = z.infer<typeof FlowNode>;

export const FlowEdge = z.object({ source: Id, target: Id });
export type FlowEdge = z.infer<typeof FlowEdge>;

export const FlowVariables = z.record(TemplateName, z.string().max(100_000));

/** The body of POST /api/orchestrator/flows and PUT /api/orchestrator/flows/:id (also the import format). */
export const FlowInput = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(10_000).default(''),
  variables: FlowVariables.default({}),
  nodes: z.array(FlowNode).max(500),
  edges: z.array(FlowEdge).max(5000).default([]),
});
export type FlowInput = z.infer<typeof FlowInput>;
export type FlowInputRaw = z.input<typeof FlowInput>;

export const Flow = FlowInput.extend({
  id: z.string(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
});
export type Flow = z.infer<typeof Flow>;

/** An exported flow: the input plus a format tag, so a file says what it is. */
export const FlowExport = FlowInput.extend({
  format: z.literal('tmux-bridge.flow/1'),
  id: z.string().optional(),
});
export type FlowExport = z.infer<typeof FlowExport>;

export const FlowRunStatus = z.enum(['running', 'paused', 'completed', 'failed', 'stopped']);
export type FlowRunStatus = z.infer<typeof FlowRunStatus>;
export const FlowNodeStatus = z.enum(['pending', 'running', 'completed', 'failed', 'skipped']);
export type FlowNodeStatus = z.infer<typeof FlowNodeStatus>;

export const FlowNodeState = z.object({
  status: FlowNodeStatus,
  executionId: z.string().nullable(),
  /** The node's output text (bounded: the end is kept), null until it ends. */
  output: z.string().nullable(),
  /** The session the node ran in (its own for sendToSession), for terminal links. */
  sessionKey: z.string().nullable(),
  /** Pane stream offset where the execution started, for "open in terminal". */
  offsetStart: z.number().nullable(),
  /** The instruction as sent, with `{{names}}` filled in. */
  prompt: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: IsoDate.nullable(),
  endedAt: IsoDate.nullable(),
  /** How many times the node was started (a pause-on-error resume retries it). */
  attempts: z.number().int(),
});
export type FlowNodeState = z.infer<typeof FlowNodeState>;

export const FlowRun = z.object({
  runId: z.string(),
  flowId: z.string(),
  flowName: z.string(),
  status: FlowRunStatus,
  variables: z.record(z.string(), z.string()),
  nodes: z.record(z.string(), FlowNodeState),
  /** Why the run paused or failed, in words. */
  reason: z.string().nullable(),
  startedAt: IsoDate,
  updatedAt: IsoDate,
  endedAt: IsoDate.nullable(),
});
export type FlowRun = z.infer<typeof FlowRun>;

/** A run with the flow as it was when the run started (edits later do not change a run). */
export const FlowRunDetail = FlowRun.extend({ flow: Flow });
export type FlowRunDetail = z.infer<typeof FlowRunDetail>;

export const ExecuteFlowBody = z.object({ variables: z.record(z.string().max(100), z.string().max(100_000)).optional() });
export type ExecuteFlowBody = z.infer<typeof ExecuteFlowBody>;

/** "Route to session": any text (or a node's instruction) into a session through the execute path. */
export const RouteToSessionBody = z
  .object({
    sessionKey: z.string().min(1).max(100),
    text: z.string().min(1).max(100_000).optional(),
    /** Route this run node's filled-in instruction instead of `text`. */
    runId: z.string().min(1).max(100).optional(),
    nodeId: z.string().min(1).max(100).optional(),
    tool: z.string().min(1).max(100).optional(),
  })
  .refine((b) => b.text !== undefined || (b.runId !== undefined && b.nodeId !== undefined), {
    message: 'give text, or runId and nodeId',
    path: ['text'],
  });
export type RouteToSessionBody = z.infer<typeof RouteToSessionBody>;

export const FlowRunsQuery = z.object({
  flowId: z.string().min(1).max(100).optional(),
  status: FlowRunStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
export type FlowRunsQuery = z.infer<typeof FlowRunsQuery>;

/** The longest node output kept (its end); outputs feed prompts, not archives. */
export const FLOW_OUTPUT_MAX = 64 * 1024;
