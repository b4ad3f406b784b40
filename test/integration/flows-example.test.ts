import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { pathWithFakes, writeFakeTools } from '../helpers/fake-tools.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { CliSession, Execution, Flow, FlowRunDetail, FlowStarted, SessionList, ToolList } from '../../schemas/index.ts';

/**
 * The example flow that ships in examples/flows, run the way the README says:
 * its own tools file and fake tool (examples/flows/bin on PATH), the flow file
 * imported through the API, and examples/flows/run-example.mjs. If the example
 * or the script stops working, this fails.
 */
const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples', 'flows');
const fakes = writeFakeTools(['claude']);
const ctx = {} as { tmux: TestTmux; bridge: TestBridge };
const saved = { PATH: process.env.PATH, TMUX_BRIDGE_TOOLS: process.env.TMUX_BRIDGE_TOOLS, FAKE_ANSWER_DELAY: process.env.FAKE_ANSWER_DELAY };

beforeAll(async () => {
  process.env.PATH = `${join(EXAMPLES, 'bin')}:${pathWithFakes(fakes.dir)}`;
  process.env.TMUX_BRIDGE_TOOLS = join(EXAMPLES, 'tools.yaml');
  process.env.FAKE_ANSWER_DELAY = '0.2';
  ctx.tmux = new TestTmux();
  ctx.bridge = await startTestBridge(ctx.tmux);
});

afterAll(async () => {
  await ctx.bridge?.close();
  await ctx.tmux?.kill();
  rmSync(fakes.dir, { recursive: true, force: true });
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function runUntilEnded(runId: string): Promise<FlowRunDetail> {
  return waitFor(
    async () => {
      const { body } = await ctx.bridge.api.get(`/api/orchestrator/runs/${runId}`, FlowRunDetail);
      return ['completed', 'failed', 'stopped', 'paused'].includes(body.status) ? (body as FlowRunDetail) : undefined;
    },
    `run ${runId} ended`,
    60_000,
    100,
  );
}

describe('the shipped example flow (examples/flows)', { timeout: 180_000 }, () => {
  it('the example tools file declares the fake tool, and the server finds it on PATH', async () => {
    const { body } = await ctx.bridge.api.get('/api/tools', ToolList);
    const fake = body.tools.find((t: { tool: string }) => t.tool === 'fake-answer');
    expect(fake).toMatchObject({ available: true, path: join(EXAMPLES, 'bin', 'fake-answer'), supports: { oneShot: true } });
  });

  it('imports answer-then-echo.flow.json and runs it to completion: A answers X=42, B echoes it in a bash session', async () => {
    const session = await ctx.bridge.api.post('/api/cli-sessions', { name: 'example-b', shell: 'bash --noprofile --norc -i' }, CliSession);
    expect(session.status).toBe(201);
    const key = session.body.sessionKey as string;
    const file = JSON.parse(readFileSync(join(EXAMPLES, 'answer-then-echo.flow.json'), 'utf8'));
    // The one thing a user sets: the session B types into (the editor's "Target session").
    const b = file.nodes.find((n: { id: string }) => n.id === 'B');
    expect(b.data).toMatchObject({ delivery: 'sendToSession', targetSessionKey: 'SESSION_KEY', instruction: 'echo {{A_out}}' });
    b.data.targetSessionKey = key;

    const imported = await ctx.bridge.api.post('/api/orchestrator/flows/import', file, Flow);
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    expect(imported.body).toMatchObject({ name: file.name, variables: file.variables, edges: file.edges });
    const executed = await ctx.bridge.api.post(`/api/orchestrator/flows/${imported.body.id}/execute`, {}, FlowStarted);
    expect(executed.status).toBe(202);

    const run = await runUntilEnded(executed.body.runId);
    expect(run.status, run.reason ?? '').toBe('completed');
    expect(run.nodes.A).toMatchObject({ status: 'completed', output: 'X=42' });
    expect(run.nodes.B!.prompt).toBe('echo X=42');
    expect(run.nodes.B!.sessionKey).toBe(key);
    expect(run.nodes.B!.output!.split('\n').map((l) => l.trim())).toContain('X=42');
    const exec = (await ctx.bridge.api.get(`/api/executions/${run.nodes.B!.executionId}`, Execution)).body;
    expect(exec).toMatchObject({ status: 'completed', exitCode: 0, sessionKey: key, flowRunId: run.runId });
    // The echo really ran in the pane.
    await waitFor(async () => (await ctx.tmux.capture(session.body.tmux.paneId)).split('\n').some((l) => l.trim() === 'X=42'), 'X=42 in the pane', 30_000);
  });

  it('examples/flows/run-example.mjs does the same from the command line, with a question of its own', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(EXAMPLES, 'run-example.mjs'), '--question', 'What is 7 times 8?', '--session', 'example-script', '--timeout', '60'], {
      env: { ...process.env, TMUX_BRIDGE_URL: ctx.bridge.url, TMUX_BRIDGE_TOKEN: ctx.bridge.token },
      timeout: 90_000,
    });
    expect(stdout).toMatch(/A completed: X=56/);
    expect(stdout).toMatch(/run completed/);
    const runId = /run (r_[A-Za-z0-9]+):/.exec(stdout)?.[1];
    expect(runId).toBeDefined();
    const run = (await ctx.bridge.api.get(`/api/orchestrator/runs/${runId}`, FlowRunDetail)).body as FlowRunDetail;
    expect(run).toMatchObject({ status: 'completed', variables: { question: 'What is 7 times 8?' } });
    expect(run.nodes.B!.prompt).toBe('echo X=56');
    const sessions = (await ctx.bridge.api.get('/api/cli-sessions', SessionList)).body.sessions as { name: string; sessionKey: string }[];
    expect(sessions.find((s) => s.name === 'example-script')?.sessionKey).toBe(run.nodes.B!.sessionKey);
  });

  it('with a real tool\'s output format (--tool claude, a fake that prints stream-json), B gets the answer, not the JSON stream', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(EXAMPLES, 'run-example.mjs'), '--tool', 'claude', '--session', 'example-claude', '--timeout', '60'], {
      env: { ...process.env, TMUX_BRIDGE_URL: ctx.bridge.url, TMUX_BRIDGE_TOKEN: ctx.bridge.token },
      timeout: 90_000,
    });
    expect(stdout).toMatch(/run completed/);
    const runId = /run (r_[A-Za-z0-9]+):/.exec(stdout)![1]!;
    const run = (await ctx.bridge.api.get(`/api/orchestrator/runs/${runId}`, FlowRunDetail)).body as FlowRunDetail;
    // The fake claude answers "ANSWER: <last line of its prompt>" inside a {"type":"result"} line.
    expect(run.nodes.A!.output).toBe('ANSWER: What is 6 times 7? Reply with exactly one line of the form X=N, where N is the number.');
    const exec = (await ctx.bridge.api.get(`/api/executions/${run.nodes.A!.executionId}`, Execution)).body;
    expect(exec.tool).toBe('claude');
    expect(exec.outputTail).toContain('"type":"result"');
    expect(run.nodes.B!.prompt).toBe(`echo ${run.nodes.A!.output}`);
  });

  it('run-example.mjs says what went wrong: a tool that is not installed, a server that is not there', async () => {
    const run = (args: string[], env: Record<string, string>) =>
      promisify(execFile)(process.execPath, [join(EXAMPLES, 'run-example.mjs'), ...args], { env: { ...process.env, ...env }, timeout: 90_000 }).then(
        () => ({ code: 0, out: '' }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, out: error.stdout + error.stderr }),
      );
    const noTool = await run(['--tool', 'no-such-agent', '--session', 'example-script', '--timeout', '60'], { TMUX_BRIDGE_URL: ctx.bridge.url, TMUX_BRIDGE_TOKEN: ctx.bridge.token });
    expect(noTool.code).toBe(1);
    expect(noTool.out).toMatch(/run failed: node "A" failed: .*unknown tool "no-such-agent"/);
    const noServer = await run([], { TMUX_BRIDGE_URL: 'http://127.0.0.1:1', TMUX_BRIDGE_TOKEN: 'x' });
    expect(noServer).toMatchObject({ code: 1 });
    expect(noServer.out).toContain('no tmux-bridge answers at http://127.0.0.1:1');
  });
});

