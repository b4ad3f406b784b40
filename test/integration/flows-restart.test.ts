import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BridgeProcess } from '../helpers/bridge.ts';
import { writeFakeFlowTool } from '../helpers/fake-flow-tool.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { CliSession, Flow, FlowRunDetail, FlowStarted } from '../../schemas/index.ts';

const fake = writeFakeFlowTool();
const ctx = {} as { tmux: TestTmux; server: BridgeProcess; dataDir: string; files: string };

beforeAll(async () => {
  ctx.tmux = new TestTmux();
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  ctx.files = mkdtempSync(join(tmpdir(), 'tb-flow-files-'));
  writeFileSync(join(ctx.dataDir, 'tools.yaml'), fake.toolsYaml);
  ctx.server = new BridgeProcess(ctx.tmux, ctx.dataDir);
  await ctx.server.start();
}, 120_000);

afterAll(async () => {
  await ctx.server?.stop();
  await ctx.tmux?.kill();
  for (const dir of [ctx.dataDir, ctx.files, fake.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0);

async function getRun(runId: string): Promise<FlowRunDetail> {
  const { status, body } = await ctx.server.api.get(`/api/orchestrator/runs/${runId}`, FlowRunDetail);
  expect(status).toBe(200);
  return body as FlowRunDetail;
}

describe('flow runs across kill -9', { timeout: 240_000 }, () => {
  it('keeps runs and node outputs, and goes on after a restart without rerunning finished nodes', async () => {
    const { body: session } = await ctx.server.api.post('/api/cli-sessions', { name: 'flow-kill', shell: 'bash --noprofile --norc -i', workingDir: ctx.files }, CliSession);
    const f = (name: string) => join(ctx.files, name);
    const flow = {
      name: 'survives kill -9',
      nodes: [
        { id: 'A', data: { instruction: `mark=${f('a')} say=alpha`, tool: 'fakeagent', outputName: 'a' } },
        {
          id: 'B',
          data: {
            instruction: `echo started >> ${f('b')}; while [ ! -e ${f('go')} ]; do sleep 0.05; done; echo got-{{a}}`,
            tool: 'bash',
            delivery: 'sendToSession',
            targetSessionKey: session.sessionKey,
            outputName: 'b',
          },
        },
        { id: 'C', data: { instruction: `mark=${f('c')} say=gamma`, tool: 'fakeagent', outputName: 'c' } },
        { id: 'D', data: { instruction: `mark=${f('d')} say=done-{{c}}`, tool: 'fakeagent' } },
      ],
      edges: [
        { source: 'A', target: 'B' },
        { source: 'B', target: 'D' },
        { source: 'C', target: 'D' },
      ],
    };
    const created = await ctx.server.api.post('/api/orchestrator/flows', flow, Flow);
    expect(created.status).toBe(201);
    const { body } = await ctx.server.api.post(`/api/orchestrator/flows/${created.body.id}/execute`, {}, FlowStarted);
    const runId = body.runId as string;
    const before = await waitFor(async () => {
      const run = await getRun(runId);
      return run.nodes.B!.status === 'running' && run.nodes.B!.executionId && run.nodes.C!.status === 'completed' ? run : undefined;
    }, 'A and C done, B running', 60_000, 50);
    expect(before.nodes.A).toMatchObject({ status: 'completed', output: 'alpha' });
    await waitFor(() => lines(f('b')) === 1, 'B started in the pane', 60_000);

    await ctx.server.kill9();
    await ctx.server.start();

    // The run came back as it was: A done with its output, B still running in the pane that outlived the server.
    const after = await getRun(runId);
    expect(after.status).toBe('running');
    expect(after.nodes.A).toMatchObject({ status: 'completed', output: 'alpha', executionId: before.nodes.A!.executionId });
    expect(after.nodes.B).toMatchObject({ status: 'running', executionId: before.nodes.B!.executionId });
    expect(after.nodes.D!.status).toBe('pending');
    writeFileSync(f('go'), '');
    const done = await waitFor(async () => {
      const run = await getRun(runId);
      return run.status !== 'running' ? run : undefined;
    }, 'run finished after the restart', 60_000, 50);
    expect(done.status).toBe('completed');
    expect(done.nodes.B!.status).toBe('completed');
    expect(done.nodes.B!.executionId).toBe(before.nodes.B!.executionId);
    expect(done.nodes.B!.output).toContain('got-alpha');
    expect(done.nodes.D).toMatchObject({ status: 'completed', output: 'done-gamma' });
    // Nothing finished before the kill ran again; B's command was typed once.
    expect([lines(f('a')), lines(f('b')), lines(f('c')), lines(f('d'))]).toEqual([1, 1, 1, 1]);
    expect(done.nodes.A!.attempts + done.nodes.B!.attempts + done.nodes.C!.attempts).toBe(3);
  });
});
