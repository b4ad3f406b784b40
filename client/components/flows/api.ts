import type { Flow, FlowExport, FlowInputRaw, FlowRunDetail, RouteToSessionBody } from '../../../schemas/index.ts';
import type { ApiClient } from '../../services/api.ts';

const enc = encodeURIComponent;

/** The orchestrator API (`/api/orchestrator`), typed for the flows pages. */
export class FlowsApi {
  constructor(private readonly api: ApiClient) {}

  async list(): Promise<Flow[]> {
    return ((await this.api.raw('GET', '/api/orchestrator/flows')) as { flows: Flow[] }).flows;
  }

  async get(id: string): Promise<Flow> {
    return (await this.api.raw('GET', `/api/orchestrator/flows/${enc(id)}`)) as Flow;
  }

  async save(id: string | undefined, body: FlowInputRaw): Promise<Flow> {
    return (await (id ? this.api.raw('PUT', `/api/orchestrator/flows/${enc(id)}`, body) : this.api.raw('POST', '/api/orchestrator/flows', body))) as Flow;
  }

  async remove(id: string): Promise<void> {
    await this.api.call('DELETE', `/api/orchestrator/flows/${enc(id)}`);
  }

  async duplicate(id: string): Promise<Flow> {
    return (await this.api.raw('POST', `/api/orchestrator/flows/${enc(id)}/duplicate`, {})) as Flow;
  }

  async export(id: string): Promise<FlowExport> {
    return (await this.api.raw('GET', `/api/orchestrator/flows/${enc(id)}/export`)) as FlowExport;
  }

  async import(body: unknown): Promise<Flow> {
    return (await this.api.raw('POST', '/api/orchestrator/flows/import', body)) as Flow;
  }

  async execute(id: string, variables: Record<string, string>): Promise<string> {
    return ((await this.api.raw('POST', `/api/orchestrator/flows/${enc(id)}/execute`, { variables })) as { runId: string }).runId;
  }

  async runs(flowId?: string): Promise<FlowRunDetail[]> {
    const query = flowId ? `?flowId=${enc(flowId)}` : '';
    return ((await this.api.raw('GET', `/api/orchestrator/runs${query}`)) as { runs: FlowRunDetail[] }).runs;
  }

  async run(runId: string): Promise<FlowRunDetail> {
    return (await this.api.raw('GET', `/api/orchestrator/runs/${enc(runId)}`)) as FlowRunDetail;
  }

  async control(runId: string, action: 'pause' | 'resume' | 'stop'): Promise<FlowRunDetail> {
    return (await this.api.raw('POST', `/api/orchestrator/runs/${enc(runId)}/${action}`)) as FlowRunDetail;
  }

  /** Route to session: the same execute path as a sendToSession node. */
  async route(body: RouteToSessionBody): Promise<{ executionId: string; command: string | null; sessionKey: string }> {
    return (await this.api.raw('POST', '/api/orchestrator/route', body)) as { executionId: string; command: string | null; sessionKey: string };
  }
}

/** The terminal page at the point where an execution started (the same link the queues use). */
export { terminalHref } from '../../services/router.ts';
