import type { Event } from '../../../base/emitter.ts';

/**
 * What the flow runner needs from the execution service (server/workbench/executions,
 * `bridge.executions`): the same two execute paths every caller uses, so a node
 * sent into a session is tracked to its real end like any other execution.
 */
export type ExecutionStatus = 'running' | 'completed' | 'failed' | 'timeout' | 'cancelled';

export interface FlowExecution {
  readonly executionId: string;
  readonly sessionKey: string | null;
  readonly flowRunId?: string | null;
  readonly prompt?: string;
  readonly command?: string | null;
  readonly status: ExecutionStatus;
  readonly exitCode: number | null;
  readonly offsetStart: number | null;
  readonly outputTail: string | null;
}

export interface FlowExecuteRequest {
  prompt: string;
  tool?: string;
  model?: string;
  resumeKey?: string;
  resumeStrategy?: 'nativeResume' | 'promptConcat';
  timeoutS?: number;
  flowRunId?: string | null;
}

export interface FlowExecutor {
  executeInSession(sessionKey: string, request: FlowExecuteRequest): Promise<FlowExecution>;
  executeStateless(request: FlowExecuteRequest & { tool: string; workingDir?: string }): Promise<FlowExecution>;
  get(executionId: string): FlowExecution | undefined;
  /** The tool's answer in an ended execution's output (null: not known; the output tail stands in). */
  answer(executionId: string): string | null;
  list(filter?: { flowRunId?: string }): FlowExecution[];
  cancel(executionId: string): Promise<FlowExecution>;
  readonly onDidUpdate: Event<FlowExecution>;
}

/** Sessions a node may open (newExecution with a terminal). */
export interface FlowSessions {
  create(input: { name?: string; workingDir?: string }): Promise<{ sessionKey: string }>;
}

/**
 * Until an execution service is wired in: every run attempt fails with a 503
 * saying so (flows can still be edited, validated, imported and exported).
 */
export function executionsUnavailable(): FlowExecutor {
  const refuse = (): Promise<never> =>
    Promise.reject(Object.assign(new Error('executions are not available in this server build'), { status: 503, code: 'executions_unavailable' }));
  return {
    executeInSession: refuse,
    executeStateless: refuse,
    get: () => undefined,
    answer: () => null,
    list: () => [],
    cancel: refuse,
    onDidUpdate: () => ({ dispose: () => undefined }),
  };
}
