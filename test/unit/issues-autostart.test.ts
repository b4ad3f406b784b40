import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { CliSession, CreateSessionBody } from '../../schemas/index.ts';
import { Emitter } from '../../base/emitter.ts';
import { EventBus } from '../../server/events/event-bus.ts';
import { MemoryEventSink } from '../helpers/memory-event-sink.ts';
import { Store } from '../../server/store/index.ts';
import { IssueAutoStart, type ExecutionsPort, type RunLike, type SessionsPort } from '../../server/workbench/issues/autostart.ts';
import { IssueService } from '../../server/workbench/issues/service.ts';
import { recordingLog, removeTempDirs, tempDir } from '../fixtures/store/helpers.ts';
import { waitFor } from '../helpers/wait.ts';

afterAll(removeTempDirs);

/** Executions as the real service behaves at its edges: a start event, later an end event. */
class FakeExecutions implements ExecutionsPort {
  readonly runs = new Map<string, RunLike>();
  readonly calls: Array<{ sessionKey: string; prompt: string; tool?: string; issueId?: string | null }> = [];
  readonly updates = new Emitter<RunLike>();
  readonly onDidUpdate = this.updates.event;
  failWith: Error | undefined;
  private n = 0;

  async executeInSession(sessionKey: string, request: { prompt: string; tool?: string; issueId?: string | null }): Promise<RunLike> {
    if (this.failWith) throw this.failWith;
    this.calls.push({ sessionKey, ...request });
    const run: RunLike = { executionId: `e${++this.n}`, sessionKey, issueId: request.issueId ?? null, queueItemId: null, flowRunId: null, status: 'running', exitCode: null };
    this.runs.set(run.executionId, run);
    this.updates.fire(run);
    return run;
  }
  end(executionId: string, status: string, exitCode: number | null): void {
    const run = { ...this.runs.get(executionId)!, status, exitCode };
    this.runs.set(executionId, run);
    this.updates.fire(run);
  }
  get(id: string) {
    return this.runs.get(id);
  }
  list(filter: { issueId?: string; status?: 'running' } = {}) {
    return [...this.runs.values()].filter((r) => (!filter.issueId || r.issueId === filter.issueId) && (!filter.status || r.status === filter.status));
  }
  isBusy(sessionKey: string) {
    return [...this.runs.values()].some((r) => r.sessionKey === sessionKey && r.status === 'running');
  }
}

class FakeSessions implements SessionsPort {
  readonly sessions: CliSession[] = [];
  async create(body: CreateSessionBody): Promise<CliSession> {
    const session = { sessionKey: `s${this.sessions.length + 1}`, status: 'running', issueId: body.issueId ?? null, currentCommand: 'bash', tool: body.tool, resumeKey: body.resumeKey } as CliSession;
    this.sessions.push(session);
    return session;
  }
  list() {
    return this.sessions;
  }
}

let store: Store;
let service: IssueService;
let executions: FakeExecutions;
let sessions: FakeSessions;
let auto: IssueAutoStart;
let dir: string;

async function open(): Promise<void> {
  store = await Store.open({ dataDir: dir, log: recordingLog() });
  service = new IssueService(store.issues, store.sessions, new EventBus(new MemoryEventSink()));
  auto = new IssueAutoStart(service, executions, sessions);
}

beforeEach(async () => {
  dir = tempDir();
  executions = new FakeExecutions();
  sessions = new FakeSessions();
  await open();
  await service.putSettings({ autoStartOnInProgress: { enabled: true, tool: 'claude', model: null, promptTemplate: 'Fix {{id}}: {{title}}\n{{body}}' } });
});

afterEach(async () => {
  auto.dispose();
  service.dispose();
  await store.close();
});

describe('auto-start on in_progress', () => {
  test('a move into in_progress starts exactly one execution; its completion resolves the issue', async () => {
    const issue = await service.create({ title: 'Add retries', body: 'on 503' }, 'api');
    await service.move(issue.id, { status: 'in_progress' }, 'web');
    await waitFor(() => executions.calls.length === 1, 'one execution');
    expect(executions.calls[0]).toMatchObject({ sessionKey: 's1', prompt: `Fix ${issue.id}: Add retries\non 503`, tool: 'claude', issueId: issue.id });
    expect(sessions.sessions[0]).toMatchObject({ issueId: issue.id, resumeKey: `issue-${issue.id}`, tool: 'bash' });
    await auto.idle();
    expect(service.get(issue.id).lastRun).toMatchObject({ executionId: 'e1', status: 'running' });

    // Out and back in while it runs: nothing new starts.
    await service.move(issue.id, { status: 'queued' }, 'web');
    await service.move(issue.id, { status: 'in_progress' }, 'web');
    await auto.idle();
    expect(executions.calls).toHaveLength(1);

    executions.end('e1', 'completed', 0);
    await waitFor(async () => {
      await auto.idle();
      return service.get(issue.id).status === 'resolved';
    }, 'resolved');
    expect(service.get(issue.id).lastRun).toMatchObject({ executionId: 'e1', status: 'completed', exitCode: 0 });
    const last = service.history(issue.id).filter((h) => h.field === 'status').at(-1);
    expect(last).toMatchObject({ from: 'in_progress', to: 'resolved', by: 'scheduler' });

    // Next time the idle session is reused.
    await service.move(issue.id, { status: 'in_progress' }, 'web');
    await waitFor(() => executions.calls.length === 2, 'second run');
    expect(executions.calls[1]!.sessionKey).toBe('s1');
    expect(sessions.sessions).toHaveLength(1);
  });

  test('a failure leaves the issue in_progress with the failure recorded; off means nothing starts', async () => {
    const issue = await service.create({ title: 'Will fail' }, 'api');
    await service.move(issue.id, { status: 'in_progress' }, 'api');
    await waitFor(() => executions.calls.length === 1, 'started');
    await auto.idle();
    executions.end('e1', 'failed', 2);
    await waitFor(async () => {
      await auto.idle();
      return service.get(issue.id).lastRun?.status === 'failed';
    }, 'failure recorded');
    expect(service.get(issue.id)).toMatchObject({ status: 'in_progress', lastRun: { exitCode: 2 } });

    executions.failWith = new Error('tool claude is not installed');
    const other = await service.create({ title: 'No tool' }, 'api');
    await service.move(other.id, { status: 'in_progress' }, 'api');
    await waitFor(() => service.get(other.id).lastRun?.error?.includes('not installed'), 'start failure recorded');
    expect(service.get(other.id).status).toBe('in_progress');

    executions.failWith = undefined;
    await service.putSettings({ autoStartOnInProgress: { ...service.settings().autoStartOnInProgress, enabled: false } });
    const third = await service.create({ title: 'Off' }, 'api');
    await service.move(third.id, { status: 'in_progress' }, 'api');
    await auto.idle();
    expect(executions.calls).toHaveLength(1);
  });

  test('an execution run from the drawer moves an open issue to in_progress, then to resolved; queue items are left alone', async () => {
    const issue = await service.create({ title: 'Manual run' }, 'api');
    await executions.executeInSession('sX', { prompt: 'make test', issueId: issue.id });
    await waitFor(async () => {
      await auto.idle();
      return service.get(issue.id).status === 'in_progress';
    }, 'in progress');
    // The scheduler's move never auto-starts a second run.
    expect(executions.calls).toHaveLength(1);
    executions.end('e1', 'completed', 0);
    await waitFor(async () => {
      await auto.idle();
      return service.get(issue.id).status === 'resolved';
    }, 'resolved');

    const queued = await service.create({ title: 'Queue owned' }, 'api');
    const run: RunLike = { executionId: 'q1', sessionKey: 'sQ', issueId: queued.id, queueItemId: 'item-1', flowRunId: null, status: 'completed', exitCode: 0 };
    executions.updates.fire(run);
    await auto.idle();
    expect(service.get(queued.id)).toMatchObject({ status: 'open', lastRun: null });
  });

  test('a run that ended while the server was down is settled at start', async () => {
    const issue = await service.create({ title: 'Survives a restart' }, 'api');
    await service.move(issue.id, { status: 'in_progress' }, 'api');
    await waitFor(() => executions.calls.length === 1, 'started');
    await auto.idle();
    auto.dispose();
    service.dispose();
    await store.close();
    // While down: it completed (the real service fires for these too; reconcile must not need it).
    executions.runs.set('e1', { ...executions.runs.get('e1')!, status: 'completed', exitCode: 0 });
    await open();
    await auto.idle();
    expect(service.get(issue.id)).toMatchObject({ status: 'resolved', lastRun: { status: 'completed' } });
  });
});
