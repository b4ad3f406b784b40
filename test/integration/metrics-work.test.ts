import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { useFakeTools } from '../helpers/fake-tools.ts';
import { parsePrometheus, type Exposition } from '../helpers/prometheus.ts';
import { TestTmux } from '../helpers/tmux.ts';
import { waitFor } from '../helpers/wait.ts';
import { ExecuteStarted, Execution, Queue } from '../../schemas/index.ts';

const METRICS_TOKEN = 'scrape-only-token-for-work-0123';
useFakeTools(['claude', 'codex']);
let tmux: TestTmux;
let bridge: TestBridge;

beforeAll(async () => {
  tmux = new TestTmux();
  bridge = await startTestBridge(tmux, { metricsToken: METRICS_TOKEN });
});
afterAll(async () => {
  await bridge?.close();
  await tmux?.kill();
});

async function scrape(): Promise<Exposition> {
  const response = await fetch(new URL('metrics', bridge.url), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  return parsePrometheus(await response.text());
}

async function queueUntil(id: string, what: string, check: (q: any) => boolean): Promise<any> {
  return waitFor(
    async () => {
      const { body } = await bridge.api.get(`/api/queues/${id}`, Queue);
      return check(body) ? body : undefined;
    },
    what,
    90_000,
    100,
  );
}

const itemStatus = (q: any, id: string) => q.items.find((i: any) => i.item_id === id)?.status;
const sumOf = (m: Exposition, name: string) => m.samples.filter((s) => s.name === name).reduce((n, s) => n + s.value, 0);

describe('execution and queue metrics after real executions', () => {
  it('counts executions and queue items by status, times executions in a histogram, and reports scheduler states', async () => {
    // Nothing ran yet: every status is there, at 0.
    const before = await scrape();
    expect(before.types.get('tmux_bridge_executions')).toBe('gauge');
    for (const status of ['running', 'completed', 'failed', 'timeout', 'cancelled']) expect(before.value('tmux_bridge_executions', { status })).toBe(0);
    expect(before.value('tmux_bridge_queue_items', { status: 'pending' })).toBe(0);
    expect(before.types.get('tmux_bridge_execution_duration_seconds')).toBe('histogram');

    // A queue whose first item succeeds after 1 s, whose second fails, and whose third waits for the second.
    const { body: q1 } = await bridge.api.post('/api/queues', {
      name: 'metered',
      maxConcurrentSessions: 2,
      items: [
        { tool: 'claude', prompt: 'one sleep=1' },
        { tool: 'claude', prompt: 'two exit=3' },
        { tool: 'claude', prompt: 'three', depends_on: ['T-2'] },
      ],
    }, Queue);
    expect((await bridge.api.post(`/api/queues/${q1.id}/scheduler/start`, undefined, Queue)).status).toBe(200);
    await queueUntil(q1.id, 'T-1 completed, T-2 failed, T-3 blocked', (q) => itemStatus(q, 'T-1') === 'completed' && itemStatus(q, 'T-2') === 'failed' && itemStatus(q, 'T-3') === 'blocked');

    // A stateless run.
    const stateless = await bridge.api.post('/api/cli/execute', { tool: 'codex', prompt: 'alone sleep=0.5', workingDir: tmux.dir }, ExecuteStarted);
    expect(stateless.status).toBe(202);
    await waitFor(async () => (await bridge.api.get(`/api/executions/${stateless.body.executionId}`, Execution)).body.status === 'completed', 'the stateless run to complete', 60_000, 100);

    // A second queue paused with its one item still running.
    const { body: q2 } = await bridge.api.post('/api/queues', { name: 'held', items: [{ tool: 'claude', prompt: 'long sleep=60' }] }, Queue);
    await bridge.api.post(`/api/queues/${q2.id}/scheduler/start`, undefined, Queue);
    await queueUntil(q2.id, 'the long item to run', (q) => itemStatus(q, 'T-1') === 'executing' && q.items[0].executionId);
    expect((await bridge.api.post(`/api/queues/${q2.id}/scheduler/pause`, undefined, Queue)).status).toBe(200);

    const m = await scrape();
    expect(m.value('tmux_bridge_executions', { status: 'completed' })).toBe(2);
    expect(m.value('tmux_bridge_executions', { status: 'failed' })).toBe(1);
    expect(m.value('tmux_bridge_executions', { status: 'running' })).toBe(1);
    expect(m.value('tmux_bridge_executions', { status: 'cancelled' })).toBe(0);

    const hist = 'tmux_bridge_execution_duration_seconds';
    const claudeOk = { status: 'completed', kind: 'session', tool: 'claude' };
    expect(m.value(`${hist}_count`, claudeOk)).toBe(1);
    expect(m.value(`${hist}_sum`, claudeOk)).toBeGreaterThanOrEqual(1);
    // The 1 s run is not in the 0.5 s bucket, and is in +Inf.
    expect(m.value(`${hist}_bucket`, { ...claudeOk, le: '0.5' })).toBe(0);
    expect(m.value(`${hist}_bucket`, { ...claudeOk, le: '+Inf' })).toBe(1);
    expect(m.value(`${hist}_count`, { status: 'failed', kind: 'session', tool: 'claude' })).toBe(1);
    expect(m.value(`${hist}_count`, { status: 'completed', kind: 'stateless', tool: 'codex' })).toBe(1);
    expect(m.value(`${hist}_sum`, { status: 'completed', kind: 'stateless', tool: 'codex' })).toBeGreaterThanOrEqual(0.5);
    // Runs still going are not timed yet.
    expect(sumOf(m, `${hist}_count`)).toBe(3);

    expect(m.value('tmux_bridge_queue_items', { status: 'completed' })).toBe(1);
    expect(m.value('tmux_bridge_queue_items', { status: 'failed' })).toBe(1);
    expect(m.value('tmux_bridge_queue_items', { status: 'blocked' })).toBe(1);
    expect(m.value('tmux_bridge_queue_items', { status: 'executing' })).toBe(1);
    expect(sumOf(m, 'tmux_bridge_queue_items')).toBe(4);
    expect(m.value('tmux_bridge_queue_schedulers', { state: 'paused' })).toBe(1);
    expect(sumOf(m, 'tmux_bridge_queue_schedulers')).toBe(2);
    expect(m.value('tmux_bridge_queues', { status: 'active' })).toBeGreaterThanOrEqual(1);
    expect(sumOf(m, 'tmux_bridge_queues')).toBe(2);

    // Stopping the paused queue cancels its run: the gauges move and the cancelled run is timed.
    expect((await bridge.api.post(`/api/queues/${q2.id}/scheduler/stop`, undefined, Queue)).status).toBe(200);
    const after = await waitFor(
      async () => {
        const x = await scrape();
        return x.value('tmux_bridge_executions', { status: 'running' }) === 0 ? x : undefined;
      },
      'the cancelled run to end',
      60_000,
      200,
    );
    expect(after.value('tmux_bridge_executions', { status: 'cancelled' })).toBe(1);
    expect(after.value(`${hist}_count`, { status: 'cancelled', kind: 'session', tool: 'claude' })).toBe(1);
    expect(after.value('tmux_bridge_queue_items', { status: 'executing' })).toBe(0);
    expect(after.value('tmux_bridge_queue_items', { status: 'cancelled' })).toBe(1);
    expect(after.value('tmux_bridge_queue_schedulers', { state: 'stopped' })).toBe(1);
  });
});
