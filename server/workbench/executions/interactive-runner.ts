import { join } from 'node:path';
import type { CliSession, ExecuteRequest, Execution } from '../../../schemas/index.ts';
import type { PaneStream } from '../../../tmux/pane-stream.ts';
import { ApiError } from '../../../base/errors.ts';
import type { InputOrigin } from '../../sessions/index.ts';
import type { ToolAdapter } from '../tools/index.ts';
import type { ExecutionLinks } from './contract.ts';
import type { HookCallbacks } from './hooks.ts';
import { PaneRecorder } from './pane-recorder.ts';
import type { ActiveRun, ExecutionDeps, Executions } from './service.ts';
import { newActiveRun } from './new-run.ts';

/** The guess: this long without output, and the tool's idle prompt on the last screen line. */
const QUIET_MS = 2000;
/** Without an idle-prompt pattern, a longer silence is the only sign. */
const QUIET_NO_PATTERN_MS = 5000;
const CHECK_MS = 250;
/**
 * tmux's screen can be ahead of the pane's pipe on a busy machine: the prompt
 * seen in a capture may still be on its way through the stream. The stream
 * must stay silent this long after the capture before the guess holds.
 */
const CONFIRM_MS = 750;

interface InteractiveState {
  readonly key: string;
  recorder: PaneRecorder;
  timer: NodeJS.Timeout | undefined;
  timers: NodeJS.Timeout[];
  checking: boolean;
  ending: boolean;
}

/**
 * Executions in a pane that runs an agent interactively (claude, codex…): the
 * prompt is pasted as input, and the end comes from the tool's own hook
 * callback (`completion: "hook"`) or, for a tool that never called back, from
 * a quiet period plus its idle prompt on screen (`completion: "heuristic"`,
 * a labelled guess). The pane's death ends it (`pane-exit`).
 */
export class InteractiveRunner {
  private readonly states = new Map<string, InteractiveState>();

  constructor(
    private readonly service: Executions,
    private readonly deps: ExecutionDeps,
    private readonly hooks: HookCallbacks,
  ) {
    hooks.onHook(({ sessionKey }) => {
      for (const [id, state] of this.states) {
        if (state.key !== sessionKey) continue;
        const run = this.service.activeRuns().find((r) => r.execution.executionId === id);
        if (run) void this.end(run, state, { completion: 'hook' });
      }
    });
  }

  async start(executionId: string, session: CliSession, adapter: ToolAdapter, request: ExecuteRequest & ExecutionLinks): Promise<Execution> {
    const key = session.sessionKey;
    const stream = await this.deps.hub.outputStream(key);
    if (!stream) throw new ApiError(409, 'session_not_ready', `session "${key}" has no output stream; executions need the bridge's stream`);
    await this.waitQuiet(stream);
    await this.hooks.enable(key);
    const offsetStart = stream.offset;
    const run = newActiveRun({
      executionId,
      sessionKey: key,
      issueId: request.issueId ?? session.issueId ?? null,
      request,
      adapter,
      plan: { resumeKey: null, strategy: null, prompt: request.prompt },
      command: request.prompt,
      offsetStart,
      data: { mode: 'interactive' },
    });
    const state: InteractiveState = {
      key,
      recorder: new PaneRecorder(stream, offsetStart, join(this.service.dirOf(run.execution), 'output'), () => undefined),
      timer: undefined,
      timers: [],
      checking: false,
      ending: false,
    };
    await this.service.prepareDir(executionId);
    this.states.set(executionId, state);
    run.interrupt = () => this.interrupt(run, state);
    run.dispose = () => this.release(run, state);
    await this.service.begin(run);
    try {
      // Pasted text, then Enter on its own, so a TUI takes the text as one prompt.
      await this.deps.hub.send(key, request.prompt, false, this.origin(run));
      await this.deps.hub.keys(key, ['Enter'], this.origin(run));
    } catch (error) {
      await this.end(run, state, { completion: null, failed: true });
      throw error;
    }
    const sentAt = performance.now();
    state.timer = setInterval(() => void this.check(run, state, stream, sentAt), CHECK_MS);
    state.timer.unref?.();
    return run.execution;
  }

  private origin(run: ActiveRun): InputOrigin {
    return { source: 'api', client: `execution ${run.execution.executionId}` };
  }

  /** Never paste while the tool is still printing (it would take the text mid-draw). */
  private async waitQuiet(stream: PaneStream): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (stream.lastDataAt > 0 && performance.now() - stream.lastDataAt < 300 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async check(run: ActiveRun, state: InteractiveState, stream: PaneStream, sentAt: number): Promise<void> {
    if (state.checking || state.ending || run.settled) return;
    // A tool that has called back before gets to say it itself.
    if (this.hooks.hasHooks(state.key)) return;
    const pattern = run.adapter.idlePrompt;
    const quietFor = performance.now() - Math.max(stream.lastDataAt, sentAt);
    if (stream.offset <= run.execution.offsetStart! || quietFor < (pattern ? QUIET_MS : QUIET_NO_PATTERN_MS)) return;
    state.checking = true;
    try {
      const before = stream.offset;
      if (pattern) {
        const snapshot = await this.deps.hub.snapshot(state.key, 0);
        const lines = snapshot.text.split('\n').filter((l) => l.trim().length > 0);
        const lastLine = lines[lines.length - 1] ?? '';
        if (!pattern.test(lastLine)) return;
        await new Promise((resolve) => setTimeout(resolve, CONFIRM_MS));
        if (stream.offset !== before || state.ending || run.settled) return;
      }
      await this.end(run, state, { completion: 'heuristic' });
    } catch {
      // the pane went away: paneGone settles it
    } finally {
      state.checking = false;
    }
  }

  private async end(run: ActiveRun, state: InteractiveState, how: { completion: Execution['completion']; failed?: boolean }): Promise<void> {
    if (state.ending || run.settled) return;
    state.ending = true;
    const offsetEnd = state.recorder.offset;
    const output = state.recorder.stopAt(offsetEnd);
    await state.recorder.flush();
    // Interactive tools report no exit status for a turn: 0 means "the turn ended", never a guess at success.
    const exitCode = how.failed ? null : run.cancelRequested || run.timedOut ? null : 0;
    await this.service.finish(run, { exitCode, completion: how.completion, offsetEnd, text: this.service.textOf(output) }, output);
  }

  private interrupt(run: ActiveRun, state: InteractiveState): void {
    void this.deps.hub.keys(state.key, ['C-c'], this.origin(run)).catch(() => undefined);
    const timer = setTimeout(() => void this.end(run, state, { completion: null }), this.service.escalateMs);
    timer.unref?.();
    state.timers.push(timer);
  }

  async paneGone(run: ActiveRun, kind: 'exited' | 'closed', code: number | null): Promise<void> {
    const state = this.states.get(run.execution.executionId);
    if (!state || state.ending || run.settled) return;
    state.ending = true;
    const output = state.recorder.stopAt(state.recorder.offset);
    await state.recorder.flush();
    await this.service.finish(run, { exitCode: code, completion: 'pane-exit', offsetEnd: state.recorder.offset, text: this.service.textOf(output), paneGone: kind }, output);
  }

  owns(executionId: string): boolean {
    return this.states.has(executionId);
  }

  liveOutput(run: ActiveRun): Buffer | undefined {
    return this.states.get(run.execution.executionId)?.recorder.recorded();
  }

  private release(run: ActiveRun, state: InteractiveState): void {
    if (state.timer) clearInterval(state.timer);
    for (const timer of state.timers) clearTimeout(timer);
    state.recorder.dispose();
    this.states.delete(run.execution.executionId);
  }
}
