/**
 * Removing closed sessions' records (`DELETE /api/cli-sessions/:key`, `POST
 * /api/cli-sessions/clear-closed`) on a real bridge and tmux server: sessions tmux
 * still has are refused, closed ones go for every listener (CLI_SESSION_REMOVED)
 * and stay gone after a restart; executions and issues that name them keep working.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { pathWithFakes, writeFakeTools } from '../helpers/fake-tools.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import {
  ApiErrorBody,
  ClosedCleared,
  CliSession,
  ExecuteStarted,
  Execution,
  ExecutionList,
  Issue,
  IssueList,
  SessionList,
  SessionRemoved,
  type BridgeEvent,
  type BridgeEventOf,
} from '../../schemas/index.ts';

const SHELL = 'bash --norc --noprofile -i';
const fakes = writeFakeTools(['claude']);
const originalPath = process.env.PATH;
const ctx = {} as { tmux: TestTmux; bridge: TestBridge; dataDir: string; events: BridgeEvent[] };

async function start(): Promise<void> {
  ctx.bridge = await startTestBridge(ctx.tmux, { dataDir: ctx.dataDir });
  ctx.events = [];
  ctx.bridge.bridge.bus.onEvent((event) => ctx.events.push(event));
}

beforeAll(async () => {
  process.env.PATH = pathWithFakes(fakes.dir);
  ctx.tmux = new TestTmux();
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  await start();
});

afterAll(async () => {
  process.env.PATH = originalPath;
  await ctx.bridge?.close();
  await ctx.tmux?.kill();
  rmSync(fakes.dir, { recursive: true, force: true });
});

async function create(name: string, extra: Record<string, unknown> = {}): Promise<CliSession> {
  const res = await ctx.bridge.api.post('/api/cli-sessions', { name, shell: SHELL, workingDir: ctx.tmux.dir, ...extra }, CliSession);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function close(key: string): Promise<void> {
  const res = await ctx.bridge.api.post(`/api/cli-sessions/${key}/close`, undefined, CliSession);
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('closed');
}

async function listedKeys(): Promise<string[]> {
  return (await ctx.bridge.api.get('/api/cli-sessions', SessionList)).body.sessions.map((s) => s.sessionKey);
}

const removedEvents = () => ctx.events.filter((e): e is BridgeEventOf<'CLI_SESSION_REMOVED'> => e.type === 'CLI_SESSION_REMOVED');

/** A stored record of a session on a remote host that is not connected (hosts.yaml has none here). */
function remoteRecord(key: string, closed: boolean) {
  return ctx.bridge.bridge.store.sessions.put({
    sessionKey: key,
    name: key,
    tool: 'bash',
    model: null,
    workingDir: '/tmp',
    resumeKey: null,
    resumeStrategy: null,
    issueId: null,
    host: 'farm',
    createdAt: new Date().toISOString(),
    closedAt: closed ? new Date().toISOString() : null,
    exitCode: closed ? 0 : null,
  });
}

describe('DELETE /api/cli-sessions/:key', () => {
  it('refuses a running or exited session, removes a closed one; its execution and issue still answer', async () => {
    const issue = (await ctx.bridge.api.post('/api/issues', { title: 'remove me later' }, Issue)).body;
    const s = await create('rm-running', { issueId: issue.id });
    // An execution that names the session, finished before the session goes.
    const started = await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { tool: 'claude', prompt: 'work exit=0' }, ExecuteStarted);
    expect(started.status).toBe(202);
    const executionId = started.body.executionId;
    await waitFor(async () => (await ctx.bridge.api.get(`/api/executions/${executionId}`, Execution)).body.status !== 'running', 'the execution to end', 60_000, 100);

    const running = await ctx.bridge.api.delete(`/api/cli-sessions/${s.sessionKey}`, ApiErrorBody);
    expect(running.status).toBe(409);
    expect(running.body.error.code).toBe('session_not_closed');
    expect(running.body.error.message).toMatch(/is running; close it first/);
    expect(await listedKeys()).toContain(s.sessionKey);

    const exited = await create('rm-exited', { shell: 'sleep 0.2; exit 7' });
    await waitFor(async () => (await ctx.bridge.api.get(`/api/cli-sessions/${exited.sessionKey}`, CliSession)).body.status === 'exited', 'the program to exit', 30_000);
    const refused = await ctx.bridge.api.delete(`/api/cli-sessions/${exited.sessionKey}`, ApiErrorBody);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'session_not_closed', message: expect.stringMatching(/is exited; close it first/) });
    await close(exited.sessionKey);

    await close(s.sessionKey);
    expect((await ctx.bridge.api.get(`/api/issues/${issue.id}`, Issue)).body.sessions.map((x) => x.sessionKey)).toContain(s.sessionKey);
    const before = ctx.events.length;
    const removed = await ctx.bridge.api.delete(`/api/cli-sessions/${s.sessionKey}`, SessionRemoved);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ ok: true, sessionKey: s.sessionKey });
    const after = ctx.events.slice(before);
    expect(after.filter((e) => e.type === 'CLI_SESSION_REMOVED')).toEqual([expect.objectContaining({ sessionKeys: [s.sessionKey], issueIds: [issue.id] })]);
    // The issue it belonged to is announced without it.
    await waitFor(() => ctx.events.slice(before).some((e) => e.type === 'ISSUE_UPDATED' && 'issue' in e && e.issue.id === issue.id && e.issue.sessions.length === 0), 'ISSUE_UPDATED without the session', 10_000);

    expect((await ctx.bridge.api.get(`/api/cli-sessions/${s.sessionKey}`, ApiErrorBody)).status).toBe(404);
    expect(await listedKeys()).not.toContain(s.sessionKey);
    expect(await listedKeys()).toContain(exited.sessionKey);
    const again = await ctx.bridge.api.delete(`/api/cli-sessions/${s.sessionKey}`, ApiErrorBody);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('not_found');

    // What names the key still answers.
    const execution = await ctx.bridge.api.get(`/api/executions/${executionId}`, Execution);
    expect(execution.status).toBe(200);
    expect(execution.body).toMatchObject({ sessionKey: s.sessionKey, status: 'completed' });
    const bySession = await ctx.bridge.api.get(`/api/executions?sessionKey=${s.sessionKey}`, ExecutionList);
    expect(bySession.body.executions.map((e) => e.executionId)).toEqual([executionId]);
    expect((await ctx.bridge.api.get('/api/executions', ExecutionList)).status).toBe(200);
    expect((await ctx.bridge.api(`GET`, `/api/executions/${executionId}/output`)).status).toBe(200);
    const gotIssue = await ctx.bridge.api.get(`/api/issues/${issue.id}`, Issue);
    expect(gotIssue.status).toBe(200);
    expect(gotIssue.body.sessions).toEqual([]);
    expect((await ctx.bridge.api.get('/api/issues', IssueList)).status).toBe(200);
    // Executing in it is a clear 404, not a crash.
    expect((await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { tool: 'claude', prompt: 'x' }, ApiErrorBody)).status).toBe(404);
  });

  it('removes a closed record of a remote host that is not connected; a record not closed there is a 503', async () => {
    await remoteRecord('s_farmclosed', true);
    await remoteRecord('s_farmopen', false);
    const open = await ctx.bridge.api.delete('/api/cli-sessions/s_farmopen', ApiErrorBody);
    expect(open.status).toBe(503);
    expect(open.body.error.code).toBe('host_unavailable');
    const removed = await ctx.bridge.api.delete('/api/cli-sessions/s_farmclosed', SessionRemoved);
    expect(removed.status).toBe(200);
    expect(ctx.bridge.bridge.store.sessions.get('s_farmclosed')).toBeUndefined();
    expect(ctx.bridge.bridge.store.sessions.get('s_farmopen')).toBeDefined();
  });

  it('bad input is a 400 naming the field', async () => {
    const longKey = await ctx.bridge.api.delete(`/api/cli-sessions/${'k'.repeat(101)}`, ApiErrorBody);
    expect(longKey.status).toBe(400);
    expect(longKey.body.error.message).toMatch(/key/);
    for (const body of [{ host: 5 }, { host: 'no spaces here' }, { host: '' }]) {
      const res = await ctx.bridge.api.post('/api/cli-sessions/clear-closed', body, ApiErrorBody);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(/host/);
    }
    const extra = await ctx.bridge.api.post('/api/cli-sessions/clear-closed', { all: true }, ApiErrorBody);
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toMatch(/all/);
  });
});

describe('POST /api/cli-sessions/clear-closed', () => {
  it('removes only closed sessions, tells every listener once, and they stay gone after a restart', async () => {
    const keep = await create('clear-keep');
    const a = await create('clear-a');
    const b = await create('clear-b');
    await close(a.sessionKey);
    await close(b.sessionKey);
    await remoteRecord('s_farmclosed2', true);
    const farmOpen = ctx.bridge.bridge.store.sessions.get('s_farmopen');
    expect(farmOpen?.closedAt).toBeNull();

    // One host only: the remote host's closed record, not the bridge's own.
    let before = removedEvents().length;
    const farm = await ctx.bridge.api.post('/api/cli-sessions/clear-closed', { host: 'farm' }, ClosedCleared);
    expect(farm.status).toBe(200);
    expect(farm.body).toEqual({ removed: 1 });
    expect(removedEvents().slice(before).map((e) => e.sessionKeys)).toEqual([['s_farmclosed2']]);
    expect(await listedKeys()).toEqual(expect.arrayContaining([a.sessionKey, b.sessionKey]));

    before = removedEvents().length;
    const all = await ctx.bridge.api.post('/api/cli-sessions/clear-closed', undefined, ClosedCleared);
    expect(all.status).toBe(200);
    const events = removedEvents().slice(before);
    expect(events).toHaveLength(1);
    const gone = events[0]!.sessionKeys;
    expect(gone).toEqual(expect.arrayContaining([a.sessionKey, b.sessionKey]));
    expect(gone).not.toContain(keep.sessionKey);
    expect(gone).not.toContain('s_farmopen');
    expect(all.body.removed).toBe(gone.length);
    const listed = await ctx.bridge.api.get('/api/cli-sessions', SessionList);
    expect(listed.body.sessions.filter((s) => s.status === 'closed')).toEqual([]);
    expect(listed.body.sessions.map((s) => s.sessionKey)).toContain(keep.sessionKey);
    expect((await ctx.bridge.api.get(`/api/cli-sessions/${keep.sessionKey}`, CliSession)).body.status).toBe('running');

    // Nothing left to clear: no event.
    before = removedEvents().length;
    expect((await ctx.bridge.api.post('/api/cli-sessions/clear-closed', {}, ClosedCleared)).body).toEqual({ removed: 0 });
    expect(removedEvents().length).toBe(before);

    await ctx.bridge.bridge.close();
    await start();
    for (const key of [a.sessionKey, b.sessionKey, 's_farmclosed2']) {
      expect((await ctx.bridge.api.get(`/api/cli-sessions/${key}`, ApiErrorBody)).status, key).toBe(404);
    }
    const restarted = await ctx.bridge.api.get('/api/cli-sessions', SessionList);
    expect(restarted.body.sessions.filter((s) => s.status === 'closed')).toEqual([]);
    expect(restarted.body.sessions.find((s) => s.sessionKey === keep.sessionKey)?.status).toBe('running');
    expect(ctx.bridge.bridge.store.sessions.get('s_farmopen')?.closedAt).toBeNull();
  });
});
