import {
  FLOW_OUTPUT_MAX,
  ancestorsOf,
  fillTemplate,
  upstreamOf,
  type Flow,
  type FlowNode,
  type FlowNodeState,
  type FlowRun,
  type FlowRunDetail,
} from '../../../schemas/index.ts';
import { Disposable } from '../../../base/lifecycle.ts';
import type { EventBus } from '../../events/index.ts';
import type { FlowRepository } from '../../store/index.ts';
import type { FlowExecution, FlowExecutor, FlowSessions } from './executor.ts';
import { newId } from './flows.ts';
import { ApiError, errorMessage } from '../../../base/errors.ts';
import { flowRunReasonFields, flowRunReasonText } from '../../../schemas/flow-reason.ts';

/** Terminal control sequences and carriage returns: outputs feed prompts as plain text. */
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\r/g;

export function outputText(raw: string | null | undefined): string {
  const text = (raw ?? '').replace(ANSI, '').replace(/\s+$/, '');
  return text.length > FLOW_OUTPUT_MAX ? text.slice(text.length - FLOW_OUTPUT_MAX) : text;
}

/** The run as events carry it: outputs cut short (GET /api/orchestrator/runs/:id has them whole). */
const EVENT_OUTPUT_MAX = 2000;
export function runForEvent(run: FlowRunDetail): FlowRun {
  const { flow: _flow, ...rest } = run;
  const nodes: Record<string, FlowNodeState> = {};
  for (const [id, s] of Object.entries(rest.nodes)) {
    nodes[id] = s.output && s.output.length > EVENT_OUTPUT_MAX ? { ...s, output: s.output.slice(s.output.length - EVENT_OUTPUT_MAX) } : s;
  }
  return { ...rest, nodes };
}

const ENDED = new Set(['completed', 'failed', 'timeout', 'cancelled']);

function freshNode(): FlowNodeState {
  return { status: 'pending', executionId: null, output: null, sessionKey: null, offsetStart: null, prompt: null, error: null, startedAt: null, endedAt: null, attempts: 0 };
}

/**
 * The name of the session a `terminal: true` node opens: "<flow> - <node> <run>", in the
 * characters a tmux session name may hold (no `:` or `.`, see schemas SessionName), and
 * unique per run and attempt (an existing name is refused).
 */
export function terminalSessionName(flowName: string, nodeName: string, runId: string, attempt: number): string {
  const clean = (text: string) => text.replace(/[^A-Za-z0-9_ +@-]+/g, '-').replace(/\s+/g, ' ');
  const suffix = ` ${runId.replace(/^r_/, '').slice(0, 6)}${attempt > 1 ? `-${attempt}` : ''}`;
  const base = clean(`${flowName} - ${nodeName}`).replace(/^[^A-Za-z0-9_]+/, '').slice(0, 64 - suffix.length).trimEnd();
  return `${base || 'flow'}${suffix}`;
}

/**
 * Runs flows: a node starts when all its upstream nodes are done, independent
 * branches at once. Every change is durable before anything depends on it: a
 * node's start is written before its execution starts, so after `kill -9` the
 * runner knows which nodes ran and settles them from the executions' stored
 * state instead of running them again.
 */
export class FlowRunner extends Disposable {
  private readonly runs = new Map<string, FlowRunDetail>();
  /** executionId → where it belongs. */
  private readonly byExecution = new Map<string, { runId: string; nodeId: string }>();

  constructor(
    private readonly repo: FlowRepository,
    private readonly executor: FlowExecutor,
    private readonly bus: EventBus,
    private readonly sessions: FlowSessions,
    private readonly log: (message: string) => void,
  ) {
    super();
    this.register(this.executor.onDidUpdate((execution) => this.onExecution(execution)));
  }

  /** Picks up runs that were going when the server stopped. */
  async start(): Promise<void> {
    for (const run of this.repo.unfinishedRuns()) {
      this.runs.set(run.runId, run);
      for (const [nodeId, state] of Object.entries(run.nodes)) {
        if (state.status === 'running' && state.executionId) this.byExecution.set(state.executionId, { runId: run.runId, nodeId });
      }
    }
    for (const run of [...this.runs.values()]) await this.reconcile(run);
  }

  get(runId: string): FlowRunDetail {
    const run = this.runs.get(runId) ?? this.repo.getRun(runId);
    if (!run) throw new ApiError(404, 'run_not_found', `no flow run "${runId}" (GET /api/orchestrator/runs lists them)`);
    return run;
  }

  list(filter: { flowId?: string; status?: FlowRun['status']; limit?: number } = {}): FlowRunDetail[] {
    return this.repo.listRuns(filter).map((run) => this.runs.get(run.runId) ?? run);
  }

  async execute(flow: Flow, variables: Record<string, string> = {}): Promise<FlowRunDetail> {
    const now = new Date().toISOString();
    const nodes: Record<string, FlowNodeState> = {};
    for (const node of flow.nodes) nodes[node.id] = freshNode();
    const run: FlowRunDetail = {
      runId: newId('r'),
      flowId: flow.id,
      flowName: flow.name,
      status: 'running',
      variables: { ...flow.variables, ...variables },
      nodes,
      reason: null,
      startedAt: now,
      updatedAt: now,
      endedAt: null,
      flow,
    };
    this.runs.set(run.runId, run);
    await this.repo.putRun(run);
    this.announce(run);
    this.schedule(run);
    return run;
  }

  async pause(runId: string): Promise<FlowRunDetail> {
    const run = this.live(runId, ['running'], 'pause');
    run.status = 'paused';
    setReason(run, flowRunReasonText.paused());
    await this.save(run);
    return run;
  }

  /** Continues a paused run; nodes that paused it by failing (onError: pause) run again. */
  async resume(runId: string): Promise<FlowRunDetail> {
    const run = this.live(runId, ['paused'], 'resume');
    for (const node of run.flow.nodes) {
      const state = run.nodes[node.id]!;
      if (state.status === 'failed' && node.data.onError === 'pause') run.nodes[node.id] = { ...freshNode(), attempts: state.attempts };
    }
    run.status = 'running';
    setReason(run, null);
    await this.save(run);
    this.schedule(run);
    return run;
  }

  /** Stops the run: pending nodes are skipped, running ones cancelled. */
  async stop(runId: string): Promise<FlowRunDetail> {
    const run = this.live(runId, ['running', 'paused'], 'stop');
    const now = new Date().toISOString();
    const cancelling: string[] = [];
    for (const [nodeId, state] of Object.entries(run.nodes)) {
      if (state.status === 'pending') run.nodes[nodeId] = { ...state, status: 'skipped' };
      if (state.status === 'running') {
        run.nodes[nodeId] = { ...state, status: 'failed', error: 'stopped: the run was stopped', endedAt: now };
        if (state.executionId) cancelling.push(state.executionId);
      }
    }
    run.status = 'stopped';
    setReason(run, flowRunReasonText.stopped());
    run.endedAt = now;
    await this.save(run);
    this.runs.delete(runId);
    await Promise.all(
      cancelling.map((id) =>
        this.executor.cancel(id).catch((error: unknown) => this.log(`flow run ${runId}: cancelling execution ${id} failed: ${errorMessage(error)}`)),
      ),
    );
    return run;
  }

  private live(runId: string, states: ReadonlyArray<FlowRun['status']>, action: string): FlowRunDetail {
    const run = this.get(runId);
    if (!states.includes(run.status) || !this.runs.has(runId)) {
      throw new ApiError(409, 'run_state', `cannot ${action} run "${runId}": it is ${run.status}`);
    }
    return run;
  }

  private async save(run: FlowRunDetail, nodeId?: string): Promise<void> {
    run.updatedAt = new Date().toISOString();
    if (nodeId) await this.repo.putRunNode(run, nodeId);
    else await this.repo.putRun(run);
    this.announce(run);
  }

  private announce(run: FlowRunDetail): void {
    void this.bus.publish('FLOW_RUN_UPDATED', { run: runForEvent(run) });
  }

  /** A node may start when every upstream node completed, or failed with onError: continue. */
  private ready(run: FlowRunDetail, node: FlowNode, upstream: ReadonlyMap<string, readonly string[]>): boolean {
    return (upstream.get(node.id) ?? []).every((id) => {
      const state = run.nodes[id];
      if (!state) return false;
      if (state.status === 'completed') return true;
      const up = run.flow.nodes.find((n) => n.id === id);
      return state.status === 'failed' && up?.data.onError === 'continue';
    });
  }

  /** Starts every ready node; finishes the run when nothing is left. */
  private schedule(run: FlowRunDetail): void {
    if (run.status !== 'running' || this.isDisposed) return;
    const upstream = upstreamOf(run.flow.nodes, run.flow.edges);
    for (const node of run.flow.nodes) {
      if (run.nodes[node.id]?.status === 'pending' && this.ready(run, node, upstream)) void this.startNode(run, node, upstream);
    }
    this.finishIfDone(run);
  }

  private finishIfDone(run: FlowRunDetail): void {
    // A paused run waits for resume (which finishes it if nothing is left).
    if (run.status !== 'running') return;
    const states = Object.values(run.nodes);
    if (states.some((s) => s.status === 'running')) return;
    const upstream = upstreamOf(run.flow.nodes, run.flow.edges);
    const startable = run.flow.nodes.some((n) => run.nodes[n.id]?.status === 'pending' && this.ready(run, n, upstream));
    if (startable) return;
    // Pending nodes that can never start (an upstream failed and did not continue) are skipped.
    for (const [id, s] of Object.entries(run.nodes)) if (s.status === 'pending') run.nodes[id] = { ...s, status: 'skipped' };
    const failed = run.flow.nodes.filter((n) => run.nodes[n.id]?.status === 'failed' && n.data.onError !== 'continue');
    run.status = failed.length ? 'failed' : 'completed';
    setReason(run, failed.length ? flowRunReasonText.nodeFailed(failed[0]!.id, run.nodes[failed[0]!.id]!.error, false) : null);
    run.endedAt = new Date().toISOString();
    this.runs.delete(run.runId);
    void this.save(run).catch((error: unknown) => this.log(`flow run ${run.runId}: not saved: ${errorMessage(error)}`));
  }

  private valuesFor(run: FlowRunDetail, nodeId: string, upstream: ReadonlyMap<string, readonly string[]>): Record<string, string> {
    const values: Record<string, string> = { ...run.variables };
    for (const id of ancestorsOf(nodeId, upstream)) {
      const node = run.flow.nodes.find((n) => n.id === id);
      const name = node?.data.outputName;
      if (name) values[name] = run.nodes[id]?.output ?? '';
    }
    return values;
  }

  private async startNode(run: FlowRunDetail, node: FlowNode, upstream: ReadonlyMap<string, readonly string[]>): Promise<void> {
    const prompt = fillTemplate(node.data.instruction, this.valuesFor(run, node.id, upstream));
    const previous = run.nodes[node.id]!;
    run.nodes[node.id] = {
      ...freshNode(),
      status: 'running',
      prompt,
      attempts: previous.attempts + 1,
      startedAt: new Date().toISOString(),
      sessionKey: node.data.delivery === 'sendToSession' ? (node.data.targetSessionKey ?? null) : null,
    };
    try {
      // Durable before the execution starts: a restart then knows this node may have run.
      await this.save(run, node.id);
      if (run.nodes[node.id]!.status !== 'running') return;
      const execution = await this.launch(run, node, prompt);
      this.attach(run, node.id, execution);
    } catch (error) {
      if (run.nodes[node.id]!.status !== 'running') return;
      await this.nodeEnded(run, node.id, { status: 'failed', output: null, error: errorMessage(error) });
    }
  }

  private async launch(run: FlowRunDetail, node: FlowNode, prompt: string): Promise<FlowExecution> {
    const d = node.data;
    const common = {
      prompt,
      tool: d.tool,
      ...(d.model ? { model: d.model } : {}),
      ...(d.resumeKey ? { resumeKey: d.resumeKey } : {}),
      ...(d.resumeStrategy ? { resumeStrategy: d.resumeStrategy } : {}),
      ...(d.timeoutS ? { timeoutS: d.timeoutS } : {}),
      flowRunId: run.runId,
    };
    if (d.delivery === 'sendToSession') return this.executor.executeInSession(d.targetSessionKey!, common);
    if (d.terminal) {
      const name = terminalSessionName(run.flowName, d.label || node.id, run.runId, run.nodes[node.id]!.attempts);
      const session = await this.sessions.create({ name, ...(d.workingDir ? { workingDir: d.workingDir } : {}) });
      run.nodes[node.id] = { ...run.nodes[node.id]!, sessionKey: session.sessionKey };
      await this.save(run, node.id);
      return this.executor.executeInSession(session.sessionKey, common);
    }
    return this.executor.executeStateless({ ...common, ...(d.workingDir ? { workingDir: d.workingDir } : {}) });
  }

  /** Binds the started execution to its node; settles at once if it already ended. */
  private attach(run: FlowRunDetail, nodeId: string, execution: FlowExecution): void {
    const state = run.nodes[nodeId]!;
    if (state.status !== 'running') {
      // Stopped while the execution was starting: cancel it.
      void this.executor.cancel(execution.executionId).catch(() => undefined);
      return;
    }
    this.byExecution.set(execution.executionId, { runId: run.runId, nodeId });
    run.nodes[nodeId] = {
      ...state,
      executionId: execution.executionId,
      sessionKey: execution.sessionKey ?? state.sessionKey,
      offsetStart: execution.offsetStart,
    };
    const latest = this.executor.get(execution.executionId) ?? execution;
    if (ENDED.has(latest.status)) void this.onExecution(latest);
    else void this.save(run, nodeId).catch((error: unknown) => this.log(`flow run ${run.runId}: not saved: ${errorMessage(error)}`));
  }

  private async onExecution(execution: FlowExecution): Promise<void> {
    if (!ENDED.has(execution.status)) return;
    const owner = this.byExecution.get(execution.executionId);
    if (!owner) return;
    const run = this.runs.get(owner.runId);
    const state = run?.nodes[owner.nodeId];
    if (!run || !state || state.status !== 'running' || state.executionId !== execution.executionId) return;
    this.byExecution.delete(execution.executionId);
    const ok = execution.status === 'completed';
    await this.nodeEnded(run, owner.nodeId, {
      status: ok ? 'completed' : 'failed',
      // A completed node passes on the tool's answer (claude: its result text, not the JSON stream);
      // a failed one shows the end of what it printed, errors included.
      output: outputText((ok ? this.executor.answer(execution.executionId) : null) ?? execution.outputTail),
      error: ok ? null : `the execution ended ${execution.status}${execution.exitCode !== null ? ` (exit code ${execution.exitCode})` : ''}`,
      offsetStart: execution.offsetStart,
    });
  }

  private async nodeEnded(
    run: FlowRunDetail,
    nodeId: string,
    end: { status: 'completed' | 'failed'; output: string | null; error: string | null; offsetStart?: number | null },
  ): Promise<void> {
    const state = run.nodes[nodeId]!;
    run.nodes[nodeId] = {
      ...state,
      status: end.status,
      output: end.output,
      error: end.error,
      endedAt: new Date().toISOString(),
      offsetStart: end.offsetStart ?? state.offsetStart,
    };
    const node = run.flow.nodes.find((n) => n.id === nodeId)!;
    if (end.status === 'failed' && run.status === 'running') {
      if (node.data.onError === 'pause') {
        run.status = 'paused';
        setReason(run, flowRunReasonText.nodeFailed(nodeId, end.error, true));
      } else if (node.data.onError === 'fail') {
        // No new nodes start; running ones end on their own and are recorded.
        for (const [id, s] of Object.entries(run.nodes)) if (s.status === 'pending') run.nodes[id] = { ...s, status: 'skipped' };
      }
    }
    await this.save(run, nodeId);
    this.schedule(run);
    this.finishIfDone(run);
  }

  /** After a restart: settle running nodes from their executions' stored state, then go on. */
  private async reconcile(run: FlowRunDetail): Promise<void> {
    const claimed = new Set(Object.values(run.nodes).map((s) => s.executionId).filter((id): id is string => !!id));
    for (const node of run.flow.nodes) {
      const state = run.nodes[node.id]!;
      if (state.status !== 'running') continue;
      let executionId = state.executionId;
      if (!executionId) {
        // Started, but killed before the execution's id was written: find it by run and prompt.
        const found = this.executor.list({ flowRunId: run.runId }).find((e) => !claimed.has(e.executionId) && e.prompt === state.prompt);
        if (found) {
          executionId = found.executionId;
          claimed.add(executionId);
          this.byExecution.set(executionId, { runId: run.runId, nodeId: node.id });
          run.nodes[node.id] = { ...state, executionId, sessionKey: found.sessionKey ?? state.sessionKey, offsetStart: found.offsetStart };
          await this.save(run, node.id);
        } else {
          // It never started: start it now (it is not a rerun).
          run.nodes[node.id] = { ...state, status: 'pending', attempts: Math.max(0, state.attempts - 1) };
          await this.save(run, node.id);
          continue;
        }
      }
      const execution = this.executor.get(executionId);
      if (!execution) {
        this.byExecution.delete(executionId);
        await this.nodeEnded(run, node.id, { status: 'failed', output: null, error: `execution ${executionId} is unknown after the restart` });
      } else if (ENDED.has(execution.status)) {
        await this.onExecution(execution);
      }
    }
    this.schedule(run);
    this.finishIfDone(run);
  }
}

/** The run's reason in words and as a code, together. */
function setReason(run: FlowRunDetail, reason: string | null): void {
  Object.assign(run, { reason, ...flowRunReasonFields(reason) });
}
