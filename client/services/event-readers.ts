import type { ApprovalView, BridgeEvent, StageStatus, StageView } from '../../schemas/index.ts';
import type { PaneTail } from './agent-types.ts';
import type { EventPayload, EventType } from '../../schemas/index.ts';
import { contractNow } from './schemas.ts';
import type { ReasonLike } from './stage-reason.ts';

/*
 * What the pages read from events, each payload checked with its type's schema
 * (the event map, schemas/events-view.ts). Events only arrive once the feed has loaded the
 * schemas, so they are at hand here without waiting.
 */

/** A STAGE_UPDATED event, as the board applies it. */
export interface StageUpdate {
  readonly host: string;
  readonly paneId: string;
  readonly pipeline: string;
  readonly stage: string;
  readonly status: StageStatus;
  /** The status before, when the status changed; null for a data-only update. */
  readonly from: StageStatus | null;
  readonly retries: number;
  readonly reason: string | null;
  readonly escalateCode: string | null;
  /** Why it moved this time (the engine's words: which condition on which line), if it says. */
  readonly transition: string | null;
  /** The same with its code, for the board to word it (client/components/board/reason.ts). */
  readonly transitionWhy: ReasonLike;
  readonly at: string;
  readonly id: number | undefined;
  /** The stage as the board shows it; null when the policy no longer has the stage. */
  readonly view: StageView | null;
}

export function readStageUpdate(event: BridgeEvent): StageUpdate | undefined {
  const p = event.type === 'STAGE_UPDATED' ? contractNow()?.payload('STAGE_UPDATED', event) : undefined;
  if (!p) return undefined;
  return {
    host: p.host,
    paneId: p.paneId,
    pipeline: p.pipeline,
    stage: p.stage,
    status: p.status,
    from: p.from,
    retries: p.retries,
    reason: p.view ? p.view.reason : (p.reason ?? p.data.reason ?? null),
    escalateCode: p.view ? p.view.escalateCode : (p.escalateCode ?? p.data.escalate_code ?? null),
    transition: p.reason,
    transitionWhy: { reason: p.reason, reasonCode: p.reasonCode, reasonParams: p.reasonParams },
    at: event.at,
    id: event.id,
    view: p.view,
  };
}

/** The approval carried by APPROVAL_REQUESTED / APPROVAL_DECIDED. */
export function readEventApproval(event: BridgeEvent): ApprovalView | undefined {
  if (event.type !== 'APPROVAL_REQUESTED' && event.type !== 'APPROVAL_DECIDED') return undefined;
  return contractNow()?.payload(event.type, event)?.approval;
}

/** The pane of the session a CLI_SESSION_CREATED announces (its terminal now exists). */
export function readCreatedSessionPane(event: BridgeEvent): { sessionKey: string; paneId: string } | undefined {
  const p = event.type === 'CLI_SESSION_CREATED' ? contractNow()?.payload('CLI_SESSION_CREATED', event) : undefined;
  return p ? { sessionKey: p.sessionKey, paneId: p.session.tmux.paneId } : undefined;
}

/** A PANE_TAIL event's lines. */
export function readPaneTail(event: BridgeEvent): PaneTail | undefined {
  return event.type === 'PANE_TAIL' ? contractNow()?.payload('PANE_TAIL', event) : undefined;
}

/**
 * The payload of an event of this type, checked; undefined for another type or a payload
 * that does not fit. Live events were checked whole by the feed; stored ones (the history
 * page) keep the shape of the build that wrote them, so a reader checks what it reads.
 */
export function payloadOf<K extends EventType>(event: BridgeEvent, type: K): EventPayload<K> | undefined {
  return event.type === type ? contractNow()?.payload(type, event) : undefined;
}
