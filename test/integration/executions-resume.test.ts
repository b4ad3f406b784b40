import { rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sessionUuidFor } from '../../server/workbench/tools/index.ts';
import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { pathWithFakes, writeFakeTools } from '../helpers/fake-tools.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, CliOutput, CliSession, ExecuteStarted, Execution, Ok, ResumeKeyInfo } from '../../schemas/index.ts';

const fakes = writeFakeTools(['claude', 'codex', 'gemini']);
const ctx = {} as { tmux: TestTmux; bridge: TestBridge };
const originalPath = process.env.PATH;

beforeAll(async () => {
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

async function shellSession(name: string): Promise<string> {
  const { body } = await ctx.bridge.api.post('/api/cli-sessions', { name, shell: 'bash --noprofile --norc -i', workingDir: ctx.tmux.dir }, CliSession);
  return body.sessionKey as string;
}

async function run(key: string, body: Record<string, unknown>): Promise<Execution> {
  const started = await ctx.bridge.api.post(`/api/cli-sessions/${key}/execute`, body, ExecuteStarted);
  expect(started.status).toBe(202);
  return waitFor(async () => {
    const e = (await ctx.bridge.api.get(`/api/executions/${started.body.executionId}`, Execution)).body as Execution;
    return e.status !== 'running' ? e : undefined;
  }, 'the execution to end', 30_000, 50);
}

async function output(id: string): Promise<string> {
  const response = await fetch(new URL(`api/executions/${id}/output`, ctx.bridge.url), { headers: { authorization: `Bearer ${ctx.bridge.token}` } });
  return Buffer.from(await response.arrayBuffer()).toString('utf8');
}

async function stateless(body: Record<string, unknown>): Promise<{ execution: Execution; stdout: string; stderr: string }> {
  const started = await ctx.bridge.api.post('/api/cli/execute', { workingDir: ctx.tmux.dir, ...body }, ExecuteStarted);
  expect(started.status).toBe(202);
  const execution = await waitFor(async () => {
    const e = (await ctx.bridge.api.get(`/api/executions/${started.body.executionId}`, Execution)).body as Execution;
    return e.status !== 'running' ? e : undefined;
  }, 'the stateless run to end', 30_000, 50);
  const chunks = (await ctx.bridge.api.get(`/api/cli/executions/${execution.executionId}/output`, CliOutput)).body.chunks as any[];
  const of = (stream: string) => chunks.filter((c) => c.stream === stream).map((c) => c.data).join('');
  return { execution, stdout: of('stdout'), stderr: of('stderr') };
}

describe('nativeResume', () => {
  it('claude: run 1 creates the session with an id derived from the resumeKey, run 2 resumes it', async () => {
    const key = await shellSession('rs-claude');
    const uuid = sessionUuidFor('rk-claude');
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const first = await run(key, { tool: 'claude', prompt: 'first question', resumeKey: 'rk-claude', resumeStrategy: 'nativeResume' });
    expect(first.status).toBe('completed');
    expect(first.command).toContain(`--session-id ${uuid}`);
    expect(first.nativeSessionId).toBe(uuid);
    const info = await ctx.bridge.api.get('/api/resume-keys/rk-claude', ResumeKeyInfo);
    expect(info.body).toMatchObject({ resumeKey: 'rk-claude', tool: 'claude', nativeSessionId: uuid, turns: 1 });
    const second = await run(key, { tool: 'claude', prompt: 'second question', resumeKey: 'rk-claude', resumeStrategy: 'nativeResume' });
    expect(second.status).toBe('completed');
    expect(second.command).toContain(`--resume ${uuid}`);
    expect(second.command).not.toContain('--session-id');
    expect(await output(second.executionId)).toContain(`[--resume] [${uuid}]`);
  });

  it('claude: a chosen id the tool still has (the resume key was forgotten here) is resumed instead of failing "already in use"', async () => {
    const key = await shellSession('rs-claude-inuse');
    const uuid = sessionUuidFor('rk-inuse');
    expect((await run(key, { tool: 'claude', prompt: 'one', resumeKey: 'rk-inuse', resumeStrategy: 'nativeResume' })).status).toBe('completed');
    expect((await ctx.bridge.api.delete('/api/resume-keys/rk-inuse', Ok)).status).toBe(200);
    const again = await run(key, { tool: 'claude', prompt: 'two', resumeKey: 'rk-inuse', resumeStrategy: 'nativeResume' });
    expect(again).toMatchObject({ status: 'completed', exitCode: 0, nativeSessionId: uuid });
    expect(again.command).toContain(`--resume ${uuid}`);
    const text = await output(again.executionId);
    expect(text).toContain('is already in use');
    expect(text).toContain(`[--resume] [${uuid}]`);
    expect((await ctx.bridge.api.get('/api/resume-keys/rk-inuse', ResumeKeyInfo)).body).toMatchObject({ nativeSessionId: uuid, turns: 1 });

    // The same without a terminal.
    expect((await ctx.bridge.api.delete('/api/resume-keys/rk-inuse', Ok)).status).toBe(200);
    const bare = await stateless({ tool: 'claude', prompt: 'three', resumeKey: 'rk-inuse', resumeStrategy: 'nativeResume' });
    expect(bare.execution).toMatchObject({ status: 'completed', exitCode: 0, nativeSessionId: uuid });
    expect(bare.execution.command).toContain(`--resume ${uuid}`);
    expect(bare.stderr).toContain('is already in use');
  });

  it('stateless: an unknown session falls back once to promptConcat', async () => {
    const first = await stateless({ tool: 'codex', prompt: 'bare one', resumeKey: 'rk-bare' });
    expect(first.execution.status).toBe('completed');
    unlinkSync(join(fakes.state, 'codex', first.execution.nativeSessionId!));
    const second = await stateless({ tool: 'codex', prompt: 'bare two', resumeKey: 'rk-bare' });
    expect(second.execution).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(second.execution.command).toContain(`codex exec 'Earlier in this conversation`);
    expect(second.stderr).toContain('no session found');
    expect((await ctx.bridge.api.get('/api/resume-keys/rk-bare', ResumeKeyInfo)).body.fallbackReason).toContain('no session found');
  });

  it('codex: the id printed by run 1 is passed to run 2; an unknown session falls back once to promptConcat, recorded', async () => {
    const key = await shellSession('rs-codex');
    const first = await run(key, { tool: 'codex', prompt: 'codex one', resumeKey: 'rk-codex' });
    expect(first.status).toBe('completed');
    const learned = first.nativeSessionId!;
    expect(learned).toMatch(/^[0-9a-f-]{36}$/);
    expect((await ctx.bridge.api.get('/api/resume-keys/rk-codex', ResumeKeyInfo)).body.nativeSessionId).toBe(learned);
    const second = await run(key, { tool: 'codex', prompt: 'codex two', resumeKey: 'rk-codex' });
    expect(second.status).toBe('completed');
    expect(second.command).toContain(`exec resume ${learned} 'codex two'`);
    expect(await output(second.executionId)).toContain(`ARGV: [exec] [resume] [${learned}] [codex two]`);

    // The tool forgets its session: the next run is told the session is unknown, and falls back.
    unlinkSync(join(fakes.state, 'codex', learned));
    const third = await run(key, { tool: 'codex', prompt: 'codex three', resumeKey: 'rk-codex' });
    expect(third).toMatchObject({ status: 'completed', exitCode: 0, completion: 'sentinel' });
    expect(third.command).toContain(`${fakes.dir}/codex exec 'Earlier in this conversation`);
    const text = await output(third.executionId);
    expect(text).toContain('no session found');
    // The fallback prompt carries the earlier answers.
    expect(text).toMatch(/ARGV: \[exec\] \[Earlier in this conversation[\s\S]*ANSWER: codex one[\s\S]*ANSWER: codex two[\s\S]*codex three\]/);
    const info = (await ctx.bridge.api.get('/api/resume-keys/rk-codex', ResumeKeyInfo)).body;
    expect(info.fallbackAt).toBeTruthy();
    expect(info.fallbackReason).toContain('no session found');
    expect(info.turns).toBe(3);
  });
});

describe('promptConcat', () => {
  it('run 2 carries run 1 answer; the 32 KiB bound drops the oldest turn; DELETE forgets the key', async () => {
    const first = await stateless({ tool: 'gemini', prompt: 'tag=one', resumeKey: 'rk-concat', resumeStrategy: 'promptConcat' });
    expect(first.execution.status).toBe('completed');
    expect(first.stderr).toContain('ARGV: [-p] [tag=one]');
    const second = await stateless({ tool: 'gemini', prompt: 'tag=two', resumeKey: 'rk-concat', resumeStrategy: 'promptConcat' });
    expect(second.stderr).toMatch(/ARGV: \[-p\] \[Earlier in this conversation[\s\S]*User: tag=one\n\nAssistant: ANSWER: tag=one\nSession ID: [0-9a-f-]+[\s\S]*tag=two\]/);
    // Two big turns: each about 20 KiB (prompt and echoed answer), so only the newest fits in 32 KiB.
    const big = (tag: string) => `${'x'.repeat(10 * 1024)} tag=${tag}`;
    await stateless({ tool: 'gemini', prompt: big('big1'), resumeKey: 'rk-concat', resumeStrategy: 'promptConcat' });
    await stateless({ tool: 'gemini', prompt: big('big2'), resumeKey: 'rk-concat', resumeStrategy: 'promptConcat' });
    const last = await stateless({ tool: 'gemini', prompt: 'tag=last', resumeKey: 'rk-concat', resumeStrategy: 'promptConcat' });
    const argv = last.stderr;
    expect(argv).toContain('tag=big2');
    expect(argv).not.toContain('tag=big1');
    expect(argv).not.toContain('tag=one');
    expect(Buffer.byteLength(argv)).toBeLessThan(34 * 1024);
    const info = (await ctx.bridge.api.get('/api/resume-keys/rk-concat', ResumeKeyInfo)).body;
    expect(info).toMatchObject({ resumeKey: 'rk-concat', turns: 5 });
    expect(info.bytes).toBeGreaterThan(40 * 1024);
    expect((await ctx.bridge.api.delete('/api/resume-keys/rk-concat', Ok)).status).toBe(200);
    expect((await ctx.bridge.api.get('/api/resume-keys/rk-concat', ApiErrorBody)).status).toBe(404);
    const fresh = await stateless({ tool: 'gemini', prompt: 'tag=fresh', resumeKey: 'rk-concat', resumeStrategy: 'promptConcat' });
    expect(fresh.stderr).toContain('ARGV: [-p] [tag=fresh]');
  });
});
