import '../lib/zod-no-eval.ts';
import * as z from 'zod/mini';
import { ApprovalDecisionResult, ApprovalList, NotificationList, Overview, PaneList, PipelineList, PipelineView, StageHistoryList } from '../../schemas/agent.ts';
import { AgentConfigView, HostList } from '../../schemas/agent-config-view.ts';
import { ApiErrorBody } from '../../schemas/common.ts';
import { EVENT_PAYLOADS, EventPage, parseBridgeEvent, type BridgeEvent, type EventPayload, type EventType } from '../../schemas/events-view.ts';
import { CliOutput, ExecuteStarted, Execution, ExecutionList } from '../../schemas/execution-view.ts';
import { Health } from '../../schemas/health.ts';
import { BoardSettings, ImportResult, Issue, IssueHistory, IssueList } from '../../schemas/issue-view.ts';
import { Flow, FlowExport, FlowList, FlowRunDetail, FlowRunList, FlowStarted, RouteAccepted } from '../../schemas/flow-view.ts';
import { Queue, QueueItem, QueueList } from '../../schemas/queue-view.ts';
import { CliSession, ClosedCleared, SessionList } from '../../schemas/session-view.ts';
import { ServerTerminalMessage } from '../../schemas/terminal-view.ts';
import { ToolList } from '../../schemas/tools-view.ts';

/*
 * Every schema the client checks the server's answers and events with (zod/mini,
 * from schemas/). Loaded beside the first request, not before the first paint
 * (services/schemas.ts): the page's frame never waits for zod.
 */

/** The answers of the API calls the client makes, by name (ApiClient.get and friends take the name). */
export const ANSWERS = {
  ApiErrorBody,
  SessionList,
  CliSession,
  ClosedCleared,
  HostList,
  Health,
  Overview,
  PipelineList,
  PipelineView,
  ApprovalList,
  ApprovalDecisionResult,
  NotificationList,
  EventPage,
  StageHistoryList,
  PaneList,
  AgentConfigView,
  ToolList,
  Execution,
  ExecutionList,
  ExecuteStarted,
  CliOutput,
  IssueList,
  Issue,
  IssueHistory,
  BoardSettings,
  ImportResult,
  FlowList,
  Flow,
  FlowExport,
  FlowStarted,
  FlowRunList,
  FlowRunDetail,
  RouteAccepted,
  QueueList,
  Queue,
  QueueItem,
} as const;
export type AnswerName = keyof typeof ANSWERS;
export type Answer<K extends AnswerName> = z.infer<(typeof ANSWERS)[K]>;

/** The value as the named schema reads it, or a message naming the first field that is off. */
export function check<K extends AnswerName>(name: K, value: unknown): { ok: true; value: Answer<K> } | { ok: false; problem: string } {
  const result = ANSWERS[name].safeParse(value);
  if (result.success) return { ok: true, value: result.data as Answer<K> };
  const issue = result.error.issues[0];
  return { ok: false, problem: `${name}${issue?.path.length ? `.${issue.path.join('.')}` : ''}` };
}

/** A live event checked whole, its payload against its type's schema (the event map); undefined when it does not fit. */
export function checkEvent(value: unknown): BridgeEvent | undefined {
  const result = parseBridgeEvent(value);
  return result.success ? result.data : undefined;
}

/** The payload of an event of this type, checked; undefined when it does not fit. */
export function payload<K extends EventType>(type: K, event: unknown): EventPayload<K> | undefined {
  const result = EVENT_PAYLOADS[type].safeParse(event);
  return result.success ? (result.data as EventPayload<K>) : undefined;
}

export { ServerTerminalMessage };
