import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge, makeApi } from '../helpers/bridge.ts';
import { pathWithFakes, writeFakeTools } from '../helpers/fake-tools.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { BoardSettings, CliSession, ExecuteStarted, ExecutionList, Issue, IssueHistory, SessionList } from '../../schemas/index.ts';

const fakes = writeFakeTools(['claude']);
const ctx = {} as { tmux: TestTmux; bridge: TestBridge };
const originalPath = process.env.PATH;

beforeAll(async () => {
  // The server finds tools on its own PATH: the fake claude first.
  process.env.PATH = pathWithFakes(fakes.dir);
  ctx.tmux = new TestTmux();
  ctx.bridge = await startTestBridge(ctx.tmux);
});

afterAll(async () => {
  process.env.PATH = originalPath;
  await ctx.bridge?.close();
  await ctx.tmux?.kill();
  rmSync(fakes.dir, { recursive: true, force: true });
});

const api = makeApi(() => ctx.bridge);
const issue = async (id: string) => (await api.get(`/api/issues/${id}`, Issue)).body;
const runsOf = async (id: string) => (await api.get(`/api/executions?issueId=${id}`, ExecutionList)).body.executions as any[];

async function create(title: string): Promise<string> {
  const res = await api.post('/api/issues', { title, body: 'details' }, Issue);
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('drag to in_progress starts work (real executions, fake claude)', () => {
  it('starts exactly one execution, ignores a second drag while it runs, and resolves the issue when it ends', async () => {
    const settings = { autoStartOnInProgress: { enabled: true, tool: 'claude', model: null, promptTemplate: 'Fix {{id}}: {{title}}', workingDir: ctx.tmux.dir } };
    expect((await api.put('/api/board/settings', settings, BoardSettings)).status).toBe(200);
    const id = await create('add retries sleep=3');
    expect((await api.post(`/api/issues/${id}/move`, { status: 'in_progress' }, Issue)).status).toBe(200);
    const first = await waitFor(async () => (await runsOf(id))[0], 'the execution', 30_000);
    expect(first).toMatchObject({ tool: 'claude', prompt: `Fix ${id}: add retries sleep=3`, issueId: id });
    // A second drag while it runs starts nothing.
    await api.post(`/api/issues/${id}/move`, { status: 'queued' }, Issue);
    await api.post(`/api/issues/${id}/move`, { status: 'in_progress' }, Issue);
    const done = await waitFor(async () => ((await issue(id)).status === 'resolved' ? issue(id) : undefined), 'resolved', 60_000);
    expect(done.lastRun).toMatchObject({ executionId: first.executionId, status: 'completed', exitCode: 0 });
    const runs = await runsOf(id);
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('completed');
    const sessions = (await api.get(`/api/cli-sessions?issueId=${id}`, SessionList)).body.sessions;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.resumeKey).toBe(`issue-${id}`);
    const history = (await api.get(`/api/issues/${id}/history`, IssueHistory)).body.history;
    expect(history.filter((h: any) => h.field === 'status').at(-1)).toMatchObject({ from: 'in_progress', to: 'resolved', by: 'scheduler' });
  }, 180_000);

  it('a failing run leaves the issue in_progress with the failure recorded', async () => {
    const id = await create('will fail exit=3');
    await api.post(`/api/issues/${id}/move`, { status: 'in_progress' }, Issue);
    const failed = await waitFor(async () => ((await issue(id)).lastRun?.status === 'failed' ? issue(id) : undefined), 'failure', 60_000);
    expect(failed).toMatchObject({ status: 'in_progress', lastRun: { exitCode: 3 } });
  }, 180_000);

  it('a run that cannot start records why, with the API code a UI words in its language', async () => {
    // gemini is not on PATH here (only the fake claude is).
    const settings = { autoStartOnInProgress: { enabled: true, tool: 'gemini', model: null, promptTemplate: 'Fix {{id}}', workingDir: ctx.tmux.dir } };
    expect((await api.put('/api/board/settings', settings, BoardSettings)).status).toBe(200);
    const id = await create('no such tool');
    await api.post(`/api/issues/${id}/move`, { status: 'in_progress' }, Issue);
    const failed = await waitFor(async () => ((await issue(id)).lastRun?.status === 'failed' ? issue(id) : undefined), 'failure', 60_000);
    expect(failed.lastRun!.error).toMatch(/^auto-start failed: .*gemini/);
    expect(failed.lastRun!.errorCode).toEqual({ code: 'auto_start_failed', params: { message: failed.lastRun!.error!.replace('auto-start failed: ', ''), error: 'tool_not_found' } });
  }, 180_000);

  it('an execution in the issue’s own session (the drawer’s Execute) moves it to in_progress, then resolved', async () => {
    await api.put('/api/board/settings', { autoStartOnInProgress: { enabled: false, tool: 'claude', promptTemplate: 'x' } }, BoardSettings);
    const id = await create('by hand');
    const session = await api.post('/api/cli-sessions', { name: 'by-hand', shell: 'bash --noprofile --norc -i', workingDir: ctx.tmux.dir, issueId: id }, CliSession);
    expect(session.status).toBe(201);
    const started = await api.post(`/api/cli-sessions/${session.body.sessionKey}/execute`, { tool: 'claude', prompt: 'do it sleep=1' }, ExecuteStarted);
    expect(started.status).toBe(202);
    await waitFor(async () => (await issue(id)).status === 'resolved', 'resolved', 60_000);
    const history = (await api.get(`/api/issues/${id}/history`, IssueHistory)).body.history.filter((h: any) => h.field === 'status');
    expect(history.map((h: any) => [h.to, h.by])).toEqual([
      ['in_progress', 'scheduler'],
      ['resolved', 'scheduler'],
    ]);
  }, 180_000);
});
