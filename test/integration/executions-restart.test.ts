import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { useBridgeProcess } from '../helpers/bridge.ts';
import { waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, CliOutput, CliSession, EventPage, ExecuteStarted, Execution, ExecutionList } from '../../schemas/index.ts';

const ctx = useBridgeProcess();

async function shellSession(name: string): Promise<{ sessionKey: string; tmux: { paneId: string } }> {
  const { status, body } = await ctx.server.api.post('/api/cli-sessions', { name, shell: 'bash --noprofile --norc -i', workingDir: ctx.tmux.dir }, CliSession);
  expect(status).toBe(201);
  return body;
}

async function get(id: string): Promise<Execution> {
  return (await ctx.server.api.get(`/api/executions/${id}`, Execution)).body as Execution;
}

const statusFile = (id: string) => join(ctx.dataDir, 'executions', id, 'status');

describe('executions across kill -9', () => {
  it('a command that ended while the server was down settles with its real status and exit code', async () => {
    const s = await shellSession('rx-ended');
    const { body } = await ctx.server.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { prompt: 'echo started; sleep 2; exit 5' }, ExecuteStarted);
    const id = body.executionId as string;
    await waitFor(async () => (await ctx.tmux.capture(s.tmux.paneId)).includes('started'), 'the command to start');
    await ctx.server.kill9();
    // The command finishes while no server runs: the wrapper leaves its status behind.
    await waitFor(() => existsSync(statusFile(id)), 'the wrapper status file', 30_000);
    await ctx.server.start();
    const after = await get(id);
    expect(after).toMatchObject({ status: 'failed', exitCode: 5, completion: 'sentinel' });
    expect(after.outputTail).toContain('started');
    const events = (await ctx.server.api.get('/api/events?type=EXECUTION_UPDATED&limit=1000', EventPage)).body.events as any[];
    expect(events.filter((e) => e.execution.executionId === id).map((e) => e.execution.status)).toEqual(['running', 'failed']);
    // The session is free again.
    const next = await ctx.server.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { prompt: 'true' }, ExecuteStarted);
    expect(next.status).toBe(202);
    await waitFor(async () => (await get(next.body.executionId)).status === 'completed', 'the next execution');
  });

  it('a command still running at restart is followed to its end', async () => {
    const s = await shellSession('rx-running');
    const { body } = await ctx.server.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { prompt: 'echo begun; sleep 3; echo finished; exit 0' }, ExecuteStarted);
    const id = body.executionId as string;
    await waitFor(async () => (await ctx.tmux.capture(s.tmux.paneId)).includes('begun'), 'the command to start');
    await ctx.server.kill9();
    await ctx.server.start();
    const restarted = await get(id);
    if (!existsSync(statusFile(id))) {
      // Still running: never settled early, and the session stays busy.
      expect(restarted.status).toBe('running');
      const busy = await ctx.server.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { prompt: 'true' }, ApiErrorBody);
      expect(busy.status).toBe(409);
    }
    const done = await waitFor(async () => {
      const e = await get(id);
      return e.status !== 'running' ? e : undefined;
    }, 'the execution to end after restart', 30_000);
    expect(done).toMatchObject({ status: 'completed', exitCode: 0, completion: 'sentinel' });
  });

  it('an execution whose session was closed while the server was down ends cancelled by pane-exit', async () => {
    const s = await shellSession('rx-closed');
    const { body } = await ctx.server.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { prompt: 'echo waiting; sleep 60' }, ExecuteStarted);
    const id = body.executionId as string;
    await waitFor(async () => (await ctx.tmux.capture(s.tmux.paneId)).includes('waiting'), 'the command to start');
    await ctx.server.kill9();
    await ctx.tmux.tmux('kill-session', '-t', '=rx-closed');
    await ctx.server.start();
    const after = await get(id);
    expect(after).toMatchObject({ status: 'cancelled', completion: 'pane-exit', exitCode: null });
  });

  it('a stateless run cut off by the crash is never reported completed', async () => {
    const { body } = await ctx.server.api.post('/api/cli/execute', { tool: 'bash', prompt: 'echo going; sleep 60', workingDir: ctx.tmux.dir }, ExecuteStarted);
    const id = body.executionId as string;
    await waitFor(async () => ((await ctx.server.api.get(`/api/cli/executions/${id}/output`, CliOutput)).body.chunks as any[]).length > 0, 'first output stored');
    await ctx.server.kill9();
    await ctx.server.start();
    const after = await get(id);
    expect(after.status).toBe('failed');
    expect(after.exitCode).toBeNull();
    expect(after.outputTail).toContain('going');
    expect((await ctx.server.api.get('/api/cli/active', ExecutionList)).body.executions).toEqual([]);
  });
});
