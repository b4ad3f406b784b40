import * as z from 'zod/mini';
import { ApprovalDecision, ApprovalEventPayload, NotificationRecord, PaneTailPayload, StageActionsPayload, StageUpdatedEvent } from './agent.ts';
import { AgentConfigView, ConfigIssueView, HostConnectionView } from './agent-config-view.ts';
import { IsoDate } from './common.ts';
import { CliOutputChunk, Execution, ExecutionStatus } from './execution-view.ts';
import { FlowRun } from './flow-view.ts';
import { ControlHealth } from './health.ts';
import { Issue } from './issue-view.ts';
import { Queue } from './queue-view.ts';
import { CliSession } from './session-view.ts';

/* zod/mini: the client checks every event with the map (see common.ts); the events query is in events.ts. */

const SessionEventPayload = z.object({ sessionKey: z.string(), session: CliSession });

/**
 * The event map: every event type and the payload it carries. `publish`, the event
 * streams, the store and the client all take their types from here, so a payload that
 * does not fit its type is a compile error. The bus adds `type`, `at` and, once the
 * event is stored, `id` (BridgeEvent).
 */
export const EVENT_PAYLOADS = {
  CLI_SESSION_CREATED: SessionEventPayload,
  CLI_SESSION_CLOSED: z.object({ sessionKey: z.string(), exitCode: z.nullable(z.int()) }),
  /**
   * `paneId` when a pane is known, `name` when tmux refused to create the session; `code` and
   * `params` when the bridge worded the message itself (schemas/session-error.ts), for the UI.
   */
  CLI_SESSION_ERROR: z.object({
    sessionKey: z.nullable(z.string()),
    paneId: z.optional(z.string()),
    name: z.optional(z.string()),
    message: z.string(),
    code: z.optional(z.string()),
    params: z.optional(z.record(z.string(), z.string())),
  }),
  CLI_SESSION_UPDATED: SessionEventPayload,
  /** Records of closed sessions were removed (DELETE, clear-closed); `issueIds`: the issues they belonged to. */
  CLI_SESSION_REMOVED: z.object({ sessionKeys: z.array(z.string()), issueIds: z.array(z.string()) }),
  STAGE_UPDATED: StageUpdatedEvent,
  APPROVAL_REQUESTED: ApprovalEventPayload,
  /** `decision` null: cancelled (the pane closed, or the stage moved on without it). */
  APPROVAL_DECIDED: z.extend(ApprovalEventPayload, { decision: z.nullable(ApprovalDecision) }),
  NOTIFICATION: z.object({ notification: NotificationRecord }),
  /** An issue as it is now (with the sort orders a move changed), or the id of one deleted. */
  ISSUE_UPDATED: z.union([
    z.object({ issue: Issue, reordered: z.optional(z.record(z.string(), z.number())) }),
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
  CONFIG_ERROR: z.object({ errors: z.array(z.string()), warnings: z.array(z.string()), issues: z.array(z.omit(ConfigIssueView, { text: true })) }),
  PANE_TAIL: PaneTailPayload,
  STAGE_ACTIONS: StageActionsPayload,
  CLI_EXECUTION_STARTED: z.object({ executionId: z.string(), execution: Execution }),
  CLI_OUTPUT: z.omit(CliOutputChunk, { at: true }),
  /** `execution` is absent when a run found unfinished after a restart is closed. */
  CLI_EXECUTION_COMPLETED: z.object({ executionId: z.string(), status: ExecutionStatus, exitCode: z.nullable(z.int()), execution: z.optional(Execution) }),
  FLOW_RUN_UPDATED: z.object({ run: FlowRun }),
  /** A remote host's connection changed (connected, reconnecting with the reason, auth failed…). Not stored. */
  HOST_STATUS: z.object({ host: z.string(), connection: HostConnectionView }),
  /** The bridge's connection to its own tmux server changed (connected, slow, reconnecting). Not stored. */
  TMUX_STATUS: z.object({ control: ControlHealth }),
  /** A remote pane printed `lines` lines while its output was not received (its host's connection was down). Stored. */
  STREAM_GAP: z.object({
    host: z.string(),
    paneId: z.string(),
    sessionKey: z.nullable(z.string()),
    lines: z.int(),
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
export const EventEnvelope = z.looseObject({
  type: EventType,
  at: IsoDate,
  id: z.optional(z.int()),
});
/** An event of a known type whose payload the map has not checked: what the event tables hold and their own tests write. */
export type UncheckedEvent = z.input<typeof EventEnvelope>;

/** Checks a whole event: its envelope, then its payload against its type's schema (unknown payload keys are dropped). */
export function parseBridgeEvent(value: unknown): { success: true; data: BridgeEvent } | { success: false; error: z.core.$ZodError } {
  const envelope = EventEnvelope.safeParse(value);
  if (!envelope.success) return { success: false, error: envelope.error };
  const { type, at, id } = envelope.data;
  const payload = EVENT_PAYLOADS[type].safeParse(value);
  if (!payload.success) return { success: false, error: payload.error };
  const event = { ...payload.data, type, at, ...(id === undefined ? {} : { id }) } as BridgeEvent;
  return { success: true, data: event };
}

/** `GET /api/events`: stored events (envelopes: older rows keep their shape), and where the next page starts. */
export const EventPage = z.object({ events: z.array(EventEnvelope), next: z.optional(z.nullable(z.int())) });
export type EventPage = z.infer<typeof EventPage>;
