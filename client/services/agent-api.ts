import type { Approval, ApprovalDecision, BridgeEvent, Overview, PipelineView } from '../../schemas/index.ts';
import { ApiError, type ApiClient } from './api.ts';
import {
  readAgentConfig,
  readApproval,
  readApprovalList,
  readNotificationList,
  readOverview,
  readPaneList,
  readPipeline,
  readPipelineList,
} from './agent-guards.ts';
import type { ConfigView, NotificationRow, PaneInfo } from './agent-types.ts';
import { isBridgeEvent, isObject } from './guards.ts';

const enc = encodeURIComponent;

function unexpected(what: string): ApiError {
  return new ApiError(0, 'bad_response', `the server sent an unexpected ${what}`);
}

/** The agent board's REST calls, typed; every answer is read with agent-guards.ts. */
export class AgentApi {
  constructor(private readonly api: ApiClient) {}

  private async get<T>(path: string, read: (body: unknown) => T | undefined, what: string): Promise<T> {
    const value = read(await this.api.call('GET', path));
    if (value === undefined) throw unexpected(what);
    return value;
  }

  overview(): Promise<Overview> {
    return this.get('/api/overview', readOverview, 'overview');
  }

  pipelines(): Promise<PipelineView[]> {
    return this.get('/api/pipelines', readPipelineList, 'pipeline list');
  }

  pipeline(name: string): Promise<PipelineView> {
    return this.get(`/api/pipelines/${enc(name)}`, readPipeline, 'pipeline');
  }

  /** Retry or reset one stage of one pane. */
  async stageCommand(command: 'retry' | 'reset', pipeline: string, stage: string, host: string, paneId: string): Promise<void> {
    await this.api.call('POST', `/api/pipelines/${enc(pipeline)}/stages/${enc(stage)}/${command}`, { host, paneId });
  }

  pendingApprovals(): Promise<Approval[]> {
    return this.get('/api/approvals', readApprovalList, 'approval list');
  }

  decidedApprovals(limit: number): Promise<Approval[]> {
    return this.get(`/api/approvals?status=decided&limit=${limit}`, readApprovalList, 'approval list');
  }

  /** Resolves with the decided approval when the server returns it. */
  async decide(id: string, decision: ApprovalDecision, note: string | undefined): Promise<Approval | undefined> {
    const body = await this.api.call('POST', `/api/approvals/${enc(id)}`, note ? { decision, note } : { decision });
    return readApproval(isObject(body) && isObject(body.approval) ? body.approval : body);
  }

  notifications(limit: number, status?: string): Promise<NotificationRow[]> {
    return this.get(`/api/notifications?limit=${limit}${status ? `&status=${enc(status)}` : ''}`, readNotificationList, 'notification list');
  }

  /** Stored events with id > since, oldest first. */
  async events(query: { since?: number; limit?: number; type?: string }): Promise<{ events: BridgeEvent[]; next: number }> {
    const params = new URLSearchParams();
    if (query.since !== undefined) params.set('since', String(query.since));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.type) params.set('type', query.type);
    const body = await this.api.call('GET', `/api/events?${params}`);
    if (!isObject(body) || !Array.isArray(body.events)) throw unexpected('event page');
    const events = body.events.filter(isBridgeEvent);
    const next = typeof body.next === 'number' ? body.next : (events.at(-1)?.id ?? query.since ?? 0);
    return { events, next };
  }

  panes(): Promise<PaneInfo[]> {
    return this.get('/api/panes', readPaneList, 'pane list');
  }

  config(): Promise<ConfigView> {
    return this.get('/api/agent/config', readAgentConfig, 'config');
  }
}
