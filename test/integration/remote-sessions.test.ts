/**
 * Workbench sessions on a remote host through a real sshd on 127.0.0.1: created over
 * the host's one ssh connection, listed with their host, typed into by API and by a
 * terminal WebSocket (a large paste included), resized, closed, their records removed; the host's connection
 * lost → 503 at once, back after reconnect. Executions: remote-execute.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startAgentBridge, writeAgentFiles, type AgentBridge, type AgentFiles } from '../helpers/agent.ts';
import { TestSshd } from '../helpers/sshd.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, ClosedCleared, CliSession, HostList, Ok, Resized, SessionList, SessionRemoved, Snapshot } from '../../schemas/index.ts';
import { makeApi } from '../helpers/bridge.ts';

let tmux: TestTmux;
let remote: TestTmux;
let sshd: TestSshd;
let files: AgentFiles;
let agent: AgentBridge | undefined;
const api = makeApi(() => agent!.bridge);

beforeAll(async () => {
  tmux = new TestTmux();
  remote = new TestTmux();
  await remote.tmux('new-session', '-d', '-s', 'idle', 'sleep 600');
  sshd = await new TestSshd().start();
  files = writeAgentFiles(
    `approval_dir: {APPROVALS}
hosts:
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
});

async function screenText(key: string): Promise<string> {
  const { status, body } = await api.get(`/api/cli-sessions/${key}/snapshot?lines=200`, Snapshot);
  expect(status).toBe(200);
  return body.text as string;
}

describe('workbench sessions on a remote host', () => {
  it('creates, lists, types, resizes and closes a session on the host over its connection', async () => {
    const created = await api.post('/api/cli-sessions', { host: 'farm', name: 'rjob', shell: 'sh', cols: 100, rows: 30 }, CliSession);
    expect(created.status).toBe(201);
    const session = created.body;
    expect(session).toMatchObject({ host: 'farm', name: 'rjob', status: 'running', cols: 100, rows: 30, tmux: { socket: remote.socketName, session: 'rjob' } });
    expect(session.attachCommand).toMatch(new RegExp(`^ssh -t -p ${sshd.port} -i '?[^ ]+'? '${sshd.user}@127\\.0\\.0\\.1' 'tmux -L ${remote.socketName} attach -t =rjob'$`));
    // It is a session of the remote tmux server, not of the bridge's own.
    expect((await remote.tmux('display-message', '-p', '-t', '=rjob:', '#{session_name}')).trim()).toBe('rjob');
    await expect(tmux.tmux('has-session', '-t', '=rjob')).rejects.toThrow();

    const all = (await api.get('/api/cli-sessions', SessionList)).body.sessions;
    expect(all.find((s: any) => s.sessionKey === session.sessionKey)).toMatchObject({ host: 'farm' });
    // The host's own pane (created natively) is adopted with the host's name too.
    expect(all.find((s: any) => s.name === 'idle')).toMatchObject({ host: 'farm', adopted: true });
    const onFarm = (await api.get('/api/cli-sessions?host=farm', SessionList)).body.sessions.map((s: any) => s.name).sort();
    expect(onFarm).toEqual(['idle', 'rjob']);
    const local = await api.get('/api/cli-sessions?host=local', SessionList);
    expect(local.body.sessions.some((s: any) => s.host !== null)).toBe(false);
    const bad = await api.get('/api/cli-sessions?host=-x', ApiErrorBody);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/host/);

    // Send (API) and read back.
    expect((await api.post(`/api/cli-sessions/${session.sessionKey}/send`, { text: 'echo remote-$((6*7))' }, Ok)).status).toBe(202);
    await waitFor(async () => /^remote-42$/m.test(await screenText(session.sessionKey)), 'the echo on the remote pane', 30_000);

    // A paste too large for send-keys goes through a tmux buffer on the host.
    const long = 'x'.repeat(700);
    expect((await api.post(`/api/cli-sessions/${session.sessionKey}/send`, { text: `echo ${long} | wc -c` }, Ok)).status).toBe(202);
    await waitFor(async () => /^\s*701$/m.test(await screenText(session.sessionKey)), 'the pasted line to run', 30_000);

    // A terminal: screen, typing, live output over the host's connection.
    const term = new TerminalClient(agent!.bridge.url, agent!.bridge.token, session.sessionKey);
    await term.opened();
    const hello = await term.ready();
    expect(hello).toMatchObject({ sessionKey: session.sessionKey, cols: 100, rows: 30, status: 'running' });
    term.send('echo typed-$((2+3))\r');
    await term.waitForText('typed-5', 30_000);

    // Resize (API): the remote window follows and the terminal is told.
    const resized = await api.post(`/api/cli-sessions/${session.sessionKey}/resize`, { cols: 90, rows: 20 }, Resized);
    expect(resized.body).toMatchObject({ ok: true, cols: 90, rows: 20 });
    expect((await remote.tmux('display-message', '-p', '-t', '=rjob:', '#{window_width}x#{window_height}')).trim()).toBe('90x20');
    await waitFor(() => term.messages.some((m) => m.type === 'resize' && m.cols === 90), 'the terminal to hear of the resize', 30_000);

    // Keys: C-c interrupts a sleep.
    term.send('sleep 300\r');
    await waitFor(async () => (await remote.tmux('display-message', '-p', '-t', '=rjob:', '#{pane_current_command}')).trim() === 'sleep', 'sleep to run', 30_000);
    expect((await api.post(`/api/cli-sessions/${session.sessionKey}/keys`, { keys: ['C-c'] }, Ok)).status).toBe(202);
    await waitFor(async () => (await remote.tmux('display-message', '-p', '-t', '=rjob:', '#{pane_current_command}')).trim() === 'sh', 'the shell to be back', 30_000);

    // Close: the remote session goes, the viewer is told.
    const closed = await api.post(`/api/cli-sessions/${session.sessionKey}/close`, undefined, CliSession);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', host: 'farm' });
    await expect(remote.tmux('has-session', '-t', '=rjob')).rejects.toThrow();
    await waitFor(() => term.closed, 'the terminal to close', 30_000);
    expect((await api.get(`/api/cli-sessions/${session.sessionKey}`, CliSession)).body).toMatchObject({ status: 'closed', host: 'farm' });
  }, 180_000);

  it("removes a closed session's record on the host: refused while it runs, then by key and by clear-closed", async () => {
    const make = async (name: string) => (await api.post('/api/cli-sessions', { host: 'farm', name, shell: 'sh' }, CliSession)).body;
    const one = await make('rgone');
    const two = await make('rgone2');
    const running = await api.delete(`/api/cli-sessions/${one.sessionKey}`, ApiErrorBody);
    expect(running.status).toBe(409);
    expect(running.body.error.code).toBe('session_not_closed');
    for (const s of [one, two]) expect((await api.post(`/api/cli-sessions/${s.sessionKey}/close`, undefined, CliSession)).body.status).toBe('closed');
    expect((await api.delete(`/api/cli-sessions/${one.sessionKey}`, SessionRemoved)).status).toBe(200);
    expect((await api.get(`/api/cli-sessions/${one.sessionKey}`, ApiErrorBody)).status).toBe(404);
    const cleared = await api.post('/api/cli-sessions/clear-closed', { host: 'farm' }, ClosedCleared);
    expect(cleared.body.removed).toBeGreaterThanOrEqual(1);
    expect((await api.get(`/api/cli-sessions/${two.sessionKey}`, ApiErrorBody)).status).toBe(404);
    const listed = (await api.get('/api/cli-sessions?host=farm', SessionList)).body.sessions;
    expect(listed.filter((s) => s.status === 'closed')).toEqual([]);
    // The host's own tmux is untouched.
    expect((await remote.tmux('display-message', '-p', '-t', '=idle:', '#{session_name}')).trim()).toBe('idle');
  }, 120_000);

  it('refuses an unknown host, naming the field', async () => {
    const res = await api.post('/api/cli-sessions', { host: 'nowhere' }, ApiErrorBody);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/host "nowhere".*farm/);
    const bad = await api.post('/api/cli-sessions', { host: 'a b' }, ApiErrorBody);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^invalid body: host/);
  });

  it('answers 503 at once while the host reconnects, and works again after', async () => {
    const created = await api.post('/api/cli-sessions', { host: 'farm', name: 'rflaky', shell: 'sh' }, CliSession);
    expect(created.status).toBe(201);
    const key = created.body.sessionKey;
    const term = new TerminalClient(agent!.bridge.url, agent!.bridge.token, key);
    await term.opened();
    await term.ready();
    const farm = () => agent!.bridge.bridge.agent.engine.hostWatchers().find((w) => w.name === 'farm')!;
    const master = (farm() as any).options.remote.masterPid as number;
    process.kill(master, 'SIGKILL');
    await waitFor(async () => (await api.get('/api/hosts', HostList)).body.hosts.find((h: any) => h.name === 'farm')!.state !== 'connected', 'farm to drop', 30_000);
    const during = await api.post(`/api/cli-sessions/${key}/send`, { text: 'echo lost' }, ApiErrorBody);
    expect(during.status).toBe(503);
    expect(during.body.error).toMatchObject({ code: 'host_unavailable' });
    // A terminal opened now is told the host's state and waits for it (it is not ended).
    const late = new TerminalClient(agent!.bridge.url, agent!.bridge.token, key);
    await late.opened();
    // The terminal is told the host is reconnecting (and why), then that it is back.
    await waitFor(() => term.messages.some((m) => m.type === 'host' && m.state === 'reconnecting'), 'the terminal to hear of the drop', 30_000);
    await waitFor(() => term.messages.some((m) => m.type === 'host' && m.state === 'connected'), 'the terminal to hear of the reconnect', 60_000);
    await waitFor(async () => (await api.post(`/api/cli-sessions/${key}/send`, { text: 'echo back-$((1+1))' }, Ok)).status === 202, 'send to work again', 30_000);
    // The screen is redrawn after the reconnect; the live stream runs again.
    await waitFor(() => `${term.snapshot.toString('utf8')}${term.text}`.includes('back-2'), 'the output after the reconnect', 30_000);
    term.send('echo again-$((3+3))\r');
    await term.waitForText('again-6', 30_000);
    await waitFor(() => late.hello, 'the late terminal to get its screen', 60_000);
    expect(late.closed).toBeUndefined();
    expect(late.messages[0]).toMatchObject({ type: 'host', host: 'farm' });
    await term.close();
    await late.close();
    await api.post(`/api/cli-sessions/${key}/close`, undefined, CliSession);
  }, 180_000);
});
