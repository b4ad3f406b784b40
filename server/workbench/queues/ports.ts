import type { Event } from '../../../base/emitter.ts';
import type { CreateSessionBody } from '../../../schemas/session.ts';
import type { CliSession } from '../../../schemas/session-view.ts';
import type { QueueReason } from '../../../schemas/queue-view.ts';

/**
 * What the queues need from their neighbours, as narrow faces: the scheduler
 * can be tested with fakes and the composition root passes the real services.
 */

/** The part of an execution the queues read (schemas/execution.ts has the whole shape). */
export interface QueueExecution {
  readonly executionId: string;
  readonly sessionKey: string | null;
  readonly queueItemId: string | null;
  readonly status: 'running' | 'completed' | 'failed' | 'timeout' | 'cancelled';
  readonly exitCode: number | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly outputTail: string | null;
}

export interface QueueExecuteRequest {
  readonly prompt: string;
  readonly tool?: string;
  readonly resumeKey?: string | null;
  readonly resumeStrategy?: 'nativeResume' | 'promptConcat' | null;
  readonly issueId?: string | null;
  readonly queueItemId?: string | null;
  readonly queueId?: string | null;
}

/** A subset of the ExecutionService (server/workbench/executions). */
export interface QueueExecutions {
  executeInSession(sessionKey: string, request: QueueExecuteRequest): Promise<QueueExecution>;
  get(executionId: string): QueueExecution | undefined;
  list(filter?: { queueId?: string; queueItemId?: string }): QueueExecution[];
  cancel(executionId: string): Promise<QueueExecution>;
  isBusy(sessionKey: string): boolean;
  readonly onDidUpdate: Event<QueueExecution>;
}

/** A subset of the SessionHub. */
export interface QueueSessions {
  list(): CliSession[];
  create(body: CreateSessionBody): Promise<CliSession>;
}

/** What an issue looks like to a queue (schemas/issue.ts has the whole shape). */
export interface QueueIssue {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly status: string;
}

/** The issue board's public face, as the queues use it. */
export interface QueueIssues {
  get(issueId: string): QueueIssue | undefined;
  /** Moves the issue to `status` (in_progress when an item starts, resolved when all completed). */
  setStatus(issueId: string, status: 'in_progress' | 'resolved', by: string): Promise<void>;
  /** Shows the item's run on the issue's card (its failure, say). */
  recordRun?(issueId: string, run: { executionId: string | null; sessionKey: string | null; status: string; exitCode: number | null; error: string | null; errorCode?: QueueReason | null }): Promise<void>;
}

/** The link an execution carries back to its item: unique across queues. */
export function queueItemLink(queueId: string, itemId: string): string {
  return `${queueId}:${itemId}`;
}

export function parseQueueItemLink(link: string | null): { queueId: string; itemId: string } | undefined {
  if (!link) return undefined;
  const at = link.lastIndexOf(':');
  if (at <= 0) return undefined;
  return { queueId: link.slice(0, at), itemId: link.slice(at + 1) };
}
