import { ruleIssue, type FlowRunDetail, type RouteToSessionBody } from '../../../schemas/index.ts';
import { Disposable } from '../../../base/lifecycle.ts';
import type { EventBus } from '../../events/index.ts';
import { ApiError } from '../../../base/errors.ts';
import type { FlowRepository } from '../../store/index.ts';
import type { FlowExecution, FlowExecutor, FlowSessions } from './executor.ts';
import { FlowCatalog } from './flows.ts';
import { FlowRunner } from './runner.ts';

export interface FlowServiceOptions {
  readonly repo: FlowRepository;
  readonly executor: FlowExecutor;
  readonly bus: EventBus;
  readonly sessions: FlowSessions;
  readonly log: (message: string) => void;
}

/** Orchestrator flows: the catalog (durable, validated flows) and the runner. */
export class FlowService extends Disposable {
  readonly catalog: FlowCatalog;
  readonly runner: FlowRunner;

  constructor(private readonly options: FlowServiceOptions) {
    super();
    this.catalog = new FlowCatalog(options.repo);
    this.runner = this.register(new FlowRunner(options.repo, options.executor, options.bus, options.sessions, options.log));
  }

  /** Settles and continues runs that were going when the server stopped. */
  start(): Promise<void> {
    return this.runner.start();
  }

  execute(flowId: string, variables: Record<string, string>): Promise<FlowRunDetail> {
    const flow = this.catalog.get(flowId);
    const unknown = Object.keys(variables).filter((name) => !Object.hasOwn(flow.variables, name));
    if (unknown.length) {
      throw new ApiError(
        400,
        'invalid_body',
        `variables.${unknown[0]}: the flow has no variable "${unknown[0]}" (it has: ${Object.keys(flow.variables).join(', ') || 'none'})`,
        unknown.map((name) => ruleIssue('flow_unknown_variable', ['variables', name], `the flow has no variable "${name}" (it has: ${Object.keys(flow.variables).join(', ') || 'none'})`, { name })),
      );
    }
    return this.runner.execute(flow, variables);
  }

  /**
   * Route to session: sends text, or a run node's filled-in instruction, into a
   * session through the same execute path as a sendToSession node.
   */
  routeToSession(body: RouteToSessionBody): Promise<FlowExecution> {
    let prompt = body.text;
    let tool = body.tool;
    if (prompt === undefined) {
      const run = this.runner.get(body.runId!);
      const node = run.flow.nodes.find((n) => n.id === body.nodeId);
      if (!node) throw new ApiError(404, 'node_not_found', `run "${run.runId}" has no node "${body.nodeId}"`);
      prompt = run.nodes[node.id]?.prompt ?? node.data.instruction;
      tool ??= node.data.tool;
    }
    return this.options.executor.executeInSession(body.sessionKey, { prompt, ...(tool ? { tool } : {}) });
  }
}
