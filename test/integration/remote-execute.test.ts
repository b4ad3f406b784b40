/**
 * Executions in sessions on a remote host (a real sshd on 127.0.0.1): the wrapper
 * and its status file live on the host, written and read through the host's one
 * control connection; the end comes from the marker in the exact remote stream.
 * The tools are fakes on the HOST's PATH only (the remote tmux server's environment),
 * so the bridge cannot have found them on its own.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { removeDir, startAgentBridge, writeAgentFiles, type AgentBridge, type AgentFiles } from '../helpers/agent.ts';
import { pathWithFakes, writeFakeTools } from '../helpers/fake-tools.ts';
import { TestSshd } from '../helpers/sshd.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, CliSession, ExecuteStarted, Execution, HostList, Snapshot } from '../../schemas/index.ts';
import { makeApi } from '../helpers/bridge.ts';

const fakes = writeFakeTools(['claude']);
// An interactive agent: a `> ` prompt, reads a line, "thinks" (sleep=S), answers.
const tui = join(fakes.dir, 'agent-tui');
writeFileSync(
  tui,
  `#!/bin/bash
while true; do
  printf '> '
  IFS= read -r line || exit 0
  s=$(printf '%s\\n' "$line" | grep -o 'sleep=[0-9.]*' | tail -1 | cut -d= -f2)
  [ -n "$s" ] && sleep "$s"
  echo "ANSWER: $line"
done
`,
);
chmodSync(tui, 0o755);

let tmux: TestTmux;
let remote: TestTmux;
let sshd: TestSshd;
let files: AgentFiles;
let agent: AgentBridge | undefined;
/** The host's HOME (its tmux server's): the wrapper files go under it. */
const remoteHome = mkdtempSync(join(tmpdir(), 'tb-remote-home-'));
const api = makeApi(() => agent!.bridge);

beforeAll(async () => {
  tmux = new TestTmux();
  remote = new TestTmux();
  await remote.tmux('new-session', '-d', '-s', 'idle', 'sleep 600');
  await remote.tmux('set-environment', '-g', 'PATH', pathWithFakes(fakes.dir));
  await remote.tmux('set-environment', '-g', 'HOME', remoteHome);
  // Shells that end when the server is killed write no history into that HOME while it is removed.
  await remote.tmux('set-environment', '-g', 'HISTFILE', '/dev/null');
  sshd = await new TestSshd().start();
  files = writeAgentFiles(
    `hosts:
  - name: farm
    ssh:
${sshd.hostYaml('      ')}
    tmux: {socket: ${remote.socketName}}
`,
    'pipelines: []\n',
  );
  agent = await startAgentBridge(tmux, files);
  await waitFor(async () => (await api.get('/api/hosts', HostList)).body.hosts?.find((h: any) => h.name === 'farm')?.state === 'connected', 'farm to connect', 40_000);
}, 90_000);

afterAll(async () => {
  await agent?.close();
  await tmux?.kill();
  // The host's server: a channel of the bridge's connection still arriving may start a new one.
  await remote?.kill({ watchMs: 2000 });
  await sshd?.stop();
  removeDir(files?.dir);
  removeDir(fakes.dir);
  // A process of the killed server may still be ending in there: try until the removal holds.
  await waitFor(() => {
    try {
      rmSync(remoteHome, { recursive: true, force: true });
      return true;
    } catch {
      return undefined;
    }
  }, 'the remote HOME to be removed', 30_000, 100);
});

async function get(id: string): Promise<Execution> {
  const { status, body } = await api.get(`/api/executions/${id}`, Execution);
  expect(status).toBe(200);
  return body as Execution;
}

async function ended(id: string, timeoutMs = 60_000): Promise<Execution> {
  return waitFor(async () => {
    const e = await get(id);
    return e.status !== 'running' ? e : undefined;
  }, `execution ${id} to end`, timeoutMs, 100);
}

const farmConnected = async () => (await api.get('/api/hosts', HostList)).body.hosts.find((h: any) => h.name === 'farm')?.state === 'connected';

/**
 * A session on farm. One test here breaks farm's connection on purpose; a create that
 * meets a connection dropping is a 503 (host_unavailable, tmux_disconnected), which a
 * client retries once the host is back, as this does, once.
 */
async function createOnFarm(body: Record<string, unknown>): Promise<string> {
  let res = await api.post('/api/cli-sessions', { host: 'farm', ...body }, z.union([CliSession, ApiErrorBody]));
  if (res.status === 503) {
    await waitFor(farmConnected, 'farm to be connected again', 60_000);
    res = await api.post('/api/cli-sessions', { host: 'farm', ...body }, z.union([CliSession, ApiErrorBody]));
  }
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as CliSession).sessionKey;
}

async function remoteShell(name: string): Promise<string> {
  return createOnFarm({ name, shell: 'bash --noprofile --norc -i' });
}

const wrapperDirs = () => {
  const base = join(remoteHome, '.tmux-bridge', 'executions');
  return existsSync(base) ? readdirSync(base) : [];
};

describe('executions on a remote host', () => {
  it('a shell command ends with its exit status and output; the wrapper ran on the host and its files are gone after', async () => {
    const key = await remoteShell('rexec');
    const started = await api.post(`/api/cli-sessions/${key}/execute`, { prompt: "echo hi-$((40+2)); printf 'two\\nlines\\n'; exit 3" }, ExecuteStarted);
    expect(started.status).toBe(202);
    const id = started.body.executionId as string;
    const done = await ended(id);
    expect(done).toMatchObject({ status: 'failed', exitCode: 3, completion: 'sentinel', tool: 'bash', sessionKey: key });
    expect(done.outputTail).toContain('hi-42');
    expect(done.outputTail).toContain('two\nlines');
    const output = await fetch(new URL(`api/executions/${id}/output`, agent!.bridge.url), { headers: { authorization: `Bearer ${agent!.bridge.token}` } });
    expect(output.status).toBe(200);
    expect(await output.text()).toContain('hi-42');
    // The typed line ran the script under the host's HOME, and the files went once the run was settled.
    const screen = (await api.get(`/api/cli-sessions/${key}/snapshot?lines=100`, Snapshot)).body.text as string;
    expect(screen).toContain(join(remoteHome, '.tmux-bridge', 'executions', id, '1', 'run.sh'));
    await waitFor(() => !wrapperDirs().includes(id), 'the wrapper files on the host to be removed', 30_000);
    // The host commands printed nothing into any pane (run-shell output would put one in view mode).
    expect((await remote.tmux('list-panes', '-a', '-F', '#{pane_in_mode}')).trim().split('\n')).not.toContain('1');

    // The next one in the same session: a prompt with quotes, a `$` and a line break arrives intact.
    const second = await api.post(`/api/cli-sessions/${key}/execute`, { prompt: `x='a "b" $c'; echo "[$x]"\necho next-line` }, ExecuteStarted);
    expect(second.status).toBe(202);
    const two = await ended(second.body.executionId);
    expect(two).toMatchObject({ status: 'completed', exitCode: 0, completion: 'sentinel' });
    expect(two.outputTail).toContain('[a "b" $c]');
    expect(two.outputTail).toContain('next-line');
  }, 120_000);

  it('a large command (110 KB in one control line to the host) reaches the host intact', async () => {
    const key = await remoteShell('rlarge');
    // Under Linux's 128 KiB limit for one argument (bash -c takes the command as one).
    const word = 'é'.repeat(30_000) + 'x'.repeat(50_000);
    const started = await api.post(`/api/cli-sessions/${key}/execute`, { prompt: `printf '%s' '${word}' | wc -c` }, ExecuteStarted);
    expect(started.status).toBe(202);
    const done = await ended(started.body.executionId);
    expect(done).toMatchObject({ status: 'completed', exitCode: 0 });
    // 30,000 two-byte characters and 50,000 one-byte ones.
    expect(done.outputTail).toMatch(/^\s*110000\s*$/m);
  }, 120_000);

  it("a tool found on the host's PATH runs one-shot there", async () => {
    const key = await remoteShell('rtool');
    const started = await api.post(`/api/cli-sessions/${key}/execute`, { tool: 'claude', prompt: 'work exit=0' }, ExecuteStarted);
    expect(started.status).toBe(202);
    // Not a path of this machine: the host's shell finds it.
    expect(started.body.command).toMatch(/^claude -p 'work exit=0'/);
    const done = await ended(started.body.executionId);
    expect(done).toMatchObject({ status: 'completed', exitCode: 0, completion: 'sentinel', tool: 'claude' });
    expect(done.outputTail).toContain('ANSWER: work exit=0');
  }, 120_000);

  it('cancel stops a command that ignores Ctrl-C (signals on the host, through the connection)', async () => {
    const key = await remoteShell('rcancel');
    const started = await api.post(`/api/cli-sessions/${key}/execute`, { prompt: "trap '' INT; echo armed; sleep 300; echo never" }, ExecuteStarted);
    const id = started.body.executionId as string;
    await waitFor(async () => /armed/.test((await api.get(`/api/cli-sessions/${key}/snapshot`, Snapshot)).body.text), 'the command to run', 30_000);
    expect((await api.post(`/api/executions/${id}/cancel`, undefined, Execution)).status).toBe(200);
    const done = await ended(id);
    expect(done.status).toBe('cancelled');
    // SIGTERM ended it (128+15), reported by the wrapper: the end was seen, not given up on.
    expect(done).toMatchObject({ exitCode: 143, completion: 'sentinel' });
    expect(done.outputTail).not.toContain('never');
  }, 120_000);

  it('a run whose end falls while the connection is down ends with its real exit status after the reconnect', async () => {
    const key = await remoteShell('rdrop');
    const started = await api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'echo started; sleep 4; echo finished; exit 4' }, ExecuteStarted);
    const id = started.body.executionId as string;
    await waitFor(async () => /started/.test((await api.get(`/api/cli-sessions/${key}/snapshot`, Snapshot)).body.text), 'the command to run', 30_000);
    const farm = agent!.bridge.bridge.agent.engine.hostWatchers().find((w) => w.name === 'farm') as any;
    // The connection dies and cannot be made again (sshd paused) until the command has ended.
    process.kill(sshd.pid!, 'SIGSTOP');
    try {
      process.kill(farm.options.remote.masterPid as number, 'SIGKILL');
      await waitFor(async () => (await api.get('/api/hosts', HostList)).body.hosts.find((h: any) => h.name === 'farm')!.state !== 'connected', 'farm to drop', 30_000);
      // Meanwhile the session cannot take another run: the host is away.
      const during = await api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'echo no' }, ApiErrorBody);
      expect(during.status).toBe(503);
      expect(during.body.error.code).toBe('host_unavailable');
      const status = join(remoteHome, '.tmux-bridge', 'executions', id, '1', 'status');
      await waitFor(() => existsSync(status) && readFileSync(status, 'utf8').trim() === '4', 'the command to end on the host', 30_000);
      expect((await get(id)).status).toBe('running');
    } finally {
      process.kill(sshd.pid!, 'SIGCONT');
    }
    const done = await ended(id, 90_000);
    // The status file on the host said 4 (the end marker may have come while nobody listened).
    expect(done).toMatchObject({ status: 'failed', exitCode: 4, completion: 'sentinel' });
    await waitFor(farmConnected, 'farm to be back', 60_000);
    const next = await api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'echo next' }, ExecuteStarted);
    expect(next.status).toBe(202);
    expect(await ended(next.body.executionId)).toMatchObject({ status: 'completed', exitCode: 0 });
  }, 180_000);

  it('an interactive agent on the host takes the prompt as input; its end is the quiet-and-prompt guess', async () => {
    const key = await createOnFarm({ name: 'ragent', tool: 'claude', shell: tui });
    await waitFor(async () => ((await api.get(`/api/cli-sessions/${key}/snapshot`, Snapshot)).body.text as string).includes('>'), 'the agent prompt', 30_000);
    const started = await api.post(`/api/cli-sessions/${key}/execute`, { prompt: 'think sleep=1' }, ExecuteStarted);
    expect(started.status).toBe(202);
    const done = await ended(started.body.executionId);
    expect(done).toMatchObject({ status: 'completed', completion: 'heuristic', tool: 'claude', exitCode: 0 });
    expect(done.outputTail).toContain('ANSWER: think sleep=1');
  }, 120_000);
});
