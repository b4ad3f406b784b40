/**
 * PaneRuntime: one watched pane's stages, evaluated one input at a time.
 *
 * Lines, approvals, retries, resets and ticks for a pane go through one serial
 * queue. Each batch is evaluated in memory (evaluate.ts); if any stage changed, the
 * new stage states, their history rows and the pane's progress (line count + anchor)
 * are written in ONE store transaction before anything else happens (commit.ts). So
 * a line that changed state is never evaluated again after a crash (its progress is
 * durable with the state), and a line that changed nothing may at worst be evaluated
 * a second time, which changes nothing. Effects (events, actions, notifications,
 * approvals) follow the commit (effects.ts); the last lines are kept in tail.ts.
 */
import type { PaneProgress } from '../../../schemas/agent.ts';
import { Disposable } from '../../../base/lifecycle.ts';
import type { CompiledPipeline } from '../config/types.ts';
import { parseMessage } from '../parser.ts';
import { pipelinesForPane } from '../policy/match.ts';
import type { PolicyInput, PolicyResult, StageStates } from '../policy/types.ts';
import { extendAnchor } from './anchor.ts';
import { StageCommitter } from './commit.ts';
import { PaneEffects } from './effects.ts';
import { newBatch, PaneStages, type Batch } from './evaluate.ts';
import { PaneTail } from './tail.ts';
import type { EngineContext, PaneHost, WatchedPaneInfo } from './types.ts';
import { errorMessage } from '../../../base/errors.ts';

/** `starting` until the pane's earlier output was read and its live stream is followed. */
export type RuntimeMode = 'starting' | 'watching' | 'polling';

export class PaneRuntime extends Disposable {
  private facts: WatchedPaneInfo;
  private active: CompiledPipeline[] = [];
  /** Pipelines whose states are loaded: only those see lines (a reload must not race a queued batch). */
  private readonly ready = new WeakSet<CompiledPipeline>();
  private readonly stages: PaneStages;
  private readonly committer: StageCommitter;
  private readonly effects: PaneEffects;
  private readonly tailLines: PaneTail;
  private progressState: PaneProgress;
  private chain: Promise<unknown> = Promise.resolve();
  /** The progress found in the store when the pane was first watched by this process. */
  readonly stored: PaneProgress | undefined;
  mode: RuntimeMode;

  constructor(
    private readonly ctx: EngineContext,
    readonly host: PaneHost,
    pane: WatchedPaneInfo,
    mode: RuntimeMode,
  ) {
    super();
    this.facts = pane;
    this.mode = mode;
    const stored = ctx.progress.get(host.name, pane.paneId)?.progress;
    // Same id, another tmux server (it restarted): a new pane. Nothing of the old one —
    // stages, anchor, approvals — may attach to it (a false green otherwise).
    const replaced = stored?.server !== undefined && pane.serverId !== undefined && stored.server !== pane.serverId;
    this.stored = replaced ? undefined : stored;
    this.progressState = this.stored ? { count: this.stored.count, anchor: [...this.stored.anchor] } : { count: 0, anchor: [] };
    this.stages = new PaneStages(ctx, this);
    this.committer = this.register(
      new StageCommitter({
        ctx,
        pane: this,
        stages: this.stages,
        pipelines: () => this.active,
        progress: () => this.progressToStore(),
        enqueue: (task) => this.enqueue(task),
      }),
    );
    this.effects = new PaneEffects(ctx, this);
    this.tailLines = this.register(
      new PaneTail((lines) =>
        this.ctx.publish('PANE_TAIL', { host: this.host.name, paneId: this.paneId, sessionKey: this.sessionKey, lines, at: new Date().toISOString() }, { ephemeral: true }),
      ),
    );
    if (replaced) void this.enqueue(() => this.forgetPreviousPane(stored.server!));
    else this.stages.loadLastReasons();
    this.refreshPipelines();
  }

  /** The state of the pane that had this id on the earlier tmux server goes, before any pipeline starts here. */
  private async forgetPreviousPane(previousServer: string): Promise<void> {
    const host = this.host.name;
    const paneId = this.paneId;
    this.ctx.log(`agent: ${host} ${paneId} is a new pane (tmux server ${this.facts.serverId} replaced ${previousServer}): starting it clean`);
    await this.ctx.store.transaction(() => {
      void this.ctx.store.stageState.resetPane(host, paneId);
      void this.ctx.progress.set(host, paneId, this.progressToStore());
    });
    for (const approval of this.ctx.approvalRepo.listPending()) {
      if (approval.host !== host || approval.paneId !== paneId) continue;
      await this.ctx.approvals.cancel(approval, 'tmux restarted: the pane this approval was for is gone').catch(() => undefined);
    }
  }

  /** The progress as stored: with the tmux server it belongs to. */
  private progressToStore(): PaneProgress {
    return this.facts.serverId ? { ...this.progressState, server: this.facts.serverId } : this.progressState;
  }

  get paneId(): string {
    return this.facts.paneId;
  }

  get pane(): WatchedPaneInfo {
    return this.facts;
  }

  get pipelines(): readonly CompiledPipeline[] {
    return this.active;
  }

  get tail(): readonly string[] {
    return this.tailLines.lines;
  }

  /** The bridge session showing this pane (null on other hosts, or before the bridge adopted it). */
  get sessionKey(): string | null {
    return this.ctx.sessionKeyOf(this.host.name, this.paneId);
  }

  get progress(): PaneProgress {
    return this.progressState;
  }

  statesOf(pipeline: string): StageStates {
    return this.stages.statesOf(pipeline);
  }

  lastReason(pipeline: string, stage: string): string | null {
    return this.stages.lastReason(pipeline, stage);
  }

  /** Facts (title, window, session) changed, or the config did: recompute the matching pipelines. */
  update(pane: WatchedPaneInfo): void {
    this.facts = pane;
    this.refreshPipelines();
  }

  refreshPipelines(): void {
    const next = pipelinesForPane(this.ctx.config().policy, this.facts);
    // A reloaded config brings new pipeline objects: those count as added (states are read again).
    const added = next.filter((p) => !this.active.includes(p));
    this.active = next;
    if (added.length > 0) void this.enqueue(() => this.startPipelines(added));
  }

  /** Complete lines of pane output, in order. */
  feed(lines: readonly string[]): void {
    void this.process(lines);
  }

  /** The same, resolving once the lines are evaluated and their changes stored (for readers that pace themselves). */
  process(lines: readonly string[]): Promise<void> {
    if (lines.length === 0 || this.isDisposed) return Promise.resolve();
    return this.enqueue(() => this.processLines(lines)).catch(() => undefined);
  }

  /** An approval decision, web retry/reset or tick for one pipeline; resolves with the machine's result. */
  input(pipelineName: string, input: PolicyInput): Promise<PolicyResult | { ignored: string }> {
    return this.enqueue(async () => {
      const pipeline = this.active.find((p) => p.name === pipelineName && this.ready.has(p));
      if (!pipeline) return { ignored: `pipeline "${pipelineName}" does not apply to pane ${this.paneId} on ${this.host.name}` };
      const batch = newBatch();
      const result = this.stages.evaluate(pipeline, input, batch);
      await this.commit(batch, false);
      return result;
    });
  }

  /**
   * Another pane now has this id (tmux restarted): this runtime writes nothing more,
   * so none of the old pane's late lines, stages or progress land on the new one.
   */
  abandon(): void {
    this.committer.abandon();
  }

  /** Waits for queued work and writes the progress if it is behind (before stopping). */
  async flush(): Promise<void> {
    await this.enqueue(() => this.committer.writeProgress());
    await this.effects.settled();
  }

  /** For a pane nothing is evaluated in: its last lines, read afresh from the stream. */
  replaceTail(lines: readonly string[]): void {
    this.tailLines.replace(lines);
  }

  private enqueue<T>(task: () => Promise<T> | T): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.catch((error: unknown) => this.ctx.log(`agent: pane ${this.paneId} on ${this.host.name}: ${errorMessage(error)}`));
    return run;
  }

  /**
   * A pipeline starts applying to this pane (first watch, restart, config reload):
   * finish approvals decided while nobody applied them, ask again for approvals that
   * got lost, then a tick (stages without triggers start at once).
   */
  private async startPipelines(pipelines: readonly CompiledPipeline[]): Promise<void> {
    for (const pipeline of pipelines) {
      if (!this.active.includes(pipeline)) continue;
      this.stages.load(pipeline);
      this.ready.add(pipeline);
      const batch = newBatch();
      this.stages.resumeApprovals(pipeline, batch);
      this.stages.evaluate(pipeline, { type: 'tick' }, batch);
      await this.commit(batch, false);
    }
  }

  private async processLines(lines: readonly string[]): Promise<void> {
    const batch = newBatch();
    if (this.active.length > 0) {
      for (const text of lines) {
        const message = parseMessage(text);
        for (const pipeline of this.active) if (this.ready.has(pipeline)) this.stages.evaluate(pipeline, { type: 'line', text, message }, batch);
      }
    }
    this.progressState = { count: this.progressState.count + lines.length, anchor: extendAnchor(this.progressState.anchor, lines) };
    this.tailLines.add(lines);
    await this.commit(batch, true);
  }

  /** Stage changes + history + progress in one transaction, then events and effects. */
  private async commit(batch: Batch, progressMoved: boolean): Promise<void> {
    if (this.committer.abandoned) return;
    // (A pane no pipeline applies to has nothing to resume: its progress is not stored.)
    await this.committer.commit(batch, progressMoved && this.active.length > 0);
    for (const { pipeline, effect } of batch.effects) await this.effects.carryOut(pipeline, effect);
  }
}
