import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { pathWithFakes, writeFakeTools } from '../helpers/fake-tools.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, CliSession, ExecuteStarted, Execution } from '../../schemas/index.ts';

const fakes = writeFakeTools(['claude', 'codex']);
// An interactive agent: a `> ` prompt, reads a line, "thinks" (sleep=S), answers, and
// runs its turn-finished hook when it was given one (like a claude Stop hook).
const tui = join(fakes.dir, 'agent-tui');
writeFileSync(
  tui,
  `#!/bin/bash
hook="$1"
while true; do
  printf '> '
  IFS= read -r line || exit 0
  s=$(printf '%s\\n' "$line" | grep -o 'sleep=[0-9.]*' | tail -1 | cut -d= -f2)
  [ -n "$s" ] && sleep "$s"
  echo "ANSWER: $line"
  [ -n "$hook" ] && "$hook" stop
done
`,
);
chmodSync(tui, 0o755);

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

async function agentSession(name: string, withHook: boolean): Promise<{ sessionKey: string; paneId: string }> {
  const shell = withHook ? `${tui} ${join(ctx.bridge.dataDir, 'hooks', 'tmux-bridge-hook')}` : tui;
  const { status, body } = await ctx.bridge.api.post('/api/cli-sessions', { name, tool: 'claude', shell, workingDir: ctx.tmux.dir }, CliSession);
  expect(status).toBe(201);
  await waitFor(async () => (await ctx.tmux.capture(body.tmux.paneId)).includes('>'), 'the agent prompt');
  return { sessionKey: body.sessionKey, paneId: body.tmux.paneId };
}

async function get(id: string): Promise<Execution> {
  return (await ctx.bridge.api.get(`/api/executions/${id}`, Execution)).body as Execution;
}

async function ended(id: string): Promise<Execution> {
  return waitFor(async () => {
    const e = await get(id);
    return e.status !== 'running' ? e : undefined;
  }, 'the turn to end', 30_000, 50);
}

describe('executions in an interactive agent session', () => {
  it('without hooks: the prompt is typed as input and the end is a labelled guess after the thinking', async () => {
    const s = await agentSession('ia-guess', false);
    const started = await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { prompt: 'think sleep=3' }, ExecuteStarted);
    expect(started.status).toBe(202);
    // One turn at a time: a second prompt would become a new prompt in the agent.
    const busy = await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { prompt: 'again' }, ApiErrorBody);
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('session_busy');
    const done = await ended(started.body.executionId);
    expect(done).toMatchObject({ status: 'completed', completion: 'heuristic', tool: 'claude', prompt: 'think sleep=3' });
    expect(Date.parse(done.endedAt!) - Date.parse(done.startedAt)).toBeGreaterThanOrEqual(2900);
    expect(done.outputTail).toContain('ANSWER: think sleep=3');
    expect(await ctx.tmux.capture(s.paneId)).toContain('ANSWER: think sleep=3');
  });

  it("a pipe that lags behind tmux's screen does not end the turn before the answer arrives", async () => {
    const s = await agentSession('ia-lag', false);
    // On a busy machine the pane's pipe delivers what tmux already shows a little later:
    // hold every chunk 400 ms, so the idle prompt is on the screen before it is in the stream.
    const stream = (await ctx.bridge.bridge.hub.outputStream(s.sessionKey))!;
    const append = stream.append.bind(stream);
    stream.append = (data: Buffer) => {
      const copy = Buffer.from(data);
      setTimeout(() => append(copy), 400);
    };
    const started = await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { prompt: 'lag sleep=3' }, ExecuteStarted);
    const done = await ended(started.body.executionId);
    expect(done).toMatchObject({ status: 'completed', completion: 'heuristic' });
    expect(done.outputTail).toContain('ANSWER: lag sleep=3');
  });

  it("with the tool's hook: the end comes from the hook callback", async () => {
    const s = await agentSession('ia-hook', true);
    const first = await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { prompt: 'turn one' }, ExecuteStarted);
    const one = await ended(first.body.executionId);
    expect(one.status).toBe('completed');
    // The first callback showed that this tool calls back: from now on only the hook ends a turn.
    await waitFor(() => ctx.bridge.bridge.executions && (ctx.bridge.bridge.executions as any).hooks.hasHooks(s.sessionKey), 'the first hook callback');
    const second = await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { prompt: 'turn two sleep=3' }, ExecuteStarted);
    const two = await ended(second.body.executionId);
    expect(two).toMatchObject({ status: 'completed', completion: 'hook', exitCode: 0 });
    expect(Date.parse(two.endedAt!) - Date.parse(two.startedAt)).toBeGreaterThanOrEqual(2900);
    expect(two.outputTail).toContain('ANSWER: turn two sleep=3');
  });

  it('the hook endpoint wants the session token; the agent dying ends the turn as pane-exit', async () => {
    const wrong = await fetch(new URL('hooks/s_whatever?event=stop', ctx.bridge.url), { method: 'POST', headers: { 'x-tmux-bridge-hook': 'nope' } });
    expect(wrong.status).toBe(401);
    const s = await agentSession('ia-die', false);
    const started = await ctx.bridge.api.post(`/api/cli-sessions/${s.sessionKey}/execute`, { prompt: 'long sleep=60' }, ExecuteStarted);
    await waitFor(async () => (await ctx.tmux.capture(s.paneId)).includes('long sleep=60'), 'the prompt typed');
    await ctx.tmux.tmux('respawn-pane', '-k', '-t', s.paneId, 'exit 9');
    const done = await ended(started.body.executionId);
    expect(done.completion).toBe('pane-exit');
    expect(done.status).toBe('failed');
  });
});
