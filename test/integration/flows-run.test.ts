import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { writeFakeFlowTool } from '../helpers/fake-flow-tool.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, CliSession, Execution, Flow, FlowRunDetail, FlowRunList, FlowStarted, RouteAccepted } from '../../schemas/index.ts';

const fake = writeFakeFlowTool();
const ctx = {} as { tmux: TestTmux; bridge: TestBridge; files: string };

beforeAll(async () => {
  ctx.tmux = new TestTmux();
  const dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  writeFileSync(join(dataDir, 'tools.yaml'), fake.toolsYaml);
  ctx.files = mkdtempSync(join(tmpdir(), 'tb-flow-files-'));
  ctx.bridge = await startTestBridge(ctx.tmux, { dataDir });
});

afterAll(async () => {
  await ctx.bridge?.close();
  await ctx.tmux?.kill();
  rmSync(fake.dir, { recursive: true, force: true });
  rmSync(ctx.files, { recursive: true, force: true });
});

const file = (name: string) => join(ctx.files, name);

async function shellSession(name: string): Promise<string> {
  const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name, shell: 'bash --noprofile --norc -i', workingDir: ctx.files }, CliSession);
  expect(status).toBe(201);
  return body.sessionKey as string;
}

async function createFlow(flow: unknown): Promise<string> {
  const { status, body } = await ctx.bridge.api.post('/api/orchestrator/flows', flow, Flow);
  expect(status, JSON.stringify(body)).toBe(201);
  return body.id as string;
}

async function execute(flowId: string, variables?: Record<string, string>): Promise<string> {
  const { status, body } = await ctx.bridge.api.post(`/api/orchestrator/flows/${flowId}/execute`, variables ? { variables } : {}, FlowStarted);
  expect(status, JSON.stringify(body)).toBe(202);
  expect(body.runId).toMatch(/^r_/);
  return body.runId as string;
}

async function getRun(runId: string): Promise<FlowRunDetail> {
  const { status, body } = await ctx.bridge.api.get(`/api/orchestrator/runs/${runId}`, FlowRunDetail);
  expect(status).toBe(200);
  return body as FlowRunDetail;
}

function runUntil(runId: string, what: string, check: (run: FlowRunDetail) => boolean, timeoutMs = 60_000): Promise<FlowRunDetail> {
  return waitFor(async () => {
    const run = await getRun(runId);
    return check(run) ? run : undefined;
  }, `run ${runId}: ${what}`, timeoutMs, 50);
}

const node = (id: string, instruction: string, data: Record<string, unknown> = {}) => ({ id, type: 'prompt-template', data: { label: id, instruction, tool: 'fakeagent', ...data } });

// Busy machines run these slowly: waits and limits are generous, never fixed sleeps.
describe('flow runs with real tmux and a fake tool', { timeout: 180_000 }, () => {
  it('A (fake tool prints X=42) feeds B (echo {{A_out}} in a bash session); B ends only when its command ends', async () => {
    const key = await shellSession('flow-b');
    const go = file('b-go');
    const flowId = await createFlow({
      name: 'A feeds B',
      nodes: [
        node('A', 'say=X=42', { outputName: 'A_out' }),
        node('B', `echo {{A_out}}; while [ ! -e ${go} ]; do sleep 0.05; done; echo B-finished`, { tool: 'bash', delivery: 'sendToSession', targetSessionKey: key, outputName: 'B_out' }),
      ],
      edges: [{ source: 'A', target: 'B' }],
    });
    const events: any[] = [];
    const sub = ctx.bridge.bridge.bus.onEvent((e) => e.type === 'FLOW_RUN_UPDATED' && events.push(e));
    const runId = await execute(flowId);

    const running = await runUntil(runId, 'B running', (r) => r.nodes.B!.status === 'running' && r.nodes.B!.executionId !== null);
    expect(running.nodes.A).toMatchObject({ status: 'completed', output: 'X=42' });
    expect(running.nodes.B!.prompt).toContain('echo X=42;');
    expect(running.nodes.B!.sessionKey).toBe(key);
    expect(typeof running.nodes.B!.offsetStart).toBe('number');
    // B's command printed X=42 in the pane, yet B is still running: its command has not ended.
    const paneId = (await ctx.bridge.api.get(`/api/cli-sessions/${key}`, CliSession)).body.tmux.paneId as string;
    await waitFor(async () => (await ctx.tmux.capture(paneId)).split('\n').some((l) => l.trim() === 'X=42'), 'X=42 printed by B', 60_000);
    const stillRunning = await getRun(runId);
    expect(stillRunning.status).toBe('running');
    expect(stillRunning.nodes.B!.status).toBe('running');
    expect((await ctx.bridge.api.get(`/api/executions/${stillRunning.nodes.B!.executionId}`, Execution)).body.status).toBe('running');

    writeFileSync(go, '');
    const done = await runUntil(runId, 'completed', (r) => r.status === 'completed');
    const b = done.nodes.B!;
    expect(b.status).toBe('completed');
    expect(b.output!.split('\n').map((l) => l.trim())).toContain('X=42');
    expect(b.output).toContain('B-finished');
    const exec = (await ctx.bridge.api.get(`/api/executions/${b.executionId}`, Execution)).body;
    expect(exec).toMatchObject({ status: 'completed', exitCode: 0, flowRunId: runId, sessionKey: key });
    expect(done.endedAt).not.toBeNull();
    // Events told the story: B running, then the run completed.
    const mine = () => events.filter((e) => e.run.runId === runId);
    await waitFor(() => mine().at(-1)?.run.status === 'completed', 'the completed run announced');
    sub.dispose();
    expect(mine().some((e) => e.run.nodes.B.status === 'running')).toBe(true);
    // The run is in the history.
    const list = await ctx.bridge.api.get(`/api/orchestrator/runs?flowId=${flowId}`, FlowRunList);
    expect(list.body.runs.map((r: any) => r.runId)).toEqual([runId]);
  });

  it('runs two independent branches at the same time, and their join after both', async () => {
    const [goL, goR] = [file('go-left'), file('go-right')];
    const [markL, markR, markJ] = [file('mark-left'), file('mark-right'), file('mark-join')];
    const flowId = await createFlow({
      name: 'branches',
      nodes: [
        node('L', `mark=${markL} wait=${goL} say=left`, { outputName: 'left' }),
        node('R', `mark=${markR} wait=${goR} say=right`, { outputName: 'right' }),
        node('J', `mark=${markJ} say={{left}}+{{right}}`, { outputName: 'joined' }),
      ],
      edges: [
        { source: 'L', target: 'J' },
        { source: 'R', target: 'J' },
      ],
    });
    const runId = await execute(flowId);
    // Both branches started while neither can finish: they run at once.
    await waitFor(() => existsSync(markL) && existsSync(markR), 'both branches started', 60_000);
    const both = await getRun(runId);
    expect(both.nodes.L!.status).toBe('running');
    expect(both.nodes.R!.status).toBe('running');
    expect(both.nodes.J!.status).toBe('pending');
    writeFileSync(goL, '');
    await runUntil(runId, 'L completed', (r) => r.nodes.L!.status === 'completed');
    expect(existsSync(markJ)).toBe(false);
    expect((await getRun(runId)).nodes.J!.status).toBe('pending');
    writeFileSync(goR, '');
    const done = await runUntil(runId, 'completed', (r) => r.status === 'completed');
    expect(done.nodes.J!.output).toBe('left+right');
  });

  it('onError pause holds the run; resume runs the failed node again and continues', async () => {
    const once = file('fail-once');
    const flowId = await createFlow({
      name: 'pause on error',
      nodes: [node('F', `failonce=${once} say=recovered`, { outputName: 'f', onError: 'pause' }), node('G', 'say={{f}}-next')],
      edges: [{ source: 'F', target: 'G' }],
    });
    const runId = await execute(flowId);
    const paused = await runUntil(runId, 'paused', (r) => r.status === 'paused');
    expect(paused.nodes.F).toMatchObject({ status: 'failed', attempts: 1 });
    expect(paused.nodes.F!.error).toMatch(/failed.*exit code 1/);
    expect(paused.nodes.G!.status).toBe('pending');
    expect(paused.reason).toMatch(/node "F" failed/);
    expect((await ctx.bridge.api.post(`/api/orchestrator/runs/${runId}/pause`, undefined, ApiErrorBody)).status).toBe(409);

    const resumed = await ctx.bridge.api.post(`/api/orchestrator/runs/${runId}/resume`, undefined, FlowRunDetail);
    expect(resumed.status).toBe(200);
    const done = await runUntil(runId, 'completed', (r) => r.status === 'completed');
    expect(done.nodes.F).toMatchObject({ status: 'completed', attempts: 2, output: 'recovered' });
    expect(done.nodes.G).toMatchObject({ status: 'completed', output: 'recovered-next' });
  });

  it('onError continue lets downstream nodes run; fail ends the run and skips what has not started', async () => {
    const cont = await createFlow({
      name: 'continue',
      nodes: [node('C', 'exit=3', { outputName: 'c', onError: 'continue' }), node('D', 'say=after-[{{c}}]')],
      edges: [{ source: 'C', target: 'D' }],
    });
    const run1 = await runUntil(await execute(cont), 'ended', (r) => r.endedAt !== null);
    expect(run1.status).toBe('completed');
    expect(run1.nodes.C!.status).toBe('failed');
    expect(run1.nodes.C!.error).toMatch(/exit code 3/);
    expect(run1.nodes.D).toMatchObject({ status: 'completed', output: 'after-[]' });

    const fail = await createFlow({ name: 'fail', nodes: [node('E', 'exit=4'), node('H', 'say=never')], edges: [{ source: 'E', target: 'H' }] });
    const run2 = await runUntil(await execute(fail), 'ended', (r) => r.endedAt !== null);
    expect(run2.status).toBe('failed');
    expect(run2.nodes.E!.status).toBe('failed');
    expect(run2.nodes.H).toMatchObject({ status: 'skipped', executionId: null });
    expect(run2.reason).toMatch(/node "E" failed/);
  });

  it('stop (here of a paused run) cancels the running nodes and skips the rest', async () => {
    const key = await shellSession('flow-stop');
    const mark = file('stop-next');
    const flowId = await createFlow({
      name: 'stop me',
      nodes: [
        node('S', 'while true; do sleep 0.05; done', { tool: 'bash', delivery: 'sendToSession', targetSessionKey: key }),
        node('W', `wait=${file('never')}`),
        node('N', `mark=${mark}`),
      ],
      edges: [
        { source: 'S', target: 'N' },
        { source: 'W', target: 'N' },
      ],
    });
    const runId = await execute(flowId);
    const running = await runUntil(runId, 'both running', (r) => r.nodes.S!.executionId !== null && r.nodes.W!.executionId !== null);
    expect((await ctx.bridge.api.post(`/api/orchestrator/runs/${runId}/pause`, undefined, FlowRunDetail)).body.status).toBe('paused');
    const stopped = await ctx.bridge.api.post(`/api/orchestrator/runs/${runId}/stop`, undefined, FlowRunDetail);
    expect(stopped.status).toBe(200);
    expect(stopped.body.status).toBe('stopped');
    expect(stopped.body.nodes.S!.status).toBe('failed');
    expect(stopped.body.nodes.S!.error).toMatch(/stopped/);
    expect(stopped.body.nodes.N!.status).toBe('skipped');
    for (const id of [running.nodes.S!.executionId, running.nodes.W!.executionId]) {
      await waitFor(async () => (await ctx.bridge.api.get(`/api/executions/${id}`, Execution)).body.status === 'cancelled', `execution ${id} cancelled`, 60_000);
    }
    // The session is free again: the loop in it really stopped.
    const paneId = (await ctx.bridge.api.get(`/api/cli-sessions/${key}`, CliSession)).body.tmux.paneId as string;
    await waitFor(async () => (await ctx.tmux.tmux('display', '-p', '-t', paneId, '#{pane_current_command}')) === 'bash', 'loop interrupted', 60_000);
    expect(existsSync(mark)).toBe(false);
    expect((await getRun(runId)).status).toBe('stopped');
    expect((await ctx.bridge.api.post(`/api/orchestrator/runs/${runId}/resume`, undefined, ApiErrorBody)).status).toBe(409);
  });

  it('routes text and a run node\'s instruction into a session through the execute path', async () => {
    const key = await shellSession('flow-route');
    const routed = await ctx.bridge.api.post('/api/orchestrator/route', { sessionKey: key, text: 'echo routed-$((40+2))' }, RouteAccepted);
    expect(routed.status).toBe(202);
    const exec = await waitFor(async () => {
      const e = (await ctx.bridge.api.get(`/api/executions/${routed.body.executionId}`, Execution)).body;
      return e.status !== 'running' ? e : undefined;
    }, 'routed execution ended', 60_000);
    expect(exec).toMatchObject({ status: 'completed', exitCode: 0, sessionKey: key });
    expect(exec.outputTail).toContain('routed-42');

    const flowId = await createFlow({ name: 'route a node', variables: { n: '7' }, nodes: [node('A', 'say=v{{n}}')] });
    const runId = await execute(flowId, { n: '8' });
    await runUntil(runId, 'completed', (r) => r.status === 'completed');
    const fromNode = await ctx.bridge.api.post('/api/orchestrator/route', { sessionKey: key, runId, nodeId: 'A', tool: 'bash' }, RouteAccepted);
    expect(fromNode.status).toBe(202);
    const e2 = await waitFor(async () => {
      const e = (await ctx.bridge.api.get(`/api/executions/${fromNode.body.executionId}`, Execution)).body;
      return e.status !== 'running' ? e : undefined;
    }, 'routed node ended', 60_000);
    expect(e2.prompt).toBe('say=v8');
    expect((await ctx.bridge.api.post('/api/orchestrator/route', { sessionKey: 's_nope', text: 'x' }, ApiErrorBody)).status).toBe(404);
    expect((await ctx.bridge.api.post('/api/orchestrator/route', { sessionKey: key, runId, nodeId: 'Z' }, ApiErrorBody)).status).toBe(404);
  });

  it('a newExecution node that asks for a terminal runs in a new session of its own, watchable and attachable', async () => {
    const flowId = await createFlow({
      name: 'with a terminal',
      nodes: [node('T', 'say=in-a-terminal', { label: 'Watch me', terminal: true, workingDir: ctx.files, outputName: 't' }), node('U', 'say=after-{{t}}')],
      edges: [{ source: 'T', target: 'U' }],
    });
    const runId = await execute(flowId);
    const done = await runUntil(runId, 'completed', (r) => r.status === 'completed');
    const t = done.nodes.T!;
    expect(t).toMatchObject({ status: 'completed', output: 'in-a-terminal' });
    expect(t.sessionKey).toMatch(/^s_/);
    expect(typeof t.offsetStart).toBe('number');
    const session = (await ctx.bridge.api.get(`/api/cli-sessions/${t.sessionKey}`, CliSession)).body;
    // A name tmux takes (no ":"), unique per run: the same flow runs again below.
    expect(session).toMatchObject({ name: `with a terminal - Watch me ${runId.slice(2, 8)}`, workingDir: ctx.files, status: 'running' });
    const exec = (await ctx.bridge.api.get(`/api/executions/${t.executionId}`, Execution)).body;
    expect(exec).toMatchObject({ sessionKey: t.sessionKey, tool: 'fakeagent', status: 'completed', flowRunId: runId });
    // The pane shows the run: its output is there for a person (or tmux attach) to see.
    await waitFor(async () => (await ctx.tmux.capture(session.tmux.paneId)).split('\n').some((l) => l.trim() === 'in-a-terminal'), 'the answer in the new pane', 30_000);
    // One-shot nodes without a terminal have no session.
    expect(done.nodes.U).toMatchObject({ status: 'completed', output: 'after-in-a-terminal', sessionKey: null });
    // Run it again: another session, no name clash.
    const again = await runUntil(await execute(flowId), 'completed again', (r) => r.status === 'completed');
    expect(again.nodes.T!.sessionKey).not.toBe(t.sessionKey);
  });
});

