/**
 * Storing what a batch changed: the new stage states, their history rows and the
 * pane's progress in ONE store transaction, then STAGE_UPDATED for each changed
 * stage. Progress alone (lines that changed nothing) is written at most once a second.
 */
import type { PaneProgress, StageStatus } from '../../../schemas/agent.ts';
import { reasonFields } from '../../../schemas/stage-reason.ts';
import { errorMessage } from '../../../base/errors.ts';
import { Disposable, disposableTimeout, MutableDisposable } from '../../../base/lifecycle.ts';
import type { CompiledPipeline } from '../config/types.ts';
import type { StageRuntime } from '../policy/types.ts';
import type { Batch, PaneRef, PaneStages } from './evaluate.ts';
import type { EngineContext } from './types.ts';
import { stageView } from './views.ts';

/** Progress without a state change is written at most this often. */
const PROGRESS_EVERY_MS = 1000;

export interface CommitDeps {
  readonly ctx: EngineContext;
  readonly pane: PaneRef;
  readonly stages: PaneStages;
  /** The pipelines that apply to the pane now (for the stage views in events). */
  readonly pipelines: () => readonly CompiledPipeline[];
  /** The progress as stored: with the tmux server it belongs to. */
  readonly progress: () => PaneProgress;
  /** Runs a task in the pane's serial queue. */
  readonly enqueue: (task: () => Promise<void>) => Promise<void>;
}

export class StageCommitter extends Disposable {
  private progressDirty = false;
  private readonly progressTimer = this.register(new MutableDisposable());
  private abandonedPane = false;

  constructor(private readonly deps: CommitDeps) {
    super();
  }

  /** Set once another pane has this id: nothing more is written for this one. */
  get abandoned(): boolean {
    return this.abandonedPane;
  }

  abandon(): void {
    this.abandonedPane = true;
  }

  /**
   * Stores the batch's stage changes with the progress and announces them. Without
   * stage changes, `progressMoved` only marks the progress to be written soon.
   */
  async commit(batch: Batch, progressMoved: boolean): Promise<void> {
    const { ctx, pane } = this.deps;
    const host = pane.host.name;
    const paneId = pane.paneId;
    if (batch.changed.size > 0 || batch.transitions.length > 0) {
      const progress = this.deps.progress();
      const at = new Date().toISOString();
      try {
        await ctx.store.transaction(() => {
          for (const { pipeline, stage, state } of batch.changed.values()) {
            void ctx.store.stageState.upsert({ host, paneId, pipeline, stage, status: state.status, retries: state.retries, data: state.data, updatedAt: state.updatedAt });
          }
          for (const t of batch.transitions) {
            void ctx.store.stageHistory.append({
              host,
              paneId,
              pipeline: t.pipeline,
              stage: t.effect.stage,
              from: t.effect.from,
              to: t.effect.to,
              reason: t.effect.reason,
              retries: t.effect.retries,
              data: t.state.data,
              at,
            });
          }
          void ctx.progress.set(host, paneId, progress);
        });
        this.progressDirty = false;
      } catch (error) {
        ctx.log(`agent: could not store stage changes of ${host} ${paneId}: ${errorMessage(error)}`);
      }
      this.publishChanges(batch);
    } else if (progressMoved) {
      this.progressDirty = true;
      if (!this.progressTimer.value) {
        this.progressTimer.value = disposableTimeout(() => {
          this.progressTimer.clear();
          void this.deps.enqueue(() => this.writeProgress());
        }, PROGRESS_EVERY_MS);
      }
    }
  }

  /** Writes the progress if it is behind (run in the pane's queue). */
  async writeProgress(): Promise<void> {
    if (!this.progressDirty || this.abandonedPane) return;
    this.progressDirty = false;
    const { ctx, pane } = this.deps;
    try {
      await ctx.progress.set(pane.host.name, pane.paneId, this.deps.progress());
    } catch (error) {
      ctx.log(`agent: could not store the progress of ${pane.host.name} ${pane.paneId}: ${errorMessage(error)}`);
    }
  }

  private publishChanges(batch: Batch): void {
    const withTransition = new Set<string>();
    for (const t of batch.transitions) {
      withTransition.add(`${t.pipeline}\0${t.effect.stage}`);
      this.publishStage(t.pipeline, t.effect.stage, { ...t.state, status: t.effect.to, retries: t.effect.retries }, t.effect.from, t.effect.reason);
    }
    for (const [key, { pipeline, stage, state }] of batch.changed) {
      if (!withTransition.has(key)) this.publishStage(pipeline, stage, state, null, null);
    }
  }

  private publishStage(pipelineName: string, stage: string, state: StageRuntime, from: StageStatus | null, reason: string | null): void {
    const { ctx, pane, stages } = this.deps;
    const pipeline = this.deps.pipelines().find((p) => p.name === pipelineName);
    const compiled = pipeline?.stages.find((s) => s.name === stage);
    const escalateCode = typeof state.data.escalate_code === 'string' ? state.data.escalate_code : null;
    ctx.publish('STAGE_UPDATED', {
      host: pane.host.name,
      paneId: pane.paneId,
      pipeline: pipelineName,
      stage,
      status: state.status,
      retries: state.retries,
      data: state.data,
      from,
      reason,
      ...reasonFields(reason),
      escalateCode,
      view: compiled ? stageView(compiled, state, stages.lastReason(pipelineName, stage)) : null,
    });
  }
}
