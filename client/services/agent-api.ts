import type { ApprovalDecision, ApprovalView, BridgeEvent, NotificationRecord, Overview, PipelineView } from '../../schemas/index.ts';
import { t } from '../i18n/index.ts';
import { ApiError, type ApiClient } from './api.ts';
import {
  readApproval,
  readApprovalList,
  readNotificationList,
  readOverview,
  readPaneList,
  readPipeline,
  readPipelineList,
  readTransition,
} from './agent-guards.ts';
import type { ConfigView, PaneInfo, StageTransition } from './agent-types.ts';
import { readAgentConfig } from './config-guards.ts';
import { isBridgeEvent, isObject } from './guards.ts';

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

function unexpected(what: string): ApiError {
  return new ApiError(0, 'bad_response', t('error.badResponse', { what }));
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

  pendingApprovals(): Promise<ApprovalView[]> {
    return this.get('/api/approvals', readApprovalList, 'approval list');
  }

  decidedApprovals(limit: number): Promise<ApprovalView[]> {
    return this.get(`/api/approvals?status=decided&limit=${limit}`, readApprovalList, 'approval list');
  }

  /** Resolves with the decided approval when the server returns it. */
  async decide(id: string, decision: ApprovalDecision, note: string | undefined): Promise<ApprovalView | undefined> {
    const body = await this.api.call('POST', `/api/approvals/${enc(id)}`, note ? { decision, note } : { decision });
    return readApproval(isObject(body) && isObject(body.approval) ? body.approval : body);
  }

  notifications(limit: number, status?: string): Promise<NotificationRecord[]> {
    return this.get(`/api/notifications?limit=${limit}${status ? `&status=${enc(status)}` : ''}`, readNotificationList, 'notification list');
  }

  /**
   * Stored events, filtered by the server: with `before` (an id, or "latest"), below it
   * newest first, `next` being the `before` of the next older page (null: nothing older);
   * with `since` only, after it oldest first.
   */
  async events(query: EventPageQuery): Promise<{ events: BridgeEvent[]; next: number | null }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
    const body = await this.api.call('GET', `/api/events?${params}`);
    if (!isObject(body) || !Array.isArray(body.events)) throw unexpected('event page');
    const events = body.events.filter(isBridgeEvent);
    const next = typeof body.next === 'number' ? body.next : (events.at(-1)?.id ?? null);
    return { events, next };
  }

  /** One stage's stored transitions on one pane, newest first. */
  async stageHistory(query: { host: string; paneId: string; pipeline: string; stage: string; limit: number }): Promise<StageTransition[]> {
    const params = new URLSearchParams({ ...query, limit: String(query.limit) });
    const body = await this.api.call('GET', `/api/stage-history?${params}`);
    if (!isObject(body) || !Array.isArray(body.history)) throw unexpected('stage history');
    return body.history.flatMap((row) => readTransition(row) ?? []);
  }

  panes(): Promise<PaneInfo[]> {
    return this.get('/api/panes', readPaneList, 'pane list');
  }

  config(): Promise<ConfigView> {
    return this.get('/api/agent/config', readAgentConfig, 'config');
  }
}
