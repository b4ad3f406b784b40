import { describe, expect, it } from 'vitest';
import { useBridgeProcess } from '../helpers/bridge.ts';

const ctx = useBridgeProcess();

describe('issues survive restart and kill -9', () => {
  it('keeps every acknowledged issue, move, history entry and setting', async () => {
    const api = (method: string, path: string, body?: unknown) => ctx.server.api(method, path, body);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await api('POST', '/api/issues', { title: `durable ${i}`, body: `body ${i}`, labels: [`l${i % 3}`], priority: i % 2 ? 'high' : 'low' });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    for (let i = 0; i < 12; i += 2) expect((await api('POST', `/api/issues/${ids[i]}/move`, { status: 'in_progress', beforeId: i > 0 ? ids[0] : undefined })).status).toBe(200);
    expect((await api('PATCH', `/api/issues/${ids[1]}`, { title: 'renamed before the crash' })).status).toBe(200);
    expect((await api('DELETE', `/api/issues/${ids[3]}`)).status).toBe(200);
    const settings = { autoStartOnInProgress: { enabled: true, tool: 'bash', model: null, promptTemplate: 'echo {{id}}' } };
    expect((await api('PUT', '/api/board/settings', settings)).status).toBe(200);
    const before = (await api('GET', '/api/issues/export')).body.issues;
    const beforeList = (await api('GET', '/api/issues')).body.issues;
    expect(before).toHaveLength(11);

    // A crash right after the last acknowledged write…
    await ctx.server.kill9();
    await ctx.server.start();
    expect((await api('GET', '/api/issues/export')).body.issues).toEqual(before);
    expect((await api('GET', '/api/issues')).body.issues).toEqual(beforeList);
    expect((await api('GET', '/api/board/settings')).body).toEqual(settings);
    expect((await api('GET', `/api/issues/${ids[3]}`)).status).toBe(404);

    // …and an orderly restart, after more writes.
    expect((await api('POST', `/api/issues/${ids[4]}/move`, { status: 'resolved' })).status).toBe(200);
    const next = (await api('POST', '/api/issues', { title: 'after the crash' })).body;
    expect(ids).not.toContain(next.id);
    const after = (await api('GET', '/api/issues/export')).body.issues;
    await ctx.server.stop();
    await ctx.server.start();
    expect((await api('GET', '/api/issues/export')).body.issues).toEqual(after);
    const history = (await api('GET', `/api/issues/${ids[4]}/history`)).body.history;
    expect(history.filter((h: any) => h.field === 'status').map((h: any) => [h.from, h.to])).toEqual([
      ['open', 'in_progress'],
      ['in_progress', 'resolved'],
    ]);
  }, 180_000);
});
