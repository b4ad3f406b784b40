import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { pathWithFakes, writeFakeTools } from '../helpers/fake-tools.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, CliOutput, CliSession, EventPage, ExecuteStarted, Execution, ExecutionList, ToolList } from '../../schemas/index.ts';

const fakes = writeFakeTools(['claude', 'codex', 'gemini']);
const ctx = {} as { tmux: TestTmux; bridge: TestBridge };
const originalPath = process.env.PATH;

beforeAll(async () => {
  // The server finds tools on its own PATH: fakes first, and no qwen anywhere.
  process.env.PATH = pathWithFakes(fakes.dir);
  ctx.tmux = new TestTmux();
  ctx.bridge = await startTestBridge(ctx.tmux, {}, );
});

afterAll(async () => {
  process.env.PATH = originalPath;
  await ctx.bridge?.close();
  await ctx.tmux?.kill();
  rmSync(fakes.dir, { recursive: true, force: true });
});

async function shellSession(name: string): Promise<string> {
  const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name, shell: 'bash --noprofile --norc -i', workingDir: ctx.tmux.dir }, CliSession);
  expect(status).toBe(201);
  return body.sessionKey as string;
}

async function execution(id: string): Promise<Execution> {
  const { status, body } = await ctx.bridge.api.get(`/api/executions/${id}`, Execution);
  expect(status).toBe(200);
  return body as Execution;
}

async function ended(id: string, timeoutMs = 30_000): Promise<Execution> {
  return waitFor(async () => {
    const e = await execution(id);
    return e.status !== 'running' ? e : undefined;
  }, `execution ${id} to end`, timeoutMs, 50);
}

describe('executions in a shell session', () => {
  it('a tool that exits 3 after 3 s is running throughout, then failed with 3 by sentinel', async () => {
    const key = await shellSession('exec-exit3');
    const started = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { tool: 'claude', prompt: 'work sleep=3 exit=3' }, ExecuteStarted);
    expect(started.status).toBe(202);
    expect(started.body.executionId).toMatch(/^x_/);
    expect(started.body.command).toContain(`${fakes.dir}/claude -p 'work sleep=3 exit=3'`);
    const id = started.body.executionId as string;
    // Observe until it ends: every observation before the end says running.
    const seen: Array<{ at: number; status: string }> = [];
    const t0 = Date.now();
    let last: Execution;
    for (;;) {
      last = await execution(id);
      seen.push({ at: Date.now() - t0, status: last.status });
      if (last.status !== 'running') break;
      expect(Date.now() - t0).toBeLessThan(30_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(last).toMatchObject({ status: 'failed', exitCode: 3, completion: 'sentinel', tool: 'claude', sessionKey: key });
    // The fake slept 3 s after it started: the execution did not end before that.
    expect(Date.parse(last.endedAt!) - Date.parse(last.startedAt)).toBeGreaterThanOrEqual(2900);
    // Observed running until at least 2.5 s in (the fake ends at 3 s), and never anything else before the end.
    expect(Math.max(...seen.filter((s) => s.status === 'running').map((s) => s.at))).toBeGreaterThanOrEqual(2500);
    expect(seen.slice(0, -1).every((s) => s.status === 'running')).toBe(true);
    expect(last.outputTail).toContain('ANSWER: work sleep=3 exit=3');
    expect(last.offsetEnd! - last.offsetStart!).toBeGreaterThan(0);
  });

  it('`sleep 2; false` typed in bash ends failed with 1; output bytes are exactly the pane bytes between the offsets', async () => {
    const key = await shellSession('exec-false');
    const { body } = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'echo out-$((40+2)); sleep 2; false' }, ExecuteStarted);
    expect(body.command).toMatch(/bash -c 'echo out-\$\(\(40\+2\)\); sleep 2; false'$/);
    const done = await ended(body.executionId);
    expect(done).toMatchObject({ status: 'failed', exitCode: 1, completion: 'sentinel', tool: 'bash' });
    expect(done.outputTail).toContain('out-42');
    const output = await fetch(new URL(`api/executions/${done.executionId}/output`, ctx.bridge.url), { headers: { authorization: `Bearer ${ctx.bridge.token}` } });
    expect(output.headers.get('content-type')).toContain('application/octet-stream');
    const bytes = Buffer.from(await output.arrayBuffer());
    expect(bytes.length).toBe(done.offsetEnd! - done.offsetStart!);
    const pane = ctx.bridge.bridge.hub.paneOf(key);
    const ring = Buffer.concat(ctx.bridge.bridge.tmux.streams.get(pane.paneId)!.readFrom(done.offsetStart!)!);
    expect(bytes.equals(ring.subarray(0, bytes.length))).toBe(true);
    expect(bytes.toString()).toContain('out-42');
  });

  it('completed with 0; the session takes the next execution once the first ended', async () => {
    const key = await shellSession('exec-ok');
    const first = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'true' }, ExecuteStarted);
    expect((await ended(first.body.executionId)).status).toBe('completed');
    const second = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'printf "%s\\n" second-run' }, ExecuteStarted);
    expect(second.status).toBe(202);
    const done = await ended(second.body.executionId);
    expect(done).toMatchObject({ status: 'completed', exitCode: 0, completion: 'sentinel' });
    expect(done.outputTail).toBe('second-run');
    const events = await ctx.bridge.api.get('/api/events?type=EXECUTION_UPDATED&limit=1000', EventPage);
    const mine = (events.body.events as any[]).filter((e) => e.execution.executionId === done.executionId).map((e) => e.execution.status);
    expect(mine).toEqual(['running', 'completed']);
  });

  it('a second execute while one runs is 409 session_busy; cancel ends it cancelled', async () => {
    const key = await shellSession('exec-busy');
    const first = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'echo started-$((1+1)); sleep 60' }, ExecuteStarted);
    expect(first.status).toBe(202);
    const busy = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'echo never' }, ApiErrorBody);
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('session_busy');
    expect(busy.body.error.message).toContain(first.body.executionId);
    expect(ctx.bridge.bridge.executions.isBusy(key)).toBe(true);
    // Ctrl-C ends a command that runs; one typed before the shell has started it (a loaded
    // machine) would only clear the line, and the escalation's SIGTERM (143) would end it.
    const paneId = ctx.bridge.bridge.hub.paneOf(key).paneId;
    await waitFor(async () => (await ctx.tmux.capture(paneId)).includes('started-2'), 'the command to run in the pane');
    const cancelled = await ctx.bridge.api.post(`/api/executions/${first.body.executionId}/cancel`, undefined, Execution);
    expect(cancelled.status).toBe(200);
    const done = await ended(first.body.executionId);
    expect(done).toMatchObject({ status: 'cancelled', completion: 'sentinel', exitCode: 130 });
    expect(ctx.bridge.bridge.executions.isBusy(key)).toBe(false);
  });

  it('cancel escalates when the command ignores Ctrl-C', async () => {
    const key = await shellSession('exec-stubborn');
    const { body } = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: "trap '' INT; echo armed-$((1+1)); sleep 60; echo never-$((2+3))" }, ExecuteStarted);
    const paneId = ctx.bridge.bridge.hub.paneOf(key).paneId;
    await waitFor(async () => (await ctx.tmux.capture(paneId)).includes('armed-2'), 'the command to ignore Ctrl-C');
    await ctx.bridge.api.post(`/api/executions/${body.executionId}/cancel`, undefined, Execution);
    const done = await ended(body.executionId);
    expect(done.status).toBe('cancelled');
    expect(done.completion).toBe('sentinel');
    // SIGTERM from the escalation (128+15), not Ctrl-C; the shell running the command got it
    // too, so it did not go on with its script when its sleep died.
    expect(done.exitCode).toBe(143);
    expect(done.outputTail).not.toContain('never-5');
  });

  it('timeoutS interrupts the command and ends it as timeout', async () => {
    const key = await shellSession('exec-timeout');
    const t0 = Date.now();
    const { body } = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'sleep 60', timeoutS: 1 }, ExecuteStarted);
    const done = await ended(body.executionId);
    expect(done).toMatchObject({ status: 'timeout', completion: 'sentinel', exitCode: 130 });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(Date.parse(done.endedAt!) - Date.parse(done.startedAt)).toBeGreaterThanOrEqual(900);
  });

  it('a missing tool is 400 tool_not_found saying what to install; a bad body is 400 naming the field', async () => {
    const key = await shellSession('exec-missing');
    const missing = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { tool: 'qwen', prompt: 'hi' }, ApiErrorBody);
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('tool_not_found');
    expect(missing.body.error.message).toContain('npm install -g @qwen-code/qwen-code');
    const unknown = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { tool: 'nonesuch', prompt: 'hi' }, ApiErrorBody);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('tool_not_found');
    const bad = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: 42 }, ApiErrorBody);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details![0]).toMatchObject({ path: ['prompt'] });
    const extra = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'x', timeoutS: -1 }, ApiErrorBody);
    expect(extra.status).toBe(400);
    expect(extra.body.error.details![0]).toMatchObject({ path: ['timeoutS'] });
    expect((await ctx.bridge.api.post('/api/cli-sessions/s_nope/execute', { prompt: 'x' }, ApiErrorBody)).status).toBe(404);
    expect(ctx.bridge.bridge.executions.isBusy(key)).toBe(false);
  });

  it('a closed session refuses executions; closing a session ends its execution cancelled by pane-exit', async () => {
    const key = await shellSession('exec-close');
    const { body } = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'sleep 60' }, ExecuteStarted);
    await ctx.bridge.api.post(`/api/cli-sessions/${key}/close`, undefined, CliSession);
    const done = await ended(body.executionId);
    expect(done).toMatchObject({ status: 'cancelled', completion: 'pane-exit', exitCode: null });
    const again = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'true' }, ApiErrorBody);
    expect(again.status).toBe(409);
  });

  it('lists executions by session and status; GET /api/tools says what is installed', async () => {
    const key = await shellSession('exec-list');
    const { body } = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'true' }, ExecuteStarted);
    await ended(body.executionId);
    const listed = await ctx.bridge.api.get(`/api/executions?sessionKey=${key}`, ExecutionList);
    expect(listed.body.executions.map((e: Execution) => e.executionId)).toEqual([body.executionId]);
    expect((await ctx.bridge.api.get(`/api/executions?sessionKey=${key}&status=running`, ExecutionList)).body.executions).toEqual([]);
    expect((await ctx.bridge.api.get('/api/executions?status=bogus', ApiErrorBody)).status).toBe(400);
    const tools = (await ctx.bridge.api.get('/api/tools', ToolList)).body.tools as any[];
    const byName = Object.fromEntries(tools.map((t) => [t.tool, t]));
    expect(byName.claude).toMatchObject({ available: true, path: `${fakes.dir}/claude`, version: 'fake claude 1.0.0', supports: { oneShot: true, nativeResume: true, hooks: true } });
    expect(byName.bash.available).toBe(true);
    expect(byName.bash.version).toMatch(/bash/i);
    expect(byName.qwen).toMatchObject({ available: false, path: null, version: null });
  });
});

describe('stateless runs', () => {
  it('runs the one-shot form without a terminal, streams stdout and stderr apart, keeps the output', async () => {
    const started = await ctx.bridge.api.post('/api/cli/execute', { tool: 'codex', prompt: 'hello sleep=1.5 exit=4', workingDir: ctx.tmux.dir }, ExecuteStarted);
    expect(started.status).toBe(202);
    const id = started.body.executionId as string;
    const active = await ctx.bridge.api.get('/api/cli/active', ExecutionList);
    expect(active.body.executions.map((e: Execution) => e.executionId)).toContain(id);
    const done = await ended(id);
    expect(done).toMatchObject({ status: 'failed', exitCode: 4, completion: 'exit', sessionKey: null, tool: 'codex' });
    expect(done.outputTail).toContain('ANSWER: hello sleep=1.5 exit=4');
    expect((await ctx.bridge.api.get('/api/cli/active', ExecutionList)).body.executions.map((e: Execution) => e.executionId)).not.toContain(id);
    const replay = await ctx.bridge.api.get(`/api/cli/executions/${id}/output`, CliOutput);
    const of = (stream: string) => (replay.body.chunks as any[]).filter((c) => c.stream === stream).map((c) => c.data).join('');
    expect(of('stderr')).toContain('ARGV: [exec] [hello sleep=1.5 exit=4]');
    expect(of('stdout')).toContain('ANSWER: hello sleep=1.5 exit=4');
    expect(of('stdout')).not.toContain('ARGV');
    const completed = await waitFor(async () => ((await ctx.bridge.api.get('/api/events?type=CLI_EXECUTION_COMPLETED&limit=1000', EventPage)).body.events as any[]).find((e) => e.executionId === id), 'CLI_EXECUTION_COMPLETED');
    expect(completed).toMatchObject({ status: 'failed', exitCode: 4 });

    const err = await ctx.bridge.api.post('/api/cli/execute', { tool: 'codex', prompt: 'x', workingDir: '/nonexistent-dir' }, ApiErrorBody);
    expect(err.status).toBe(400);
    expect((await ctx.bridge.api.post('/api/cli/execute', { tool: 'qwen', prompt: 'x' }, ApiErrorBody)).body.error.code).toBe('tool_not_found');
  });

  it('stderr arrives as its own stream; cancel interrupts the process', async () => {
    const started = await ctx.bridge.api.post('/api/cli/execute', { tool: 'bash', prompt: 'echo to-err >&2; sleep 60', workingDir: ctx.tmux.dir }, ExecuteStarted);
    const id = started.body.executionId as string;
    await waitFor(async () => ((await ctx.bridge.api.get(`/api/cli/executions/${id}/output`, CliOutput)).body.chunks as any[]).some((c) => c.stream === 'stderr' && c.data.includes('to-err')), 'stderr chunk stored');
    await ctx.bridge.api.post(`/api/executions/${id}/cancel`, undefined, Execution);
    const done = await ended(id);
    expect(done.status).toBe('cancelled');
    expect(done.completion).toBe('exit');
  });
});
