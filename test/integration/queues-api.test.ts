import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { TestTmux } from '../helpers/tmux.ts';
import { waitFor } from '../helpers/wait.ts';
import { ApiErrorBody, EventPage, ItemsAdded, Ok, Queue, QueueItem, QueueList } from '../../schemas/index.ts';

let tmux: TestTmux;
let bridge: TestBridge;
const dataDir = mkdtempSync(join(tmpdir(), 'tb-queues-'));

beforeAll(async () => {
  tmux = new TestTmux();
  bridge = await startTestBridge(tmux, { dataDir });
});
afterAll(async () => {
  await bridge?.bridge.close();
  await tmux?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

async function restart(): Promise<void> {
  await bridge.bridge.close();
  bridge = await startTestBridge(tmux, { dataDir });
}

const groups = [
  { id: 'P1', type: 'parallel' },
  { id: 'S1', type: 'sequential' },
];

describe('queues API', () => {
  it('creates queues with items, edits them, and keeps everything across a restart', async () => {
    const created = await bridge.api.post('/api/queues', {
      name: 'nightly',
      execution_groups: groups,
      items: [{ prompt: 'echo a', title: 'first' }, { prompt: 'echo b' }, { prompt: 'echo c', execution_group: 'S1', depends_on: ['T-1'] }],
    }, Queue);
    expect(created.status).toBe(201);
    const q = created.body;
    expect(q).toMatchObject({ name: 'nightly', status: 'active', scheduler: { state: 'idle', maxConcurrentSessions: 2 }, execution_groups: groups });
    expect(q.items.map((i: any) => [i.item_id, i.execution_group, i.execution_order, i.status])).toEqual([
      ['T-1', 'P1', 0, 'pending'],
      ['T-2', 'P1', 1, 'pending'],
      ['T-3', 'S1', 0, 'pending'],
    ]);
    expect(q.items[0]).toMatchObject({ issue_id: null, tool: 'bash', resumeKey: null, sessionKey: null, depends_on: [], blocked_reason: null, executionId: null, result: null, failure_reason: null });

    const added = await bridge.api.post(`/api/queues/${q.id}/items`, { items: [{ prompt: 'echo d', execution_group: 'S1' }, { prompt: 'echo e', execution_group: 'S1' }] }, ItemsAdded);
    expect(added.status).toBe(201);
    expect(added.body.items.map((i: any) => i.item_id)).toEqual(['T-4', 'T-5']);

    const edited = await bridge.api.patch(`/api/queues/${q.id}/items/T-2`, { prompt: 'echo B', depends_on: [] }, QueueItem);
    expect(edited.status).toBe(200);
    expect(edited.body.prompt).toBe('echo B');

    expect((await bridge.api.delete(`/api/queues/${q.id}/items/T-5`, Ok)).status).toBe(200);
    expect((await bridge.api.patch(`/api/queues/${q.id}`, { name: 'nightly run' }, Queue)).body.name).toBe('nightly run');

    // Reorder S1 and move T-2 from P1 to the front of S1.
    const reordered = await bridge.api.post(`/api/queues/${q.id}/reorder`, { execution_group: 'S1', itemIds: ['T-4', 'T-3'] }, Queue);
    expect(reordered.status).toBe(200);
    const moved = await bridge.api.post(`/api/queues/${q.id}/move`, { itemId: 'T-2', execution_group: 'S1', index: 0 }, Queue);
    expect(moved.status).toBe(200);
    const order = (queue: any) => queue.items.map((i: any) => `${i.execution_group}:${i.execution_order}:${i.item_id}`);
    expect(order(moved.body)).toEqual(['P1:0:T-1', 'S1:0:T-2', 'S1:1:T-4', 'S1:2:T-3']);

    await restart();
    const after = await bridge.api.get(`/api/queues/${q.id}`, Queue);
    expect(after.status).toBe(200);
    expect(order(after.body)).toEqual(['P1:0:T-1', 'S1:0:T-2', 'S1:1:T-4', 'S1:2:T-3']);
    expect(after.body.name).toBe('nightly run');
    expect(after.body.items.find((i: any) => i.item_id === 'T-2')!.prompt).toBe('echo B');
    // New ids keep counting after the restart (T-5 was deleted, not reused).
    const more = await bridge.api.post(`/api/queues/${q.id}/items`, { prompt: 'echo f' }, ItemsAdded);
    expect(more.body.items[0]!.item_id).toBe('T-6');
  });

  it('refuses a cycle, an unknown dependency and bad bodies with a 400 naming them', async () => {
    const { body: q } = await bridge.api.post('/api/queues', { name: 'shape', items: [{ prompt: 'a' }, { prompt: 'b', depends_on: ['T-1'] }] }, Queue);
    const cycle = await bridge.api.patch(`/api/queues/${q.id}/items/T-1`, { depends_on: ['T-2'] }, ApiErrorBody);
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.message).toMatch(/dependency cycle: (T-1 → T-2 → T-1|T-2 → T-1 → T-2)/);
    // Each detail names its rule and the ids, for the UI to word (issue.<code>).
    expect(cycle.body.error).toMatchObject({ code: 'invalid_queue', details: [{ path: ['depends_on'], code: 'queue_cycle', params: { cycle: expect.stringMatching(/T-1 → T-2/) } }] });
    const unknown = await bridge.api.post(`/api/queues/${q.id}/items`, { prompt: 'c', depends_on: ['T-9', 'T-1'] }, ApiErrorBody);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('depends on unknown item "T-9"');
    expect(unknown.body.error.details![0]).toMatchObject({ code: 'queue_unknown_dependency', params: { item: 'T-3', dependency: 'T-9' } });
    const created = await bridge.api.post('/api/queues', { name: 'c', items: [{ item_id: 'A', prompt: 'a', depends_on: ['B'] }, { item_id: 'B', prompt: 'b', depends_on: ['A'] }] }, ApiErrorBody);
    expect(created.status).toBe(400);
    expect(created.body.error.message).toMatch(/dependency cycle: A → B → A/);
    const badField = await bridge.api.post(`/api/queues/${q.id}/items`, { prompt: 'x', execution_order: 'first' }, ApiErrorBody);
    expect(badField.status).toBe(400);
    expect(JSON.stringify(badField.body.error)).toContain('execution_order');
    expect((await bridge.api.post(`/api/queues/${q.id}/reorder`, { execution_group: 'P1', itemIds: ['T-1'] }, ApiErrorBody)).body.error.message).toContain('missing: T-2');
    expect((await bridge.api.post(`/api/queues/${q.id}/move`, { itemId: 'T-1', execution_group: 'Z9', index: 0 }, ApiErrorBody)).status).toBe(400);
    const missing = await bridge.api.get('/api/queues/q_nope', ApiErrorBody);
    expect(missing.status).toBe(404);
    // What was missing, for a client that words the code in its own language.
    expect(missing.body.error).toMatchObject({ code: 'not_found', params: { what: 'queue', id: 'q_nope' } });
    expect((await bridge.api.post(`/api/queues/${q.id}/scheduler/jump`, undefined, ApiErrorBody)).status).toBe(400);
    // Nothing was changed by the refused writes.
    expect((await bridge.api.get(`/api/queues/${q.id}`, Queue)).body.items.map((i: any) => i.depends_on)).toEqual([[], ['T-1']]);
  });

  it('activates, deactivates and archives; archived queues are the run history', async () => {
    const { body: q } = await bridge.api.post('/api/queues', { name: 'old', status: 'inactive' }, Queue);
    expect(q.status).toBe('inactive');
    expect((await bridge.api.post(`/api/queues/${q.id}/activate`, undefined, Queue)).body.status).toBe('active');
    expect((await bridge.api.post(`/api/queues/${q.id}/deactivate`, undefined, Queue)).body.status).toBe('inactive');
    expect((await bridge.api.post(`/api/queues/${q.id}/archive`, undefined, Queue)).body.status).toBe('archived');
    const listed = (await bridge.api.get('/api/queues', QueueList)).body.queues.map((x: any) => x.id);
    expect(listed).not.toContain(q.id);
    const archived = (await bridge.api.get('/api/queues?status=archived', QueueList)).body.queues.map((x: any) => x.id);
    expect(archived).toEqual([q.id]);
    expect((await bridge.api.get('/api/queues?status=done', ApiErrorBody)).status).toBe(400);
    expect((await bridge.api.delete(`/api/queues/${q.id}`, Ok)).status).toBe(200);
    expect((await bridge.api.get(`/api/queues/${q.id}`, ApiErrorBody)).status).toBe(404);
  });

  it('announces changes as QUEUE_UPDATED with the queue', async () => {
    const { body: q } = await bridge.api.post('/api/queues', { name: 'evented' }, Queue);
    await bridge.api.post(`/api/queues/${q.id}/items`, { prompt: 'echo evented' }, ItemsAdded);
    const event = await waitFor(async () => {
      const { body } = await bridge.api.get('/api/events?type=QUEUE_UPDATED&before=latest&limit=50', EventPage);
      return body.events.find((e: any) => e.queue?.id === q.id && e.queue.items.length === 1) as { queue: Queue } | undefined;
    }, 'QUEUE_UPDATED with the item');
    expect(event.queue.items[0]!.prompt).toBe('echo evented');
  });
});
