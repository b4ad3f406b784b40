/**
 * A remote host's faults and config reloads with terminals open (a real sshd on
 * 127.0.0.1): lines printed while the connection was down are reported as a gap with
 * their count (terminal message and STREAM_GAP event); reloading hosts.yaml keeps an
 * unchanged host's connection and terminals, reconnects a changed host (terminals are
 * told and reconnect), and tells the terminals of a removed host clearly.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startAgentBridge, writeAgentFiles, type AgentBridge, type AgentFiles } from '../helpers/agent.ts';
import { TestSshd } from '../helpers/sshd.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { ApiErrorBody, CliSession, EventPage, HostList } from '../../schemas/index.ts';
import { makeApi } from '../helpers/bridge.ts';

let tmux: TestTmux;
let remote: TestTmux;
let sshd: TestSshd;
let files: AgentFiles;
let agent: AgentBridge | undefined;
const api = makeApi(() => agent!.bridge);

const hostsYaml = (extra: Record<string, string> = {}, comment = '') => `# hosts${comment}
hosts:
  - name: farm
    ssh:
${sshd.hostYaml('      ', extra)}
    tmux: {socket: ${remote.socketName}}
`;

beforeAll(async () => {
  tmux = new TestTmux();
  remote = new TestTmux();
  await remote.tmux('new-session', '-d', '-s', 'idle', 'sleep 600');
  sshd = await new TestSshd().start();
  files = writeAgentFiles(hostsYaml(), 'pipelines: []\n');
  agent = await startAgentBridge(tmux, files);
  await connected();
}, 90_000);

afterAll(async () => {
  await agent?.close();
  await tmux?.kill();
  // The host's server: a channel of the bridge's connection still arriving may start a new one.
  await remote?.kill({ watchMs: 2000 });
  await sshd?.stop();
  removeDir(files?.dir);
});

const farmState = async () => (await api.get('/api/hosts', HostList)).body.hosts?.find((h: any) => h.name === 'farm')?.state as string | undefined;
const connected = () => waitFor(async () => (await farmState()) === 'connected', 'farm to connect', 60_000);
const master = () => (agent!.bridge.bridge.agent.engine.hostWatchers().find((w) => w.name === 'farm') as any)?.options.remote?.masterPid as number | undefined;
const reloads = () => agent!.events.filter((e) => e.type === 'CONFIG_RELOADED').length;

async function reload(text: string): Promise<void> {
  const before = reloads();
  writeFileSync(files.hostsPath, text);
  await waitFor(() => reloads() > before, 'the config to reload', 30_000);
}

async function openTerminal(key: string): Promise<TerminalClient> {
  const term = new TerminalClient(agent!.bridge.url, agent!.bridge.token, key);
  await term.opened();
  await term.ready();
  return term;
}

async function remoteSession(name: string): Promise<string> {
  const created = await api.post('/api/cli-sessions', { host: 'farm', name, shell: 'sh', cols: 100, rows: 30 }, CliSession);
  expect(created.status).toBe(201);
  return created.body.sessionKey as string;
}

describe('remote host faults', () => {
  it('lines printed while the connection was down are reported with their count', async () => {
    const key = await remoteSession('rgap');
    const term = await openTerminal(key);
    term.send('echo before-$((1+1))\r');
    await term.waitForText('before-2', 30_000);
    // The connection dies and cannot be made again (sshd paused) while the pane prints.
    process.kill(sshd.pid!, 'SIGSTOP');
    try {
      process.kill(master()!, 'SIGKILL');
      await waitFor(async () => (await farmState()) !== 'connected', 'farm to drop', 30_000);
      // Typed on the host itself while the bridge cannot see it: the command line and 12 lines.
      await remote.tmux('send-keys', '-t', '=rgap:', '-l', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo gap-line-$i; done');
      await remote.tmux('send-keys', '-t', '=rgap:', 'Enter');
      await waitFor(async () => (await remote.tmux('capture-pane', '-p', '-t', '=rgap:')).includes('gap-line-12'), 'the lines on the host', 30_000);
    } finally {
      process.kill(sshd.pid!, 'SIGCONT');
    }
    await connected();
    const gap = await waitFor(() => term.messages.find((m) => m.type === 'gap'), 'the terminal to hear of the gap', 60_000);
    expect(gap).toMatchObject({ type: 'gap', host: 'farm', lines: 13, beyondHistory: false });
    expect((gap as any).downMs).toBeGreaterThan(0);
    // The redrawn screen holds the lines that were not streamed.
    await waitFor(() => `${term.snapshot.toString('utf8')}${term.text}`.includes('gap-line-12'), 'the redrawn screen', 30_000);
    const events = await waitFor(async () => {
      const body = (await api.get('/api/events?type=STREAM_GAP&host=farm', EventPage)).body;
      return body.events?.length > 0 ? body.events : undefined;
    }, 'the STREAM_GAP event', 30_000);
    expect(events.find((e: any) => e.sessionKey === key)).toMatchObject({ type: 'STREAM_GAP', host: 'farm', lines: 13, beyondHistory: false });
    // The idle pane printed nothing: no gap reported for it.
    expect(events.every((e: any) => e.sessionKey === key)).toBe(true);
    await term.close();
  }, 180_000);

  it('a reload that leaves the host unchanged keeps its connection and its terminals', async () => {
    const key = await remoteSession('rkeep');
    const term = await openTerminal(key);
    const pid = master();
    await reload(hostsYaml({}, ' (edited)'));
    term.send('echo kept-$((2+2))\r');
    await term.waitForText('kept-4', 30_000);
    expect(master()).toBe(pid);
    expect(term.closed).toBeUndefined();
    expect(term.messages.some((m) => m.type === 'host' && m.state !== 'connected')).toBe(false);
    await term.close();
  }, 120_000);

  it('a changed host reconnects: its terminals are told and open again on the new connection', async () => {
    const key = await remoteSession('rchange');
    const term = await openTerminal(key);
    const pid = master();
    await reload(hostsYaml({ timeout: '20' }));
    await waitFor(() => term.closed, 'the terminal to be closed for the reconnect', 30_000);
    expect(term.messages).toContainEqual({ type: 'host', host: 'farm', state: 'reconnecting', reason: 'its settings in hosts.yaml changed' });
    expect(term.closed!.code).toBe(4503);
    await connected();
    expect(master()).not.toBe(pid);
    // The same session, over the new connection.
    await waitFor(async () => (await api.get(`/api/cli-sessions/${key}`, CliSession)).status === 200, 'the session to be back', 60_000);
    const again = await openTerminal(key);
    again.send('echo again-$((3+3))\r');
    await again.waitForText('again-6', 30_000);
    await again.close();
  }, 120_000);

  it("a removed host's terminals are told so and stop; its sessions answer 503", async () => {
    const key = await remoteSession('rgone');
    const term = await openTerminal(key);
    await reload('hosts: []\n');
    await waitFor(() => term.closed, 'the terminal to stop', 30_000);
    expect(term.closed).toMatchObject({ code: 4410, reason: 'host farm was removed from hosts.yaml' });
    expect(term.messages.some((m) => m.type === 'error' && /host farm was removed from hosts\.yaml: this terminal stopped; the session keeps running on the host/.test(m.message))).toBe(true);
    const gone = await api.get(`/api/cli-sessions/${key}`, ApiErrorBody);
    expect(gone.status).toBe(503);
    expect(gone.body.error.code).toBe('host_unavailable');
    // The session itself was not touched on the host.
    expect((await remote.tmux('display-message', '-p', '-t', '=rgone:', '#{session_name}')).trim()).toBe('rgone');
  }, 120_000);
});
