import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliSession, ExecuteRequest } from '../../../schemas/index.ts';
import type { PaneStream } from '../../../tmux/pane-stream.ts';
import { isShellCommand, type InputOrigin } from '../../sessions/index.ts';
import type { StoredExecution } from '../../store/index.ts';
import { BUILTIN_ADAPTERS, type ToolAdapter } from '../tools/index.ts';
import type { ExecutionLinks } from './contract.ts';
import { PaneRecorder } from './pane-recorder.ts';
import { displayCommand, type ActiveRun, type ExecutionDeps, type Executions } from './service.ts';
import { ShellReadiness } from './shell-ready.ts';
import { newShellRun, newShellState, storedShellRun, type ShellState } from './shell-run.ts';
import { executionDir, markedOutput, markerPattern, readStatus, type Wrapper } from './wrapper.ts';
import { currentCommand, cursorX, textAfterTyped } from './pane-queries.ts';
import { LocalWrapperHost, RemoteWrapperHost, type WrapperHost } from './wrapper-host.ts';
import { ApiError, errorMessage } from '../../../base/errors.ts';

/** A session younger than this may not run its shell yet. */
const YOUNG_PANE_MS = 10_000;

/**
 * Executions in a shell session: waits for the shell's prompt, types the
 * wrapper line through the SessionHub (the audited input path), records the
 * pane's bytes from the offset before typing, and ends the execution on the
 * wrapper's end marker (or its status file, or the pane's death).
 */
export class ShellRunner {
  private readonly states = new Map<string, ShellState>();
  private readonly readiness: ShellReadiness;
  private readonly local: LocalWrapperHost;
  /** A remote host's wrapper files, per connection (a reloaded host gets a new one). */
  private readonly remote = new WeakMap<object, RemoteWrapperHost>();

  constructor(
    private readonly service: Executions,
    private readonly deps: ExecutionDeps,
  ) {
    this.local = new LocalWrapperHost(deps.dataDir);
    this.readiness = new ShellReadiness(deps.hub, {
      currentCommand: (key, pane, known) => currentCommand(deps.hub, key, pane, known),
      cursorX: (key, pane) => cursorX(deps.hub, key, pane),
    });
  }

  /** The wrapper files' place for a session: its own host's file system. */
  private filesFor(key: string): WrapperHost {
    const host = this.deps.hub.hostOf(key);
    if (host === null) return this.local;
    const { control } = this.deps.hub.endpointOf(key);
    let files = this.remote.get(control);
    if (!files) this.remote.set(control, (files = new RemoteWrapperHost(host, control)));
    return files;
  }

  async start(executionId: string, session: CliSession, request: ExecuteRequest & ExecutionLinks): Promise<import('../../../schemas/index.ts').Execution> {
    const key = session.sessionKey;
    const pane = this.deps.hub.paneOf(key);
    const toolName = request.tool ?? (session.tool === 'custom' ? 'bash' : session.tool);
    const resumeKey = request.resumeKey !== undefined ? request.resumeKey : session.resumeKey;
    const strategy = request.resumeStrategy !== undefined ? request.resumeStrategy : session.resumeStrategy;
    const model = request.model ?? (toolName === session.tool ? session.model : null);
    const dir = executionDir(this.deps.dataDir, executionId);
    const files = this.filesFor(key);
    // The tool's path and the wrapper script (file system) are prepared while tmux is asked what the pane
    // runs and while the shell gets ready: between two queue items in a session these waits add up.
    const prepared = this.prepare(files, executionId, toolName, request.prompt, resumeKey, strategy, model);
    // Its failure is reported below, in order; until then it must not count as unhandled.
    prepared.catch(() => undefined);
    const abort = new AbortController();
    const failed = async (error: unknown): Promise<never> => {
      abort.abort();
      await prepared.catch(() => undefined);
      // A start that fails leaves no directory behind.
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      await files.release(executionId).catch(() => undefined);
      throw error;
    };
    const command = await currentCommand(this.deps.hub, key, pane.paneId, pane.currentCommand);
    const askedAt = performance.now();
    // A pane a moment old may still show tmux's own fork before the shell runs: the readiness wait waits for the shell.
    const young = Date.now() - Date.parse(session.createdAt) < YOUNG_PANE_MS;
    if (command && !isShellCommand(command) && !young) {
      return failed(
        new ApiError(409, 'session_busy', `session "${key}" is running "${command}", not a shell prompt; executions type a command, so they need a pane at a shell prompt`),
      );
    }
    let stream: PaneStream;
    let prep: Awaited<typeof prepared>;
    try {
      // A missing tool is reported at once, not after the shell's readiness wait.
      [stream, prep] = await Promise.all([this.readiness.wait(key, { command, at: askedAt }, abort.signal), prepared]);
    } catch (error) {
      return failed(error);
    }
    const { adapter, plan, argv, wrapper } = prep;
    const offsetStart = stream.offset;
    const run = newShellRun({ executionId, session, request, adapter, plan, argv, wrapper, host: files.host, model, strategy, offsetStart });
    const state = newShellState(key, files, wrapper, 1);
    this.states.set(executionId, state);
    this.attach(run, state, stream, offsetStart);
    await this.service.begin(run);
    try {
      await this.type(run, state);
    } catch (error) {
      await this.endRun(run, state, { exitCode: null, completion: null, offsetEnd: state.recorder?.offset ?? null }, `the command could not be typed: ${errorMessage(error)}`);
      throw error;
    }
    return run.execution;
  }

  /** The tool's adapter and path, the resume plan, the argv, and the wrapper script on disk. */
  private async prepare(files: WrapperHost, executionId: string, toolName: string, prompt: string, resumeKey: string | null, strategy: CliSession['resumeStrategy'], model: string | null) {
    // On a remote host the host's shell finds the tool on its PATH (and says so when it is missing).
    const { adapter, path } = files.host === null ? await this.deps.tools.require(toolName, { oneShot: true }) : { adapter: this.deps.tools.known(toolName, { oneShot: true }), path: null };
    const plan = this.service.planner.plan(adapter, prompt, resumeKey, strategy);
    const argv = [path ?? adapter.bin, ...adapter.oneShotArgs({ prompt: plan.prompt, model, resume: plan.native })];
    // The output file stays on this machine (the recorder writes what the stream brings).
    if (files.host !== null) await this.service.prepareDir(executionId);
    const wrapper = await files.write(executionId, 1, argv);
    return { adapter, plan, argv, wrapper };
  }

  private origin(run: ActiveRun): InputOrigin {
    return { source: 'api', client: `execution ${run.execution.executionId}` };
  }

  private async type(run: ActiveRun, state: ShellState): Promise<void> {
    await this.deps.hub.send(state.key, state.wrapper.typed, true, this.origin(run));
  }

  /** Records the pane from `offset` and watches for the end (marker, status file). */
  private attach(run: ActiveRun, state: ShellState, stream: PaneStream | undefined, offset: number): void {
    if (stream) {
      state.recorder = new PaneRecorder(stream, offset, join(this.service.dirOf(run.execution), 'output'), ({ text, absoluteStart }) => {
        const match = markerPattern(state.wrapper.nonce).end.exec(text);
        if (match && !state.ending) {
          const offsetEnd = absoluteStart + match.index + match[0].length;
          // What the shell prints next is its prompt: the next execution here need not wait long (shell-ready.ts).
          this.readiness.ended(state.key, offsetEnd);
          void this.attemptEnded(run, state, Number(match[1]), offsetEnd);
        }
      });
    }
    state.poll = setInterval(() => void this.pollStatus(run, state), state.files.statusPollMs);
    state.poll.unref?.();
    run.interrupt = () => this.interrupt(run, state);
    run.dispose = () => this.release(run, state);
  }

  private async pollStatus(run: ActiveRun, state: ShellState): Promise<void> {
    // A host that does not answer now must not pile up reads.
    if (state.ending || run.settled || state.polling) return;
    state.polling = true;
    const code = await state.files.readStatus(state.wrapper).finally(() => (state.polling = false));
    if (code === undefined || state.ending) return;
    // The marker normally arrives first; give the stream one more poll to deliver it.
    if (!state.statusSeen && state.recorder) {
      state.statusSeen = true;
      return;
    }
    await this.attemptEnded(run, state, code, state.recorder?.offset ?? null);
  }

  /** The wrapper of the current attempt reported `code`. */
  private async attemptEnded(run: ActiveRun, state: ShellState, code: number, offsetEnd: number | null): Promise<void> {
    if (state.ending || run.settled) return;
    state.ending = true;
    const text = this.attemptText(state);
    const native = run.plan.native;
    const retryable = code !== 0 && !run.fellBack && !run.cancelRequested && !run.timedOut;
    if (retryable && native?.kind === 'resume' && run.adapter.unknownSession(text)) {
      await this.fallBack(run, state, text);
      return;
    }
    if (retryable && native?.kind === 'new' && run.adapter.sessionInUse(text)) {
      run.plan = this.service.planner.resumeChosen(run.plan);
      await this.retry(run, state, text, { strategy: 'nativeResume', note: run.plan.note ?? null, native: run.plan.native }, native.id);
      return;
    }
    await this.endRun(run, state, { exitCode: code, completion: 'sentinel', offsetEnd }, text);
  }

  /** The tool said the session to resume is unknown: record it and run once more with promptConcat. */
  private async fallBack(run: ActiveRun, state: ShellState, text: string): Promise<void> {
    const reason = (text.split('\n').find((line) => run.adapter.unknownSession(line)) ?? 'unknown session').trim().slice(0, 300);
    try {
      await this.service.planner.recordFallback(run.adapter, run.plan.resumeKey!, reason);
      run.plan = this.service.planner.fallback(run.plan, run.originalPrompt, reason);
    } catch (error) {
      await this.retryFailed(run, state, text, error);
      return;
    }
    await this.retry(run, state, text, { strategy: 'promptConcat', fallback: reason, native: null }, null);
  }

  /** Runs the tool once more in the same execution, with `run.plan` as it is now. */
  private async retry(run: ActiveRun, state: ShellState, text: string, data: Record<string, unknown>, nativeSessionId: string | null): Promise<void> {
    run.fellBack = true;
    try {
      const path = run.execution.command.split(' ')[0]!;
      const model = typeof run.data.model === 'string' ? run.data.model : null;
      const argv = [state.files.host === null ? await this.binPath(run.adapter, path) : path, ...run.adapter.oneShotArgs({ prompt: run.plan.prompt, model, resume: run.plan.native })];
      state.attempt += 1;
      state.wrapper = await state.files.write(run.execution.executionId, state.attempt, argv);
      state.statusSeen = false;
      run.data = { ...run.data, attempt: state.attempt, nonce: state.wrapper.nonce, dir: state.wrapper.dir, ...data };
      await this.service.changed(run, { command: displayCommand(argv), nativeSessionId });
      state.ending = false;
      await this.waitReady(state.key);
      await this.type(run, state);
    } catch (error) {
      await this.retryFailed(run, state, text, error);
    }
  }

  private async retryFailed(run: ActiveRun, state: ShellState, text: string, error: unknown): Promise<void> {
    state.ending = true;
    await this.endRun(run, state, { exitCode: null, completion: null, offsetEnd: state.recorder?.offset ?? null }, `${text}\nrunning the tool once more failed: ${errorMessage(error)}`);
  }

  private async binPath(adapter: ToolAdapter, previous: string): Promise<string> {
    try {
      return (await this.deps.tools.require(adapter.name)).path;
    } catch {
      return previous;
    }
  }

  /** The current attempt's output as text: between its begin and end markers. */
  private attemptText(state: ShellState): string {
    const bytes = state.recorder?.recorded() ?? Buffer.alloc(0);
    return this.service.textOf(markedOutput(bytes, state.wrapper.nonce));
  }

  private async endRun(run: ActiveRun, state: ShellState, end: { exitCode: number | null; completion: ActiveRun['execution']['completion']; offsetEnd: number | null; paneGone?: 'exited' | 'closed' }, text: string): Promise<void> {
    state.ending = true;
    let output: Buffer | undefined;
    if (state.recorder && end.offsetEnd !== null) output = state.recorder.stopAt(end.offsetEnd);
    const flushed = state.recorder?.flush();
    const recovered = run.data.recovered === true;
    // The end is not held up by the output file (a slow disk): the service keeps these bytes for /output.
    // Without them in memory, the file is what /output reads: then it is complete first.
    if (recovered || output === undefined) await flushed;
    if (recovered) output = await readFile(join(this.service.dirOf(run.execution), 'output')).catch(() => output);
    await this.service.finish(run, { ...end, offsetEnd: recovered ? null : end.offsetEnd, text }, output);
    await flushed;
  }

  private release(run: ActiveRun, state: ShellState): void {
    if (state.poll) clearInterval(state.poll);
    for (const timer of state.timers) clearTimeout(timer);
    state.recorder?.dispose();
    this.states.delete(run.execution.executionId);
    if (state.files.host !== null) {
      state.files.release(run.execution.executionId).catch((error: unknown) => this.deps.log(`execution ${run.execution.executionId}: wrapper files on host ${state.files.host} not removed: ${String(error)}`));
    }
  }

  /** Ctrl-C; then SIGTERM and SIGKILL to the command's processes; then give up waiting. */
  private interrupt(run: ActiveRun, state: ShellState): void {
    void this.deps.hub.keys(state.key, ['C-c'], this.origin(run)).catch(() => undefined);
    const step = this.service.escalateMs;
    const later = (ms: number, fn: () => Promise<void> | void) => {
      const timer = setTimeout(() => {
        if (!run.settled && !state.ending) void fn();
      }, ms);
      timer.unref?.();
      state.timers.push(timer);
    };
    later(step, () => state.files.signal(state.wrapper, 'SIGTERM'));
    later(2 * step, () => state.files.signal(state.wrapper, 'SIGKILL'));
    later(4 * step, async () => {
      const code = await state.files.readStatus(state.wrapper);
      if (code !== undefined) return this.attemptEnded(run, state, code, state.recorder?.offset ?? null);
      await this.endRun(run, state, { exitCode: null, completion: null, offsetEnd: state.recorder?.offset ?? null }, `${this.attemptText(state)}\n(the command did not stop after Ctrl-C, SIGTERM and SIGKILL)`);
    });
  }

  /** The session's pane died or was closed while the execution ran. */
  async paneGone(run: ActiveRun, kind: 'exited' | 'closed', _code: number | null): Promise<void> {
    const state = this.states.get(run.execution.executionId);
    if (!state || state.ending || run.settled) return;
    const code = await state.files.readStatus(state.wrapper);
    if (code !== undefined) return this.attemptEnded(run, state, code, state.recorder?.offset ?? null);
    await this.endRun(run, state, { exitCode: null, completion: 'pane-exit', offsetEnd: state.recorder?.offset ?? null, paneGone: kind }, this.attemptText(state));
  }

  liveOutput(run: ActiveRun): Buffer | undefined {
    return this.states.get(run.execution.executionId)?.recorder?.recorded();
  }

  private waitReady(key: string): Promise<PaneStream> {
    return this.readiness.wait(key);
  }

  /** After a restart: settle from what the wrapper left, or follow the run further (runs on the bridge's own server). */
  async recover(stored: StoredExecution): Promise<void> {
    const { execution, data } = stored;
    const dir = typeof data.dir === 'string' ? data.dir : executionDir(this.deps.dataDir, execution.executionId);
    const nonce = typeof data.nonce === 'string' ? data.nonce : '';
    const wrapper: Wrapper = { dir, script: join(dir, 'run.sh'), statusFile: join(dir, 'status'), pidFile: join(dir, 'pid'), nonce, typed: ` bash '${join(dir, 'run.sh')}'` };
    const run = storedShellRun(stored, this.deps.tools.adapter(execution.tool) ?? BUILTIN_ADAPTERS[0]!);
    const key = execution.sessionKey!;
    const state = newShellState(key, this.local, wrapper, typeof data.attempt === 'number' ? data.attempt : 1);
    this.states.set(execution.executionId, state);
    const code = await readStatus(wrapper.statusFile);
    let pane;
    try {
      pane = this.deps.hub.paneOf(key);
    } catch {
      pane = undefined;
    }
    const livePane = pane && !pane.dead ? pane.paneId : undefined;
    const outputText = async () => {
      const recorded = await readFile(join(dir, 'output')).catch(() => Buffer.alloc(0));
      // The file is flushed as bytes arrive, but what the command printed while no server read the
      // pane is only in tmux's history: read it there when the file has not seen the end.
      if (!markerPattern(nonce).end.test(recorded.toString('latin1')) && livePane) {
        // Recovery follows runs of the bridge's own server only.
        const screen = await textAfterTyped(this.deps.hub, livePane, wrapper.script);
        if (screen !== undefined) return screen;
      }
      return this.service.textOf(markedOutput(recorded, nonce));
    };
    if (code !== undefined || !pane || pane.dead) {
      // Ended while we were away: the wrapper's status file is the fact; without one the pane's end is.
      run.dispose = () => this.release(run, state);
      state.ending = true;
      const end =
        code !== undefined
          ? { exitCode: code, completion: 'sentinel' as const, offsetEnd: null }
          : { exitCode: null, completion: 'pane-exit' as const, offsetEnd: null, paneGone: pane ? ('exited' as const) : ('closed' as const) };
      await this.service.finish(run, { ...end, text: await outputText() }, await readFile(join(dir, 'output')).catch(() => undefined));
      return;
    }
    const stream = await this.deps.hub.outputStream(key);
    this.attach(run, state, stream, stream?.offset ?? 0);
    await this.service.begin(run);
    if (run.cancelRequested || run.timedOut) run.interrupt?.();
  }
}
