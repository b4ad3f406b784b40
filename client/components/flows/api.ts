import type { Flow, FlowExport, FlowInputRaw, FlowRunDetail, RouteAccepted, RouteToSessionBody } from '../../../schemas/index.ts';
import type { ApiClient } from '../../services/api.ts';

const enc = encodeURIComponent;

/** The orchestrator API (`/api/orchestrator`) for the flows pages; every answer checked with its schema. */
export class FlowsApi {
  constructor(private readonly api: ApiClient) {}

  async list(): Promise<Flow[]> {
    return (await this.api.get('/api/orchestrator/flows', 'FlowList')).flows;
  }

  async get(id: string): Promise<Flow> {
    return await this.api.get(`/api/orchestrator/flows/${enc(id)}`, 'Flow');
  }

  async save(id: string | undefined, body: FlowInputRaw): Promise<Flow> {
    return await (id ? this.api.send('PUT', `/api/orchestrator/flows/${enc(id)}`, body, 'Flow') : this.api.send('POST', '/api/orchestrator/flows', body, 'Flow'));
  }

  async remove(id: string): Promise<void> {
    await this.api.call('DELETE', `/api/orchestrator/flows/${enc(id)}`);
  }

  async duplicate(id: string): Promise<Flow> {
    return await this.api.send('POST', `/api/orchestrator/flows/${enc(id)}/duplicate`, {}, 'Flow');
  }

  async export(id: string): Promise<FlowExport> {
    return await this.api.get(`/api/orchestrator/flows/${enc(id)}/export`, 'FlowExport');
  }

  async import(body: unknown): Promise<Flow> {
    return await this.api.send('POST', '/api/orchestrator/flows/import', body, 'Flow');
  }

  async execute(id: string, variables: Record<string, string>): Promise<string> {
    return (await this.api.send('POST', `/api/orchestrator/flows/${enc(id)}/execute`, { variables }, 'FlowStarted')).runId;
  }

  async runs(flowId?: string): Promise<FlowRunDetail[]> {
    const query = flowId ? `?flowId=${enc(flowId)}` : '';
    return (await this.api.get(`/api/orchestrator/runs${query}`, 'FlowRunList')).runs;
  }

  async run(runId: string): Promise<FlowRunDetail> {
    return await this.api.get(`/api/orchestrator/runs/${enc(runId)}`, 'FlowRunDetail');
  }

  async control(runId: string, action: 'pause' | 'resume' | 'stop'): Promise<FlowRunDetail> {
    return await this.api.send('POST', `/api/orchestrator/runs/${enc(runId)}/${action}`, undefined, 'FlowRunDetail');
  }

  /** Route to session: the same execute path as a sendToSession node. */
  async route(body: RouteToSessionBody): Promise<RouteAccepted> {
    return await this.api.send('POST', '/api/orchestrator/route', body, 'RouteAccepted');
  }
}

/** The terminal page at the point where an execution started (the same link the queues use). */
export { terminalHref } from '../../services/router.ts';
