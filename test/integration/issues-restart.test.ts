import { describe, expect, it } from 'vitest';
import { useBridgeProcess, makeApi } from '../helpers/bridge.ts';
import { ApiErrorBody, BoardSettings, Issue, IssueHistory, IssueList, IssuesExport, Ok } from '../../schemas/index.ts';

const ctx = useBridgeProcess();

describe('issues survive restart and kill -9', () => {
  it('keeps every acknowledged issue, move, history entry and setting', async () => {
    const api = makeApi(() => ctx.server);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await api.post('/api/issues', { title: `durable ${i}`, body: `body ${i}`, labels: [`l${i % 3}`], priority: i % 2 ? 'high' : 'low' }, Issue);
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    for (let i = 0; i < 12; i += 2) expect((await api.post(`/api/issues/${ids[i]}/move`, { status: 'in_progress', beforeId: i > 0 ? ids[0] : undefined }, Issue)).status).toBe(200);
    expect((await api.patch(`/api/issues/${ids[1]}`, { title: 'renamed before the crash' }, Issue)).status).toBe(200);
    expect((await api.delete(`/api/issues/${ids[3]}`, Ok)).status).toBe(200);
    const settings = { autoStartOnInProgress: { enabled: true, tool: 'bash', model: null, promptTemplate: 'echo {{id}}' } };
    expect((await api.put('/api/board/settings', settings, BoardSettings)).status).toBe(200);
    const before = (await api.get('/api/issues/export', IssuesExport)).body.issues;
    const beforeList = (await api.get('/api/issues', IssueList)).body.issues;
    expect(before).toHaveLength(11);

    // A crash right after the last acknowledged write…
    await ctx.server.kill9();
    await ctx.server.start();
    expect((await api.get('/api/issues/export', IssuesExport)).body.issues).toEqual(before);
    expect((await api.get('/api/issues', IssueList)).body.issues).toEqual(beforeList);
    expect((await api.get('/api/board/settings', BoardSettings)).body).toEqual(settings);
    expect((await api.get(`/api/issues/${ids[3]}`, ApiErrorBody)).status).toBe(404);

    // …and an orderly restart, after more writes.
    expect((await api.post(`/api/issues/${ids[4]}/move`, { status: 'resolved' }, Issue)).status).toBe(200);
    const next = (await api.post('/api/issues', { title: 'after the crash' }, Issue)).body;
    expect(ids).not.toContain(next.id);
    const after = (await api.get('/api/issues/export', IssuesExport)).body.issues;
    await ctx.server.stop();
    await ctx.server.start();
    expect((await api.get('/api/issues/export', IssuesExport)).body.issues).toEqual(after);
    const history = (await api.get(`/api/issues/${ids[4]}/history`, IssueHistory)).body.history;
    expect(history.filter((h: any) => h.field === 'status').map((h: any) => [h.from, h.to])).toEqual([
      ['open', 'in_progress'],
      ['in_progress', 'resolved'],
    ]);
  }, 180_000);
});
