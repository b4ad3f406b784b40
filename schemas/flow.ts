import { z } from 'zod';
import { FlowRunStatus } from './flow-view.ts';
import { rule } from './rule.ts';

/* What the flows API accepts besides a flow (FlowInput); the flows themselves are in flow-view.ts. */
export * from './flow-view.ts';

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
    ...rule('text_or_run_node', 'give text, or runId and nodeId'),
    path: ['text'],
  });
export type RouteToSessionBody = z.infer<typeof RouteToSessionBody>;

export const FlowRunsQuery = z.object({
  flowId: z.string().min(1).max(100).optional(),
  status: z.optional(FlowRunStatus),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
export type FlowRunsQuery = z.infer<typeof FlowRunsQuery>;

/** The longest node output kept (its end); outputs feed prompts, not archives. */
export const FLOW_OUTPUT_MAX = 64 * 1024;
