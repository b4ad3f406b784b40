/**
 * The agent board on a remote host through a real sshd on 127.0.0.1: live output
 * over one ssh connection (no polling), a pipeline with an approval, keys typed
 * through the connection (no ssh process per action), host states on /api/hosts
 * (connected, auth failed, a host that never answers does not hold up the others),
 * and a reconnect after the ssh process is killed with nothing missed or evaluated twice.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CI_DEMO, ROOT, newPane, removeDir, startAgentBridge, waitForApproval, waitForStage, writeAgentFiles, type AgentBridge, type AgentFiles } from '../helpers/agent.ts';
import { TestSshd } from '../helpers/sshd.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { AgentConfigView, ApprovalDecisionResult, AuditList, HostList, PaneList, PipelineView } from '../../schemas/index.ts';
import { makeApi } from '../helpers/bridge.ts';

let tmux: TestTmux;
let remote: TestTmux;
let sshd: TestSshd;
let files: AgentFiles;
let agent: AgentBridge | undefined;
let savedPath: string | undefined;
let wrapperDir: string;
let silent: Server;
const held: Socket[] = [];
const api = makeApi(() => agent!.bridge);

/** Every ssh process the bridge started: `pid args…`, oldest first. */
function sshCalls(): { pid: number; args: string }[] {
  const log = join(wrapperDir, 'calls.log');
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => ({ pid: Number(line.split(' ')[0]), args: line.slice(line.indexOf(' ') + 1) }));
}

const GAP_POLICY = `
  - name: gap
    match: {any_of: [{window_name: "^gap$"}]}
    stages:
      - name: one
        triggers: {any_of: [{log_regex: "^GO$"}]}
        success_when: {any_of: [{log_regex: "^MARK-1$"}]}
      - name: two
        triggers: {any_of: [{after_stage_success: one}]}
        success_when: {any_of: [{log_regex: "^MARK-2$"}]}
        # Seeing MARK-1 again (evaluated twice after the reconnect) would fail it.
        fail_when: {any_of: [{log_regex: "^MARK-1$"}]}
`;

beforeAll(async () => {
  tmux = new TestTmux();
  remote = new TestTmux();
  await remote.tmux('new-session', '-d', '-s', 'idle', 'sleep 600');
  sshd = await new TestSshd().start();
  // The real ssh, behind a wrapper that records each process (its pid stays: exec).
  wrapperDir = mkdtempSync(join(tmpdir(), 'tb-ssh-wrap-'));
  writeFileSync(join(wrapperDir, 'ssh'), `#!/bin/sh\nprintf '%s %s\\n' "$$" "$*" >> '${join(wrapperDir, 'calls.log')}'\nexec /usr/bin/ssh "$@"\n`);
  chmodSync(join(wrapperDir, 'ssh'), 0o755);
  savedPath = process.env.PATH;
  process.env.PATH = `${wrapperDir}:${process.env.PATH ?? ''}`;
  // A host that accepts TCP connections and never says a word.
  silent = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentPort = (silent.address() as { port: number }).port;
  files = writeAgentFiles(
    `approval_dir: {APPROVALS}
notify: stdout
hosts:
  - name: silent
    ssh: {host: 127.0.0.1, port: ${silentPort}, user: nobody, timeout: 120, known_hosts: ${sshd.knownHosts}}
    tmux: {socket: ${remote.socketName}}
  - name: farm
    ssh:
${sshd.hostYaml('      ', { timeout: '20' }).replace('timeout: "20"', 'timeout: 20')}
    tmux: {socket: ${remote.socketName}, session_filters: ["^job"]}
  - name: locked
    ssh:
${sshd.hostYaml('      ', { key: sshd.wrongKey })}
    tmux: {socket: ${remote.socketName}}
`,
    readFileSync(join(ROOT, 'examples', 'policy.yaml'), 'utf8') + GAP_POLICY,
  );
  agent = await startAgentBridge(tmux, files);
});

afterAll(async () => {
  await agent?.close();
  process.env.PATH = savedPath;
  for (const socket of held) socket.destroy();
  silent?.close();
  await tmux?.kill();
  // The host's server: a channel of the bridge's connection still arriving may start a new one.
  await remote?.kill({ watchMs: 2000 });
  await sshd?.stop();
  removeDir(files?.dir);
  removeDir(wrapperDir);
});

async function hosts(): Promise<Record<string, any>> {
  const { status, body } = await api.get('/api/hosts', HostList);
  expect(status).toBe(200);
  return Object.fromEntries(body.hosts.map((h: any) => [h.name, h]));
}

describe('a remote host through a real sshd', () => {
  it('shows each host state: connected, auth failed with the reason, and a silent host does not hold up the others', async () => {
    const all = await waitFor(async () => {
      const h = await hosts();
      return h.farm?.state === 'connected' && h.locked?.state === 'auth_failed' ? h : undefined;
    }, 'farm connected and locked refused', 40_000);
    expect(all.farm).toMatchObject({ kind: 'ssh', mode: 'stream', reason: null, target: `${sshd.user}@127.0.0.1:${sshd.port}` });
    expect(all.locked.reason).toMatch(/authentication failed for .*Permission denied.*authorized_keys/);
    // Still waiting for its banner (ConnectTimeout 120 s), while the others are long up.
    expect(all.silent.state).toBe('connecting');
    const { body: config } = await api.get('/api/agent/config', AgentConfigView);
    const farm = config.hosts.find((h: any) => h.name === 'farm')!;
    expect(farm.connection).toMatchObject({ state: 'connected', mode: 'stream' });
    expect(config.hosts.find((h: any) => h.name === 'locked')!.error).toMatch(/authentication failed/);
  }, 60_000);

  it('drives a pipeline with an approval on a remote pane from its live output, keys typed over the one connection', async () => {
    const paneId = await newPane(remote, 'job-remote', 'ci', `bash ${CI_DEMO}`, { CI_DEMO_DELAY: '0', CI_DEMO_TEST_FAILURES: '1' });
    const approval = await waitForApproval(api, paneId, 'build', 40_000);
    expect(approval.host).toBe('farm');
    // The request file is where tmuxagent keeps them (the approval dir on this machine).
    expect(approval.file.startsWith(files.approvalDir)).toBe(true);
    await waitFor(() => existsSync(approval.file) && readFileSync(approval.file, 'utf8').includes('PENDING'), 'the request file', 20_000);
    expect((await api.post(`/api/approvals/${approval.id}`, { decision: 'approve' }, ApprovalDecisionResult)).status).toBe(200);
    await waitForStage(api, 'ci', paneId, 'test', 'COMPLETED', 40_000);
    const screen = await remote.capture(paneId, '-S', '-100');
    expect(screen.match(/^ci> (lint|build|test)$/gm)).toEqual(['ci> lint', 'ci> build', 'ci> test', 'ci> test']);
    const { body: panes } = await api.get('/api/panes', PaneList);
    const watched = panes.panes.find((p: any) => p.host === 'farm' && p.paneId === paneId)!;
    expect(watched).toMatchObject({ status: 'watching', watched: true });
    // The pane is a workbench session of the host, and the agent's typing is in its audit log.
    expect(watched.sessionKey).toMatch(/^a_farm_/);
    const { body: audit } = await api.get(`/api/audit?sessionKey=${watched.sessionKey}`, AuditList);
    expect(audit.entries.filter((e: any) => e.source === 'agent').map((e: any) => e.preview).sort()).toEqual(['build\\r', 'lint\\r', 'test\\r', 'test\\r']);
    // One master connection per host; everything else is a channel over it, and no ssh process typed keys.
    const farmCalls = sshCalls().filter((c) => c.args.includes(`-p ${sshd.port}`) && c.args.includes(sshd.userKey));
    const masters = farmCalls.filter((c) => c.args.includes('ControlMaster=yes'));
    expect(masters).toHaveLength(1);
    expect(farmCalls.filter((c) => !c.args.includes('ControlMaster=yes')).every((c) => c.args.includes('ControlMaster=no'))).toBe(true);
    expect(farmCalls.some((c) => c.args.includes('send-keys'))).toBe(false);
    for (const c of farmCalls) expect(c.args).toMatch(/BatchMode=yes.*StrictHostKeyChecking=yes.*ServerAliveInterval|BatchMode=yes.*ServerAliveInterval.*StrictHostKeyChecking=yes/);
  }, 90_000);

  it('reconnects after the ssh process is killed: reports the gap, misses no line, evaluates none twice', async () => {
    const paneId = await newPane(remote, 'job-gap', 'gap', 'bash --noprofile --norc');
    await waitFor(async () => (await api.get('/api/panes', PaneList)).body.panes.some((p: any) => p.paneId === paneId && p.host === 'farm' && p.status === 'watching'), 'the gap pane to be watched', 30_000);
    await remote.tmux('send-keys', '-t', paneId, "printf 'G%s\\n' O; sleep 0.5; printf 'MARK-%s\\n' 1", 'Enter');
    await waitForStage(api, 'gap', paneId, 'two', 'RUNNING', 30_000);
    const master = sshCalls().filter((c) => c.args.includes('ControlMaster=yes') && c.args.includes(sshd.userKey) && c.args.includes(remote.socketName)).at(-1)!;
    process.kill(master.pid, 'SIGKILL');
    // Printed while the connection is down: read from the pane's history after the reconnect.
    await remote.tmux('send-keys', '-t', paneId, "printf 'MARK-%s\\n' 2", 'Enter');
    await waitFor(
      () => agent!.events.some((e: any) => e.type === 'HOST_STATUS' && e.host === 'farm' && e.connection.state === 'reconnecting'),
      'the host to show reconnecting',
      20_000,
    );
    await waitFor(async () => (await hosts()).farm.state === 'connected', 'the host to reconnect', 40_000);
    const two = await waitForStage(api, 'gap', paneId, 'two', 'COMPLETED', 40_000);
    expect(two.status).toBe('COMPLETED');
    expect((await api.get('/api/pipelines/gap', PipelineView)).body.panes.find((p: any) => p.paneId === paneId)!.stages.map((s: any) => s.status)).toEqual(['COMPLETED', 'COMPLETED']);
    const resumed = agent!.logs.find((line) => line.includes(paneId) && line.includes('output resumed after the connection was lost'));
    expect(resumed).toMatch(/(\d+) lines printed meanwhile were read from its history/);
    expect(Number(/(\d+) lines printed meanwhile/.exec(resumed!)![1])).toBeGreaterThanOrEqual(1);
    // A new master, not one ssh per pane.
    expect(sshCalls().filter((c) => c.args.includes('ControlMaster=yes') && c.args.includes(sshd.userKey)).length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
