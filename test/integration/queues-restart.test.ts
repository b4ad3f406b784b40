import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useBridgeProcess } from '../helpers/bridge.ts';
import { pathWithFakes, writeFakeTools } from '../helpers/fake-tools.ts';
import { waitFor } from '../helpers/wait.ts';
import { ExecutionList, Queue } from '../../schemas/index.ts';

// The server process (and its tmux server) inherit this PATH: the fake claude comes first.
const fakes = writeFakeTools(['claude']);
const originalPath = process.env.PATH;
process.env.PATH = pathWithFakes(fakes.dir);
const ctx = useBridgeProcess();
afterAll(() => {
  process.env.PATH = originalPath;
  rmSync(fakes.dir, { recursive: true, force: true });
});

describe('queue scheduler across kill -9', () => {
  it('goes on after a restart: what ended while down settles, nothing runs twice', async () => {
    const created = await ctx.server.api.post('/api/queues', {
      name: 'crash',
      maxConcurrentSessions: 2,
      items: [1, 2, 3, 4].map((n) => ({ tool: 'claude', prompt: `job ${n} sleep=2` })),
    }, Queue);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await ctx.server.api.post(`/api/queues/${id}/scheduler/start`, undefined, Queue);
    const get = async () => (await ctx.server.api.get(`/api/queues/${id}`, Queue)).body;
    // Kill it while two items execute with their executions recorded.
    const running = await waitFor(async () => {
      const q = await get();
      const executing = q.items.filter((i: any) => i.status === 'executing' && i.executionId);
      return executing.length === 2 ? executing : undefined;
    }, 'two items executing', 60_000, 50);
    await ctx.server.kill9();
    // While the server is down the panes go on: wait (outside the server) for both tool runs to finish.
    await waitFor(() => readdirSync(join(fakes.state, 'claude')).length >= 2, 'the runs to leave their state files', 30_000, 100);
    await ctx.server.start();
    const done = await waitFor(async () => {
      const q = await get();
      return q.status === 'completed' ? q : undefined;
    }, 'the queue to complete after the restart', 120_000, 200);
    for (const item of done.items) expect(item).toMatchObject({ status: 'completed', failure_reason: null });
    for (const before of running) expect(done.items.find((i: any) => i.item_id === before.item_id)!.executionId).toBe(before.executionId);
    const { body } = await ctx.server.api.get(`/api/executions?queueId=${id}`, ExecutionList);
    expect(body.executions.map((e: any) => e.queueItemId).sort()).toEqual([1, 2, 3, 4].map((n) => `${id}:T-${n}`));
    // The tool itself ran exactly four times.
    expect(readdirSync(join(fakes.state, 'claude')).length).toBe(4);
  });
});
