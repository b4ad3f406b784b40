import * as z from 'zod/mini';
import { IsoDate } from './common.ts';

/**
 * Orchestrator flows (docs/api.md "Orchestrator flows"): a DAG of prompt-template
 * nodes; one node's output fills `{{outputName}}` in the instructions downstream.
 * zod/mini: the flow editor checks a draft with FlowInput, and the client reads
 * runs with these (see common.ts); the other bodies the API accepts are in flow.ts.
 */

const Id = z.string().check(z.minLength(1), z.maxLength(100), z.regex(/^[A-Za-z0-9_.:-]+$/, 'use letters, digits, _ . : - only'));
/** A name usable as `{{name}}`. */
const TemplateName = z.string().check(z.minLength(1), z.maxLength(100), z.regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'start with a letter or _, then letters, digits, _ . -'));

export const FlowDelivery = z.enum(['newExecution', 'sendToSession']);
export type FlowDelivery = z.infer<typeof FlowDelivery>;
export const FlowOnError = z.enum(['fail', 'continue', 'pause']);
export type FlowOnError = z.infer<typeof FlowOnError>;
export const FlowResumeStrategy = z.enum(['nativeResume', 'promptConcat']);

export const FlowNodeData = z.object({
  label: z._default(z.string().check(z.maxLength(200)), ''),
  instruction: z.string().check(z.minLength(1, 'an instruction is needed'), z.maxLength(100_000)),
  tool: z._default(z.string().check(z.minLength(1), z.maxLength(100)), 'bash'),
  delivery: z._default(FlowDelivery, 'newExecution'),
  targetSessionKey: z.nullish(z.string().check(z.minLength(1), z.maxLength(100))),
  resumeKey: z.nullish(z.string().check(z.minLength(1), z.maxLength(200))),
  resumeStrategy: z.nullish(FlowResumeStrategy),
  outputName: z.nullish(TemplateName),
  onError: z._default(FlowOnError, 'fail'),
  /** newExecution only: run in a fresh session (a terminal to watch) instead of the one-shot form. */
  terminal: z._default(z.boolean(), false),
  /** newExecution only: where the run starts. */
  workingDir: z.nullish(z.string().check(z.minLength(1), z.maxLength(4096))),
  model: z.nullish(z.string().check(z.minLength(1), z.maxLength(200))),
  timeoutS: z.nullish(z.int().check(z.minimum(1), z.maximum(7 * 24 * 3600))),
});
export type FlowNodeData = z.infer<typeof FlowNodeData>;

export const FlowNode = z.object({
  id: Id,
  type: z._default(z.literal('prompt-template'), 'prompt-template'),
  data: FlowNodeData,
  /** Where the editor last drew the node; layout fills it in when absent. */
  position: z.nullish(z.object({ x: z.number(), y: z.number() })),
});
export type FlowNode = z.infer<typeof FlowNode>;

export const FlowEdge = z.object({ source: Id, target: Id });
export type FlowEdge = z.infer<typeof FlowEdge>;

export const FlowVariables = z.record(TemplateName, z.string().check(z.maxLength(100_000)));

/** The body of POST /api/orchestrator/flows and PUT /api/orchestrator/flows/:id (also the import format). */
export const FlowInput = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  description: z._default(z.string().check(z.maxLength(10_000)), ''),
  variables: z._default(FlowVariables, {}),
  nodes: z.array(FlowNode).check(z.maxLength(500)),
  edges: z._default(z.array(FlowEdge).check(z.maxLength(5000)), []),
});
export type FlowInput = z.infer<typeof FlowInput>;
export type FlowInputRaw = z.input<typeof FlowInput>;

export const Flow = z.extend(FlowInput, {
  id: z.string(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
});
export type Flow = z.infer<typeof Flow>;

/** An exported flow: the input plus a format tag, so a file says what it is. */
export const FlowExport = z.extend(FlowInput, {
  format: z.literal('tmux-bridge.flow/1'),
  id: z.optional(z.string()),
});
export type FlowExport = z.infer<typeof FlowExport>;

export const FlowRunStatus = z.enum(['running', 'paused', 'completed', 'failed', 'stopped']);
export type FlowRunStatus = z.infer<typeof FlowRunStatus>;
export const FlowNodeStatus = z.enum(['pending', 'running', 'completed', 'failed', 'skipped']);
export type FlowNodeStatus = z.infer<typeof FlowNodeStatus>;

export const FlowNodeState = z.object({
  status: FlowNodeStatus,
  executionId: z.nullable(z.string()),
  /** The node's output text (bounded: the end is kept), null until it ends. */
  output: z.nullable(z.string()),
  /** The session the node ran in (its own for sendToSession), for terminal links. */
  sessionKey: z.nullable(z.string()),
  /** Pane stream offset where the execution started, for "open in terminal". */
  offsetStart: z.nullable(z.number()),
  /** The instruction as sent, with `{{names}}` filled in. */
  prompt: z.nullable(z.string()),
  error: z.nullable(z.string()),
  startedAt: z.nullable(IsoDate),
  endedAt: z.nullable(IsoDate),
  /** How many times the node was started (a pause-on-error resume retries it). */
  attempts: z.int(),
});
export type FlowNodeState = z.infer<typeof FlowNodeState>;

export const FlowRunReasonCode = z.enum(['paused', 'stopped', 'node_failed', 'node_paused']);
export type FlowRunReasonCode = z.infer<typeof FlowRunReasonCode>;

export const FlowRun = z.object({
  runId: z.string(),
  flowId: z.string(),
  flowName: z.string(),
  status: FlowRunStatus,
  variables: z.record(z.string(), z.string()),
  nodes: z.record(z.string(), FlowNodeState),
  /** Why the run paused or failed, in words. */
  reason: z.nullable(z.string()),
  /** The same as a code (schemas/flow-reason.ts): `node`, and `error` (the node's own words), in `reasonParams`. */
  reasonCode: z.optional(FlowRunReasonCode),
  reasonParams: z.optional(z.record(z.string(), z.string())),
  startedAt: IsoDate,
  updatedAt: IsoDate,
  endedAt: z.nullable(IsoDate),
});
export type FlowRun = z.infer<typeof FlowRun>;

/** A run with the flow as it was when the run started (edits later do not change a run). */
export const FlowRunDetail = z.extend(FlowRun, { flow: Flow });
export type FlowRunDetail = z.infer<typeof FlowRunDetail>;

/** `GET /api/orchestrator/flows`. */
export const FlowList = z.object({ flows: z.array(Flow) });
export type FlowList = z.infer<typeof FlowList>;

/** `GET /api/orchestrator/runs`. */
export const FlowRunList = z.object({ runs: z.array(FlowRunDetail) });
export type FlowRunList = z.infer<typeof FlowRunList>;

/** `POST /api/orchestrator/flows/:id/execute` (202). */
export const FlowStarted = z.object({ runId: z.string() });
export type FlowStarted = z.infer<typeof FlowStarted>;

/** `POST /api/orchestrator/route` (202): the execution the text went into. */
export const RouteAccepted = z.object({ executionId: z.string(), command: z.nullable(z.string()), sessionKey: z.string() });
export type RouteAccepted = z.infer<typeof RouteAccepted>;
