import { computed } from '@preact/signals';
import type { ApprovalDecision, ApprovalView, BridgeEvent } from '../../schemas/index.ts';
import type { AgentApi } from './agent-api.ts';
import { readCreatedSessionPane, readEventApproval, readStageUpdate } from './event-readers.ts';
import type { EventFeed } from './events.ts';
import { LiveResource } from './resource.ts';

export interface ApprovalLists {
  /** Oldest first: the one waiting longest is on top. */
  readonly pending: readonly ApprovalView[];
  /** Newest decision first. */
  readonly decided: readonly ApprovalView[];
}

const DECIDED_LIMIT = 50;

const byRequested = (a: ApprovalView, b: ApprovalView) => Date.parse(a.requestedAt) - Date.parse(b.requestedAt);
const byDecided = (a: ApprovalView, b: ApprovalView) => Date.parse(b.decidedAt ?? b.requestedAt) - Date.parse(a.decidedAt ?? a.requestedAt);

/** Puts a decided approval into the lists: out of pending, into decided (once). */
function withDecided(data: ApprovalLists, approval: ApprovalView): ApprovalLists {
  const pending = data.pending.filter((a) => a.id !== approval.id);
  const decided = [approval, ...data.decided.filter((a) => a.id !== approval.id)].sort(byDecided).slice(0, DECIDED_LIMIT);
  return { pending, decided };
}

/**
 * Pending and recently decided approvals, live from APPROVAL_REQUESTED and
 * APPROVAL_DECIDED. Always in use: the nav shows how many wait.
 */
export class ApprovalStore extends LiveResource<ApprovalLists> {
  protected readonly refetchOn: ReadonlySet<string> = new Set<string>();
  readonly pendingCount = computed(() => this.data.value?.pending.length ?? 0);

  constructor(
    feed: EventFeed,
    private readonly agent: AgentApi,
  ) {
    super(feed);
  }

  protected async load(): Promise<ApprovalLists> {
    const [pending, decided] = await Promise.all([
      this.agent.pendingApprovals(),
      // An older server without ?status=decided: the pending list still works.
      this.agent.decidedApprovals(DECIDED_LIMIT).catch(() => [] as ApprovalView[]),
    ]);
    return { pending: pending.filter((a) => a.status === 'pending').sort(byRequested), decided: decided.filter((a) => a.status !== 'pending').sort(byDecided) };
  }

  protected apply(data: ApprovalLists, event: BridgeEvent): ApprovalLists {
    switch (event.type) {
      case 'APPROVAL_REQUESTED': {
        const approval = readEventApproval(event);
        if (!approval || approval.status !== 'pending') return data;
        // Replayed after its decision, or already known: nothing to add.
        if (data.pending.some((a) => a.id === approval.id) || data.decided.some((a) => a.id === approval.id)) return data;
        return { ...data, pending: [...data.pending, approval].sort(byRequested) };
      }
      case 'APPROVAL_DECIDED': {
        const approval = readEventApproval(event);
        if (!approval) return data;
        return withDecided(data, approval.status === 'pending' ? { ...approval, status: 'cancelled' } : approval);
      }
      case 'STAGE_UPDATED': {
        // A retry or reset cancels a pending approval; the stage leaving WAITING_APPROVAL says so
        // even if no APPROVAL_DECIDED comes for the cancellation.
        const u = readStageUpdate(event);
        if (!u || u.status === 'WAITING_APPROVAL') return data;
        const at = Date.parse(u.at);
        const pending = data.pending.filter(
          (a) => !(a.host === u.host && a.paneId === u.paneId && a.pipeline === u.pipeline && a.stage === u.stage && Date.parse(a.requestedAt) <= at),
        );
        return pending.length === data.pending.length ? data : { ...data, pending };
      }
      case 'CLI_SESSION_CREATED': {
        // A pending approval's pane just got its terminal: the server's view says which.
        const created = readCreatedSessionPane(event);
        if (created && data.pending.some((a) => a.sessionKey === null && a.paneId === created.paneId)) this.refetchForUnknown(`session\u0000${created.sessionKey}`);
        return data;
      }
      default:
        return data;
    }
  }

  /** Decides from the web; the list changes at once when the server answers with the approval. */
  async decide(id: string, decision: ApprovalDecision, note: string | undefined): Promise<void> {
    const approval = await this.agent.decide(id, decision, note);
    if (approval && approval.status !== 'pending') this.update((data) => withDecided(data, approval));
  }
}
