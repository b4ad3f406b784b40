import type { ToolAdapter } from '../tools/index.ts';
import type { ExecutionLinks } from './contract.ts';
import type { ResumePlan } from './resume.ts';
import type { ActiveRun } from './service.ts';

export interface RunStart {
  readonly executionId: string;
  /** The session it runs in; null for a run without a terminal. */
  readonly sessionKey: string | null;
  /** The request's issue, else the session's. */
  readonly issueId: string | null;
  readonly request: { readonly prompt: string; readonly timeoutS?: number } & ExecutionLinks;
  readonly adapter: ToolAdapter;
  readonly plan: ResumePlan;
  /** What the execution shows as its command. */
  readonly command: string;
  /** The pane stream's offset the recording starts at; null without a pane. */
  readonly offsetStart: number | null;
  /** How its runner follows it (`mode` first) and what a restart needs to follow it again. */
  readonly data: Record<string, unknown>;
}

/** A run that starts now, whichever runner runs it (shell, interactive, stateless). */
export function newActiveRun(start: RunStart): ActiveRun {
  const { request, adapter, plan } = start;
  return {
    execution: {
      executionId: start.executionId,
      sessionKey: start.sessionKey,
      issueId: start.issueId,
      queueItemId: request.queueItemId ?? null,
      flowRunId: request.flowRunId ?? null,
      tool: adapter.name,
      prompt: request.prompt,
      command: start.command,
      status: 'running',
      exitCode: null,
      completion: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
      offsetStart: start.offsetStart,
      offsetEnd: null,
      outputTail: null,
      nativeSessionId: plan.native?.id ?? null,
    },
    queueId: request.queueId ?? null,
    adapter,
    originalPrompt: request.prompt,
    plan,
    data: { ...start.data, ...(request.timeoutS ? { timeoutAt: new Date(Date.now() + request.timeoutS * 1000).toISOString() } : {}) },
    cancelRequested: false,
    timedOut: false,
    fellBack: false,
    settled: false,
  };
}
