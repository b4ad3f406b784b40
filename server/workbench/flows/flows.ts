import { randomBytes } from 'node:crypto';
import { Flow, FlowExport, FlowInput, flowProblems, type FlowInputRaw } from '../../../schemas/index.ts';
import type { FlowRepository } from '../../store/index.ts';
import { ApiError } from '../../../base/errors.ts';

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** 400 naming the node(s) when the flow breaks a graph rule (a cycle, a missing target, an undefined `{{name}}`). */
export function assertValidFlow(flow: FlowInput): void {
  const problems = flowProblems(flow);
  if (!problems.length) return;
  throw new ApiError(
    400,
    'invalid_flow',
    problems.map((p) => p.message).join('; '),
    problems.map((p) => ({ path: p.path, nodeId: p.nodeId, code: p.code, params: p.params, message: p.message })),
  );
}

/** Flows: durable, validated on every save. */
export class FlowCatalog {
  constructor(private readonly repo: FlowRepository) {}

  list(): Flow[] {
    return this.repo.list();
  }

  get(id: string): Flow {
    const flow = this.repo.get(id);
    if (!flow) throw new ApiError(404, 'flow_not_found', `no flow "${id}" (GET /api/orchestrator/flows lists them)`);
    return flow;
  }

  async create(input: FlowInput): Promise<Flow> {
    assertValidFlow(input);
    const now = new Date().toISOString();
    return this.repo.put({ ...input, id: newId('f'), createdAt: now, updatedAt: now });
  }

  async update(id: string, input: FlowInput): Promise<Flow> {
    const current = this.get(id);
    assertValidFlow(input);
    const now = new Date().toISOString();
    return this.repo.put({ ...input, id, createdAt: current.createdAt, updatedAt: now > current.updatedAt ? now : current.updatedAt });
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repo.delete(id))) this.get(id);
  }

  async duplicate(id: string, name?: string): Promise<Flow> {
    const { id: _id, createdAt: _c, updatedAt: _u, ...body } = this.get(id);
    return this.create({ ...body, name: name ?? `${body.name} (copy)` });
  }

  export(id: string): FlowExport {
    const { createdAt: _c, updatedAt: _u, ...body } = this.get(id);
    return { format: 'tmux-bridge.flow/1', ...body };
  }

  /** Imports an exported flow (or a plain flow body) as a new flow. */
  async import(raw: FlowInputRaw): Promise<Flow> {
    return this.create(FlowInput.parse(raw));
  }
}

export { Flow };
