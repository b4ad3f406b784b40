import { afterEach, describe, expect, it } from 'vitest';
import { Emitter } from '../../base/emitter.ts';
import type { CliSession, CreateSessionBody } from '../../schemas/session.ts';
import { EventBus } from '../../server/events/event-bus.ts';
import { MemoryEventSink } from '../helpers/memory-event-sink.ts';
import { Store } from '../../server/store/index.ts';
import { Queues, type QueueExecution, type QueueExecutions, type QueueIssues, type QueueSessions } from '../../server/workbench/queues/index.ts';
import type { QueueExecuteRequest } from '../../server/workbench/queues/ports.ts';
import { recordingLog, tempDir, removeTempDirs } from '../fixtures/store/helpers.ts';
import { waitFor } from '../helpers/wait.ts';
import { afterAll } from 'vitest';

/** An ExecutionService stand-in whose executions end when the test says so. */
class FakeExecutions implements QueueExecutions {
  readonly runs = new Map<string, QueueExecution & { request: QueueExecuteRequest }>();
  private readonly emitter = new Emitter<QueueExecution>();
  readonly onDidUpdate = this.emitter.event;
  private n = 0;

  async executeInSession(sessionKey: string, request: QueueExecuteRequest): Promise<QueueExecution> {
    if (this.isBusy(sessionKey)) throw Object.assign(new Error('busy'), { status: 409, code: 'session_busy' });
    const execution = { executionId: `e_${++this.n}`, sessionKey, queueItemId: request.queueItemId ?? null, status: 'running' as const, exitCode: null, startedAt: new Date().toISOString(), endedAt: null, outputTail: null, request };
    this.runs.set(execution.executionId, execution);
    this.emitter.fire(execution);
    return execution;
  }
  get(id: string) {
    return this.runs.get(id);
  }
  list(filter: { queueItemId?: string } = {}) {
    return [...this.runs.values()].filter((e) => !filter.queueItemId || e.queueItemId === filter.queueItemId);
  }
  async cancel(id: string) {
    return this.finish(id, 'cancelled', null);
  }
  isBusy(sessionKey: string) {
    return [...this.runs.values()].some((e) => e.sessionKey === sessionKey && e.status === 'running');
  }
  running() {
    return [...this.runs.values()].filter((e) => e.status === 'running');
  }
  byItem(itemId: string) {
    return [...this.runs.values()].filter((e) => e.queueItemId?.endsWith(`:${itemId}`));
  }
  finish(id: string, status: QueueExecution['status'], exitCode: number | null, outputTail = `out of ${id}`) {
    const done = { ...this.runs.get(id)!, status, exitCode, endedAt: new Date().toISOString(), outputTail };
    this.runs.set(id, done);
    this.emitter.fire(done);
    return done;
  }
}

class FakeSessions implements QueueSessions {
  readonly sessions: CliSession[] = [];
  list() {
    return this.sessions;
  }
  async create(body: CreateSessionBody) {
    const s = { sessionKey: `s_${this.sessions.length + 1}`, name: body.name!, tool: body.tool ?? 'bash', status: 'running', issueId: body.issueId ?? null, resumeKey: body.resumeKey ?? null } as CliSession;
    this.sessions.push(s);
    return s;
  }
}

class FakeIssues implements QueueIssues {
  readonly statuses = new Map<string, string>([['I-1', 'open']]);
  get(id: string) {
    const status = this.statuses.get(id);
    return status ? { id, title: `Issue ${id}`, body: 'body', status } : undefined;
  }
  async setStatus(id: string, status: 'in_progress' | 'resolved') {
    this.statuses.set(id, status);
  }
}

const open: Array<{ store: Store; queues: Queues }> = [];
afterEach(async () => {
  for (const { store, queues } of open.splice(0)) {
    queues.dispose();
    await store.close();
  }
});
afterAll(removeTempDirs);

async function boot(dir: string, executions: FakeExecutions, sessions = new FakeSessions(), issues = new FakeIssues()) {
  const store = await Store.open({ dataDir: dir, log: recordingLog() });
  const queues = new Queues({ repo: store.queues, bus: new EventBus(new MemoryEventSink()), sessions, executions, issues: () => issues, log: () => undefined });
  await queues.start();
  open.push({ store, queues });
  return { store, queues, sessions, issues };
}

async function close(entry: { store: Store; queues: Queues }) {
  open.splice(open.indexOf(entry as never), 1);
  entry.queues.dispose();
  await entry.store.close();
}

const P1_S1 = {
  name: 'nightly',
  execution_groups: [
    { id: 'P1', type: 'parallel' as const },
    { id: 'S1', type: 'sequential' as const },
  ],
  items: [
    { prompt: 'a', execution_group: 'P1' },
    { prompt: 'b', execution_group: 'P1' },
    { prompt: 'c', execution_group: 'S1', depends_on: ['T-1', 'T-2'] },
    { prompt: 'd', execution_group: 'S1', depends_on: ['T-1'] },
  ],
};

describe('queue runner (fake executions, real store)', () => {
  it('runs P1 in parallel within the limit, then S1 in order, and completes the queue', async () => {
    const ex = new FakeExecutions();
    const { queues } = await boot(tempDir(), ex);
    const q = await queues.service.create(P1_S1);
    await queues.runner().control(q.id, 'start');
    await waitFor(() => ex.running().length === 2, 'P1 started');
    expect(ex.running().map((e) => e.request.prompt).sort()).toEqual(['a', 'b']);
    ex.finish(ex.byItem('T-1')[0]!.executionId, 'completed', 0);
    // T-2 still runs: S1 waits for its whole group.
    await waitFor(() => queues.service.get(q.id).items.find((i) => i.item_id === 'T-1')!.status === 'completed', 'T-1 completed');
    expect(ex.running().length).toBe(1);
    ex.finish(ex.byItem('T-2')[0]!.executionId, 'completed', 0);
    await waitFor(() => ex.byItem('T-3').length === 1, 'T-3 started');
    expect(ex.byItem('T-4').length).toBe(0);
    ex.finish(ex.byItem('T-3')[0]!.executionId, 'completed', 0, 'result of c');
    await waitFor(() => ex.byItem('T-4').length === 1, 'T-4 started');
    ex.finish(ex.byItem('T-4')[0]!.executionId, 'completed', 0);
    const done = await waitFor(() => {
      const now = queues.service.get(q.id);
      return now.status === 'completed' ? now : undefined;
    }, 'queue completed');
    expect(done.scheduler.state).toBe('idle');
    const t3 = done.items.find((i) => i.item_id === 'T-3')!;
    expect(t3).toMatchObject({ status: 'completed', result: 'result of c', failure_reason: null, executionId: ex.byItem('T-3')[0]!.executionId, attempts: 1 });
    // Items without an issue share the queue's sessions: two were made for P1, S1 reused them.
    expect(new Set([...ex.runs.values()].map((e) => e.sessionKey)).size).toBe(2);
  });

  it('a failure blocks dependents naming it; retry releases them; skip lets them go on', async () => {
    const ex = new FakeExecutions();
    const { queues } = await boot(tempDir(), ex);
    const q = await queues.service.create({ name: 'f', items: [{ prompt: 'a' }, { prompt: 'b', depends_on: ['T-1'] }, { prompt: 'c', depends_on: ['T-2'] }] });
    await queues.runner().control(q.id, 'start');
    await waitFor(() => ex.byItem('T-1').length === 1, 'T-1 started');
    ex.finish(ex.byItem('T-1')[0]!.executionId, 'failed', 3);
    const blocked = await waitFor(() => {
      const t2 = queues.service.get(q.id).items.find((i) => i.item_id === 'T-2')!;
      return t2.status === 'blocked' ? t2 : undefined;
    }, 'T-2 blocked');
    expect(blocked.blocked_reason).toBe('waits for T-1 which failed (exited with code 3)');
    expect(queues.service.get(q.id).items[0]).toMatchObject({ status: 'failed', failure_reason: 'exited with code 3' });
    // Retry on the blocked T-3 retries the failed root T-1.
    await queues.runner().retry(q.id, 'T-3');
    await waitFor(() => ex.byItem('T-1').length === 2, 'T-1 ran again');
    ex.finish(ex.byItem('T-1')[1]!.executionId, 'completed', 0);
    await waitFor(() => ex.byItem('T-2').length === 1, 'T-2 released');
    ex.finish(ex.byItem('T-2')[0]!.executionId, 'failed', 1);
    await waitFor(() => queues.service.get(q.id).items.find((i) => i.item_id === 'T-3')!.status === 'blocked', 'T-3 blocked');
    await queues.runner().skip(q.id, 'T-2');
    await waitFor(() => ex.byItem('T-3').length === 1, 'T-3 runs after the skip');
  });

  it('pause holds new starts while running items finish; resume goes on; stop cancels', async () => {
    const ex = new FakeExecutions();
    const { queues } = await boot(tempDir(), ex);
    const q = await queues.service.create({ name: 'p', maxConcurrentSessions: 1, items: [{ prompt: 'a' }, { prompt: 'b' }, { prompt: 'c' }] });
    await queues.runner().control(q.id, 'start');
    await waitFor(() => ex.byItem('T-1').length === 1, 'T-1 started');
    await queues.runner().control(q.id, 'pause');
    ex.finish(ex.byItem('T-1')[0]!.executionId, 'completed', 0);
    await waitFor(() => queues.service.get(q.id).items[0]!.status === 'completed', 'T-1 finished while paused');
    // Give the scheduler every chance to (wrongly) start T-2: a few ticks of the event loop.
    for (let k = 0; k < 20; k++) await new Promise((r) => setImmediate(r));
    expect(ex.byItem('T-2').length).toBe(0);
    expect(queues.service.get(q.id).items[1]!.status).toBe('ready');
    await queues.runner().control(q.id, 'resume');
    await waitFor(() => ex.byItem('T-2').length === 1, 'T-2 after resume');
    const stopped = await queues.runner().control(q.id, 'stop');
    expect(stopped.scheduler.state).toBe('stopped');
    expect(stopped.items[1]).toMatchObject({ status: 'cancelled', failure_reason: 'stopped by the user' });
    await waitFor(() => ex.byItem('T-2')[0]!.status === 'cancelled', 'execution cancelled');
  });

  it('after a restart, executions that ended meanwhile settle and nothing runs twice', async () => {
    const dir = tempDir();
    const ex = new FakeExecutions();
    const first = await boot(dir, ex);
    const q = await first.queues.service.create({ name: 'r', maxConcurrentSessions: 2, items: [{ prompt: 'a' }, { prompt: 'b' }, { prompt: 'c' }] });
    await first.queues.runner().control(q.id, 'start');
    await waitFor(() => first.queues.service.get(q.id).items.filter((i) => i.executionId).length === 2, 'two started and recorded');
    await close(first);
    // While "down": T-1 ended; T-2 still runs.
    ex.finish(ex.byItem('T-1')[0]!.executionId, 'completed', 0, 'done while down');
    const second = await boot(dir, ex, first.sessions);
    await waitFor(() => ex.byItem('T-3').length === 1, 'T-3 starts after the restart');
    const items = second.queues.service.get(q.id).items;
    expect(items[0]).toMatchObject({ status: 'completed', result: 'done while down' });
    expect(items[1]!.status).toBe('executing');
    expect(ex.byItem('T-1').length).toBe(1);
    expect(ex.byItem('T-2').length).toBe(1);
    ex.finish(ex.byItem('T-2')[0]!.executionId, 'completed', 0);
    ex.finish(ex.byItem('T-3')[0]!.executionId, 'completed', 0);
    await waitFor(() => second.queues.service.get(q.id).status === 'completed', 'queue completed');
  });

  it('a decision stored without its execution id adopts the execution the service has for it', async () => {
    const dir = tempDir();
    const ex = new FakeExecutions();
    const first = await boot(dir, ex);
    const q = await first.queues.service.create({ name: 'a', items: [{ prompt: 'a' }] });
    // As if the server died right after typing: the item is executing with no id, the execution exists.
    await first.queues.state.commitItems(q.id, (items) => items.map((i) => ({ ...i, status: 'executing', started_at: new Date(Date.now() - 1000).toISOString() })));
    await first.queues.state.commit({ ...first.queues.service.get(q.id), scheduler: { state: 'running', maxConcurrentSessions: 2 } });
    await close(first);
    const sessions = new FakeSessions();
    const s = await sessions.create({ name: 'a-T-1' });
    const execution = await ex.executeInSession(s.sessionKey, { prompt: 'a', queueItemId: `${q.id}:T-1`, queueId: q.id });
    ex.finish(execution.executionId, 'completed', 0);
    const second = await boot(dir, ex, sessions);
    await waitFor(() => second.queues.service.get(q.id).status === 'completed', 'adopted and settled');
    expect(second.queues.service.get(q.id).items[0]!.executionId).toBe(execution.executionId);
    expect(ex.runs.size).toBe(1);
  });

  it('issues follow their items: in_progress on start, resolved when all completed', async () => {
    const ex = new FakeExecutions();
    const { queues, issues } = await boot(tempDir(), ex);
    const q = await queues.service.create({ name: 'i' });
    const added = await queues.service.addItems(q.id, { issue_ids: ['I-1', 'I-1'], prompt_template: 'fix {{title}} ({{id}})' });
    expect(added.map((i) => i.prompt)).toEqual(['fix Issue I-1 (I-1)']);
    expect(await queues.service.addItems(q.id, { issue_ids: ['I-1'] })).toEqual([]);
    await queues.runner().control(q.id, 'start');
    await waitFor(() => ex.byItem('T-1').length === 1, 'started');
    await waitFor(() => issues.statuses.get('I-1') === 'in_progress', 'issue in progress');
    ex.finish(ex.byItem('T-1')[0]!.executionId, 'completed', 0);
    await waitFor(() => issues.statuses.get('I-1') === 'resolved', 'issue resolved');
  });

  it('execute now runs one item in the chosen session outside the order', async () => {
    const ex = new FakeExecutions();
    const sessions = new FakeSessions();
    const mine = await sessions.create({ name: 'mine' });
    const { queues } = await boot(tempDir(), ex, sessions);
    const q = await queues.service.create({ name: 'x', execution_groups: [{ id: 'S1', type: 'sequential' }], items: [{ prompt: 'a' }, { prompt: 'b' }] });
    const item = await queues.runner().executeNow(q.id, 'T-2', mine.sessionKey);
    expect(item).toMatchObject({ status: 'executing', sessionKey: mine.sessionKey });
    expect(ex.byItem('T-2')[0]!.sessionKey).toBe(mine.sessionKey);
    await expect(queues.runner().executeNow(q.id, 'T-1', mine.sessionKey)).rejects.toMatchObject({ status: 409, code: 'session_busy' });
  });
});
