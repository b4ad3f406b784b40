import { describe, expect, it } from 'vitest';
import { startTestBridge, useTestBridge } from '../helpers/bridge.ts';
import { ApiErrorBody, Flow, FlowExport, FlowList, Ok } from '../../schemas/index.ts';

const ctx = useTestBridge();

const twoNodes = {
  name: 'two nodes',
  variables: { who: 'world' },
  nodes: [
    { id: 'A', type: 'prompt-template', data: { label: 'first', instruction: 'hello {{who}}', tool: 'fake', outputName: 'A_out' } },
    { id: 'B', type: 'prompt-template', data: { label: 'second', instruction: 'echo {{A_out}}', tool: 'bash', delivery: 'sendToSession', targetSessionKey: 's_x' } },
  ],
  edges: [{ source: 'A', target: 'B' }],
};

describe('orchestrator flows API', () => {
  it('creates, reads, lists, edits, duplicates and deletes a flow', async () => {
    const created = await ctx.bridge.api.post('/api/orchestrator/flows', twoNodes, Flow);
    expect(created.status).toBe(201);
    const flow = created.body;
    expect(flow.id).toMatch(/^f_/);
    expect(flow.nodes[1]!.data).toMatchObject({ delivery: 'sendToSession', targetSessionKey: 's_x', onError: 'fail' });

    expect((await ctx.bridge.api.get(`/api/orchestrator/flows/${flow.id}`, Flow)).body).toEqual(flow);
    const listed = await ctx.bridge.api.get('/api/orchestrator/flows', FlowList);
    expect(listed.body.flows.map((f: any) => f.id)).toContain(flow.id);

    const edited = await ctx.bridge.api.put(`/api/orchestrator/flows/${flow.id}`, { ...twoNodes, name: 'renamed' }, Flow);
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: flow.id, name: 'renamed', createdAt: flow.createdAt });

    const copy = await ctx.bridge.api.post(`/api/orchestrator/flows/${flow.id}/duplicate`, {}, Flow);
    expect(copy.status).toBe(201);
    expect(copy.body.id).not.toBe(flow.id);
    expect(copy.body.name).toBe('renamed (copy)');
    expect(copy.body.nodes).toEqual(edited.body.nodes);

    expect((await ctx.bridge.api.delete(`/api/orchestrator/flows/${flow.id}`, Ok)).status).toBe(200);
    expect((await ctx.bridge.api.get(`/api/orchestrator/flows/${flow.id}`, ApiErrorBody)).status).toBe(404);
    expect((await ctx.bridge.api.delete(`/api/orchestrator/flows/${flow.id}`, ApiErrorBody)).status).toBe(404);
    expect((await ctx.bridge.api.get(`/api/orchestrator/flows/${copy.body.id}`, Flow)).status).toBe(200);
  });

  it('exports a flow as JSON and imports it back as a new flow', async () => {
    const { body: flow } = await ctx.bridge.api.post('/api/orchestrator/flows', twoNodes, Flow);
    // Read raw as well as with its schema: parsing would drop a createdAt the export must not carry.
    const exported = await ctx.bridge.api('GET', `/api/orchestrator/flows/${flow.id}/export`);
    FlowExport.parse(exported.body);
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({ format: 'tmux-bridge.flow/1', name: 'two nodes', variables: { who: 'world' } });
    expect(exported.body.createdAt).toBeUndefined();
    const imported = await ctx.bridge.api.post('/api/orchestrator/flows/import', exported.body, Flow);
    expect(imported.status).toBe(201);
    expect(imported.body.id).not.toBe(flow.id);
    expect(imported.body.nodes).toEqual(flow.nodes);
    expect(imported.body.edges).toEqual(flow.edges);
  });

  it('refuses a cycle, a sendToSession node without target and an undefined {{name}} with a 400 naming the node', async () => {
    const cycle = await ctx.bridge.api.post('/api/orchestrator/flows', { ...twoNodes, edges: [...twoNodes.edges, { source: 'B', target: 'A' }] }, ApiErrorBody);
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.code).toBe('invalid_flow');
    expect(cycle.body.error.message).toMatch(/node "A" is on a cycle/);
    expect(cycle.body.error.details!.map((d: any) => d.nodeId).sort()).toEqual(['A', 'B']);

    const noTarget = structuredClone(twoNodes);
    delete (noTarget.nodes[1]!.data as any).targetSessionKey;
    const r2 = await ctx.bridge.api.post('/api/orchestrator/flows', noTarget, ApiErrorBody);
    expect(r2.status).toBe(400);
    expect(r2.body.error.message).toMatch(/node "B": sendToSession needs a targetSessionKey/);
    expect(r2.body.error.details![0]).toMatchObject({ nodeId: 'B', path: ['nodes', 1, 'data', 'targetSessionKey'] });

    const undefinedName = await ctx.bridge.api.post('/api/orchestrator/flows', { ...twoNodes, edges: [] }, ApiErrorBody);
    expect(undefinedName.status).toBe(400);
    expect(undefinedName.body.error.message).toMatch(/node "B": \{\{A_out\}\} is neither a variable nor an upstream node's outputName/);

    // The same rules on PUT; the stored flow stays as it was.
    const { body: flow } = await ctx.bridge.api.post('/api/orchestrator/flows', twoNodes, Flow);
    const bad = await ctx.bridge.api.put(`/api/orchestrator/flows/${flow.id}`, { ...twoNodes, edges: [] }, ApiErrorBody);
    expect(bad.status).toBe(400);
    expect((await ctx.bridge.api.get(`/api/orchestrator/flows/${flow.id}`, Flow)).body.edges).toEqual(twoNodes.edges);
  });

  it('answers bad bodies with a 400 naming the field, unknown ids with 404', async () => {
    const r = await ctx.bridge.api.post('/api/orchestrator/flows', { name: 'x', nodes: [{ id: 'A', data: { instruction: 'x', delivery: 'teleport' } }] }, ApiErrorBody);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/nodes\.0\.data\.delivery/);
    expect((await ctx.bridge.api.post('/api/orchestrator/flows', '{not json', ApiErrorBody)).status).toBe(400);
    expect((await ctx.bridge.api.post('/api/orchestrator/flows', { nodes: [] }, ApiErrorBody)).body.error.message).toMatch(/name/);
    expect((await ctx.bridge.api.get('/api/orchestrator/runs/r_nope', ApiErrorBody)).status).toBe(404);
    expect((await ctx.bridge.api.post('/api/orchestrator/flows/f_nope/execute', {}, ApiErrorBody)).status).toBe(404);
    const { body: flow } = await ctx.bridge.api.post('/api/orchestrator/flows', twoNodes, Flow);
    const unknownVar = await ctx.bridge.api.post(`/api/orchestrator/flows/${flow.id}/execute`, { variables: { nope: '1' } }, ApiErrorBody);
    expect(unknownVar.status).toBe(400);
    expect(unknownVar.body.error.message).toMatch(/variables\.nope/);
    // Each detail names its rule, for the UI to word (issue.<code>).
    expect(unknownVar.body.error.details).toEqual([{ path: ['variables', 'nope'], code: 'flow_unknown_variable', params: { name: 'nope' }, message: 'the flow has no variable "nope" (it has: who)' }]);
    const route = await ctx.bridge.api.post('/api/orchestrator/route', { sessionKey: 's_x' }, ApiErrorBody);
    expect(route.status).toBe(400);
    expect(route.body.error.details![0]).toMatchObject({ path: ['text'], code: 'custom', params: { rule: 'text_or_run_node' } });
  });

  it('keeps flows across a restart', async () => {
    const { body: flow } = await ctx.bridge.api.post('/api/orchestrator/flows', { ...twoNodes, name: 'durable' }, Flow);
    const dataDir = ctx.bridge.dataDir;
    await ctx.bridge.bridge.close();
    ctx.bridge = await startTestBridge(ctx.tmux, { dataDir });
    const got = await ctx.bridge.api.get(`/api/orchestrator/flows/${flow.id}`, Flow);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(flow);
  });
});
