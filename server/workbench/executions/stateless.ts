import { stat } from 'node:fs/promises';
import { execa, type ResultPromise } from 'execa';
import { ruleIssue, type CliExecuteRequest, type CliOutputChunk, type Execution } from '../../../schemas/index.ts';
import { ApiError, errorMessage } from '../../../base/errors.ts';
import type { StoredExecution } from '../../store/index.ts';
import type { ExecutionLinks } from './contract.ts';
import { displayCommand, type ActiveRun, type ExecutionDeps, type Executions } from './service.ts';
import { newActiveRun } from './new-run.ts';

/** Output chunks are stored in batches this far apart (and at the end). */
const STORE_BATCH_MS = 200;
/** Most output kept per run for replay (later chunks are dropped; the event stream still carries them). */
const MAX_KEPT_BYTES = 8 * 1024 * 1024;

interface StatelessState {
  child: ResultPromise | undefined;
  seq: number;
  kept: number;
  pending: CliOutputChunk[];
  flushTimer: NodeJS.Timeout | undefined;
  text: string[];
  stdout: string[];
  timers: NodeJS.Timeout[];
}

/**
 * One-shot runs without a terminal (`POST /api/cli/execute`): the tool's
 * one-shot argv run by execa, stdout and stderr streamed apart as CLI_OUTPUT
 * events and kept in the store for replay, ended by the process's exit.
 */
export class StatelessRunner {
  private readonly states = new Map<string, StatelessState>();

  constructor(
    private readonly service: Executions,
    private readonly deps: ExecutionDeps,
  ) {}

  async start(executionId: string, request: CliExecuteRequest & ExecutionLinks): Promise<Execution> {
    const { adapter, path } = await this.deps.tools.require(request.tool, { oneShot: true });
    const workingDir = request.workingDir ?? process.env.HOME ?? process.cwd();
    if (!(await stat(workingDir).then((s) => s.isDirectory(), () => false))) {
      throw new ApiError(400, 'invalid_body', `workingDir "${workingDir}" is not an existing directory`, [
        ruleIssue('not_a_directory', ['workingDir'], `"${workingDir}" is not an existing directory`),
      ]);
    }
    const plan = this.service.planner.plan(adapter, request.prompt, request.resumeKey, request.resumeStrategy);
    const args = adapter.oneShotArgs({ prompt: plan.prompt, model: request.model, resume: plan.native });
    const run = newActiveRun({
      executionId,
      sessionKey: null,
      issueId: request.issueId ?? null,
      request,
      adapter,
      plan,
      command: displayCommand([path, ...args]),
      offsetStart: null,
      data: {
        mode: 'stateless',
        workingDir,
        model: request.model ?? null,
        resumeKey: plan.resumeKey,
        strategy: plan.strategy,
        note: plan.note ?? null,
      },
    });
    const state: StatelessState = { child: undefined, seq: 0, kept: 0, pending: [], flushTimer: undefined, text: [], stdout: [], timers: [] };
    this.states.set(executionId, state);
    run.interrupt = () => this.interrupt(run, state);
    run.dispose = () => this.release(run, state);
    await this.service.begin(run);
    await this.deps.bus.publish('CLI_EXECUTION_STARTED', { executionId, execution: run.execution });
    this.spawn(run, state, path, args, workingDir);
    return run.execution;
  }

  private spawn(run: ActiveRun, state: StatelessState, path: string, args: string[], cwd: string): void {
    const child = execa(path, args, { cwd, stdin: 'ignore', reject: false, buffer: false, stripFinalNewline: false, env: { TMUX_BRIDGE_EXECUTION: run.execution.executionId } });
    state.child = child;
    const take = (stream: 'stdout' | 'stderr') => (data: Buffer) => this.output(run, state, stream, data.toString('utf8'));
    child.stdout?.on('data', take('stdout'));
    child.stderr?.on('data', take('stderr'));
    void child.then(async (result) => {
      const exitCode = typeof result.exitCode === 'number' ? result.exitCode : result.signal ? 128 + signalNumber(result.signal) : null;
      if (result.failed && result.exitCode === undefined && !result.signal) {
        this.output(run, state, 'stderr', `${result.shortMessage ?? result.message}\n`);
      }
      const again = exitCode !== 0 && (await this.retried(run, state, path, cwd).catch((error: unknown) => {
        this.output(run, state, 'stderr', `running the tool once more failed: ${errorMessage(error)}\n`);
        return false;
      }));
      if (again) return;
      await this.end(run, state, exitCode);
    });
  }

  /**
   * The tool refused its resume: an unknown session falls back to promptConcat, a chosen id
   * that exists already is resumed. Once per run; true when a second attempt was started.
   */
  private async retried(run: ActiveRun, state: StatelessState, path: string, cwd: string): Promise<boolean> {
    if (run.fellBack || run.cancelRequested || run.timedOut || !run.plan.resumeKey) return false;
    const text = state.text.join('');
    const native = run.plan.native;
    let data: Record<string, unknown>;
    if (native?.kind === 'resume' && run.adapter.unknownSession(text)) {
      const reason = (text.split('\n').find((line) => run.adapter.unknownSession(line)) ?? 'unknown session').trim().slice(0, 300);
      await this.service.planner.recordFallback(run.adapter, run.plan.resumeKey, reason);
      run.plan = this.service.planner.fallback(run.plan, run.originalPrompt, reason);
      data = { strategy: 'promptConcat', fallback: reason };
    } else if (native?.kind === 'new' && run.adapter.sessionInUse(text)) {
      run.plan = this.service.planner.resumeChosen(run.plan);
      data = { strategy: 'nativeResume', note: run.plan.note ?? null };
    } else {
      return false;
    }
    run.fellBack = true;
    const model = typeof run.data.model === 'string' ? run.data.model : null;
    const args = run.adapter.oneShotArgs({ prompt: run.plan.prompt, model, resume: run.plan.native });
    run.data = { ...run.data, ...data };
    state.text = [];
    state.stdout = [];
    await this.service.changed(run, { command: displayCommand([path, ...args]), nativeSessionId: run.plan.native?.id ?? null });
    this.spawn(run, state, path, args, cwd);
    return true;
  }

  private output(run: ActiveRun, state: StatelessState, stream: 'stdout' | 'stderr', data: string): void {
    const chunk: CliOutputChunk = { executionId: run.execution.executionId, seq: state.seq++, stream, data, at: new Date().toISOString() };
    state.text.push(data);
    if (state.text.length > 4096) state.text.splice(0, state.text.length - 2048);
    if (stream === 'stdout' && state.kept + data.length <= MAX_KEPT_BYTES) state.stdout.push(data);
    void this.deps.bus.publish('CLI_OUTPUT', { executionId: chunk.executionId, seq: chunk.seq, stream, data }, { ephemeral: true });
    if (state.kept + data.length > MAX_KEPT_BYTES) return;
    state.kept += data.length;
    state.pending.push(chunk);
    if (!state.flushTimer) {
      state.flushTimer = setTimeout(() => void this.flush(state), STORE_BATCH_MS);
      state.flushTimer.unref?.();
    }
  }

  private async flush(state: StatelessState): Promise<void> {
    if (state.flushTimer) clearTimeout(state.flushTimer);
    state.flushTimer = undefined;
    const batch = state.pending;
    state.pending = [];
    await this.deps.cliOutput.append(batch).catch((error: unknown) => this.deps.log(`stateless output not stored: ${String(error)}`));
  }

  private async end(run: ActiveRun, state: StatelessState, exitCode: number | null): Promise<void> {
    await this.flush(state);
    const text = state.text.join('');
    await this.service.finish(run, { exitCode, completion: 'exit', offsetEnd: null, text, answerText: state.stdout.join('') });
    await this.deps.bus.publish('CLI_EXECUTION_COMPLETED', { executionId: run.execution.executionId, status: run.execution.status, exitCode: run.execution.exitCode, execution: run.execution });
  }

  private interrupt(run: ActiveRun, state: StatelessState): void {
    const child = state.child;
    if (!child) return;
    child.kill('SIGINT');
    const step = this.service.escalateMs;
    for (const [ms, signal] of [
      [step, 'SIGTERM'],
      [2 * step, 'SIGKILL'],
    ] as const) {
      const timer = setTimeout(() => {
        if (!run.settled) child.kill(signal);
      }, ms);
      timer.unref?.();
      state.timers.push(timer);
    }
  }

  private release(run: ActiveRun, state: StatelessState): void {
    for (const timer of state.timers) clearTimeout(timer);
    this.states.delete(run.execution.executionId);
  }

  /** The child died with the previous server process: the run ended without a known status. */
  async recover(stored: StoredExecution): Promise<void> {
    const chunks = this.deps.cliOutput.list(stored.execution.executionId);
    const text = chunks.map((c) => c.data).join('');
    const tail = `${text}\n(the server stopped while this run was going; its process ended with it)`;
    await this.service.settleStored(stored.execution, stored.queueId, { ...stored.data, recovered: true }, {
      status: stored.data.cancelRequested === true ? 'cancelled' : 'failed',
      exitCode: null,
      completion: null,
      outputTail: tail.split('\n').slice(-20).join('\n'),
    });
    await this.deps.bus.publish('CLI_EXECUTION_COMPLETED', { executionId: stored.execution.executionId, status: stored.data.cancelRequested === true ? 'cancelled' : 'failed', exitCode: null });
  }

  dispose(): void {
    for (const state of this.states.values()) {
      for (const timer of state.timers) clearTimeout(timer);
      if (state.flushTimer) clearTimeout(state.flushTimer);
      state.child?.kill('SIGTERM');
    }
  }
}

function signalNumber(signal: string): number {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}
