import type { CliSession, ExecuteRequest } from '../../../schemas/index.ts';
import type { StoredExecution } from '../../store/index.ts';
import type { ToolAdapter } from '../tools/index.ts';
import type { ExecutionLinks } from './contract.ts';
import { newActiveRun } from './new-run.ts';
import type { PaneRecorder } from './pane-recorder.ts';
import type { ResumePlan } from './resume.ts';
import { displayCommand, type ActiveRun } from './service.ts';
import type { Wrapper } from './wrapper.ts';
import type { WrapperHost } from './wrapper-host.ts';

/** What a shell execution's runner holds while it runs: the current attempt's wrapper, recorder and timers. */
export interface ShellState {
  readonly key: string;
  /** Where the wrapper's files are (this machine, or the session's remote host). */
  readonly files: WrapperHost;
  wrapper: Wrapper;
  attempt: number;
  recorder: PaneRecorder | undefined;
  poll: NodeJS.Timeout | undefined;
  polling: boolean;
  statusSeen: boolean;
  timers: NodeJS.Timeout[];
  ending: boolean;
}

export function newShellState(key: string, files: WrapperHost, wrapper: Wrapper, attempt: number): ShellState {
  return { key, files, wrapper, attempt, recorder: undefined, poll: undefined, polling: false, statusSeen: false, timers: [], ending: false };
}

export interface NewShellRun {
  readonly executionId: string;
  readonly session: CliSession;
  readonly request: ExecuteRequest & ExecutionLinks;
  readonly adapter: ToolAdapter;
  readonly plan: ResumePlan;
  readonly argv: readonly string[];
  readonly wrapper: Wrapper;
  /** The remote host the wrapper's files are on, null for this machine. */
  readonly host: string | null;
  readonly model: string | null;
  /** The strategy the request (or the session) asked for, before the planner chose. */
  readonly strategy: CliSession['resumeStrategy'] | undefined;
  /** The pane stream's offset before the wrapper line is typed: the recording starts there. */
  readonly offsetStart: number;
}

/**
 * A run that starts now. `data` is what a restart needs to follow it again (shell-runner.ts `recover`
 * reads it back through `storedShellRun`).
 */
export function newShellRun(start: NewShellRun): ActiveRun {
  const { executionId, session, request, adapter, plan, argv, wrapper, host, model, strategy, offsetStart } = start;
  return newActiveRun({
    executionId,
    sessionKey: session.sessionKey,
    issueId: request.issueId ?? session.issueId ?? null,
    request,
    adapter,
    plan,
    command: displayCommand(argv),
    offsetStart,
    data: {
      mode: 'shell',
      attempt: 1,
      nonce: wrapper.nonce,
      dir: wrapper.dir,
      host,
      model,
      resumeKey: plan.resumeKey,
      strategy: plan.strategy,
      requestedStrategy: strategy ?? null,
      native: plan.native ?? null,
      note: plan.note ?? null,
    },
  });
}

/** A run that was going on when the server stopped, from its stored row and `data`. */
export function storedShellRun(stored: StoredExecution, adapter: ToolAdapter): ActiveRun {
  const { execution, data } = stored;
  const plan: ResumePlan = {
    resumeKey: typeof data.resumeKey === 'string' ? data.resumeKey : null,
    strategy: data.strategy === 'nativeResume' || data.strategy === 'promptConcat' ? data.strategy : null,
    prompt: execution.prompt,
    ...(data.native && typeof data.native === 'object' ? { native: data.native as ResumePlan['native'] } : {}),
  };
  return {
    execution,
    queueId: stored.queueId,
    adapter,
    originalPrompt: execution.prompt,
    plan,
    data: { ...data, recovered: true },
    cancelRequested: data.cancelRequested === true,
    timedOut: data.timedOut === true,
    // One retry per execution, also across a restart.
    fellBack: typeof data.fallback === 'string' || Number(data.attempt) > 1,
    settled: false,
  };
}
