import type { ApprovalDecision, ApprovalView, BridgeEvent, NotificationRecord, Overview, PipelineView } from '../../schemas/index.ts';
import type { ApiClient } from './api.ts';
import type { ConfigView, PaneInfo, StageTransition } from './agent-types.ts';

const enc = encodeURIComponent;

/** `GET /api/events`: every key optional; empty ones are left out of the URL. */
export interface EventPageQuery {
  readonly since?: number;
  readonly before?: number | 'latest';
  readonly limit?: number;
  readonly type?: string;
  readonly host?: string;
  readonly pipeline?: string;
  /** ISO time: only events at or after it. */
  readonly from?: string;
}

/** The agent board's REST calls, typed; every answer is checked with its schema (contract.ts). */
export class AgentApi {
  constructor(private readonly api: ApiClient) {}

  overview(): Promise<Overview> {
    return this.api.get('/api/overview', 'Overview');
  }

  async pipelines(): Promise<PipelineView[]> {
    return (await this.api.get('/api/pipelines', 'PipelineList')).pipelines;
  }

  pipeline(name: string): Promise<PipelineView> {
    return this.api.get(`/api/pipelines/${enc(name)}`, 'PipelineView');
  }

  /** Retry or reset one stage of one pane. */
  async stageCommand(command: 'retry' | 'reset', pipeline: string, stage: string, host: string, paneId: string): Promise<void> {
    await this.api.call('POST', `/api/pipelines/${enc(pipeline)}/stages/${enc(stage)}/${command}`, { host, paneId });
  }

  async pendingApprovals(): Promise<ApprovalView[]> {
    return (await this.api.get('/api/approvals', 'ApprovalList')).approvals;
  }

  async decidedApprovals(limit: number): Promise<ApprovalView[]> {
    return (await this.api.get(`/api/approvals?status=decided&limit=${limit}`, 'ApprovalList')).approvals;
  }

  /** Resolves with the decided approval. */
  async decide(id: string, decision: ApprovalDecision, note: string | undefined): Promise<ApprovalView> {
    return (await this.api.send('POST', `/api/approvals/${enc(id)}`, note ? { decision, note } : { decision }, 'ApprovalDecisionResult')).approval;
  }

  async notifications(limit: number, status?: string): Promise<NotificationRecord[]> {
    return (await this.api.get(`/api/notifications?limit=${limit}${status ? `&status=${enc(status)}` : ''}`, 'NotificationList')).notifications;
  }

  /**
   * Stored events, filtered by the server: with `before` (an id, or "latest"), below it
   * newest first, `next` being the `before` of the next older page (null: nothing older);
   * with `since` only, after it oldest first.
   */
  async events(query: EventPageQuery): Promise<{ events: BridgeEvent[]; next: number | null }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
    const body = await this.api.get(`/api/events?${params}`, 'EventPage');
    // Stored events keep the shape the build that wrote them gave them: their envelope is checked here, a payload where it is read.
    const events = body.events as BridgeEvent[];
    return { events, next: body.next ?? events.at(-1)?.id ?? null };
  }

  /** One stage's stored transitions on one pane, newest first. */
  async stageHistory(query: { host: string; paneId: string; pipeline: string; stage: string; limit: number }): Promise<StageTransition[]> {
    const params = new URLSearchParams({ ...query, limit: String(query.limit) });
    return (await this.api.get(`/api/stage-history?${params}`, 'StageHistoryList')).history;
  }

  async panes(): Promise<PaneInfo[]> {
    return (await this.api.get('/api/panes', 'PaneList')).panes;
  }

  config(): Promise<ConfigView> {
    return this.api.get('/api/agent/config', 'AgentConfigView');
  }
}
