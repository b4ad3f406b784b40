import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliExecuteRequest, ExecuteRequest, Execution, ExecutionFilter, ExecutionStatus } from '../../../schemas/index.ts';
import { Emitter } from '../../../base/emitter.ts';
import { Disposable, disposableInterval } from '../../../base/lifecycle.ts';
import { shellQuote } from '../../../tmux/command.ts';
import type { EventBus } from '../../events/index.ts';
import { ApiError, notFoundError } from '../../../base/errors.ts';
import { isShellCommand, type SessionHosts } from '../../sessions/index.ts';
import type { CliOutputRepository, ExecutionRepository, ResumeRepository } from '../../store/index.ts';
import type { ToolAdapter, ToolRegistry } from '../tools/index.ts';
import type { ExecutionLinks, ExecutionService } from './contract.ts';
import { ResumePlanner, type ResumePlan } from './resume.ts';
import { HookCallbacks } from './hooks.ts';
import { InteractiveRunner } from './interactive-runner.ts';
import { ShellRunner } from './shell-runner.ts';
import { StatelessRunner } from './stateless.ts';
import { plainText, tailLines } from './text.ts';
import { executionDir } from './wrapper.ts';

export interface ExecutionServiceOptions {
  readonly maxHistoryBytes?: number;
  /** promptConcat turns older than this are forgotten (default 30 days). */
  readonly retentionDays?: number;
  /** Ctrl-C first; then the command's processes get SIGTERM, then SIGKILL, this far apart (default 2 s). */
  readonly escalateMs?: number;
}

export interface ExecutionDeps {
  readonly hub: SessionHosts;
  readonly bus: EventBus;
  readonly executions: ExecutionRepository;
  readonly resume: ResumeRepository;
  readonly cliOutput: CliOutputRepository;
  readonly tools: ToolRegistry;
  readonly dataDir: string;
  /** The server token (tool hook tokens are derived from it). */
  readonly token: string;
  readonly log: (message: string) => void;
  readonly options?: ExecutionServiceOptions;
}

/** The end of a run as its runner saw it. */
export interface RunEnd {
  readonly exitCode: number | null;
  readonly completion: Execution['completion'];
  readonly offsetEnd: number | null;
  /** The run's output as text (for the tail, the answer and the session id). */
  readonly text: string;
  /** The answer's source when it is not all of `text` (stateless runs: stdout only). */
  readonly answerText?: string;
  /** The pane's program ended, or the session was closed. */
  readonly paneGone?: 'exited' | 'closed';
}

/** One execution in progress. */
export interface ActiveRun {
  execution: Execution;
  readonly queueId: string | null;
  readonly adapter: ToolAdapter;
  readonly originalPrompt: string;
  plan: ResumePlan;
  data: Record<string, unknown>;
  cancelRequested: boolean;
  timedOut: boolean;
  fellBack: boolean;
  settled: boolean;
  /** Interrupts the run (Ctrl-C and escalation, or signals to the child). */
  interrupt?: () => void;
  dispose?: () => void;
  timer?: NodeJS.Timeout;
}

/** The longest answer kept (its end), like a flow node's output. */
const ANSWER_MAX = 64 * 1024;
function boundedAnswer(text: string): string {
  return text.length > ANSWER_MAX ? text.slice(text.length - ANSWER_MAX) : text;
}

const newId = () => `x_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;

export function displayCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Executions: in shell sessions (wrapper and sentinel) and stateless (execa); see docs/workbench.md. */
export class Executions extends Disposable implements ExecutionService {
  private readonly active = new Map<string, ActiveRun>();
  /** sessionKey → executionId of the run that holds it (reserved before any await). */
  private readonly busy = new Map<string, string>();
  private readonly updates = this.register(new Emitter<Execution>());
  readonly onDidUpdate = this.updates.event;
  readonly planner: ResumePlanner;
  private readonly shell: ShellRunner;
  private readonly stateless: StatelessRunner;
  private readonly interactive: InteractiveRunner;
  readonly hooks: HookCallbacks;
  private readonly recentOutput = new Map<string, Buffer>();

  constructor(private readonly deps: ExecutionDeps) {
    super();
    this.planner = new ResumePlanner(deps.resume, { maxHistoryBytes: deps.options?.maxHistoryBytes });
    this.shell = new ShellRunner(this, deps);
    this.stateless = new StatelessRunner(this, deps);
    this.hooks = new HookCallbacks(deps.dataDir, deps.token);
    this.interactive = new InteractiveRunner(this, deps, this.hooks);
    this.register(
      deps.hub.onSignal((signal) => {
        if (signal.kind === 'resized') return;
        const id = this.busy.get(signal.key);
        const run = id ? this.active.get(id) : undefined;
        if (!run) return;
        if (this.interactive.owns(run.execution.executionId)) void this.interactive.paneGone(run, signal.kind, signal.code);
        else void this.shell.paneGone(run, signal.kind, signal.code);
      }),
    );
    const prune = () => {
      const days = deps.options?.retentionDays ?? 30;
      void deps.resume.prune(new Date(Date.now() - days * 86_400_000).toISOString()).catch((e: unknown) => deps.log(`resume turns not pruned: ${String(e)}`));
    };
    this.register(disposableInterval(prune, 6 * 3600_000));
    prune();
  }

  get escalateMs(): number {
    return this.deps.options?.escalateMs ?? 2000;
  }

  /** Settles what ended while the server was down and follows what still runs. */
  async start(): Promise<void> {
    for (const stored of this.deps.executions.running()) {
      try {
        if (stored.execution.sessionKey === null) await this.stateless.recover(stored);
        else if (stored.data.mode === 'interactive') await this.settleInteractive(stored);
        else if (typeof stored.data.host === 'string') await this.settleRemote(stored, stored.data.host);
        else await this.shell.recover(stored);
      } catch (error) {
        this.deps.log(`execution ${stored.execution.executionId} could not be recovered: ${String(error)}`);
      }
    }
  }

  get(executionId: string): Execution | undefined {
    return this.deps.executions.get(executionId)?.execution;
  }

  list(filter: ExecutionFilter = {}): Execution[] {
    return this.deps.executions.list(filter).map((s) => s.execution);
  }

  isBusy(sessionKey: string): boolean {
    return this.busy.has(sessionKey);
  }

  activeRuns(): ActiveRun[] {
    return [...this.active.values()];
  }

  async executeInSession(sessionKey: string, request: ExecuteRequest & ExecutionLinks): Promise<Execution> {
    const session = this.deps.hub.get(sessionKey);
    if (session.status === 'closed') throw new ApiError(409, 'session_closed', `session "${sessionKey}" is closed; create a new session to execute in`);
    if (session.status === 'exited') throw new ApiError(409, 'session_exited', `the program in session "${sessionKey}" has exited; create a new session to execute in`);
    // A host that is away answers at once, instead of after the shell readiness wait.
    const hostStatus = this.deps.hub.hostStatus(session.host);
    if (session.host !== null && hostStatus?.state !== 'connected') {
      throw new ApiError(503, 'host_unavailable', `session "${sessionKey}" is on host "${session.host}", which is ${hostStatus ? hostStatus.state.replace('_', ' ') : 'not connected'}; try again once it is connected`);
    }
    const holder = this.busy.get(sessionKey);
    if (holder) {
      throw new ApiError(409, 'session_busy', `execution ${holder} is still running in session "${sessionKey}"; wait for it or cancel it (POST /api/executions/${holder}/cancel)`);
    }
    const executionId = newId();
    this.busy.set(sessionKey, executionId);
    try {
      // A session created for an agent runs it in its pane: the prompt is typed as its input.
      // A session of an agent whose pane sits at a shell (created with `shell`, as the queues do)
      // runs the agent one-shot per execution, like a bash session with `tool` set.
      const agent = this.deps.tools.adapter(session.tool);
      const sameTool = request.tool === undefined || request.tool === session.tool;
      if (agent && session.tool !== 'bash' && session.tool !== 'custom' && sameTool && !this.launchedAsShell(sessionKey)) {
        return await this.interactive.start(executionId, session, agent, request);
      }
      return await this.shell.start(executionId, session, request);
    } catch (error) {
      if (this.busy.get(sessionKey) === executionId && !this.active.has(executionId)) this.busy.delete(sessionKey);
      throw error;
    }
  }

  /** A session created with a shell as its command (`shell: "bash …"`) sits at a prompt, whatever its tool. */
  private launchedAsShell(sessionKey: string): boolean {
    const shell = this.deps.hub.launchShell(sessionKey);
    return shell !== null && isShellCommand(shell.trim().split(/\s+/)[0] ?? '');
  }

  async executeStateless(request: CliExecuteRequest & ExecutionLinks): Promise<Execution> {
    return this.stateless.start(newId(), request);
  }

  async cancel(executionId: string): Promise<Execution> {
    const run = this.active.get(executionId);
    if (!run) {
      const stored = this.get(executionId);
      if (!stored) throw notFoundError('execution', executionId, `no execution "${executionId}"`);
      return stored;
    }
    if (!run.cancelRequested) {
      run.cancelRequested = true;
      run.data = { ...run.data, cancelRequested: true };
      await this.persist(run);
      run.interrupt?.();
    }
    return run.execution;
  }

  /** The bytes of an execution's output (pane bytes between its offsets, or a stateless run's stdout+stderr). */
  async output(executionId: string): Promise<Buffer | undefined> {
    const stored = this.deps.executions.get(executionId);
    if (!stored) throw notFoundError('execution', executionId, `no execution "${executionId}"`);
    const recent = this.recentOutput.get(executionId);
    if (recent) return recent;
    const run = this.active.get(executionId);
    if (run) return this.interactive.liveOutput(run) ?? this.shell.liveOutput(run);
    try {
      return await readFile(join(this.dirOf(stored.execution), 'output'));
    } catch {
      return undefined;
    }
  }

  dirOf(execution: Pick<Execution, 'executionId'>): string {
    return executionDir(this.deps.dataDir, execution.executionId);
  }

  async prepareDir(executionId: string): Promise<string> {
    const dir = executionDir(this.deps.dataDir, executionId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  // --- for the runners ---

  /** Registers a new run and stores it (durable before the caller answers). */
  async begin(run: ActiveRun): Promise<void> {
    this.active.set(run.execution.executionId, run);
    if (run.execution.sessionKey) this.busy.set(run.execution.sessionKey, run.execution.executionId);
    const timeoutAt = typeof run.data.timeoutAt === 'string' ? Date.parse(run.data.timeoutAt) : NaN;
    if (Number.isFinite(timeoutAt)) {
      const timer = setTimeout(() => this.timeout(run), Math.max(0, timeoutAt - Date.now()));
      timer.unref?.();
      run.timer = timer;
    }
    await this.persist(run);
    this.announce(run.execution);
  }

  private timeout(run: ActiveRun): void {
    if (run.settled || run.cancelRequested) return;
    run.timedOut = true;
    run.data = { ...run.data, timedOut: true };
    void this.persist(run);
    run.interrupt?.();
  }

  async persist(run: ActiveRun): Promise<void> {
    await this.deps.executions.put(run.execution, { queueId: run.queueId, data: run.data });
  }

  /** A change while running (offset, session id…): stored and announced. */
  async changed(run: ActiveRun, patch: Partial<Execution>): Promise<void> {
    run.execution = { ...run.execution, ...patch };
    await this.persist(run);
    this.announce(run.execution);
  }

  statusFor(run: Pick<ActiveRun, 'cancelRequested' | 'timedOut'>, exitCode: number | null, paneGone?: 'exited' | 'closed'): ExecutionStatus {
    if (run.cancelRequested || paneGone === 'closed') return 'cancelled';
    if (run.timedOut) return 'timeout';
    return exitCode === 0 && !paneGone ? 'completed' : 'failed';
  }

  /** The real end: resume bookkeeping, the final row, the busy flag released, EXECUTION_UPDATED. */
  async finish(run: ActiveRun, end: RunEnd, output?: Buffer): Promise<void> {
    if (run.settled) return;
    run.settled = true;
    if (run.timer) clearTimeout(run.timer);
    run.dispose?.();
    const status = this.statusFor(run, end.exitCode, end.paneGone);
    let nativeSessionId = run.execution.nativeSessionId;
    if (status === 'completed' || status === 'failed') {
      try {
        nativeSessionId =
          (await this.planner.record(run.adapter, run.plan, {
            executionId: run.execution.executionId,
            originalPrompt: run.originalPrompt,
            output: end.text,
            answerOutput: end.answerText,
            succeeded: status === 'completed',
          })) ?? nativeSessionId;
      } catch (error) {
        this.deps.log(`execution ${run.execution.executionId}: resume state not stored: ${String(error)}`);
      }
    }
    if (output) this.keepOutput(run.execution.executionId, output);
    // Kept with the final row: downstream work (a flow node's outputName) takes the answer, not the raw stream.
    run.data = { ...run.data, answer: boundedAnswer(run.adapter.answerFrom(end.answerText ?? end.text)) };
    run.execution = {
      ...run.execution,
      status,
      exitCode: end.exitCode,
      completion: end.completion,
      endedAt: new Date().toISOString(),
      offsetEnd: end.offsetEnd,
      outputTail: tailLines(end.text),
      nativeSessionId,
    };
    this.active.delete(run.execution.executionId);
    if (run.execution.sessionKey && this.busy.get(run.execution.sessionKey) === run.execution.executionId) this.busy.delete(run.execution.sessionKey);
    const execution = run.execution;
    const stored = this.persist(run).catch((error: unknown) => this.deps.log(`execution ${execution.executionId}: end not stored: ${String(error)}`));
    // EXECUTION_UPDATED joins this row's group commit (one fsync, not two in a row); the bus delivers
    // it once stored, and the journal keeps order, so the row is durable by then.
    void this.deps.bus.publish('EXECUTION_UPDATED', { execution });
    // An end seen by its marker is already a fact on disk (the wrapper writes its status file first, and a
    // restart settles from it): followers in this process (the queue scheduler) hear of it now, so their
    // own writes share this row's group commit instead of waiting for it. Other ends are heard once stored.
    const early = end.completion === 'sentinel';
    if (early) this.updates.fire(execution);
    await stored;
    if (!early) this.updates.fire(execution);
  }

  /** An interactive turn the server lost sight of: its end was not observed, so it is not reported completed. */
  private async settleInteractive(stored: { execution: Execution; queueId: string | null; data: Record<string, unknown> }): Promise<void> {
    await this.settleStored(stored.execution, stored.queueId, { ...stored.data, recovered: true }, {
      status: stored.data.cancelRequested === true ? 'cancelled' : 'failed',
      exitCode: null,
      completion: null,
      outputTail: '(the server restarted during this interactive turn; its end was not observed)',
    });
  }

  /**
   * A run on a remote host the server lost sight of: the host is not connected yet at start,
   * and what the run printed meanwhile was never received, so its end is not made up.
   */
  private async settleRemote(stored: { execution: Execution; queueId: string | null; data: Record<string, unknown> }, host: string): Promise<void> {
    await this.settleStored(stored.execution, stored.queueId, { ...stored.data, recovered: true }, {
      status: stored.data.cancelRequested === true ? 'cancelled' : 'failed',
      exitCode: null,
      completion: null,
      outputTail: `(the server restarted while this execution ran on host ${host}; its end was not observed)`,
    });
  }

  /** Settles a stored execution without a live run (recovery at start). */
  async settleStored(execution: Execution, queueId: string | null, data: Record<string, unknown>, patch: Partial<Execution>): Promise<void> {
    const next = { ...execution, endedAt: new Date().toISOString(), ...patch };
    await this.deps.executions.put(next, { queueId, data });
    this.announce(next);
  }

  /** What a run answered (its tool's answer in its output, e.g. claude's result text), once it ended; null when not known. */
  answer(executionId: string): string | null {
    const value = this.deps.executions.get(executionId)?.data.answer;
    return typeof value === 'string' ? value : null;
  }

  private keepOutput(executionId: string, output: Buffer): void {
    this.recentOutput.set(executionId, output);
    while (this.recentOutput.size > 32) this.recentOutput.delete(this.recentOutput.keys().next().value!);
  }

  announce(execution: Execution): void {
    this.updates.fire(execution);
    void this.deps.bus.publish('EXECUTION_UPDATED', { execution });
  }

  textOf(bytes: Buffer): string {
    return plainText(bytes);
  }

  /** Removes an execution's wrapper files (kept while it runs, for recovery). */
  async removeFiles(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  override dispose(): void {
    for (const run of this.active.values()) {
      if (run.timer) clearTimeout(run.timer);
      run.dispose?.();
    }
    this.stateless.dispose();
    this.hooks.dispose();
    super.dispose();
  }
}
