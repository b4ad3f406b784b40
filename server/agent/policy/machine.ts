/**
 * The stage state machine of tmuxagent (docs/agent.md "Stage state machine"), as a pure
 * function of (pipeline, stage states of one pane, one input) → (new states, effects).
 *
 * Stages are evaluated in order and evaluation stops at the first stage that is not
 * terminal (COMPLETED/FAILED). A stage that finishes on an input hands the same input
 * on to the next stage; a stage that starts on an input does not also test that
 * input against its own success_when/fail_when. docs/agent.md lists every rule.
 */
import type { StageData, StageStatus } from '../../../schemas/agent.ts';
import { stageReasonText as why } from '../../../schemas/stage-reason.ts';
import type { CompiledPipeline, CompiledStage } from '../config/types.ts';
import { parseMessage, type ParsedMessage } from '../parser.ts';
import { evaluateGroup, type ConditionInput } from './conditions.ts';
import { escalationText, renderTemplate, type TemplateVars } from './text.ts';
import type { PolicyContext, PolicyEffect, PolicyInput, PolicyResult, StageRuntime, StageStates } from './types.ts';

const IDLE: StageRuntime = { status: 'IDLE', retries: 0, data: {}, updatedAt: 0 };
/** Lines kept in stage data for display are cut to this length. */
const MAX_LINE_IN_DATA = 500;

export function isTerminal(status: StageStatus): boolean {
  return status === 'COMPLETED' || status === 'FAILED';
}

export function stageState(states: StageStates, stage: string): StageRuntime {
  return states[stage] ?? IDLE;
}

/** One evaluation: mutable copies of the states, the effects so far. */
class Run {
  readonly states: Record<string, StageRuntime>;
  readonly effects: PolicyEffect[] = [];
  readonly changed = new Set<string>();
  private readonly nowSec: number;

  constructor(
    readonly pipeline: CompiledPipeline,
    initial: StageStates,
    readonly ctx: PolicyContext,
  ) {
    this.states = { ...initial };
    this.nowSec = Math.floor(ctx.now / 1000);
  }

  get(stage: CompiledStage): StageRuntime {
    return stageState(this.states, stage.name);
  }

  /**
   * Save a new state; a status change (or a retry) also records a transition.
   * `newRun`: a RUNNING → RUNNING that starts over (a web retry), not an automatic retry.
   */
  set(stage: CompiledStage, next: { status?: StageStatus; retries?: number; data: StageData }, reason: string | null, newRun = false): void {
    const prev = this.get(stage);
    const status = next.status ?? prev.status;
    const state: StageRuntime = {
      status,
      retries: next.retries ?? prev.retries,
      data: withTiming(next.data, prev, status, this.ctx.now, newRun),
      updatedAt: this.nowSec,
    };
    this.states[stage.name] = state;
    this.changed.add(stage.name);
    if (reason !== null) {
      this.effects.push({ type: 'transition', stage: stage.name, from: prev.status, to: state.status, reason, retries: state.retries });
    }
  }

  vars(stage: CompiledStage, extra: Partial<TemplateVars> = {}): TemplateVars {
    const state = this.get(stage);
    return {
      pipeline: this.pipeline.name,
      stage: stage.name,
      host: this.ctx.host,
      pane: this.ctx.paneId,
      retries: String(state.retries),
      max_retries: String(stage.onFail.retryMax),
      reason: typeof state.data.reason === 'string' ? state.data.reason : '',
      escalate_code: typeof state.data.escalate_code === 'string' ? state.data.escalate_code : '',
      line: typeof state.data.line === 'string' ? state.data.line : '',
      prompt: typeof state.data.prompt === 'string' ? state.data.prompt : '',
      ...extra,
    };
  }

  notify(stage: CompiledStage, kind: 'start' | 'success' | 'fail', extra: Partial<TemplateVars> = {}): void {
    const template = kind === 'start' ? stage.onStartNotify : kind === 'success' ? stage.onSuccessNotify : stage.onFailNotify;
    if (!template) return;
    const vars = this.vars(stage, extra);
    this.effects.push({
      type: 'notify',
      stage: stage.name,
      kind,
      title: renderTemplate(template.title, vars) || `${this.pipeline.name}/${stage.name}`,
      body: renderTemplate(template.body, vars),
    });
  }

  now(): number {
    return this.nowSec;
  }
}

/**
 * Carries the run's timing (StageData started_ms/finished_ms) into the next data:
 * entering RUNNING or WAITING_APPROVAL starts it, reaching COMPLETED or FAILED ends
 * it, and staying in a status (automatic retries, all_of memory) keeps it. The
 * transitions replace the data wholesale, so without this a finished stage would
 * forget when it began.
 */
function withTiming(data: StageData, prev: StageRuntime, status: StageStatus, nowMs: number, newRun: boolean): StageData {
  const now = Math.floor(nowMs);
  const entered = status !== prev.status || newRun;
  // (A stage stored before these keys existed has none: it stays without rather than getting a wrong start.)
  const started = data.started_ms ?? prev.data.started_ms;
  const keep = (key: 'started_ms' | 'finished_ms', value: number | undefined) => (value === undefined ? {} : { [key]: value });
  switch (status) {
    case 'RUNNING':
    case 'WAITING_APPROVAL': {
      const { finished_ms: _ended, ...rest } = data;
      return entered ? { ...rest, started_ms: now } : { ...rest, ...keep('started_ms', started) };
    }
    case 'COMPLETED':
    case 'FAILED':
      return { ...data, ...keep('started_ms', started), ...keep('finished_ms', entered ? now : (data.finished_ms ?? prev.data.finished_ms)) };
    default:
      return data;
  }
}

function cut(line: string | null): { line?: string } {
  return line === null ? {} : { line: line.length > MAX_LINE_IN_DATA ? `${line.slice(0, MAX_LINE_IN_DATA)}…` : line };
}

/** Into RUNNING: actions run (every time, also on retries), on_start_notify on a real start. */
function startRunning(
  run: Run,
  stage: CompiledStage,
  reason: string,
  cause: 'start' | 'approved' | 'retry' | 'manual_retry',
  line: string | null,
  retries?: number,
): void {
  const prev = run.get(stage);
  const data: StageData = { started_at: run.now(), ...cut(line) };
  if (cause === 'approved') data.approved_at = run.now();
  if (cause === 'retry') data.retry_at = run.now();
  run.set(stage, { status: 'RUNNING', retries: retries ?? prev.retries, data }, reason, cause === 'manual_retry');
  if (stage.actionsOnStart.length > 0) {
    run.effects.push({ type: 'run_actions', stage: stage.name, actions: stage.actionsOnStart, attempt: run.get(stage).retries + 1, cause });
  }
  if (cause !== 'retry') run.notify(stage, 'start');
}

/** A stage whose trigger holds: approval first if required, else start. */
function begin(run: Run, stage: CompiledStage, because: string, line: string | null): void {
  if (!stage.requireApproval) {
    startRunning(run, stage, why.triggered(because, line, false), 'start', line);
    return;
  }
  run.set(
    stage,
    { status: 'WAITING_APPROVAL', data: { waiting_since: run.now(), approval_kind: 'require_approval', ...cut(line) } },
    why.triggered(because, line, true),
  );
  run.effects.push({
    type: 'request_approval',
    stage: stage.name,
    kind: 'require_approval',
    prompt: null,
    title: `Approval required: ${run.pipeline.name}/${stage.name}`,
    body: `Stage "${stage.name}" of pipeline "${run.pipeline.name}" on ${run.ctx.host} ${run.ctx.paneId} is waiting for approval.`,
  });
}

/** FAILED with tmuxagent's data {reason, escalate_code, failed_at}. */
function fail(run: Run, stage: CompiledStage, reason: string, escalateCode: string | null, because: string, line: string | null, escalation: boolean): void {
  run.set(stage, { status: 'FAILED', data: { reason, escalate_code: escalateCode, failed_at: run.now(), ...cut(line) } }, because);
  run.notify(stage, 'fail');
  if (escalation) {
    const vars = run.vars(stage);
    const text = escalationText(vars);
    const params = { reason: vars.reason, retries: vars.retries, escalate_code: vars.escalate_code, line: vars.line };
    run.effects.push({ type: 'notify', stage: stage.name, kind: 'escalate', title: text.title, body: text.body, text: { code: 'escalate', params } });
  }
}

/** fail_when held: retry while retries < max, then ask a human, else fail and escalate. */
function onFailure(run: Run, stage: CompiledStage, because: string, line: string | null): void {
  const state = run.get(stage);
  const { retryMax, askHuman, escalate } = stage.onFail;
  if (state.retries < retryMax) {
    // {line} is the failing line (the stage's data still holds the line it started on).
    run.notify(stage, 'fail', line === null ? {} : { line });
    startRunning(run, stage, why.retrying(because, line, state.retries + 1, retryMax), 'retry', line, state.retries + 1);
    return;
  }
  const tried = retryMax > 0 ? state.retries : null;
  if (askHuman !== null) {
    run.set(
      stage,
      { status: 'WAITING_APPROVAL', data: { reason: 'fail_condition', waiting_since: run.now(), approval_kind: 'ask_human', prompt: askHuman, ...cut(line) } },
      why.failed(because, line, tried, true),
    );
    run.notify(stage, 'fail');
    run.effects.push({
      type: 'request_approval',
      stage: stage.name,
      kind: 'ask_human',
      prompt: askHuman,
      title: `Manual decision needed: ${run.pipeline.name}/${stage.name}`,
      body: `${askHuman}\nApprove to run the stage again, reject to fail it.`,
    });
    return;
  }
  fail(run, stage, 'fail_condition', escalate, why.failed(because, line, tried, false), line, true);
}

/** Evaluate stages in order until the first one that is not terminal. */
function pass(run: Run, text: string | null, message: ParsedMessage | null): void {
  for (const stage of run.pipeline.stages) {
    const state = run.get(stage);
    if (isTerminal(state.status)) continue;
    const input: ConditionInput = { text, message, states: run.states };
    // (No closures here: this runs for every line, and each closure costs an allocation.)
    const memory = state.data.matched;

    if (state.status === 'IDLE' || state.status === 'WAITING_TRIGGER') {
      const triggers = evaluateGroup(stage.triggers, 'triggers', memory?.triggers, input);
      if (triggers.satisfied) begin(run, stage, triggers.because, text);
      else if (state.status === 'IDLE') {
        run.set(stage, { status: 'WAITING_TRIGGER', data: triggers.memoryChanged ? { matched: { triggers: [...triggers.matched] } } : {} }, why.waitingTrigger());
      } else if (triggers.memoryChanged) {
        run.set(stage, { data: { ...state.data, matched: { ...memory, triggers: [...triggers.matched] } } }, null);
      }
    } else if (state.status === 'RUNNING') {
      const success = evaluateGroup(stage.successWhen, 'success_when', memory?.success_when, input);
      if (success.satisfied) {
        run.set(stage, { status: 'COMPLETED', data: { completed_at: run.now(), ...cut(text) } }, why.succeeded(success.because, text));
        run.notify(stage, 'success');
      } else {
        const failure = evaluateGroup(stage.failWhen, 'fail_when', memory?.fail_when, input);
        if (failure.satisfied) onFailure(run, stage, failure.because, text);
        else if (success.memoryChanged || failure.memoryChanged) {
          run.set(
            stage,
            { data: { ...state.data, matched: { ...state.data.matched, success_when: [...success.matched], fail_when: [...failure.matched] } } },
            null,
          );
        }
      }
    }
    // WAITING_APPROVAL waits for an approval input; nothing in the output moves it.
    if (!isTerminal(run.get(stage).status)) return;
  }
}

function findStage(pipeline: CompiledPipeline, name: string | undefined): CompiledStage | undefined {
  return pipeline.stages.find((stage) => stage.name === name);
}

function result(run: Run, ignored: string | null): PolicyResult {
  const changed: string[] = [];
  if (run.changed.size > 0) for (const stage of run.pipeline.stages) if (run.changed.has(stage.name)) changed.push(stage.name);
  return { states: run.states, changed, effects: run.effects, ignored };
}

/** Apply one input to one pane's stages of one pipeline. */
export function evaluatePipeline(pipeline: CompiledPipeline, states: StageStates, input: PolicyInput, ctx: PolicyContext): PolicyResult {
  const run = new Run(pipeline, states, ctx);
  if (input.type === 'line') {
    // The hot path (every line of every watched pane): no closures, nothing copied twice.
    pass(run, input.text.trimEnd(), input.message === undefined ? parseMessage(input.text) : input.message);
    return result(run, null);
  }
  const finish = (ignored: string | null = null): PolicyResult => result(run, ignored);
  const by = 'by' in input && input.by ? input.by : undefined;

  switch (input.type) {
    case 'tick':
      pass(run, null, null);
      return finish();
    case 'approval': {
      const stage = findStage(pipeline, input.stage);
      if (!stage) return finish(`pipeline "${pipeline.name}" has no stage "${input.stage}"`);
      const state = run.get(stage);
      if (state.status !== 'WAITING_APPROVAL') return finish(`stage "${stage.name}" is ${state.status}, not waiting for approval`);
      if (input.decision === 'approve') {
        startRunning(run, stage, why.decided('approved', by, input.via ?? undefined), 'approved', null);
      } else {
        const askedHuman = state.data.approval_kind === 'ask_human';
        const code = askedHuman ? stage.onFail.escalate : null;
        fail(run, stage, 'rejected', code, why.decided('rejected', by, input.via ?? undefined), null, askedHuman);
      }
      pass(run, null, null);
      return finish();
    }
    case 'retry': {
      const stage = findStage(pipeline, input.stage);
      if (!stage) return finish(`pipeline "${pipeline.name}" has no stage "${input.stage}"`);
      if (run.get(stage).status === 'WAITING_APPROVAL') {
        run.effects.push({ type: 'cancel_approval', stage: stage.name, reason: why.retryRequested(by) });
      }
      startRunning(run, stage, why.retryRequested(by), 'manual_retry', null, 0);
      pass(run, null, null);
      return finish();
    }
    case 'reset': {
      const from = input.stage === undefined ? 0 : (findStage(pipeline, input.stage)?.index ?? -1);
      if (from < 0) return finish(`pipeline "${pipeline.name}" has no stage "${input.stage}"`);
      for (const stage of pipeline.stages.slice(from)) {
        const state = run.get(stage);
        if (state.status === 'WAITING_APPROVAL') {
          run.effects.push({ type: 'cancel_approval', stage: stage.name, reason: why.reset(by) });
        }
        if (state.status !== 'IDLE' || state.retries !== 0 || Object.keys(state.data).length > 0) {
          run.set(stage, { status: 'IDLE', retries: 0, data: {} }, why.reset(by));
        }
      }
      pass(run, null, null);
      return finish();
    }
  }
}
