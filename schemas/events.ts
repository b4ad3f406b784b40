import { z } from 'zod';
import { ApprovalDecision, ApprovalEventPayload, NotificationRecord, PaneTailPayload, StageActionsPayload, StageUpdatedEvent } from './agent.ts';
import { AgentConfigView, ConfigIssueView, HostConnectionView } from './agent-config-view.ts';
import { IsoDate, QueryInt } from './common.ts';
import { CliOutputChunk, Execution, ExecutionStatus } from './execution.ts';
import { FlowRun } from './flow.ts';
import { ControlHealth } from './health.ts';
import { Issue } from './issue.ts';
import { Queue } from './queue.ts';
import { CliSession } from './session.ts';

const SessionEventPayload = z.object({ sessionKey: z.string(), session: CliSession });

/**
 * The event map: every event type and the payload it carries. `publish`, the event
 * streams, the store and the client all take their types from here, so a payload that
 * does not fit its type is a compile error. The bus adds `type`, `at` and, once the
 * event is stored, `id` (BridgeEvent).
 */
export const EVENT_PAYLOADS = {
  CLI_SESSION_CREATED: SessionEventPayload,
  CLI_SESSION_CLOSED: z.object({ sessionKey: z.string(), exitCode: z.number().int().nullable() }),
  /** `paneId` when a pane is known, `name` when tmux refused to create the session. */
  CLI_SESSION_ERROR: z.object({ sessionKey: z.string().nullable(), paneId: z.string().optional(), name: z.string().optional(), message: z.string() }),
  CLI_SESSION_UPDATED: SessionEventPayload,
  STAGE_UPDATED: StageUpdatedEvent,
  APPROVAL_REQUESTED: ApprovalEventPayload,
  /** `decision` null: cancelled (the pane closed, or the stage moved on without it). */
  APPROVAL_DECIDED: ApprovalEventPayload.extend({ decision: ApprovalDecision.nullable() }),
  NOTIFICATION: z.object({ notification: NotificationRecord }),
  /** An issue as it is now (with the sort orders a move changed), or the id of one deleted. */
  ISSUE_UPDATED: z.union([
    z.object({ issue: Issue, reordered: z.record(z.string(), z.number()).optional() }),
    z.object({ issueId: z.string(), deleted: z.literal(true) }),
  ]),
  QUEUE_UPDATED: z.union([z.object({ queue: Queue }), z.object({ queue: z.null(), queueId: z.string(), deleted: z.literal(true) })]),
  EXECUTION_UPDATED: z.object({ execution: Execution }),
  CONFIG_RELOADED: z.object({
    hash: z.string(),
    sources: AgentConfigView.shape.sources,
    hosts: z.array(z.string()),
    pipelines: z.array(z.string()),
    warnings: z.array(z.string()),
  }),
  /** `errors` and `warnings` as text; `issues` the errors with where they are. */
  CONFIG_ERROR: z.object({ errors: z.array(z.string()), warnings: z.array(z.string()), issues: z.array(ConfigIssueView.omit({ text: true })) }),
  PANE_TAIL: PaneTailPayload,
  STAGE_ACTIONS: StageActionsPayload,
  CLI_EXECUTION_STARTED: z.object({ executionId: z.string(), execution: Execution }),
  CLI_OUTPUT: CliOutputChunk.omit({ at: true }),
  /** `execution` is absent when a run found unfinished after a restart is closed. */
  CLI_EXECUTION_COMPLETED: z.object({ executionId: z.string(), status: ExecutionStatus, exitCode: z.number().int().nullable(), execution: Execution.optional() }),
  FLOW_RUN_UPDATED: z.object({ run: FlowRun }),
  /** A remote host's connection changed (connected, reconnecting with the reason, auth failed…). Not stored. */
  HOST_STATUS: z.object({ host: z.string(), connection: HostConnectionView }),
  /** The bridge's connection to its own tmux server changed (connected, slow, reconnecting). Not stored. */
  TMUX_STATUS: z.object({ control: ControlHealth }),
  /** A remote pane printed `lines` lines while its output was not received (its host's connection was down). Stored. */
  STREAM_GAP: z.object({
    host: z.string(),
    paneId: z.string(),
    sessionKey: z.string().nullable(),
    lines: z.number().int(),
    /** More than the pane's tmux history keeps: at least `lines`. */
    beyondHistory: z.boolean(),
    downMs: z.number(),
  }),
} as const;

type EventPayloadSchemas = typeof EVENT_PAYLOADS;
export type EventType = keyof EventPayloadSchemas;
export const EventType = z.enum(Object.keys(EVENT_PAYLOADS) as [EventType, ...EventType[]]);

/** What an event of this type carries besides `type`, `at` and `id`. */
export type EventPayload<K extends EventType> = z.infer<EventPayloadSchemas[K]>;

/**
 * Every event on `/ws/events`, `GET /events` and in `GET /api/events`: its type's
 * payload plus `type`, `at` (ISO time) and `id` once stored (monotonic).
 */
export type BridgeEventOf<K extends EventType> = EventPayload<K> & { type: K; at: string; id?: number };
/** Any event; `event.type` tells which payload it has. */
export type BridgeEvent = { [K in EventType]: BridgeEventOf<K> }[EventType];

/**
 * The fields every event has; the payload rides along unchecked. The store reads
 * its rows with this: a row keeps the shape the build that wrote it gave it.
 */
export const EventEnvelope = z
  .object({
    type: EventType,
    at: IsoDate,
    id: z.number().int().optional(),
  })
  .passthrough();
/** An event of a known type whose payload the map has not checked: what the event tables hold and their own tests write. */
export type UncheckedEvent = z.input<typeof EventEnvelope>;

/** Checks a whole event: its envelope, then its payload against its type's schema (unknown payload keys are dropped). */
export function parseBridgeEvent(value: unknown): { success: true; data: BridgeEvent } | { success: false; error: z.ZodError } {
  const envelope = EventEnvelope.safeParse(value);
  if (!envelope.success) return { success: false, error: envelope.error };
  const { type, at, id } = envelope.data;
  const payload = EVENT_PAYLOADS[type].safeParse(value);
  if (!payload.success) return { success: false, error: payload.error };
  const event = { ...payload.data, type, at, ...(id === undefined ? {} : { id }) } as BridgeEvent;
  return { success: true, data: event };
}

/** A query-string time: an ISO 8601 date-time with Z or an offset, normalised to `toISOString()` (how `at` is stored). */
const QueryTime = z.iso
  .datetime({ offset: true, error: 'expected an ISO time such as 2025-01-31T12:00:00Z' })
  .transform((value) => new Date(value).toISOString());

/**
 * `GET /api/events`. With `since` only: events after it, oldest first (catching up).
 * With `before`: events below it, newest first (paging back through history);
 * `before=latest` starts at the newest event. The other keys filter either way.
 */
export const EventsQuery = z.object({
  since: QueryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  before: z.union([z.literal('latest'), QueryInt(1, Number.MAX_SAFE_INTEGER)]).optional(),
  limit: QueryInt(1, 1000).optional(),
  type: EventType.optional(),
  host: z.string().min(1).max(200).optional(),
  pipeline: z.string().min(1).max(200).optional(),
  /** Only events at or after this time. */
  from: QueryTime.optional(),
  /** Only events at or before this time. */
  to: QueryTime.optional(),
});
export type EventsQuery = z.infer<typeof EventsQuery>;

/** What the event stores (the durable repository, the in-memory sink) are asked for. */
export interface EventListQuery {
  /** Only ids above this one (default 0). */
  readonly since?: number;
  /** Only ids below this one, and newest first; without it, oldest first. */
  readonly before?: number;
  readonly limit?: number;
  readonly type?: EventType;
  /** The event's host, wherever its type keeps it (EVENT_SUBJECT_PATHS). */
  readonly host?: string;
  readonly pipeline?: string;
  /** ISO times as `toISOString()` writes them (compared as text, like the stored `at`). */
  readonly from?: string;
  readonly to?: string;
}

/**
 * Where each event type keeps the host and the pipeline it is about, as dotted
 * paths into the event (its stored payload): STAGE_UPDATED and STAGE_ACTIONS at the
 * top, APPROVAL_* under `approval`, NOTIFICATION under `notification.payload`.
 * The first path that holds a value counts. Session and config events have neither.
 */
export const EVENT_SUBJECT_PATHS: Readonly<Record<'host' | 'pipeline', readonly string[]>> = {
  host: ['host', 'approval.host', 'notification.payload.host'],
  pipeline: ['pipeline', 'approval.pipeline', 'notification.payload.pipeline'],
};
