/**
 * The board's views (schemas/agent.ts): a stage, a pane of a pipeline, a pipeline,
 * the overview. Pure functions of the runtimes' in-memory state, which is what the
 * store holds (every change is committed before it is shown).
 */
import type { ApprovalView, Overview, PipelinePaneView, PipelineView, StageCounts, StageStatus, StageView } from '../../../schemas/agent.ts';
import { StageStatus as StageStatusEnum } from '../../../schemas/agent.ts';
import { reasonFields } from '../../../schemas/stage-reason.ts';
import type { CompiledPipeline, CompiledStage } from '../config/types.ts';
import type { StageRuntime } from '../policy/types.ts';

/** Anything with pipelines and states, i.e. a PaneRuntime (kept structural to avoid an import cycle). */
export interface RuntimeLike {
  readonly host: { readonly name: string };
  readonly paneId: string;
  readonly pane: { readonly sessionName: string; readonly windowName: string; readonly paneTitle: string };
  readonly pipelines: readonly CompiledPipeline[];
  readonly tail: readonly string[];
  /** The bridge session showing the pane, when it is on the bridge's own server. */
  readonly sessionKey: string | null;
  statesOf(pipeline: string): Readonly<Record<string, StageRuntime>>;
  lastReason(pipeline: string, stage: string): string | null;
}

function iso(seconds: number): string | null {
  return seconds > 0 ? new Date(seconds * 1000).toISOString() : null;
}

function isoMs(ms: number | undefined): string | null {
  return ms !== undefined && ms > 0 ? new Date(ms).toISOString() : null;
}

/**
 * The current (or last) run: the machine keeps started_ms/finished_ms in the data.
 * A stage stored before those keys existed falls back to tmuxagent's second keys.
 */
function stageTiming(state: StageRuntime | undefined): { startedAt: string | null; finishedAt: string | null } {
  if (!state) return { startedAt: null, finishedAt: null };
  const { data, status } = state;
  switch (status) {
    case 'RUNNING':
      return { startedAt: isoMs(data.started_ms) ?? iso(data.started_at ?? 0), finishedAt: null };
    case 'WAITING_APPROVAL':
      return { startedAt: isoMs(data.started_ms) ?? iso(data.waiting_since ?? 0), finishedAt: null };
    case 'COMPLETED':
    case 'FAILED':
      return { startedAt: isoMs(data.started_ms), finishedAt: isoMs(data.finished_ms) ?? iso(data.completed_at ?? data.failed_at ?? 0) };
    default:
      return { startedAt: null, finishedAt: null };
  }
}

export function stageView(stage: CompiledStage, state: StageRuntime | undefined, lastReason: string | null): StageView {
  const data = state?.data ?? {};
  // tmuxagent's short reason (fail_condition, rejected) when it has one, else why it last moved.
  const reason = typeof data.reason === 'string' ? data.reason : lastReason;
  return {
    name: stage.name,
    order: stage.index,
    status: state?.status ?? 'IDLE',
    retries: state?.retries ?? 0,
    maxRetries: stage.onFail.retryMax,
    requireApproval: stage.requireApproval,
    updatedAt: state ? iso(state.updatedAt) : null,
    ...stageTiming(state),
    reason,
    ...reasonFields(reason),
    escalateCode: typeof data.escalate_code === 'string' ? data.escalate_code : null,
  };
}

export function pipelinePaneView(pipeline: CompiledPipeline, runtime: RuntimeLike): PipelinePaneView {
  const states = runtime.statesOf(pipeline.name);
  return {
    host: runtime.host.name,
    paneId: runtime.paneId,
    sessionName: runtime.pane.sessionName,
    windowName: runtime.pane.windowName,
    paneTitle: runtime.pane.paneTitle,
    sessionKey: runtime.sessionKey,
    stages: pipeline.stages.map((stage) => stageView(stage, states[stage.name], runtime.lastReason(pipeline.name, stage.name))),
    lastLines: [...runtime.tail],
  };
}

function runtimesOf(pipeline: CompiledPipeline, runtimes: readonly RuntimeLike[]): RuntimeLike[] {
  return runtimes
    .filter((runtime) => runtime.pipelines.some((p) => p.name === pipeline.name))
    .sort((a, b) => a.host.name.localeCompare(b.host.name) || paneOrder(a.paneId) - paneOrder(b.paneId));
}

function paneOrder(paneId: string): number {
  const n = Number(paneId.replace(/^%/, ''));
  return Number.isFinite(n) ? n : 0;
}

export function pipelineView(pipeline: CompiledPipeline, runtimes: readonly RuntimeLike[]): PipelineView {
  return {
    name: pipeline.name,
    stageNames: pipeline.stages.map((stage) => stage.name),
    panes: runtimesOf(pipeline, runtimes).map((runtime) => pipelinePaneView(pipeline, runtime)),
  };
}

function emptyCounts(): Record<StageStatus, number> {
  return Object.fromEntries(StageStatusEnum.options.map((status) => [status, 0])) as Record<StageStatus, number>;
}

export function overview(options: {
  readonly hostNames: readonly string[];
  readonly pipelines: readonly CompiledPipeline[];
  readonly principles: readonly string[];
  readonly runtimes: readonly RuntimeLike[];
  readonly pending: readonly ApprovalView[];
  readonly failuresLimit?: number;
}): Overview {
  const hosts = options.hostNames.map((name) => ({
    name,
    pipelines: options.pipelines.map((pipeline) => {
      const panes = runtimesOf(pipeline, options.runtimes).filter((runtime) => runtime.host.name === name);
      const counts: StageCounts = emptyCounts();
      for (const runtime of panes) {
        const states = runtime.statesOf(pipeline.name);
        for (const stage of pipeline.stages) {
          const status = states[stage.name]?.status ?? 'IDLE';
          counts[status] = (counts[status] ?? 0) + 1;
        }
      }
      return { name: pipeline.name, panes: panes.length, counts };
    }),
  }));
  const failures: Overview['recentFailures'] = [];
  for (const runtime of options.runtimes) {
    for (const pipeline of runtime.pipelines) {
      const states = runtime.statesOf(pipeline.name);
      for (const stage of pipeline.stages) {
        const state = states[stage.name];
        if (state?.status !== 'FAILED') continue;
        const reason = typeof state.data.reason === 'string' ? state.data.reason : runtime.lastReason(pipeline.name, stage.name);
        failures.push({
          host: runtime.host.name,
          paneId: runtime.paneId,
          pipeline: pipeline.name,
          stage: stage.name,
          reason,
          ...reasonFields(reason),
          escalateCode: typeof state.data.escalate_code === 'string' ? state.data.escalate_code : null,
          at: iso(state.data.failed_at ?? state.updatedAt) ?? new Date(0).toISOString(),
        });
      }
    }
  }
  failures.sort((a, b) => b.at.localeCompare(a.at));
  return {
    hosts,
    pendingApprovals: [...options.pending],
    recentFailures: failures.slice(0, options.failuresLimit ?? 20),
    principles: [...options.principles],
  };
}
