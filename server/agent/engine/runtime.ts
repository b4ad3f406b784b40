/**
 * PaneRuntime: one watched pane's stages, evaluated one input at a time.
 *
 * Lines, approvals, retries, resets and ticks for a pane go through one serial
 * queue. Each batch is evaluated in memory; if any stage changed, the new stage
 * states, their history rows and the pane's progress (line count + anchor) are
 * written in ONE store transaction before anything else happens. So a line that
 * changed state is never evaluated again after a crash (its progress is durable
 * with the state), and a line that changed nothing may at worst be evaluated a
 * second time, which changes nothing. Effects (events, actions, notifications,
 * approvals) follow the commit.
 */
import type { PaneProgress, StageData, StageStatus } from '../../../schemas/agent.ts';
import { Disposable, disposableTimeout, toDisposable, type IDisposable } from '../../../base/lifecycle.ts';
import { runActions } from '../actions.ts';
import type { CompiledPipeline } from '../config/types.ts';
import { parseMessage } from '../parser.ts';
import { evaluatePipeline } from '../policy/machine.ts';
import { pipelinesForPane } from '../policy/match.ts';
import type { PolicyEffect, PolicyInput, PolicyResult, StageRuntime, StageStates } from '../policy/types.ts';
import { extendAnchor } from './anchor.ts';
import type { EngineContext, PaneHost, WatchedPaneInfo } from './types.ts';
import { stageView } from './views.ts';

/** Lines kept for the board and PANE_TAIL. */
export const TAIL_LINES = 20;
/** Progress without a state change is written at most this often. */
const PROGRESS_EVERY_MS = 1000;
const TAIL_EVERY_MS = 1000;

/** `starting` until the pane's earlier output was read and its live stream is followed. */
export type RuntimeMode = 'starting' | 'watching' | 'polling';

interface Transition {
  readonly pipeline: string;
  readonly effect: Extract<PolicyEffect, { type: 'transition' }>;
  readonly state: StageRuntime;
}

interface Batch {
  readonly changed: Map<string, { pipeline: string; stage: string; state: StageRuntime }>;
  readonly transitions: Transition[];
  readonly effects: Array<{ pipeline: string; effect: PolicyEffect }>;
}

const newBatch = (): Batch => ({ changed: new Map(), transitions: [], effects: [] });

export class PaneRuntime extends Disposable {
  private facts: WatchedPaneInfo;
  private active: CompiledPipeline[] = [];
  /** Pipelines whose states are loaded: only those see lines (a reload must not race a queued batch). */
  private readonly ready = new WeakSet<CompiledPipeline>();
  private readonly states = new Map<string, StageStates>();
  private readonly lastReasons = new Map<string, string>();
  private progressState: PaneProgress;
  private readonly tailLines: string[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private actionChain: Promise<unknown> = Promise.resolve();
  private progressDirty = false;
  private progressTimer: IDisposable | undefined;
  private tailTimer: IDisposable | undefined;
  private lastTailAt = 0;
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
    this.register(toDisposable(() => {
      this.progressTimer?.dispose();
      this.tailTimer?.dispose();
    }));
    if (replaced) void this.enqueue(() => this.forgetPreviousPane(stored.server!));
    else this.loadLastReasons();
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
    return this.tailLines;
  }

  /** The bridge session showing this pane (null on other hosts, or before the bridge adopted it). */
  get sessionKey(): string | null {
    return this.ctx.sessionKeyOf(this.host.name, this.paneId);
  }

  get progress(): PaneProgress {
    return this.progressState;
  }

  statesOf(pipeline: string): StageStates {
    return this.states.get(pipeline) ?? {};
  }

  lastReason(pipeline: string, stage: string): string | null {
    return this.lastReasons.get(`${pipeline}\0${stage}`) ?? null;
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
      const result = this.evaluate(pipeline, input, batch);
      await this.commit(batch, false);
      return result;
    });
  }

  /**
   * Another pane now has this id (tmux restarted): this runtime writes nothing more,
   * so none of the old pane's late lines, stages or progress land on the new one.
   */
  abandon(): void {
    this.abandoned = true;
  }

  private abandoned = false;

  /** Waits for queued work and writes the progress if it is behind (before stopping). */
  async flush(): Promise<void> {
    await this.enqueue(() => this.writeProgress());
    await this.actionChain;
  }

  private enqueue<T>(task: () => Promise<T> | T): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.catch((error: unknown) => this.ctx.log(`agent: pane ${this.paneId} on ${this.host.name}: ${(error as Error)?.message ?? String(error)}`));
    return run;
  }

  private loadStates(pipeline: CompiledPipeline): void {
    const rows = this.ctx.store.stageState.list({ host: this.host.name, paneId: this.paneId, pipeline: pipeline.name });
    const states: Record<string, StageRuntime> = {};
    for (const row of rows) {
      if (!pipeline.stages.some((s) => s.name === row.stage)) continue;
      states[row.stage] = { status: row.status, retries: row.retries, data: row.data as StageData, updatedAt: row.updatedAt };
    }
    this.states.set(pipeline.name, states);
  }

  private loadLastReasons(): void {
    for (const row of this.ctx.store.stageHistory.list({ host: this.host.name, paneId: this.facts.paneId, limit: 500 })) {
      const key = `${row.pipeline}\0${row.stage}`;
      if (!this.lastReasons.has(key) && row.reason) this.lastReasons.set(key, row.reason);
    }
  }

  /**
   * A pipeline starts applying to this pane (first watch, restart, config reload):
   * finish approvals decided while nobody applied them, ask again for approvals that
   * got lost, then a tick (stages without triggers start at once).
   */
  private async startPipelines(pipelines: readonly CompiledPipeline[]): Promise<void> {
    for (const pipeline of pipelines) {
      if (!this.active.includes(pipeline)) continue;
      this.loadStates(pipeline);
      this.ready.add(pipeline);
      const batch = newBatch();
      for (const stage of pipeline.stages) {
        const state = this.statesOf(pipeline.name)[stage.name];
        if (state?.status !== 'WAITING_APPROVAL') continue;
        const key = { host: this.host.name, paneId: this.paneId, pipeline: pipeline.name, stage: stage.name };
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
              body: prompt ?? `Stage "${stage.name}" of pipeline "${pipeline.name}" on ${this.host.name} ${this.paneId} is waiting for approval.`,
            },
          });
        }
      }
      this.evaluate(pipeline, { type: 'tick' }, batch);
      await this.commit(batch, false);
    }
  }

  private evaluate(pipeline: CompiledPipeline, input: PolicyInput, batch: Batch): PolicyResult {
    const result = evaluatePipeline(pipeline, this.statesOf(pipeline.name), input, { host: this.host.name, paneId: this.paneId, now: Date.now() });
    if (result.changed.length > 0) {
      this.states.set(pipeline.name, result.states);
      for (const stage of result.changed) {
        batch.changed.set(`${pipeline.name}\0${stage}`, { pipeline: pipeline.name, stage, state: result.states[stage]! });
      }
    }
    for (const effect of result.effects) {
      if (effect.type === 'transition') {
        batch.transitions.push({ pipeline: pipeline.name, effect, state: result.states[effect.stage]! });
        this.lastReasons.set(`${pipeline.name}\0${effect.stage}`, effect.reason);
      } else {
        batch.effects.push({ pipeline: pipeline.name, effect });
      }
    }
    return result;
  }

  private async processLines(lines: readonly string[]): Promise<void> {
    const batch = newBatch();
    if (this.active.length > 0) {
      for (const text of lines) {
        const message = parseMessage(text);
        for (const pipeline of this.active) if (this.ready.has(pipeline)) this.evaluate(pipeline, { type: 'line', text, message }, batch);
      }
    }
    this.progressState = { count: this.progressState.count + lines.length, anchor: extendAnchor(this.progressState.anchor, lines) };
    this.addTail(lines);
    await this.commit(batch, true);
  }

  /** Stage changes + history + progress in one transaction, then events and effects. */
  private async commit(batch: Batch, progressMoved: boolean): Promise<void> {
    if (this.abandoned) return;
    const host = this.host.name;
    const paneId = this.paneId;
    if (batch.changed.size > 0 || batch.transitions.length > 0) {
      const progress = this.progressToStore();
      const at = new Date().toISOString();
      try {
        await this.ctx.store.transaction(() => {
          for (const { pipeline, stage, state } of batch.changed.values()) {
            void this.ctx.store.stageState.upsert({ host, paneId, pipeline, stage, status: state.status, retries: state.retries, data: state.data, updatedAt: state.updatedAt });
          }
          for (const t of batch.transitions) {
            void this.ctx.store.stageHistory.append({
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
          void this.ctx.progress.set(host, paneId, progress);
        });
        this.progressDirty = false;
      } catch (error) {
        this.ctx.log(`agent: could not store stage changes of ${host} ${paneId}: ${(error as Error).message}`);
      }
      this.publishChanges(batch);
    } else if (progressMoved && this.active.length > 0) {
      // (A pane no pipeline applies to has nothing to resume: its progress is not stored.)
      this.progressDirty = true;
      this.progressTimer ??= disposableTimeout(() => {
        this.progressTimer = undefined;
        void this.enqueue(() => this.writeProgress());
      }, PROGRESS_EVERY_MS);
    }
    for (const { pipeline, effect } of batch.effects) await this.carryOut(pipeline, effect);
  }

  private async writeProgress(): Promise<void> {
    if (!this.progressDirty || this.abandoned) return;
    this.progressDirty = false;
    try {
      await this.ctx.progress.set(this.host.name, this.paneId, this.progressToStore());
    } catch (error) {
      this.ctx.log(`agent: could not store the progress of ${this.host.name} ${this.paneId}: ${(error as Error).message}`);
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
    const pipeline = this.active.find((p) => p.name === pipelineName);
    const compiled = pipeline?.stages.find((s) => s.name === stage);
    const escalateCode = typeof state.data.escalate_code === 'string' ? state.data.escalate_code : null;
    this.ctx.publish('STAGE_UPDATED', {
      host: this.host.name,
      paneId: this.paneId,
      pipeline: pipelineName,
      stage,
      status: state.status,
      retries: state.retries,
      data: state.data,
      from,
      reason,
      escalateCode,
      view: compiled ? stageView(compiled, state, this.lastReason(pipelineName, stage)) : null,
    });
  }

  private async carryOut(pipeline: string, effect: PolicyEffect): Promise<void> {
    const base = { host: this.host.name, paneId: this.paneId, pipeline, stage: effect.stage };
    switch (effect.type) {
      case 'transition':
        return;
      case 'notify':
        this.ctx.notify({ ...base, title: effect.title, body: effect.body, kind: effect.kind });
        return;
      case 'request_approval':
        await this.ctx.requestApproval({ ...base, kind: effect.kind, prompt: effect.prompt, title: effect.title, body: effect.body });
        return;
      case 'cancel_approval':
        await this.ctx.approvals.cancel(base, effect.reason);
        return;
      case 'run_actions': {
        // Actions run in order per pane but do not hold up the evaluation of later lines.
        const config = this.ctx.config();
        this.actionChain = this.actionChain
          .then(async () => {
            if (this.ctx.dryRun) {
              for (const action of effect.actions) this.ctx.log(`[dry-run] ${base.host} ${base.paneId} ${pipeline}/${effect.stage}: would ${action.kind} ${JSON.stringify(action.command)}`);
            }
            const outcomes = await runActions(effect.actions, {
              paneId: this.paneId,
              ssh: this.host.ssh,
              sendKeys: (paneId, text, options) => this.host.sendKeys(paneId, text, options),
              shellTimeoutMs: config.bridge.shellTimeoutMs,
              dryRun: this.ctx.dryRun,
            });
            for (const outcome of outcomes) {
              if (!outcome.ok) this.ctx.log(`agent: ${outcome.kind} ${JSON.stringify(outcome.command)} for ${pipeline}/${effect.stage} on ${base.host} ${base.paneId} failed: ${outcome.error}`);
            }
            this.ctx.publish('STAGE_ACTIONS', { ...base, cause: effect.cause, attempt: effect.attempt, outcomes });
          })
          .catch((error: unknown) => this.ctx.log(`agent: actions of ${pipeline}/${effect.stage} failed: ${(error as Error).message}`));
        return;
      }
    }
  }

  /** For a pane nothing is evaluated in: its last lines, read afresh from the stream. */
  replaceTail(lines: readonly string[]): void {
    this.tailLines.length = 0;
    this.addTail(lines);
  }

  private addTail(lines: readonly string[]): void {
    for (const line of lines.length > TAIL_LINES ? lines.slice(-TAIL_LINES) : lines) {
      this.tailLines.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    }
    if (this.tailLines.length > TAIL_LINES) this.tailLines.splice(0, this.tailLines.length - TAIL_LINES);
    if (this.tailTimer) return;
    const wait = Math.max(0, this.lastTailAt + TAIL_EVERY_MS - Date.now());
    this.tailTimer = disposableTimeout(() => {
      this.tailTimer = undefined;
      this.lastTailAt = Date.now();
      this.ctx.publish(
        'PANE_TAIL',
        { host: this.host.name, paneId: this.paneId, sessionKey: this.sessionKey, lines: [...this.tailLines], at: new Date().toISOString() },
        { ephemeral: true },
      );
    }, wait);
  }
}
