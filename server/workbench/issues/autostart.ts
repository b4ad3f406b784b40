import { fillPromptTemplate, type CliSession, type CreateSessionBody, type Issue, type IssueRun } from '../../../schemas/index.ts';
import type { Event } from '../../../base/emitter.ts';
import { Disposable } from '../../../base/lifecycle.ts';
import type { IssueService, IssueStatusChange } from './service.ts';
import { isShellCommand } from '../../sessions/index.ts';
import { errorMessage } from '../../../base/errors.ts';
import { failureFields, startErrorParams } from '../../../schemas/queue-reason.ts';

/** What the board needs of an execution (docs/api.md "Executions"). */
export interface RunLike {
  readonly executionId: string;
  readonly sessionKey: string | null;
  readonly issueId: string | null;
  readonly queueItemId: string | null;
  readonly flowRunId: string | null;
  readonly status: string;
  readonly exitCode: number | null;
}

/** The part of the ExecutionService (server/workbench/executions) the board uses. */
export interface ExecutionsPort {
  executeInSession(sessionKey: string, request: { prompt: string; tool?: string; model?: string | null; resumeKey?: string | null; issueId?: string | null }): Promise<RunLike>;
  get(executionId: string): RunLike | undefined;
  list(filter?: { issueId?: string; status?: 'running' }): RunLike[];
  isBusy(sessionKey: string): boolean;
  readonly onDidUpdate: Event<RunLike>;
}

/** The part of the SessionHub the board uses. */
export interface SessionsPort {
  list(): CliSession[];
  create(body: CreateSessionBody): Promise<CliSession>;
}

const ENDED = new Set(['completed', 'failed', 'timeout', 'cancelled']);

/**
 * The board's link to executions:
 * - With `autoStartOnInProgress` on, a move into `in_progress` (by a person or the API)
 *   starts exactly one execution for the issue, in its idle shell session or a new one;
 *   nothing starts while one of the issue's executions runs.
 * - An execution of the issue (auto-started or from the drawer; not a queue item's or a
 *   flow's, which those own) is recorded as the issue's `lastRun`; an open or queued
 *   issue goes to `in_progress` when it starts. When it completes the issue goes to
 *   `resolved` for a human to review (never `completed`); a failure leaves it
 *   `in_progress` with the failure on the card.
 * - At start, runs that ended while the server was down are settled the same way.
 */
export class IssueAutoStart extends Disposable {
  private readonly starting = new Set<string>();
  /** One change at a time, in event order (each awaits a durable write). */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly issues: IssueService,
    private readonly executions: ExecutionsPort,
    private readonly sessions: SessionsPort,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    super();
    this.register(issues.onDidChangeStatus((change) => void this.onStatus(change)));
    this.register(executions.onDidUpdate((run) => this.enqueue(() => this.onRun(run))));
    this.enqueue(() => this.reconcile());
  }

  /** Resolves when everything queued so far is done (tests, shutdown). */
  idle(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((error: unknown) => this.log(`issue board: ${errorMessage(error)}`));
  }

  private async onStatus(change: IssueStatusChange): Promise<void> {
    if (change.to !== 'in_progress' || change.by === 'scheduler') return;
    const settings = this.issues.settings().autoStartOnInProgress;
    if (!settings.enabled) return;
    const issue = change.issue;
    // A second drag while its run goes on starts nothing.
    if (this.starting.has(issue.id) || this.executions.list({ issueId: issue.id, status: 'running' }).length > 0) return;
    this.starting.add(issue.id);
    let sessionKey: string | null = null;
    try {
      const session = this.idleSession(issue) ?? (await this.newSession(issue, settings.workingDir ?? undefined));
      sessionKey = session.sessionKey;
      const run = await this.executions.executeInSession(session.sessionKey, {
        prompt: fillPromptTemplate(settings.promptTemplate, issue),
        tool: settings.tool,
        model: settings.model ?? null,
        issueId: issue.id,
      });
      // The start event normally recorded it already (and the end may have followed): only fill a gap.
      this.enqueue(async () => {
        if (this.issues.has(issue.id) && this.issues.get(issue.id).lastRun?.executionId !== run.executionId) await this.record(issue.id, run);
      });
    } catch (error) {
      const why = failureFields('auto_start_failed', startErrorParams(error));
      await this.issues.setLastRun(issue.id, { executionId: null, sessionKey, status: 'failed', exitCode: null, error: why.failure_reason, errorCode: why.failure_code, at: new Date().toISOString() });
    } finally {
      this.starting.delete(issue.id);
    }
  }

  /** A running session of the issue at a shell prompt with nothing executing in it. */
  private idleSession(issue: Issue): CliSession | undefined {
    return this.sessions
      .list()
      .filter((s) => s.issueId === issue.id && s.status === 'running' && !this.executions.isBusy(s.sessionKey))
      .find((s) => !s.currentCommand || isShellCommand(s.currentCommand));
  }

  private newSession(issue: Issue, workingDir: string | undefined): Promise<CliSession> {
    // A shell: executions type their command at its prompt, with the tool the settings name.
    return this.sessions.create({ tool: 'bash', issueId: issue.id, resumeKey: `issue-${issue.id}`, ...(workingDir ? { workingDir } : {}) });
  }

  private async onRun(run: RunLike): Promise<void> {
    if (!run.issueId || run.queueItemId || run.flowRunId || !this.issues.has(run.issueId)) return;
    const issue = this.issues.get(run.issueId);
    if (run.status === 'running') {
      if (issue.lastRun?.executionId === run.executionId && issue.lastRun.status === 'running') return;
      await this.record(issue.id, run);
      if (issue.status === 'open' || issue.status === 'queued') await this.issues.move(issue.id, { status: 'in_progress' }, 'scheduler');
      return;
    }
    if (!ENDED.has(run.status)) return;
    // Only the issue's latest run decides, once.
    if (issue.lastRun?.executionId && issue.lastRun.executionId !== run.executionId) return;
    if (issue.lastRun?.executionId === run.executionId && issue.lastRun.status === run.status) return;
    await this.record(issue.id, run);
    if (run.status === 'completed' && issue.status === 'in_progress') await this.issues.move(issue.id, { status: 'resolved' }, 'scheduler');
  }

  private async record(issueId: string, run: RunLike): Promise<void> {
    const lastRun: IssueRun = { executionId: run.executionId, sessionKey: run.sessionKey, status: run.status, exitCode: run.exitCode, error: null, at: new Date().toISOString() };
    await this.issues.setLastRun(issueId, lastRun);
  }

  /** Runs that ended while the server was down. */
  private async reconcile(): Promise<void> {
    for (const issue of this.issues.list()) {
      const last = issue.lastRun;
      if (!last?.executionId || last.status !== 'running') continue;
      const run = this.executions.get(last.executionId);
      if (run && run.status !== 'running') await this.onRun(run);
    }
  }
}
