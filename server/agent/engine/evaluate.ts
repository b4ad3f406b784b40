/**
 * Where a pane's stages stand in memory, and how an input moves them: each input
 * goes through one pipeline's machine, and what it changed (states, transitions,
 * effects) is gathered in a Batch that the runtime then commits as one write.
 */
import type { StageData } from '../../../schemas/agent.ts';
import type { CompiledPipeline } from '../config/types.ts';
import { evaluatePipeline } from '../policy/machine.ts';
import type { PolicyEffect, PolicyInput, PolicyResult, StageRuntime, StageStates } from '../policy/types.ts';
import type { EngineContext } from './types.ts';

export interface Transition {
  readonly pipeline: string;
  readonly effect: Extract<PolicyEffect, { type: 'transition' }>;
  readonly state: StageRuntime;
}

/** What one round of evaluation changed, stored together and then acted on. */
export interface Batch {
  readonly changed: Map<string, { pipeline: string; stage: string; state: StageRuntime }>;
  readonly transitions: Transition[];
  readonly effects: Array<{ pipeline: string; effect: PolicyEffect }>;
}

export const newBatch = (): Batch => ({ changed: new Map(), transitions: [], effects: [] });

/** The pane a runtime part works for (read when used: the runtime owns it). */
export interface PaneRef {
  readonly host: { readonly name: string };
  readonly paneId: string;
}

const stageKey = (pipeline: string, stage: string) => `${pipeline}\0${stage}`;

export class PaneStages {
  private readonly states = new Map<string, StageStates>();
  private readonly lastReasons = new Map<string, string>();

  constructor(
    private readonly ctx: Pick<EngineContext, 'store' | 'approvalRepo'>,
    private readonly pane: PaneRef,
  ) {}

  statesOf(pipeline: string): StageStates {
    return this.states.get(pipeline) ?? {};
  }

  lastReason(pipeline: string, stage: string): string | null {
    return this.lastReasons.get(stageKey(pipeline, stage)) ?? null;
  }

  /** Reads a pipeline's stored states (the stages it still has). */
  load(pipeline: CompiledPipeline): void {
    const rows = this.ctx.store.stageState.list({ host: this.pane.host.name, paneId: this.pane.paneId, pipeline: pipeline.name });
    const states: Record<string, StageRuntime> = {};
    for (const row of rows) {
      if (!pipeline.stages.some((s) => s.name === row.stage)) continue;
      states[row.stage] = { status: row.status, retries: row.retries, data: row.data as StageData, updatedAt: row.updatedAt };
    }
    this.states.set(pipeline.name, states);
  }

  loadLastReasons(): void {
    for (const row of this.ctx.store.stageHistory.list({ host: this.pane.host.name, paneId: this.pane.paneId, limit: 500 })) {
      const key = stageKey(row.pipeline, row.stage);
      if (!this.lastReasons.has(key) && row.reason) this.lastReasons.set(key, row.reason);
    }
  }

  evaluate(pipeline: CompiledPipeline, input: PolicyInput, batch: Batch): PolicyResult {
    const result = evaluatePipeline(pipeline, this.statesOf(pipeline.name), input, { host: this.pane.host.name, paneId: this.pane.paneId, now: Date.now() });
    if (result.changed.length > 0) {
      this.states.set(pipeline.name, result.states);
      for (const stage of result.changed) {
        batch.changed.set(stageKey(pipeline.name, stage), { pipeline: pipeline.name, stage, state: result.states[stage]! });
      }
    }
    for (const effect of result.effects) {
      if (effect.type === 'transition') {
        batch.transitions.push({ pipeline: pipeline.name, effect, state: result.states[effect.stage]! });
        this.lastReasons.set(stageKey(pipeline.name, effect.stage), effect.reason);
      } else {
        batch.effects.push({ pipeline: pipeline.name, effect });
      }
    }
    return result;
  }

  /**
   * A pipeline starts applying to the pane (its states just loaded): approvals decided
   * while nobody applied them are evaluated now, approvals that got lost are asked again.
   */
  resumeApprovals(pipeline: CompiledPipeline, batch: Batch): void {
    const host = this.pane.host.name;
    const paneId = this.pane.paneId;
    for (const stage of pipeline.stages) {
      const state = this.statesOf(pipeline.name)[stage.name];
      if (state?.status !== 'WAITING_APPROVAL') continue;
      const key = { host, paneId, pipeline: pipeline.name, stage: stage.name };
      if (this.ctx.approvalRepo.findPending(key)) continue;
      const decided = this.ctx.approvalRepo.latestDecided(key);
      const since = (state.data.waiting_since ?? state.updatedAt) * 1000;
      if (decided?.decidedAt && Date.parse(decided.decidedAt) >= since - 1000) {
        const decision = decided.status === 'approved' ? 'approve' : 'reject';
        this.evaluate(pipeline, { type: 'approval', stage: stage.name, decision, via: decided.decidedVia ?? 'web', by: decided.decidedBy }, batch);
      } else {
        const kind = state.data.approval_kind ?? 'require_approval';
        const prompt = typeof state.data.prompt === 'string' ? state.data.prompt : null;
        batch.effects.push({
          pipeline: pipeline.name,
          effect: {
            type: 'request_approval',
            stage: stage.name,
            kind,
            prompt,
            title: `${kind === 'ask_human' ? 'Manual decision needed' : 'Approval required'}: ${pipeline.name}/${stage.name}`,
            body: prompt ?? `Stage "${stage.name}" of pipeline "${pipeline.name}" on ${host} ${paneId} is waiting for approval.`,
          },
        });
      }
    }
  }
}
