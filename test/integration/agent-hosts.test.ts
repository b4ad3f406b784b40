/**
 * Hosts other than the bridge's own tmux server:
 * - a remote host in tmuxagent's old flat layout with `live: false` (the polling
 *   fallback), reached through `ssh` (a fake ssh first on PATH checks the arguments
 *   and runs the remote command here, against a real tmux server): panes polled with
 *   captures, keys typed over ssh;
 * - a local host on another tmux socket: a server of its own, with exact streams,
 *   whose pipes are taken down again when the bridge stops.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CI_DEMO, ROOT, newPane, removeDir, startAgentBridge, waitForApproval, waitForStage, writeAgentFiles, type AgentBridge, type AgentFiles } from '../helpers/agent.ts';
import { FakeSsh } from '../helpers/fake-ssh.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { AgentConfigView, ApprovalDecisionResult, PaneList, PipelineView } from '../../schemas/index.ts';
import { makeApi } from '../helpers/bridge.ts';

let tmux: TestTmux;
let remote: TestTmux;
let side: TestTmux;
let ssh: FakeSsh;
let files: AgentFiles;
let agent: AgentBridge | undefined;
let savedPath: string | undefined;
const api = makeApi(() => agent!.bridge);

beforeAll(async () => {
  tmux = new TestTmux();
  remote = new TestTmux();
  side = new TestTmux();
  // The other servers must run before the bridge looks at them.
  await remote.tmux('new-session', '-d', '-s', 'idle', 'sleep 600');
  await side.tmux('new-session', '-d', '-s', 'idle', 'sleep 600');
  ssh = new FakeSsh();
  savedPath = process.env.PATH;
  process.env.PATH = ssh.path();
  files = writeAgentFiles(
    `approval_dir: {APPROVALS}
notify: stdout
hosts:
  # tmuxagent's old flat layout: ssh and tmux keys straight on the host
  - name: buildbox
    host: build-box
    port: 2222
    user: ci
    key_path: /keys/id_ci
    timeout: 7
    # polling, the fallback for hosts whose tmux has no control mode (older than 3.2)
    live: false
    socket: ${remote.socketName}
    session_filters: ["^job"]
    capture_lines: 500
    poll_interval_ms: 100
  - name: side
    tmux: {socket: ${side.socketName}, session_filters: ["^job"]}
`,
    readFileSync(join(ROOT, 'examples', 'policy.yaml'), 'utf8'),
  );
  agent = await startAgentBridge(tmux, files);
});

afterAll(async () => {
  await agent?.close();
  process.env.PATH = savedPath;
  for (const t of [tmux, remote, side]) await t?.kill();
  removeDir(files?.dir);
  removeDir(ssh?.dir);
});

describe('remote and other local hosts', () => {
  it('a remote host over ssh (flat layout) drives the pipeline with polled captures', async () => {
    const paneId = await newPane(remote, 'job-remote', 'ci', `bash ${CI_DEMO}`, { CI_DEMO_DELAY: '0', CI_DEMO_TEST_FAILURES: '1' });
    const approval = await waitForApproval(api, paneId, 'build');
    expect(approval.host).toBe('buildbox');
    expect((await api.post(`/api/approvals/${approval.id}`, { decision: 'approve' }, ApprovalDecisionResult)).status).toBe(200);
    const { body } = await waitFor(async () => {
      const res = await api.get('/api/pipelines/ci', PipelineView);
      const pane = res.body.panes.find((p: any) => p.host === 'buildbox' && p.paneId === paneId)!;
      return pane?.stages.every((s: any) => s.status === 'COMPLETED') ? res : undefined;
    }, 'the remote pipeline to complete', 30_000);
    const pane = body.panes.find((p: any) => p.host === 'buildbox');
    expect(pane!.stages.find((s: any) => s.name === 'test')).toMatchObject({ status: 'COMPLETED', retries: 1 });
    // Typed over ssh, once per action (and once more for the retried test).
    const screen = await remote.capture(paneId, '-S', '-100');
    expect(screen.match(/^ci> (lint|build|test)$/gm)).toEqual(['ci> lint', 'ci> build', 'ci> test', 'ci> test']);

    // tmuxagent's ssh command line: BatchMode, ConnectTimeout, port, key, user@host, then tmux -L socket.
    const calls = ssh.calls();
    expect(calls.length).toBeGreaterThan(3);
    for (const call of calls) {
      expect(call.slice(0, 8)).toEqual(['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=7', '-p', '2222', '-i', '/keys/id_ci']);
      expect(call[8]).toBe('ci@build-box');
      expect(call[9]).toMatch(new RegExp(`^tmux -L ${remote.socketName} `));
      expect(call).toHaveLength(10);
    }
    // One call per poll: the listing and every capture together; keys in one command per action.
    expect(calls.some((call) => call[9]!.includes('list-panes') && call[9]!.includes('capture-pane'))).toBe(true);
    const typed = calls.filter((call) => call[9]!.includes('send-keys'));
    expect(typed).toHaveLength(4);
    for (const call of typed) expect(call[9]!.match(/send-keys/g)).toHaveLength(1);
    // The remote pane shows as polled.
    const { body: panes } = await api.get('/api/panes', PaneList);
    expect(panes.panes.find((p: any) => p.host === 'buildbox' && p.paneId === paneId)).toMatchObject({ status: 'polling', watched: true, pipelines: ['ci'] });
  });

  it('a local host on another tmux socket gets exact streams of its own, and its pipes go when the bridge stops', async () => {
    const paneId = await newPane(side, 'job-side', 'ci', `bash ${CI_DEMO}`, { CI_DEMO_DELAY: '0', CI_DEMO_TEST_FAILURES: '0' });
    const approval = await waitForApproval(api, paneId, 'build');
    expect(approval.host).toBe('side');
    await waitFor(() => {
      try {
        return readFileSync(approval.file, 'utf8').includes('PENDING');
      } catch {
        return false;
      }
    }, 'the request file');
    writeFileSync(approval.file, 'yes\n');
    await waitForStage(api, 'ci', paneId, 'test', 'COMPLETED');
    const { body: panes } = await api.get('/api/panes', PaneList);
    expect(panes.panes.find((p: any) => p.host === 'side' && p.paneId === paneId)).toMatchObject({ status: 'watching' });
    expect((await side.tmux('display', '-p', '-t', paneId, '#{pane_pipe}')).trim()).toBe('1');
    const { body: config } = await api.get('/api/agent/config', AgentConfigView);
    expect(config.hosts.map((h: any) => `${h.name}:${h.kind}`)).toEqual(['buildbox:ssh', 'side:local']);
    expect(config.hosts[0]).toMatchObject({ ssh: { host: 'build-box', port: 2222, user: 'ci', key: '/keys/id_ci', timeoutSec: 7, live: false }, captureLines: 500, pollIntervalMs: 100, error: null, connection: { state: 'connected', mode: 'poll' } });

    await agent!.close();
    agent = undefined;
    expect((await side.tmux('display', '-p', '-t', paneId, '#{pane_pipe}')).trim()).toBe('0');
  });
});
