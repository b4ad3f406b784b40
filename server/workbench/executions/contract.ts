import type { Event } from '../../../base/emitter.ts';
import type { CliExecuteRequest, ExecuteRequest, Execution, ExecutionFilter } from '../../../schemas/index.ts';

export interface ExecutionLinks {
  issueId?: string | null;
  queueItemId?: string | null;
  flowRunId?: string | null;
  /** Extension: the queue of `queueItemId`, so `GET /api/executions?queueId=` finds it. */
  queueId?: string | null;
}

export interface ExecutionService {
  /** Runs a prompt/command in a live session; rejects with the API errors: 404 unknown session,
   *  409 session_busy (one execution per session at a time), 400 tool_not_found, 409 for a closed session. */
  executeInSession(sessionKey: string, request: ExecuteRequest & ExecutionLinks): Promise<Execution>;
  /** One-shot run without a terminal (POST /api/cli/execute). */
  executeStateless(request: CliExecuteRequest & ExecutionLinks): Promise<Execution>;
  get(executionId: string): Execution | undefined;
  list(filter?: ExecutionFilter): Execution[];
  cancel(executionId: string): Promise<Execution>;
  /** True while an execution runs in that session. */
  isBusy(sessionKey: string): boolean;
  /** Fires on every change of an execution (start, end). Also fired for executions settled at startup
   *  (ended while the server was down) — consumers must ALSO reconcile from `get()`/`list()` at start. */
  readonly onDidUpdate: Event<Execution>;
}
