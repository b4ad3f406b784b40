import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { useFakeTools } from '../helpers/fake-tools.ts';
import { TestTmux } from '../helpers/tmux.ts';
import { waitFor } from '../helpers/wait.ts';
import { ApiErrorBody, CliSession, ExecutionList, Queue, QueueItem, SessionList } from '../../schemas/index.ts';

const fakes = useFakeTools(['claude']);
let tmux: TestTmux;
let bridge: TestBridge;

beforeAll(async () => {
  tmux = new TestTmux();
  bridge = await startTestBridge(tmux);
});
afterAll(async () => {
  await bridge?.close();
  await tmux?.kill();
});

async function queueOf(id: string): Promise<any> {
  const { status, body } = await bridge.api.get(`/api/queues/${id}`, Queue);
  expect(status).toBe(200);
  return body;
}

const item = (q: any, id: string) => q.items.find((i: any) => i.item_id === id);

async function until(id: string, what: string, check: (q: any) => boolean, timeoutMs = 90_000): Promise<any> {
  return waitFor(async () => {
    const q = await queueOf(id);
    return check(q) ? q : undefined;
  }, what, timeoutMs, 100);
}

async function executionsOf(queueId: string): Promise<any[]> {
  const { status, body } = await bridge.api.get(`/api/executions?queueId=${queueId}`, ExecutionList);
  expect(status).toBe(200);
  return body.executions;
}

describe('queues run in real tmux sessions', () => {
  it('P1 (parallel, 2 × 2 s) then S1 (sequential, depends on P1): never more than 2 at once, S1 after P1', async () => {
    const { body: q } = await bridge.api.post('/api/queues', {
      name: 'order',
      maxConcurrentSessions: 2,
      execution_groups: [
        { id: 'P1', type: 'parallel' },
        { id: 'S1', type: 'sequential' },
      ],
      items: [
        { tool: 'claude', prompt: 'first sleep=2', execution_group: 'P1' },
        { tool: 'claude', prompt: 'second sleep=2', execution_group: 'P1' },
        { tool: 'claude', prompt: 'third sleep=0.5', execution_group: 'S1', depends_on: ['T-1', 'T-2'] },
        { tool: 'claude', prompt: 'fourth sleep=0.5', execution_group: 'S1', depends_on: ['T-1', 'T-2'] },
      ],
    }, Queue);
    expect((await bridge.api.post(`/api/queues/${q.id}/scheduler/start`, undefined, Queue)).body.scheduler.state).toBe('running');
    const done = await until(q.id, 'the queue to complete', (x) => x.status === 'completed');
    expect(done.scheduler.state).toBe('idle');
    for (const i of done.items) {
      expect(i.status).toBe('completed');
      expect(i.executionId).toMatch(/^x_/);
      expect(i.result).toContain('ANSWER:');
      expect(i.failure_reason).toBeNull();
    }
    const runs = await executionsOf(q.id);
    // Exactly one execution per item, each ended by its real exit.
    expect(runs.map((r) => r.queueItemId).sort()).toEqual(['T-1', 'T-2', 'T-3', 'T-4'].map((i) => `${q.id}:${i}`));
    for (const r of runs) expect(r).toMatchObject({ status: 'completed', exitCode: 0 });
    const span = (itemId: string) => {
      const r = runs.find((x) => x.queueItemId === `${q.id}:${itemId}`);
      return { start: Date.parse(r.startedAt), end: Date.parse(r.endedAt) };
    };
    // At most two at once: at every start, count the runs that overlap it.
    const spans = ['T-1', 'T-2', 'T-3', 'T-4'].map(span);
    for (const s of spans) expect(spans.filter((o) => o.start <= s.start && o.end > s.start).length).toBeLessThanOrEqual(2);
    // P1 ran side by side; S1 started after both ended, and in order.
    expect(Math.abs(span('T-1').start - span('T-2').start)).toBeLessThan(span('T-1').end - span('T-1').start);
    const p1End = Math.max(span('T-1').end, span('T-2').end);
    expect(span('T-3').start).toBeGreaterThanOrEqual(p1End);
    expect(span('T-4').start).toBeGreaterThanOrEqual(span('T-3').end);
    // The sessions are named for the queue and item, in the terminals list and in tmux itself.
    const { body: list } = await bridge.api.get('/api/cli-sessions', SessionList);
    const names = list.sessions.filter((s: any) => runs.some((r) => r.sessionKey === s.sessionKey)).map((s: any) => s.name);
    expect(names.sort()).toEqual(['order-T-1', 'order-T-2']);
    expect(await tmux.tmux('list-sessions', '-F', '#{session_name}')).toContain('order-T-1');
  });

  it('a failing dependency blocks its dependent, naming it; retry releases it', async () => {
    const { body: q } = await bridge.api.post('/api/queues', {
      name: 'fail',
      items: [
        { tool: 'claude', prompt: 'break exit=3' },
        { tool: 'claude', prompt: 'after', depends_on: ['T-1'] },
      ],
    }, Queue);
    await bridge.api.post(`/api/queues/${q.id}/scheduler/start`, undefined, Queue);
    const blocked = await until(q.id, 'T-2 blocked', (x) => item(x, 'T-2').status === 'blocked');
    expect(item(blocked, 'T-1')).toMatchObject({ status: 'failed', failure_reason: 'exited with code 3' });
    expect(item(blocked, 'T-2').blocked_reason).toBe('waits for T-1 which failed (exited with code 3)');
    expect((await executionsOf(q.id)).length).toBe(1);
    // Fix the prompt and retry: T-1 runs again, then T-2.
    expect((await bridge.api.patch(`/api/queues/${q.id}/items/T-1`, { prompt: 'mend' }, QueueItem)).status).toBe(200);
    expect((await bridge.api.post(`/api/queues/${q.id}/items/T-2/retry`, undefined, Queue)).status).toBe(200);
    const done = await until(q.id, 'queue completed after retry', (x) => x.status === 'completed');
    expect(item(done, 'T-1').attempts).toBe(2);
    expect(item(done, 'T-2').attempts).toBe(1);
    expect((await executionsOf(q.id)).length).toBe(3);
  });

  it('pause lets the running item finish and starts nothing new until resume', async () => {
    const { body: q } = await bridge.api.post('/api/queues', {
      name: 'pause',
      maxConcurrentSessions: 1,
      items: [{ tool: 'claude', prompt: 'one sleep=1' }, { tool: 'claude', prompt: 'two' }],
    }, Queue);
    await bridge.api.post(`/api/queues/${q.id}/scheduler/start`, undefined, Queue);
    await until(q.id, 'T-1 executing', (x) => item(x, 'T-1').status === 'executing');
    expect((await bridge.api.post(`/api/queues/${q.id}/scheduler/pause`, undefined, Queue)).body.scheduler.state).toBe('paused');
    // When T-1 ends the scheduler decides again: T-2 becomes ready — and, paused, is not started.
    const held = await until(q.id, 'T-1 completed and T-2 ready', (x) => item(x, 'T-1').status === 'completed' && item(x, 'T-2').status === 'ready');
    expect(item(held, 'T-2').executionId).toBeNull();
    expect((await executionsOf(q.id)).length).toBe(1);
    await bridge.api.post(`/api/queues/${q.id}/scheduler/resume`, undefined, Queue);
    await until(q.id, 'completed after resume', (x) => x.status === 'completed');
  });

  it('execute in session runs one item now in the chosen session', async () => {
    const { body: session } = await bridge.api.post('/api/cli-sessions', { name: 'picked', shell: 'bash --noprofile --norc -i', workingDir: tmux.dir }, CliSession);
    const { body: q } = await bridge.api.post('/api/queues', { name: 'now', items: [{ tool: 'claude', prompt: 'a' }, { tool: 'claude', prompt: 'b' }] }, Queue);
    const started = await bridge.api.post(`/api/queues/${q.id}/items/T-2/execute`, { sessionKey: session.sessionKey }, QueueItem);
    expect(started.status).toBe(202);
    // Started at once; a quick item may even have ended before the answer was written.
    expect(started.body).toMatchObject({ item_id: 'T-2', sessionKey: session.sessionKey });
    expect(['executing', 'completed']).toContain(started.body.status);
    const done = await until(q.id, 'T-2 completed', (x) => item(x, 'T-2').status === 'completed');
    // The scheduler never ran: T-1 could start but did not.
    expect(item(done, 'T-1')).toMatchObject({ status: 'ready', executionId: null });
    const runs = await executionsOf(q.id);
    expect(runs).toHaveLength(1);
    expect(runs[0].sessionKey).toBe(session.sessionKey);
    expect((await bridge.api.post(`/api/queues/${q.id}/items/T-1/execute`, { sessionKey: 's_missing' }, ApiErrorBody)).status).toBe(404);
  });

  it('the fake tool ran once per execution (no double runs)', () => {
    // The fake claude leaves one state file per run it made: 4 + 3 + 2 + 1 executions above.
    expect(readdirSync(join(fakes.state, 'claude')).length).toBe(10);
  });
});
